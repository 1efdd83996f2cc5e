"""The optional weekly digest: each opted-in channel gets its workspace's open and overdue
identity tasks, grouped by owner, once per ISO week.

Why a plain-text reply: the digest is a summary to read, not a card to act on (the owners
have their own nudges with buttons), and `TextReply` is what every `Sender` accepts.
Exactly once per channel and week comes from the `DigestRun` row each sweeper must insert
before posting (`storage.nudges.claim_digest`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy.engine import Engine

from bot.senders import Recipient, Sender
from dialogs.reminders import NudgeSettings, safe_zone
from dialogs.replies import TextReply
from storage import nudges
from storage.models import ChannelSetting, Task

log = logging.getLogger(__name__)
MAX_LINES = 40  # keep one message readable (and within Slack's 3,000-character sections)


def digest_week(now: datetime, settings: NudgeSettings) -> str | None:
    """The ISO week whose digest is due at `now`, or None before this week's digest time."""
    local = now.astimezone(safe_zone(settings.default_tz))
    day = local.isoweekday()
    if day < settings.digest_weekday or (
        day == settings.digest_weekday and local.time() < settings.work_start
    ):
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def digest_text(tasks: list[Task], *, week: str, today: date) -> str:
    overdue = sum(1 for t in tasks if t.due < today)
    lines = [f"Weekly identity-task digest ({week}): {len(tasks)} open, {overdue} overdue."]
    if not tasks:
        return lines[0] + "\nNothing open. Well done."
    shown = 0
    for owner, owned in itertools.groupby(tasks, key=lambda t: t.owner):
        mine = list(owned)
        late = sum(1 for t in mine if t.due < today)
        lines.append(f"\n{owner}: {len(mine)} open" + (f", {late} overdue" if late else ""))
        for task in mine:
            if shown >= MAX_LINES:
                break
            flag = f" (overdue {(today - task.due).days} d)" if task.due < today else ""
            lines.append(f"  - #{task.id} {task.title} [{task.kind}], due {task.due}{flag}")
            shown += 1
    if shown < len(tasks):
        lines.append(f"\n...and {len(tasks) - shown} more: `idgov tasks list` has them all.")
    return "\n".join(lines)


async def send_digests(engine: Engine, senders: Mapping[str, Sender], now: datetime, *,
                       settings: NudgeSettings, worker: str) -> int:
    """Post every due weekly digest this sweeper can claim; returns how many went out."""
    week = digest_week(now, settings)
    if week is None:
        return 0
    sent = 0
    channels: list[ChannelSetting] = await asyncio.to_thread(nudges.digest_channels, engine)
    for channel in channels:
        sender = senders.get(channel.platform)
        if sender is None:
            continue
        claimed = await asyncio.to_thread(
            nudges.claim_digest, engine, channel, week=week, worker=worker, now=now,
            lease_seconds=settings.lease_seconds)
        if not claimed:
            continue
        tasks = await asyncio.to_thread(nudges.active_tasks, engine, channel.workspace)
        today = now.astimezone(safe_zone(settings.default_tz)).date()
        reply = TextReply(text=digest_text(tasks, week=week, today=today))
        ref = f"{channel.workspace}:#{channel.channel}"
        result = await sender.send(Recipient(ref, is_channel=True), reply)
        detail = {"tasks": len(tasks), "error": result.error, "message_ref": result.message_ref}
        await asyncio.to_thread(nudges.finish_digest, engine, channel, week=week, worker=worker,
                                ok=result.ok, detail={k: v for k, v in detail.items() if v})
        if result.ok:
            sent += 1
        else:
            log.warning("weekly digest to %s failed: %s", ref, result.error)
    return sent
