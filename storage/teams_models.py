"""Teams-only bookkeeping tables (no platform SDK here: plain ids and strings).

Teams updates a message in place by its activity id, and a typed answer arrives without
any reference to the question card it answers; so the adapter remembers, per conversation
key, which card holds the open question, and can replace it with the answer later.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.clock import utcnow


class TeamsQuestionCard(SQLModel, table=True):
    """The activity id of the last question card sent in a conversation."""

    __tablename__ = "teams_question_card"

    key: str = Field(primary_key=True, max_length=512)  # str(ConversationKey)
    workspace: str = Field(index=True, max_length=255)  # teams:TENANT
    conversation_id: str = Field(max_length=512)
    activity_id: str = Field(max_length=255)
    question_id: str = Field(max_length=64)
    step: int
    updated_at: datetime = Field(default_factory=utcnow)
