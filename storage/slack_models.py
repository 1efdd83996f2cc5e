"""Where each Slack question message lives, so an answer can update it in place.

A question may be answered by a button (the payload names the message) or by a typed reply
(it does not), so the adapter records ``(conversation key, step) -> (channel, ts)`` when it
posts a question and looks it up when the advisor says that step was answered. Kept in the
database, not in memory, so another replica or a restarted server still finds it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.clock import utcnow


class SlackQuestionMessage(SQLModel, table=True):
    __tablename__ = "slack_question_message"

    conversation_key: str = Field(primary_key=True, max_length=512)
    step: int = Field(primary_key=True)
    workspace: str = Field(index=True, max_length=255)
    channel: str = Field(max_length=255)
    ts: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)
