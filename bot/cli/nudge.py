"""`idgov nudge --once [--now ISO-8601]`: one reminder sweep, for cron or a Kubernetes CronJob.

Safe to run beside `idgov serve` replicas: every due nudge is claimed in the database first,
so whichever sweeper claims it sends it, once. `--now` pins the clock (tests, back-fills).
Without `--once` it keeps sweeping every ``IDGOV_NUDGE_INTERVAL_SECONDS`` (a worker process).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime
from typing import NoReturn

from pydantic import ValidationError

from bot import startup_gc
from bot.cli.errors import CliError
from dialogs.reminders import NudgeSettings
from storage.clock import as_utc, utcnow
from storage.db import get_engine


def parse_now(text: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError:
        raise CliError(f"--now {text!r} is not an ISO-8601 date-time "
                       "(e.g. 2026-01-05T09:00:00+00:00)") from None


def load_settings() -> NudgeSettings:
    try:
        return NudgeSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "nudge settings"
        raise CliError(f"invalid setting {where}: {first['msg']}") from None


def cmd_nudge(args: argparse.Namespace) -> int:
    pinned = parse_now(args.now) if args.now else None
    if pinned is not None and not args.once:
        raise CliError("--now only makes sense with --once")
    settings = load_settings()
    from bot.scheduler import build_senders, run_once  # heavy: only when actually sweeping
    from bot.slack.settings import SlackSettingsError

    engine = get_engine()
    try:
        senders = build_senders(engine)
    except SlackSettingsError as exc:
        raise CliError(str(exc)) from None
    if not args.once:
        startup_gc.loaded()  # a worker keeps running: the garbage collector back on (main())
    while True:
        stats = asyncio.run(run_once(engine, senders, pinned or utcnow(), settings=settings))
        print(f"nudges: {stats.sent} sent, {stats.deferred} deferred, {stats.failed} failed",
              flush=True)
        for problem in stats.problems:  # say per task why it did not go out
            title = f" {problem.title}" if problem.title else ""
            print(f"  task #{problem.task_id}{title}: {problem.outcome}, {problem.reason}",
                  flush=True)
        if stats.digests:
            print(f"digests: {stats.digests} sent", flush=True)
        if args.once:
            return 0
        time.sleep(settings.interval_seconds)


class _OneLine(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"idgov: error: {self.prog}: {message}\n")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("nudge", help="send the reminder nudges that are due")
    parser.error = _OneLine.error.__get__(parser)  # type: ignore[method-assign]
    parser.add_argument("--once", action="store_true", help="one sweep, then exit (for cron)")
    parser.add_argument("--now", metavar="ISO-8601", help="pin the clock (with --once)")
    parser.set_defaults(func=cmd_nudge)
