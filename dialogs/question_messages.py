"""The one small interface for "which message holds the pending question".

A typed answer carries no reference to the question it answers, yet that message must be
updated to show the answer (so its buttons cannot be pressed twice). Adapters remember where
each question was posted (`remember`) and look it up when the advisor says it was answered
(`find`). `where` is the platform's own message address: ``"<channel> <ts>"`` in Slack, an
activity id in Teams. Kept in the database, so another replica or a restarted server finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.engine import Engine

from dialogs.keys import ConversationKey, workspace_ref
from storage import question_messages as repo
from storage.clock import utcnow


class QuestionMessages(Protocol):
    def find(self, key: ConversationKey, steps: Sequence[int]) -> dict[int, str]: ...

    def remember(self, key: ConversationKey, posted: Sequence[tuple[int, str, str]],
                 conversation: str = "") -> None:
        """`posted`: (step, question id, where) of questions just posted."""
        ...


class SlackQuestionMessages:
    """``where`` = ``"<channel> <ts>"``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def find(self, key: ConversationKey, steps: Sequence[int]) -> dict[int, str]:
        if not steps:
            return {}
        with self.engine.connect() as conn:
            found = repo.slack_find(conn, str(key), steps)
        return {step: f"{channel} {ts}" for step, (channel, ts) in found.items()}

    def remember(self, key: ConversationKey, posted: Sequence[tuple[int, str, str]],
                 conversation: str = "") -> None:
        if not posted:
            return
        rows: list[tuple[int, str, str]] = []
        for step, _qid, where in posted:
            channel, _, ts = where.partition(" ")
            rows.append((step, channel, ts))
        with self.engine.begin() as conn:
            repo.slack_remember(conn, str(key), workspace_ref(key.platform, key.workspace),
                                rows, utcnow())


class TeamsQuestionCards:
    """``where`` = the activity id of the card; one open question per conversation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def find(self, key: ConversationKey, steps: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        with self.engine.connect() as conn:
            for step in steps:
                where = repo.teams_find(conn, str(key), step)
                if where:
                    found[step] = where
        return found

    def remember(self, key: ConversationKey, posted: Sequence[tuple[int, str, str]],
                 conversation: str = "") -> None:
        if not posted:
            return
        step, question_id, where = posted[-1]
        with self.engine.begin() as conn:
            repo.teams_remember(conn, key=str(key),
                                workspace=workspace_ref(key.platform, key.workspace),
                                conversation_id=conversation, activity_id=where,
                                question_id=question_id, step=step, now=utcnow())


def store_for(engine: Engine, platform: str) -> QuestionMessages | None:
    """The question-message store of `platform`; None where questions are not messages that
    can go missing (the terminal prints them)."""
    if platform == "slack":
        return SlackQuestionMessages(engine)
    if platform == "teams":
        return TeamsQuestionCards(engine)
    return None
