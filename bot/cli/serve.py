"""`idgov serve [--host H] [--port P] [--no-scheduler] [--dev]`: the Slack/Teams web server.

Settings are checked before anything listens: a missing or contradictory variable, a port
already in use, or nothing configured at all is one line and exit code 2 (via CliError),
never a traceback on the first request.

Teams without MICROSOFT_APP_ID accepts unsigned activities: that development mode (for
Microsoft's Agents Playground) runs only when asked for with ``--dev`` or
``IDGOV_TEAMS_DEV=1``, binds 127.0.0.1 unless ``--host`` is given, and says so loudly.
SIGTERM stops gracefully within ``IDGOV_SHUTDOWN_SECONDS`` (`bot.shutdown`) and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
from typing import Any

from bot.cli.errors import CliError

log = logging.getLogger(__name__)

NOTHING_TO_SERVE = (
    "nothing to serve: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or the SLACK_CLIENT_* "
    "OAuth settings, or SLACK_APP_TOKEN), or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD; "
    "for an unauthenticated local Teams endpoint pass --dev (or IDGOV_TEAMS_DEV=1)")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="run the Slack/Teams server with /healthz")
    parser.add_argument("--host", default=None,
                        help="address to bind (IDGOV_HOST, default 0.0.0.0; 127.0.0.1 "
                             "in --dev mode)")
    parser.add_argument("--port", type=int, default=os.environ.get("PORT", "3000"))
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not send nudges from this process (cron runs idgov nudge)")
    parser.add_argument("--dev", action="store_true",
                        default=os.environ.get("IDGOV_TEAMS_DEV", "") in {"1", "true", "yes"},
                        help="allow an UNAUTHENTICATED Teams endpoint for local testing "
                             "(Agents Playground); binds 127.0.0.1 unless --host is given")
    parser.set_defaults(func=run)


def _host(args: argparse.Namespace, dev_teams: bool) -> str:
    if args.host:
        return str(args.host)
    return "127.0.0.1" if dev_teams else os.environ.get("IDGOV_HOST", "0.0.0.0")


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bot.logsafe import settings_message
    from bot.platforms import teams_wanted
    from bot.server import create_app
    from bot.shutdown import serve, shutdown_seconds
    from bot.slack.settings import SlackSettingsError, load_slack_settings
    from storage.db import get_engine

    if not 0 < args.port < 65536:
        raise CliError(f"--port must be 1-65535, got {args.port}")
    try:
        slack = load_slack_settings()
        grace = shutdown_seconds()
    except (SlackSettingsError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    teams = teams_wanted(slack)
    dev_teams = teams and not os.environ.get("MICROSOFT_APP_ID")
    if dev_teams and not args.dev:
        raise CliError(NOTHING_TO_SERVE)
    host = _host(args, dev_teams)
    scheduler = not args.no_scheduler and not os.environ.get("IDGOV_NUDGE_DISABLED")
    engine = get_engine()
    try:
        app = create_app(engine, slack=slack, teams=teams, scheduler=scheduler)
    except ValidationError as exc:  # nudge settings: name the variable
        raise CliError(settings_message(exc)) from None
    except ValueError as exc:  # e.g. Teams settings, one line
        raise CliError(str(exc).strip().splitlines()[0]) from exc
    slack_mode = "off" if slack is None else (
        "socket mode" if slack.socket_mode else f"{slack.mode} workspace".replace(
            "single workspace", "one workspace").replace("oauth workspace", "OAuth install"))
    teams_mode = "DEVELOPMENT MODE, UNAUTHENTICATED" if dev_teams else (
        "on" if teams else "off")
    print(f"idgov serving on http://{host}:{args.port} (slack: {slack_mode}; "
          f"teams: {teams_mode}; nudges: {'on' if scheduler else 'off'})", flush=True)
    if dev_teams:
        print(f"idgov: WARNING: /api/messages accepts unsigned activities from anyone who can "
              f"reach {host}:{args.port}; for local testing only", flush=True)
    try:
        asyncio.run(serve(app, host, args.port, grace))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"port {args.port} on {host} is already in use") from exc
        raise CliError(f"cannot listen on {host}:{args.port}: {exc.strerror or exc}") from exc
    return 0
