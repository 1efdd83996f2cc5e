"""`idgov serve [--host H] [--port P] [--no-scheduler]`: the Slack/Teams web server.

Settings are checked before anything listens: a missing or contradictory variable is one
line and exit code 2 (via CliError), never a traceback on the first request.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from bot.cli.errors import CliError

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="run the Slack/Teams server with /healthz")
    parser.add_argument("--host", default=os.environ.get("IDGOV_HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=os.environ.get("PORT", "3000"))
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not send nudges from this process (cron runs idgov nudge)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.platforms import teams_wanted
    from bot.server import create_app
    from bot.slack.settings import SlackSettingsError, load_slack_settings
    from storage.db import get_engine

    if not 0 < args.port < 65536:
        raise CliError(f"--port must be 1-65535, got {args.port}")
    try:
        slack = load_slack_settings()
    except SlackSettingsError as exc:
        raise CliError(str(exc)) from exc
    teams = teams_wanted(slack)
    scheduler = not args.no_scheduler and not os.environ.get("IDGOV_NUDGE_DISABLED")
    engine = get_engine()
    try:
        app = create_app(engine, slack=slack, teams=teams, scheduler=scheduler)
    except ValueError as exc:  # e.g. Teams settings, one line
        raise CliError(str(exc).strip().splitlines()[0]) from exc
    slack_mode = "off" if slack is None else (
        "socket mode" if slack.socket_mode else f"{slack.mode} workspace".replace(
            "single workspace", "one workspace").replace("oauth workspace", "OAuth install"))
    print(f"idgov serving on http://{args.host}:{args.port} (slack: {slack_mode}; "
          f"teams: {'on' if teams else 'off'}; nudges: {'on' if scheduler else 'off'})",
          flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None)
    return 0
