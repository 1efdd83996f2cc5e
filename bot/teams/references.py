"""Conversation references: how to reach a Teams user or channel later, proactively.

Teams allows a proactive message only into a conversation the bot already has, addressed
through the service URL Teams gave us. So every inbound activity refreshes the stored
reference: the personal chat under the user's ref, a channel or group chat under its
channel ref. The user's local time zone rides along for working-hours nudges.
"""

from __future__ import annotations

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


def remember(engine: Engine, activity: Activity) -> None:
    """Upsert the reference and profile for this activity (safe to race across replicas)."""
    ident = Identity.of(activity)
    if not ident.user_id or not activity.service_url:
        return
    ref, data = reference_of(activity, ident)
    tz = _valid_tz(getattr(activity, "local_timezone", None))
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
            return
        except IntegrityError:  # another replica inserted the same row first: update it
            if attempt == 2:
                raise


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
