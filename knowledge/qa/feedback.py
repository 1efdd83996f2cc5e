"""Store answers shown in chat and the "Helpful? yes/no" votes they get.

The adapters record an answer before rendering it, so the card's feedback buttons can carry
the row id; a vote is accepted only from the workspace the answer was shown in.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dialogs.replies import AnswerReply
from knowledge.qa.models import AskResult
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Feedback


def record_answer(
    session: Session, *, workspace: str, user_ref: str, question: str, result: AskResult
) -> int:
    """Create the feedback row for an answer (or refusal) and return its id."""
    row = Feedback(
        workspace=workspace,
        user_ref=user_ref,
        question=question,
        entry_ids=list(result.entry_ids),
        answered=result.answered,
        score=result.score,
    )
    session.add(row)
    session.flush()
    assert row.id is not None  # assigned by the flush
    return row.id


def record_vote(
    session: Session, feedback_id: int, *, helpful: bool, voted_by: str, workspace: str
) -> bool:
    """Record a vote; False when the id is unknown or belongs to another workspace."""
    row = session.get(Feedback, feedback_id)
    if row is None or row.workspace != workspace:
        return False
    row.helpful = helpful
    row.voted_by = voted_by
    row.voted_at = utcnow()
    session.add(row)
    session.flush()
    return True


def to_reply(result: AskResult, question: str, feedback_id: int | None) -> AnswerReply:
    """The neutral reply the card templates render (sources plus feedback buttons)."""
    return AnswerReply(
        question=question,
        answered=result.answered,
        answer=result.answer,
        sources=list(result.sources),
        score=result.score,
        feedback_id=feedback_id,
        suggestions=list(result.suggestions),
    )


def recorded_reply(engine: Engine, *, workspace: str, user_ref: str, question: str,
                   result: AskResult) -> AnswerReply:
    """Store the answer shown (for the Helpful yes/no vote) and build its card.

    Every chat front end answers this way, so the feedback log is the same for Slack,
    Teams and whatever comes next.
    """
    with session_scope(engine) as session:
        feedback_id = record_answer(session, workspace=workspace, user_ref=user_ref,
                                    question=question, result=result)
    return to_reply(result, question, feedback_id)


def entry_question(result: AskResult, entry_id: str) -> str:
    """The question a pressed suggestion stands for: the entry's own question."""
    return result.titles[0] if result.titles else entry_id
