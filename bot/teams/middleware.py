"""Cross-cutting turn work, run by the adapter before the bot sees an activity.

Both run after the adapter has authenticated the request, so an unsigned request (when
auth is on) never marks an id as seen nor stores a reference.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import InvokeResponse, Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes
from sqlalchemy.engine import Engine

from bot.logsafe import safe
from bot.teams import references
from bot.teams.identity import PLATFORM, tenant_of
from storage.events import claim_event, release_event

log = logging.getLogger(__name__)


def event_id(context: TurnContext) -> str | None:
    """Teams activity ids are unique per conversation: qualify them with it (and the tenant)."""
    activity = context.activity
    if not activity.id or activity.conversation is None:
        return None
    raw = f"{tenant_of(activity)}|{activity.conversation.id}|{activity.id}"
    return raw if len(raw) <= 255 else "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


class DedupeMiddleware(Middleware):
    """Process each activity id once, across retries by Teams and across replicas.

    The id is claimed in the database before the turn runs; if the turn fails the claim is
    released, so Teams' own redelivery gets a second chance instead of being dropped.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def on_turn(self, context: TurnContext,
                      logic: Callable[[], Awaitable[None]]) -> None:
        eid = event_id(context)
        if eid is None:
            await logic()
            return
        if not await asyncio.to_thread(claim_event, self.engine, PLATFORM, eid):
            log.info("teams: duplicate activity %s ignored", safe(eid, 120))
            if context.activity.type == ActivityTypes.invoke:
                # a redelivered invoke still needs its answer, or the adapter sends 501
                await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                     value=InvokeResponse(status=200)))
            return
        try:
            await logic()
        except BaseException:
            await asyncio.to_thread(release_event, self.engine, PLATFORM, eid)
            raise


class ReferenceMiddleware(Middleware):
    """Store the conversation reference and user time zone on inbound activities (skipped
    while unchanged since this process stored it: `references.RecentWrites`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.recent = references.RecentWrites()

    async def on_turn(self, context: TurnContext,
                      logic: Callable[[], Awaitable[None]]) -> None:
        activity = context.activity
        if activity.type in ("message", "conversationUpdate", "installationUpdate", "invoke"):
            try:
                await asyncio.to_thread(references.remember, self.engine, activity,
                                        self.recent)
            except Exception:  # the turn matters more than the bookkeeping; say so
                log.exception("teams: could not store the conversation reference")
        await logic()
