"""`idgov ask "QUESTION" [--format text|json]`: one knowledge-base answer, or an honest refusal.

The JSON keys (answered, answer, sources[id, title, url], score) are a contract that scripts
and the chat adapters' tests rely on, so they are fixed here; `suggestions` (same shape: entry
id, its question, its main source) was added for "Did you mean…?" on a refusal. Organisation
entries added with `idgov kb add` are searched too when a database is configured or ./idgov.db
exists.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.cli.database import existing_engine
from bot.cli.errors import CliError
from dialogs.qa import ask_result
from knowledge.qa.models import AskResult
from knowledge.results import Source


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="answer a question from the sourced knowledge base (or say it cannot)",
        description="Answer an identity-governance question with sources, or refuse politely.",
    )
    parser.add_argument("question", metavar="QUESTION", help='e.g. "iso 27001 or soc 2?"')
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def _link(source: Source) -> dict[str, str]:
    """Exactly the documented keys, whatever else `Source` grows for the cards."""
    return {"id": source.id, "title": source.title, "url": source.url}


def as_json(result: AskResult) -> dict[str, Any]:
    """The documented JSON shape of `idgov ask --format json` (issue 3)."""
    return {
        "answered": result.answered,
        "answer": result.answer,
        "sources": [_link(s) for s in result.sources],
        "score": result.score,
        "suggestions": [_link(s) for s in result.suggestions],
    }


def as_text(result: AskResult) -> str:
    lines = [result.answer]
    if result.sources:
        lines += ["", "Sources:"]
        lines += [f"- {s.title}: {s.url}" for s in result.sources]
    if result.suggestions:
        lines.append("")
        lines += [f"{n}. {s.title} [{s.id}]" for n, s in enumerate(result.suggestions, start=1)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    question = str(args.question)
    if not question.strip():
        raise CliError('empty question; try: idgov ask "iso 27001 or soc 2?"')
    result = ask_result(existing_engine(), question)
    if args.format == "json":
        print(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        print(as_text(result))
    return 0
