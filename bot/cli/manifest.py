"""`idgov manifest slack|teams`: print the Slack manifest or build the Teams app package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("manifest",
                                   help="print the Slack manifest / build the Teams package")
    targets = parser.add_subparsers(dest="target", metavar="TARGET")
    targets.required = True

    slack = targets.add_parser("slack", help="print manifest/slack/manifest.yaml for your host")
    slack.add_argument("--url", required=True, help="public base URL, e.g. https://idgov.example.com")
    slack.set_defaults(func=_slack)

    teams = targets.add_parser("teams", help="write the Teams app package (.zip)")
    teams.add_argument("--app-id", required=True, help="the bot's Microsoft App ID")
    teams.add_argument("--out", required=True, type=Path, help="zip file to write")
    teams.add_argument("--url", default=None, help="public base URL (optional)")
    teams.set_defaults(func=_teams)


def _slack(args: argparse.Namespace) -> int:
    from bot.slack.manifest import ManifestError, render_manifest

    try:
        sys.stdout.write(render_manifest(args.url))
    except ManifestError as exc:
        raise CliError(str(exc)) from exc
    return 0


def _teams(args: argparse.Namespace) -> int:
    try:
        from bot.teams.package import build_package
    except ModuleNotFoundError as exc:
        raise CliError("the Teams app package builder is not installed in this build") from exc
    try:
        out = build_package(args.app_id, args.out, args.url)
    except (ValueError, OSError) as exc:
        raise CliError(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)) from exc
    print(f"wrote {out}")
    return 0
