"""Answers shown in chat and the "Helpful? yes/no" votes they get, as `Feedback` rows.

Repository functions: each takes the caller's ``Session`` and the caller owns the
transaction. A vote is accepted only from the workspace the answer was shown in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlmodel import Session

from storage.clock import utcnow
from storage.models import Feedback


class AnswerFacts(Protocol):
    """What is stored of an answer (knowledge's `AskResult` has these fields)."""

    @property
    def entry_ids(self) -> Sequence[str]: ...
    @property
    def answered(self) -> bool: ...
    @property
    def score(self) -> float: ...


def record_answer(
    session: Session, *, workspace: str, user_ref: str, question: str, result: AnswerFacts
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
