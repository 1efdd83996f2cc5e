"""`idgov kb add|list|search|check`: the organisation's own FAQ beside the shipped pack.

`add` validates a whole file before writing any of it (one transaction); `check` lists every
problem it finds and exits 2 when there is any, so it can gate CI or a content review.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.database import engine_for_writes, existing_engine
from bot.cli.errors import CliError
from bot.cli.files import MB, read_text_bounded
from dialogs.org_faq import check_all, store
from dialogs.qa import knowledge_base
from knowledge import safe_yaml
from knowledge.qa.ask import is_confident
from knowledge.qa.orgfaq import OrgFaqError, parse_file


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("kb", help="manage the knowledge base (organisation FAQ)")
    sub = parser.add_subparsers(dest="kb_command", metavar="SUBCOMMAND")
    sub.required = True

    add = sub.add_parser("add", help="import a Markdown or HTML FAQ file")
    add.add_argument("file", metavar="FILE")
    add.add_argument("--source-url", help="URL to cite for the imported answers")
    add.add_argument("--replace", action="store_true", help="overwrite entries with the same id")
    add.set_defaults(func=run_add)

    lst = sub.add_parser("list", help="list shipped and organisation entries")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.add_argument("--origin", choices=("all", "shipped", "org"), default="all")
    lst.set_defaults(func=run_list)

    search = sub.add_parser("search", help="show the best-matching entries for a query")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--limit", type=int, default=5)
    search.set_defaults(func=run_search)

    check = sub.add_parser("check", help="validate every entry; exit 2 if any is invalid")
    check.set_defaults(func=run_check)


MAX_FAQ_BYTES = 5 * MB


def _check_faq_file(path: Path) -> None:
    """A regular file of bounded size whose front matter (if any) is YAML within limits.

    `parse_file` reads and parses the file itself; this runs first so `/dev/zero`, a FIFO,
    a huge file or a YAML alias bomb is one line instead of a MemoryError or a long hang.
    """
    text = read_text_bounded(path, MAX_FAQ_BYTES, "FAQ file")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            try:
                safe_yaml.load(text[3:end])
            except safe_yaml.YamlLimitError as exc:
                raise CliError(f"{path.name}: front matter refused: {exc}") from None
            except Exception:
                pass  # parse_file reports malformed YAML with its line number


def run_add(args: argparse.Namespace) -> int:
    if Path(args.file).suffix.lower() in {".md", ".markdown", ".html", ".htm"}:
        _check_faq_file(Path(args.file))
    try:
        page = parse_file(Path(args.file), source_url=args.source_url)  # before opening the DB
        ids = store(engine_for_writes(), page, replace=args.replace)
    except OrgFaqError as exc:
        raise CliError(str(exc)) from None
    print(f"added {len(ids)} entr{'y' if len(ids) == 1 else 'ies'} from {args.file}:")
    for entry_id in ids:
        print(f"  {entry_id}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    items = [
        item
        for item in knowledge_base(existing_engine()).items
        if args.origin in ("all", item.origin)
    ]
    if args.format == "json":
        rows = [
            {
                "id": i.entry.id,
                "origin": i.origin,
                "question": i.entry.question,
                "location": i.location,
                "tags": i.entry.tags,
            }
            for i in items
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for i in items:
            print(f"{i.entry.id:<40} {i.origin:<8} {i.entry.question}")
        print(f"{len(items)} entries")
    return 0


def run_search(args: argparse.Namespace) -> int:
    if not str(args.query).strip():
        raise CliError("empty query")
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    ranked = knowledge_base(existing_engine()).search(args.query, limit=args.limit)
    if not ranked:
        print("no matching entries")
        return 0
    for n, (item, hit) in enumerate(ranked):
        verdict = "would answer" if n == 0 and is_confident(hit) else ""
        print(
            f"{hit.score:6.3f}  cov {hit.coverage:4.2f}  {item.entry.id:<36} "
            f"{item.entry.question}  {verdict}".rstrip()
        )
    if not is_confident(ranked[0][1]):
        print("(ask would refuse this question)")
    return 0


def run_check(args: argparse.Namespace) -> int:
    checked, problems = check_all(existing_engine())
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        raise CliError(f"knowledge base has {len(problems)} problem(s) in {checked} entries")
    print(f"ok: {checked} entries valid")
    return 0
