"""`idgov report [ASSESSMENT_ID] --format md|html [--out FILE]`: an assessment to keep.

Answers as the user saw them, every reason with its source, what would change it, the
crosswalk and the tasks with owners and dates (`dialogs.report`), as Markdown or a
self-contained printable HTML page (`bot.cards.report`). Without an id: the newest one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.errors import CliError


def cmd_report(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from bot.cards.report import render_report
    from dialogs.report import ReportError, load_report
    from storage.db import get_engine

    if args.assessment_id is not None and args.assessment_id < 1:
        raise CliError(f"assessment id must be a positive number, not {args.assessment_id}")
    with Session(get_engine()) as session:
        try:
            report = load_report(session, args.assessment_id)
        except ReportError as exc:
            raise CliError(str(exc)) from None
    text = render_report(report, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.is_dir():
        raise CliError(f"--out {args.out!r} is a directory; give a file name")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {args.out!r}: {exc.strerror or exc}") from None
    print(f"Wrote the report of assessment {report.assessment_id} to {out}", file=sys.stderr)
    return 0


def _positive(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"assessment id must be a number, not {text!r}") from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("report", help="an assessment's full report (Markdown or HTML)")
    parser.add_argument("assessment_id", nargs="?", type=_positive, metavar="ASSESSMENT_ID",
                        help="the assessment (default: the newest)")
    parser.add_argument("--format", choices=("md", "html"), default="md",
                        help="md (default) or html (self-contained, printable)")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(func=cmd_report)
