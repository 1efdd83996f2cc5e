"""Proactive Teams messages for the nudge scheduler (the Teams `bot.senders.Sender`).

Teams lets a bot message someone only in a conversation that exists: we continue the one
stored from their last activity. For a user who never talked to the bot we try to open a
1:1 chat (works only where the app is installed for them); when Teams refuses, the result
is a permanent failure whose error says why, so the scheduler records it on the task and
falls back to the assessment's channel.
"""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import TurnContext
from botbuilder.schema import (
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.logsafe import safe
from bot.senders import DeliveryResult, Recipient, Sendable
from bot.teams import outbound, references
from bot.teams.adapter import IdgovCloudAdapter, make_adapter
from bot.teams.identity import PLATFORM
from bot.teams.retry import RetryPolicy, is_transient, retry_after_of, status_of
from bot.teams.settings import TeamsSettings, load_settings
from storage.db import session_scope
from storage.models import ConversationRef, UserProfile

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 60.0


def never_seen(ref: str) -> str:
    return (f"{ref} has never talked to the idgov bot and Teams refused a new chat (the app "
            "is not installed for them): Teams allows proactive messages only into existing "
            "conversations")


class TeamsSender:
    """Deliver nudges and digests through the connector; never raises for delivery problems.

    Its adapter makes one attempt per call: transient failures go back to the scheduler
    with a retry-after, which reschedules with backoff instead of blocking a sweep.
    """

    platform = PLATFORM

    def __init__(self, engine: Engine, settings: TeamsSettings | None = None,
                 adapter: IdgovCloudAdapter | None = None) -> None:
        self.engine = engine
        self.settings = settings or load_settings()
        self.adapter = adapter or make_adapter(self.settings, engine,
                                               RetryPolicy(attempts=1), inbound=False)

    async def send(self, recipient: Recipient, reply: Sendable) -> DeliveryResult:
        try:
            reference = await asyncio.to_thread(references.load, self.engine, recipient.ref)
            if reference is None:
                if recipient.is_channel:
                    return DeliveryResult(ok=False, permanent=True,
                                          error=f"{recipient.ref}: idgov was never added there")
                return await self._open_chat(recipient.ref, reply)
            message_id = await self._continue(reference, reply)
            return DeliveryResult(ok=True, message_ref=message_id)
        except Exception as exc:
            return self._failure(recipient.ref, exc)

    async def _continue(self, reference: ConversationReference,
                        reply: Sendable) -> str | None:
        sent: list[str | None] = []

        async def logic(context: TurnContext) -> None:
            context.activity.id = None  # a new message, not a reply to the synthetic event
            response = await context.send_activity(outbound.to_activity(reply))
            sent.append(response.id if response is not None else None)

        await self.adapter.continue_conversation(reference, logic, bot_app_id=self.settings.app_id)
        return sent[0] if sent else None

    async def _open_chat(self, ref: str, reply: Sendable) -> DeliveryResult:
        parts = ref.split(":", 2)
        if len(parts) != 3 or parts[0] != PLATFORM or not parts[2]:
            return DeliveryResult(ok=False, permanent=True, error=f"{ref} is not a Teams user")
        tenant, user_id = parts[1], parts[2]
        known = await asyncio.to_thread(self._tenant_bot, f"{PLATFORM}:{tenant}")
        if known is None:
            return DeliveryResult(ok=False, permanent=True, error=never_seen(ref))
        service_url, bot = known
        params = ConversationParameters(
            is_group=False, bot=bot, members=[ChannelAccount(id=user_id)], tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}})
        sent: list[str | None] = []

        async def logic(context: TurnContext) -> None:
            conv_ref = ConversationReference(
                channel_id="msteams", service_url=service_url, bot=bot,
                user=ChannelAccount(id=user_id), conversation=context.activity.conversation)
            await asyncio.to_thread(self._store, ref, tenant, conv_ref)
            context.activity.id = None
            response = await context.send_activity(outbound.to_activity(reply))
            sent.append(response.id if response is not None else None)

        try:
            await self.adapter.create_conversation(
                self.settings.app_id, logic, params, channel_id="msteams",
                service_url=service_url)
        except Exception as exc:
            if status_of(exc) in (403, 404):
                return DeliveryResult(ok=False, permanent=True, error=never_seen(ref))
            raise
        return DeliveryResult(ok=True, message_ref=sent[0] if sent else None)

    def _tenant_bot(self, workspace: str) -> tuple[str, ChannelAccount] | None:
        """A service URL and the bot's account in this tenant, from any stored reference."""
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(ConversationRef).where(ConversationRef.workspace == workspace)
                .order_by(col(ConversationRef.updated_at).desc()).limit(5)).all()
            data = [dict(r.reference) for r in rows]
        for d in data:
            bot = d.get("bot") or {}
            if d.get("serviceUrl") and bot.get("id"):
                return str(d["serviceUrl"]), ChannelAccount(id=bot["id"], name=bot.get("name"))
        return None

    def _store(self, ref: str, tenant: str, reference: ConversationReference) -> None:
        with session_scope(self.engine) as session:
            session.merge(ConversationRef(ref=ref, platform=PLATFORM,
                                          workspace=f"{PLATFORM}:{tenant}",
                                          reference=reference.serialize()))

    @staticmethod
    def _failure(ref: str, exc: BaseException) -> DeliveryResult:
        status = status_of(exc)
        what = f"{status} {exc}" if status else f"{type(exc).__name__}: {exc}"
        if is_transient(exc):
            log.warning("teams sender: transient failure to %s: %s", safe(ref), safe(what))
            return DeliveryResult(ok=False, retry_after=retry_after_of(exc) or DEFAULT_RETRY_AFTER,
                                  error=what[:500])
        if status in (403, 404):
            error = f"{ref}: Teams refused the message ({what[:300]}); the app was removed or "
            error += "the conversation is gone"
            log.warning("teams sender: %s", safe(error, 600))
            return DeliveryResult(ok=False, permanent=True, error=error)
        log.error("teams sender: failed to deliver to %s: %s", safe(ref), safe(what))
        return DeliveryResult(ok=False, permanent=status is not None and 400 <= status < 500,
                              retry_after=None if status else DEFAULT_RETRY_AFTER,
                              error=what[:500])

    async def user_timezone(self, user_ref: str) -> str | None:
        return await asyncio.to_thread(references.timezone_of, self.engine, user_ref)

    async def resolve_email(self, email: str, workspace: str) -> str | None:
        """A Teams user we have seen with this email in this tenant (the profile is ours)."""
        address = email.removeprefix("email:").strip().lower()

        def lookup() -> str | None:
            with session_scope(self.engine) as session:
                rows = session.exec(select(UserProfile).where(
                    col(UserProfile.email) == address)).all()
                return next((r.ref for r in rows if r.ref.startswith(f"{workspace}:")), None)

        return await asyncio.to_thread(lookup)
