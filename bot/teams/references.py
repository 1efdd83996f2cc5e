"""Conversation references: how to reach a Teams user or channel later, proactively.

Teams allows a proactive message only into a conversation the bot already has, addressed
through the service URL Teams gave us. So every inbound activity refreshes the stored
reference: the personal chat under the user's ref, a channel or group chat under its
channel ref. The user's local time zone rides along for working-hours nudges.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.teams.identity import PLATFORM, Identity
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import ConversationRef, UserProfile


def _valid_tz(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def reference_of(activity: Activity, ident: Identity) -> tuple[str, dict[str, Any]]:
    """(ref, serialised reference) for the conversation this activity came from."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None  # proactive posts start a new message, not a reply
    if ident.personal:
        return ident.user_ref, reference.serialize()
    ref = ident.channel_ref or ident.user_ref
    if reference.conversation is not None:  # a channel thread -> the channel itself
        reference.conversation.id = ref.split(":#", 1)[1]
    reference.user = None
    return ref, reference.serialize()


class RecentWrites:
    """What this process last stored per reference, so an unchanged one is not rewritten.

    Every activity of a conversation carries the same reference, and rewriting it was one
    of four to five commits per Teams turn (issue 7). A reference (with the user's display
    name and time zone) identical to the one this process stored less than `refresh` ago is
    skipped; a changed one, or an old one, is written as before, so the stored row is never
    staler than `refresh` for an active user (nudges only need the service URL and ids).
    """

    def __init__(self, refresh: timedelta = timedelta(minutes=10), size: int = 10_000) -> None:
        self.refresh = refresh
        self.size = size
        self._seen: OrderedDict[str, tuple[Any, datetime]] = OrderedDict()
        self._lock = threading.Lock()  # used from worker threads (asyncio.to_thread)

    def fresh(self, ref: str, fingerprint: Any, now: datetime) -> bool:
        with self._lock:
            seen = self._seen.get(ref)
        return seen is not None and seen[0] == fingerprint and now - seen[1] < self.refresh

    def note(self, ref: str, fingerprint: Any, now: datetime) -> None:
        with self._lock:
            self._seen[ref] = (fingerprint, now)
            self._seen.move_to_end(ref)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)


def remember(engine: Engine, activity: Activity, recent: RecentWrites | None = None) -> bool:
    """Upsert the reference and profile for this activity (safe to race across replicas);
    False when `recent` says this process stored exactly that a moment ago."""
    ident = Identity.of(activity)
    if not ident.user_id or not activity.service_url:
        return False
    ref, data = reference_of(activity, ident)
    tz = _valid_tz(getattr(activity, "local_timezone", None))
    fingerprint = (data, ident.user_ref, ident.display_name, tz)
    if recent is not None and recent.fresh(ref, fingerprint, utcnow()):
        return False
    for attempt in (1, 2):
        try:
            with session_scope(engine) as session:
                now = utcnow()
                session.merge(ConversationRef(ref=ref, platform=PLATFORM,
                                              workspace=ident.workspace, reference=data,
                                              updated_at=now))
                profile = session.get(UserProfile, ident.user_ref)
                if profile is None:
                    profile = UserProfile(ref=ident.user_ref)
                if ident.display_name:
                    profile.display_name = ident.display_name[:255]
                if tz:
                    profile.tz = tz
                profile.updated_at = now
                session.add(profile)
            if recent is not None:
                recent.note(ref, fingerprint, now)
            return True
        except IntegrityError:  # another replica inserted the same row first: update it
            if attempt == 2:
                raise
    return False  # pragma: no cover (the loop returns or raises)


def load(engine: Engine, ref: str) -> ConversationReference | None:
    with session_scope(engine) as session:
        row = session.get(ConversationRef, ref)
        data = dict(row.reference) if row is not None and row.platform == PLATFORM else None
    if not data:
        return None
    reference: ConversationReference = ConversationReference().deserialize(data)
    return reference


def timezone_of(engine: Engine, user_ref: str) -> str | None:
    with session_scope(engine) as session:
        profile = session.get(UserProfile, user_ref)
        return profile.tz if profile is not None else None
