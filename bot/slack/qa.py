"""Channel and DM questions: answer from the knowledge base, store the answer for feedback.

One function serves `/idgov ask`, an @mention, a DM outside an assessment and auto-answer
channels, so every path records feedback the same way. Auto-answer channels only hear back
when the knowledge base is confident: a wrong confident answer is worse than silence.
"""

from __future__ import annotations

import asyncio
import re

from sqlalchemy.engine import Engine

from bot.slack import refs
from dialogs import qa
from dialogs.replies import AnswerReply
from storage.db import session_scope
from storage.models import ChannelSetting

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
def strip_mentions(text: str) -> str:
    return MENTION.sub(" ", text).strip()


def _answer(engine: Engine, team_id: str, user_id: str, question: str,
            only_if_confident: bool) -> AnswerReply | None:
    return qa.answer(engine, workspace=refs.workspace(team_id),
                     user_ref=refs.user_ref(team_id, user_id), question=question,
                     only_if_confident=only_if_confident)


async def answer(engine: Engine, team_id: str, user_id: str, question: str, *,
                 only_if_confident: bool = False) -> AnswerReply | None:
    """The answer card for `question` (None: not confident enough to speak unasked)."""
    return await asyncio.to_thread(_answer, engine, team_id, user_id, question,
                                   only_if_confident)


def _answer_entry(engine: Engine, team_id: str, user_id: str, entry_id: str) -> AnswerReply:
    return qa.answer_entry(engine, workspace=refs.workspace(team_id),
                           user_ref=refs.user_ref(team_id, user_id), entry_id=entry_id)


async def answer_suggestion(engine: Engine, team_id: str, user_id: str,
                            entry_id: str) -> AnswerReply:
    """The answer card for a pressed "Did you mean…?" suggestion, stored for feedback like
    any answer (so Helpful yes/no works on it)."""
    return await asyncio.to_thread(_answer_entry, engine, team_id, user_id, entry_id)


def _vote(engine: Engine, team_id: str, user_id: str, feedback_id: int, helpful: bool) -> bool:
    return qa.vote(engine, workspace=refs.workspace(team_id),
                   user_ref=refs.user_ref(team_id, user_id), feedback_id=feedback_id,
                   helpful=helpful)


async def vote(engine: Engine, team_id: str, user_id: str, feedback_id: int,
               helpful: bool) -> bool:
    return await asyncio.to_thread(_vote, engine, team_id, user_id, feedback_id, helpful)


def _autoanswer(engine: Engine, team_id: str, channel_id: str) -> bool:
    with session_scope(engine) as session:
        row = session.get(ChannelSetting, ("slack", refs.workspace(team_id), channel_id))
        return bool(row and row.autoanswer)


async def autoanswer_enabled(engine: Engine, team_id: str, channel_id: str) -> bool:
    return await asyncio.to_thread(_autoanswer, engine, team_id, channel_id)


def _set_autoanswer(engine: Engine, team_id: str, channel_id: str, on: bool, by: str) -> None:
    from storage.clock import utcnow

    with session_scope(engine) as session:
        key = ("slack", refs.workspace(team_id), channel_id)
        row = session.get(ChannelSetting, key)
        if row is None:
            row = ChannelSetting(platform="slack", workspace=key[1], channel=channel_id)
        row.autoanswer, row.updated_by, row.updated_at = on, by, utcnow()
        session.add(row)


async def set_autoanswer(engine: Engine, team_id: str, channel_id: str, on: bool,
                         user_id: str) -> None:
    await asyncio.to_thread(_set_autoanswer, engine, team_id, channel_id, on,
                            refs.user_ref(team_id, user_id))
