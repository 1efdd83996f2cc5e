"""Neutral replies -> Teams messages: Adaptive Card attachments, sent or updated in place.

Cards come from the shared Jinja2 templates (`bot.cards.render(reply, "teams")`); this module
only wraps them and decides *how* each one is delivered: a question card is sent and its
activity id remembered; an answered-question reply replaces that card (update activity).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from bot.metrics import observe_replies
from bot.teams import card_store
from bot.teams.identity import Identity
from dialogs.replies import AnsweredReply, QuestionReply

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_of(reply: BaseModel) -> dict[str, Any]:
    from bot.cards.render import render_teams

    return render_teams(reply)


def to_activity(reply: BaseModel) -> Activity:
    """A message activity carrying the reply's Adaptive Card."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card_of(reply))],
    )


async def deliver(context: TurnContext, engine: Engine, ident: Identity,
                  replies: Sequence[BaseModel], *, pressed_card: str | None = None) -> None:
    """Send the replies in order; `pressed_card` is the card a submit came from, if any."""
    observe_replies("teams", replies)
    key = str(ident.key)
    for i, reply in enumerate(replies):
        if isinstance(reply, AnsweredReply):
            # When a question card follows, its save replaces the stored row: read only.
            follows = any(isinstance(r, QuestionReply) for r in replies[i + 1:])
            card_id = await asyncio.to_thread(partial(card_store.take, engine, key,
                                                      reply.step, forget=not follows))
            card_id = card_id or pressed_card
            if card_id is None:
                log.info("teams: no question card to update for %s step %s", key, reply.step)
                continue
            update = to_activity(reply)
            update.id = card_id
            update.conversation = context.activity.conversation
            await context.update_activity(update)
            continue
        response = await context.send_activity(to_activity(reply))
        if isinstance(reply, QuestionReply) and response is not None and response.id:
            await asyncio.to_thread(
                card_store.save, engine, key=key, workspace=ident.workspace,
                conversation_id=ident.conversation_id, activity_id=response.id,
                question_id=reply.question_id, step=reply.step)
