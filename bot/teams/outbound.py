"""Neutral replies -> Teams messages, and one Teams turn as the router's `Surface`.

Cards come from the shared Jinja2 templates (`bot.cards.render(reply, "teams")`); this module
wraps them and delivers each `Out` as its audience says. Teams has no ephemeral messages, so
``ACTOR`` and ``HERE`` both go to the conversation of the turn (a personal chat is already
private); ``CHANNEL`` continues the stored conversation of that channel (Share to channel).
A question card is sent and its activity id remembered (`dialogs.question_messages`); an
answered-question reply replaces that card (update activity).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment
from sqlalchemy.engine import Engine

from bot.logsafe import safe
from bot.metrics import observe_replies
from bot.teams import file_consent, references
from bot.teams import files as teams_files
from bot.teams.identity import Identity
from dialogs.outbox import Audience, Out
from dialogs.question_messages import TeamsQuestionCards
from dialogs.replies import AnsweredReply, QuestionReply, Reply, TaskSummary
from dialogs.surface import FileDelivery, FileUnavailable
from dialogs.turn import Actor, Place, SharedFile, Turn
from storage import teams_file_offers

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_of(reply: Any) -> dict[str, Any]:
    from bot.cards.render import render_teams

    return render_teams(reply)


def to_activity(reply: Any) -> Activity:
    """A message activity carrying the reply's Adaptive Card."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card_of(reply))],
    )


class TeamsSurface:
    """One Teams turn: answers the router's questions and delivers its replies."""

    name = "teams"

    def __init__(self, context: TurnContext, engine: Engine, ident: Identity,
                 questions: TeamsQuestionCards, app_id: str | None = None) -> None:
        self.context, self.engine, self.ident = context, engine, ident
        self.questions, self.app_id = questions, app_id

    async def assessment_place(self, turn: Turn) -> Place | None:
        return turn.place  # Teams keeps the assessment in the chat it was asked in

    async def open_thread(self, place: Place, starter: Actor) -> Place | None:
        return None

    async def can_manage_channel(self, place: Place, actor: Actor) -> bool:
        return False

    async def is_workspace_admin(self, actor: Actor) -> bool:
        return False  # Teams admins are named in IDGOV_ADMINS (dialogs.policy)

    async def ask_reason(self, turn: Turn, task: TaskSummary) -> bool:
        return False  # the reason is an input on the card itself

    async def fetch_file(self, file: SharedFile, limit: int,
                         suffixes: tuple[str, ...] = ()) -> tuple[str, bytes]:
        if suffixes and not file.name.lower().endswith(suffixes):
            raise FileUnavailable("only " + " or ".join(s.lstrip(".").upper() for s in suffixes)
                                  + " files are taken here; nothing was downloaded.")
        return file.name, await teams_files.fetch(file, limit,
                                                  service_url=self.context.activity.service_url)

    async def send_file(self, actor: Actor, name: str, data: bytes,
                        comment: str) -> FileDelivery:
        """Offered with a consent card, only to the actor of this turn and only in their
        personal chat (a consent card in a channel would offer it to everyone there)."""
        if actor.ref != self.ident.user_ref or not self.ident.personal:
            return FileDelivery.UNAVAILABLE
        try:
            await file_consent.offer(self.context, self.engine, self.ident, name, data, comment)
        except teams_file_offers.OfferTooLarge as exc:
            log.warning("teams: file not offered: %s", exc)
            return FileDelivery.UNAVAILABLE
        return FileDelivery.OFFERED

    async def post(self, out: Out) -> bool:
        """Send to a channel: this conversation when it is that channel, else continue the
        channel's stored conversation reference."""
        if out.to is None:
            return False
        if out.to == self.ident.channel_ref:
            await self.context.send_activity(to_activity(out.reply))
            return True
        reference = await asyncio.to_thread(references.load, self.engine, out.to)
        if reference is None:
            return False
        sent: list[bool] = []

        async def logic(context: TurnContext) -> None:
            context.activity.id = None
            await context.send_activity(to_activity(out.reply))
            sent.append(True)

        try:
            await self.context.adapter.continue_conversation(reference, logic,
                                                             bot_app_id=self.app_id)
        except Exception as exc:
            log.warning("teams: sharing to %s failed: %s", safe(out.to, 160),
                        type(exc).__name__)
            return False
        return bool(sent)

    async def deliver(self, outs: Sequence[Out], *, pressed_card: str | None = None) -> None:
        """Send in order; `pressed_card` is the card a submit came from, if any."""
        observe_replies("teams", [o.reply for o in outs])
        for out in outs:
            reply: Reply = out.reply
            if out.audience is Audience.CHANNEL:
                await self.post(out)
                continue
            if isinstance(reply, AnsweredReply) and out.key is not None:
                found = await asyncio.to_thread(self.questions.find, out.key, [reply.step])
                card_id = found.get(reply.step) or pressed_card
                if card_id is None:
                    log.info("teams: no question card to update for %s step %s",
                             safe(out.key, 300),
                             reply.step)
                    continue
                update = to_activity(reply)
                update.id = card_id
                update.conversation = self.context.activity.conversation
                await self.context.update_activity(update)
                continue
            response = await self.context.send_activity(to_activity(reply))
            if (isinstance(reply, QuestionReply) and out.key is not None
                    and response is not None and response.id):
                await asyncio.to_thread(self.questions.remember, out.key,
                                        [(reply.step, reply.question_id, response.id)],
                                        self.ident.conversation_id)
