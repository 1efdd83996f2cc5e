"""Who a nudge goes to and when their day starts: ``email:`` owners -> chat users, and each
user's IANA time zone, cached in `UserProfile` so a person costs one platform call a week.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.senders import Sender
from dialogs.reminders import NudgeSettings, safe_zone
from storage import nudges
from storage.models import Task

PROFILE_MAX_AGE = timedelta(days=7)  # refresh a user's time zone weekly (travel, DST moves)


class Profiles:
    """Owner lookups for one sweep: ``email:`` -> chat user, user -> time zone.

    Stored in `UserProfile` so each person costs one platform call a week, not one a nudge.
    """

    def __init__(self, engine: Engine, senders: Mapping[str, Sender], *, now: datetime,
                 settings: NudgeSettings) -> None:
        self.engine, self.senders, self.now, self.settings = engine, senders, now, settings
        self._tz: dict[str, ZoneInfo] = {}

    def _senders_for(self, workspace: str) -> list[Sender]:
        first = workspace.partition(":")[0]
        return sorted(self.senders.values(), key=lambda s: s.platform != first)

    async def resolve_owner(self, task: Task) -> tuple[str | None, str | None]:
        """(chat user ref, None) or (None, why it cannot be reached)."""
        platform, _, rest = task.owner.partition(":")
        if platform != "email":
            if platform == "cli":
                return None, "a cli:local owner has no chat account"
            return task.owner, None
        known = await asyncio.to_thread(nudges.profile_by_email, self.engine, rest)
        if known is not None:
            return known.ref, None
        for sender in self._senders_for(task.workspace):
            ref = await sender.resolve_email(rest, task.workspace)
            if ref:
                tz = await sender.user_timezone(ref)
                await asyncio.to_thread(nudges.save_profile, self.engine, ref, now=self.now,
                                        tz=tz, email=rest)
                return ref, None
        return None, f"no chat user found for {rest}"

    async def timezone(self, user_ref: str) -> ZoneInfo:
        if user_ref in self._tz:
            return self._tz[user_ref]
        profile = await asyncio.to_thread(nudges.load_profile, self.engine, user_ref)
        name = profile.tz if profile else None
        stale = profile is None or profile.updated_at < self.now - PROFILE_MAX_AGE
        sender = self.senders.get(user_ref.partition(":")[0])
        if stale and sender is not None:
            fresh = await sender.user_timezone(user_ref)
            name = fresh or name
            await asyncio.to_thread(nudges.save_profile, self.engine, user_ref, now=self.now,
                                    tz=name)
        self._tz[user_ref] = safe_zone(name, self.settings.default_tz)
        return self._tz[user_ref]

    def cached_tz(self, user_ref: str) -> ZoneInfo:
        return self._tz.get(user_ref) or safe_zone(None, self.settings.default_tz)
