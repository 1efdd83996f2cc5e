"""Answers shown in chat and the "Helpful? yes/no" votes they get, as `Feedback` rows.

Repository functions: each takes the caller's ``Session`` and the caller owns the
transaction. A vote is accepted only from the workspace the answer was shown in.

Votes are per voter (`storage.feedback_models.FeedbackVote`, one row per answer and voter,
updated when that voter votes again). `Feedback.helpful` is kept, derived from them: True
when more voters said yes than no, False when more said no, None with no votes or a tie;
`Feedback.voted_by` and `voted_at` are the latest vote. So a single vote reads exactly as it
did before votes were per voter, and a second voter no longer erases the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.feedback_models import FeedbackVote
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
    """Record `voted_by`'s vote (replacing their earlier one); False when the id is unknown
    or belongs to another workspace."""
    row = session.get(Feedback, feedback_id, with_for_update=True)
    if row is None or row.workspace != workspace:
        return False
    now = utcnow()
    vote = session.exec(select(FeedbackVote).where(
        col(FeedbackVote.feedback_id) == feedback_id,
        col(FeedbackVote.voter) == voted_by)).first()
    if vote is None:
        vote = FeedbackVote(feedback_id=feedback_id, workspace=workspace, voter=voted_by,
                            helpful=helpful, voted_at=now)
    else:
        vote.helpful, vote.voted_at = helpful, now
    session.add(vote)
    session.flush()
    yes, no = tally(session, feedback_id)
    row.helpful = True if yes > no else False if no > yes else None
    row.voted_by = voted_by
    row.voted_at = now
    session.add(row)
    session.flush()
    return True


def tally(session: Session, feedback_id: int) -> tuple[int, int]:
    """(yes, no): how many voters found the answer helpful, and how many did not."""
    votes = session.exec(select(FeedbackVote.helpful).where(
        col(FeedbackVote.feedback_id) == feedback_id)).all()
    yes = sum(1 for v in votes if v)
    return yes, len(votes) - yes


def votes(session: Session, feedback_id: int) -> list[FeedbackVote]:
    """Every voter's current vote on one answer, oldest first."""
    return list(session.exec(select(FeedbackVote).where(
        col(FeedbackVote.feedback_id) == feedback_id).order_by(col(FeedbackVote.voted_at),
                                                               col(FeedbackVote.id))).all())
