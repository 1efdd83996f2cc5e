"""`idgov inventory import FILE [--dry-run] [--format text|json]`, `idgov inventory summary`
and `idgov inventory reevaluate [--workspace WS | --all]` (gaps judged again at today's date;
the server does this daily by itself).

The file is read here (a regular file, size-capped) and handed as bytes to
`dialogs.inventory.service`, the same call a chat upload makes. A file refused as a whole is
one line on stderr and exit 2; refused rows are listed in the report, and the exit code is 2
when there were any (the good rows are imported all the same), like `idgov tasks import`.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError, OneLineParser
from bot.cli.files import read_bounded
from bot.cli.tasks import CLI_WORKSPACE, _actor
from dialogs.inventory.reevaluate import Reevaluation, reevaluate, reevaluate_all
from dialogs.inventory.replies import ImportReport, InventorySummaryReply
from dialogs.inventory.service import MAX_BYTES, InventoryFileError, import_file, inventory_summary
from storage.db import get_engine


def _now(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--now {text!r} is not an ISO date or date-time") from None


def _share(value: Any) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def render_report(report: ImportReport, source: str) -> str:
    verb = "Would import" if report.dry_run else "Imported"
    lines = [f"{verb} {source} ({report.format}): {report.imported} new, {report.updated} "
             f"updated, {len(report.rejected)} refused"
             + (f", {report.skipped} skipped (console users, not NHIs)" if report.skipped else "")
             + "."]
    lines += [f"  row {r.row}: {r.error}" for r in report.rejected]
    c = report.coverage
    lines.append(f"Coverage of these {c.get('identities', 0)} identities: owner "
                 f"{_share(c.get('with_owner'))}, rotation date "
                 f"{_share(c.get('with_rotation_date'))}, rotated within policy "
                 f"{_share(c.get('rotated_within_policy'))}, used in the last "
                 f"{c.get('used_recently_days')} days {_share(c.get('used_recently'))}.")
    found = {k: n for k, n in report.gaps.items() if n}
    lines.append("Gaps: " + (", ".join(f"{k} {n}" for k, n in found.items()) or "none") + ".")
    if not report.dry_run:
        lines.append(f"Tasks: {report.tasks_created} created, {report.tasks_updated} updated, "
                     f"{report.tasks_closed} closed.")
    return "\n".join(lines)


def render_summary(reply: InventorySummaryReply) -> str:
    if not reply.identities:
        return reply.empty_text
    c = reply.coverage
    lines = [f"Inventory of {reply.workspace}: {reply.identities} identities; owner "
             f"{_share(c.get('with_owner'))}, rotated within policy "
             f"{_share(c.get('rotated_within_policy'))}, used in the last "
             f"{c.get('used_recently_days')} days {_share(c.get('used_recently'))}."]
    for gap in reply.gaps:
        if gap.count:
            worst = "; ".join(w.label for w in gap.worst)
            lines.append(f"  {gap.label}: {gap.count}" + (f" (worst: {worst})" if worst else ""))
    lines += [f"  task #{t.id} {t.status} due {t.due} {t.owner}: {t.title}" for t in reply.tasks]
    return "\n".join(lines)


def cmd_import(args: argparse.Namespace) -> int:
    data = read_bounded(Path(args.file), MAX_BYTES, "inventory file")
    try:
        report = import_file(get_engine(), data, Path(args.file).name,
                             importer_ref=_actor(args), workspace=args.workspace or CLI_WORKSPACE,
                             dry_run=args.dry_run, now=_now(args.now))
    except InventoryFileError as exc:
        raise CliError(f"{args.file}: {exc}") from None
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2))
    else:
        print(render_report(report, args.file))
    return 2 if report.rejected else 0


def cmd_summary(args: argparse.Namespace) -> int:
    reply = inventory_summary(get_engine(), args.workspace or CLI_WORKSPACE, now=_now(args.now))
    print(reply.model_dump_json(indent=2) if args.format == "json" else render_summary(reply))
    return 0


def render_reevaluation(done: Reevaluation) -> str:
    found = ", ".join(f"{k} {n}" for k, n in sorted(done.gaps.items()) if n) or "none"
    return (f"{done.workspace}: {done.identities} identities judged again, {done.changed} "
            f"with changed gaps ({found}); tasks: {done.tasks_created} created, "
            f"{done.tasks_updated} updated, {done.tasks_closed} closed.")


def cmd_reevaluate(args: argparse.Namespace) -> int:
    engine, now = get_engine(), _now(args.now)
    if args.all:
        if args.workspace:
            raise CliError("give --workspace or --all, not both")
        done = reevaluate_all(engine, now=now)
    else:
        done = [reevaluate(engine, args.workspace or CLI_WORKSPACE, now=now)]
    if args.format == "json":
        print(json.dumps([d.as_dict() for d in done], indent=2))
    else:
        print("\n".join(render_reevaluation(d) for d in done) or "No inventory to judge.")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("inventory", help="import non-human identities, see gaps")
    sub = parser.add_subparsers(dest="inventory_command", metavar="ACTION", required=True,
                                parser_class=OneLineParser)
    common = OneLineParser(add_help=False)
    common.add_argument("--workspace", help=f"inventory workspace (default {CLI_WORKSPACE})")
    common.add_argument("--format", choices=("text", "json"), default="text")
    common.add_argument("--now", help=argparse.SUPPRESS)  # pin the clock (tests, re-runs)

    p = sub.add_parser("import", parents=[common], help="import a CSV/JSON inventory or a "
                       "cloud export (AWS credential report, gcloud, Azure, kubectl, GitHub)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="validate and report; store nothing")
    p.add_argument("--actor", help="who imports (default: $USER); owns unowned identities' tasks")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("summary", parents=[common], help="coverage, gaps and open tasks")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("reevaluate", parents=[common], help="judge every identity's gaps "
                       "again at today's date and sync the tasks (the server does it daily)")
    p.add_argument("--all", action="store_true", help="every workspace with an inventory")
    p.set_defaults(func=cmd_reevaluate)
