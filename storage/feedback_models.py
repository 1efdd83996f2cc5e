"""One "Helpful? yes/no" vote per voter per answer.

Before this table the vote lived on the `Feedback` row itself, so a second person's vote
overwrote the first's. Now each voter has one row per answer (the unique constraint),
updated in place when they vote again; `Feedback.helpful` is the tally derived from these
rows (see `storage.feedback.record_vote`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.clock import utcnow


class FeedbackVote(SQLModel, table=True):
    __tablename__ = "feedback_vote"
    __table_args__ = (UniqueConstraint("feedback_id", "voter", name="uq_feedback_vote_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(sa_column=Column(
        Integer, ForeignKey("feedback.id", ondelete="CASCADE"), nullable=False, index=True))
    #: the answer's workspace, copied so a workspace's data is deleted in one statement
    workspace: str = Field(index=True, max_length=255)
    voter: str = Field(max_length=255)  # neutral user ref, e.g. slack:T1:U1
    helpful: bool
    voted_at: datetime = Field(default_factory=utcnow)
