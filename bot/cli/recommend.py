"""`idgov recommend --answers FILE [--format text|json]`: the engine without the dialog.

Other tools and checks script against the JSON shape, so its keys are fixed here in one
place. Bad input (unreadable file, not JSON, not an object, unknown key, value outside
the contract) is one line and exit 2, through CliError / AnswerError.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError
from bot.cli.files import MB, read_text_bounded
from knowledge.recommend import Recommendation, recommend

MAX_ANSWERS_BYTES = 1 * MB


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "recommend",
        help="recommend ISO/IEC 27001, SOC 2 or both from a JSON file of scoping answers",
        description=(
            "Read scoping answers (a JSON object; missing keys mean unsure/unknown) and print "
            "the recommendation, its rationale, the identity controls that matter and the "
            "follow-up tasks for every gap."
        ),
    )
    parser.add_argument("--answers", required=True, metavar="FILE", help="JSON file of answers")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def load_answers_file(path: str) -> object:
    """The decoded JSON document; CliError (one line) when it cannot be read or parsed."""
    text = read_text_bounded(Path(path), MAX_ANSWERS_BYTES, "answers file")
    try:
        return json.loads(text)
    except RecursionError:
        raise CliError(f"answers file {path!r} is nested too deeply; it must be a flat JSON "
                       "object of answer ids") from None
    except json.JSONDecodeError as exc:
        raise CliError(
            f"answers file {path!r} is not valid JSON (line {exc.lineno}, column {exc.colno}): "
            f"{exc.msg}"
        ) from None


def as_json(rec: Recommendation) -> dict[str, Any]:
    """The documented JSON shape of `idgov recommend --format json` (issue 2)."""
    return {
        "recommendation": rec.recommendation,
        "primary": rec.primary,
        "confidence": rec.confidence,
        "summary": rec.summary,
        "rationale": [r.model_dump() for r in rec.rationale],
        "would_change": list(rec.would_change),
        "controls": [c.model_dump() for c in rec.controls],
        "tasks": [
            {
                "kind": t.kind,
                "title": t.title,
                "why": t.why,
                "priority": t.priority,
                "due_in_days": t.due_in_days,
            }
            for t in rec.tasks
        ],
        "sources": [s.model_dump() for s in rec.sources],
    }


def as_text(rec: Recommendation) -> str:
    """The recommendation in full as plain text (the chat's Details view): a one-shot
    command has no "details" to type afterwards."""
    from bot.cards import render
    from dialogs.recommendation_view import task_summaries, to_reply

    reply = to_reply(rec, None, task_summaries(rec)).model_copy(update={"view": "details"})
    return render(reply, "text")


def run(args: argparse.Namespace) -> int:
    rec = recommend(_as_mapping(load_answers_file(args.answers)))
    if args.format == "json":
        print(json.dumps(as_json(rec), indent=2, ensure_ascii=False))
    else:
        print(as_text(rec).rstrip("\n"))
    return 0


def _as_mapping(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        kind = type(raw).__name__ if raw is not None else "null"
        raise CliError(f"answers file must contain a JSON object of answer ids, not a {kind}")
    return raw
