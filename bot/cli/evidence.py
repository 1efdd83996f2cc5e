"""`idgov evidence export --framework iso27001|soc2 [--period FROM..TO] --out DIR`.

Writes the auditor pack (`dialogs.evidence.pack`): index.html, summary.md, crosswalk,
inventory snapshot, task histories, SVG charts and a SHA-256 manifest. Same data, same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.errors import CliError, OneLineParser
from bot.cli.tasks import CLI_WORKSPACE
from dialogs.evidence.collect import parse_period
from dialogs.evidence.pack import PACK_FRAMEWORKS, EvidenceError, export_pack
from storage.db import get_engine


def cmd_export(args: argparse.Namespace) -> int:
    try:
        start, end = parse_period(args.period)
        names = export_pack(get_engine(), Path(args.out), framework=args.framework,
                            workspace=args.workspace or CLI_WORKSPACE, start=start, end=end)
    except (EvidenceError, ValueError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"Wrote {len(names)} files to {args.out} (open index.html; check with "
          "sha256sum -c SHA256SUMS).")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("evidence", help="export an auditor evidence pack")
    sub = parser.add_subparsers(dest="evidence_command", metavar="ACTION", required=True,
                                parser_class=OneLineParser)
    p = sub.add_parser("export", help="write index.html, summary.md, CSVs, charts, manifest")
    p.add_argument("--framework", required=True, choices=PACK_FRAMEWORKS)
    p.add_argument("--period", metavar="FROM..TO", help="e.g. 2026-01-01..2026-06-30")
    p.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory")
    p.add_argument("--workspace", help=f"inventory workspace (default {CLI_WORKSPACE})")
    p.set_defaults(func=cmd_export)
