"""The optional weekly digest: each opted-in channel gets its workspace's open and overdue
identity tasks, grouped by owner, once per ISO week.

The digest is a summary to read, not a card to act on (the owners have their own nudges
with buttons): a `DigestReply` each surface renders from the card templates, naming owners
as it names people (a Slack mention, a Teams mention from the display name the adapter kept
in `UserProfile`, a terminal login) and tasks by their kind's label, never a raw ref.
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
from dialogs.replies import DigestOwner, DigestReply
from dialogs.task_view import task_summary
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


def digest_reply(tasks: list[Task], *, week: str, today: date,
                 names: Mapping[str, str] | None = None) -> DigestReply:
    """The digest of `tasks` (grouped by owner, in the order given); `names` maps owner
    refs to the display names the adapters kept."""
    names = names or {}
    owners: list[DigestOwner] = []
    shown = 0
    for owner, owned in itertools.groupby(tasks, key=lambda t: t.owner):
        mine = list(owned)
        listed = [task_summary(t, today=today) for t in mine[: max(MAX_LINES - shown, 0)]]
        shown += len(listed)
        display = names.get(owner) or (listed[0].owner_display if listed else None)
        owners.append(DigestOwner(owner=owner, owner_display=display,
                                  overdue=sum(1 for t in mine if t.due < today), tasks=listed))
    late = sum(1 for t in tasks if t.due < today)
    return DigestReply(week=week, today=today, total=len(tasks), overdue=late,
                       owners=[o for o in owners if o.tasks], more=len(tasks) - shown)


def digest_text(tasks: list[Task], *, week: str, today: date) -> str:
    """The digest as the terminal shows it (and as notification fallbacks read)."""
    from bot.cards.render import render_text

    return render_text(digest_reply(tasks, week=week, today=today))


def _names(engine: Engine, refs: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for ref in sorted(refs):
        profile = nudges.load_profile(engine, ref)
        if profile is not None and profile.display_name:
            found[ref] = profile.display_name
    return found


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
        names = await asyncio.to_thread(_names, engine, {t.owner for t in tasks})
        reply = digest_reply(tasks, week=week, today=today, names=names)
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
