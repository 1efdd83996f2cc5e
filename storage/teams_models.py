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


class TeamsFileOffer(SQLModel, table=True):
    """A file the bot offered a Teams user with a file consent card, until they answer it.

    A bot cannot attach a file in Teams: it sends a consent card, and only when the user
    accepts does Teams give it a one-time upload URL in their OneDrive. The accept can reach
    any replica, hours later, so the bytes wait here (bounded in size, with an expiry), and
    are deleted when the offer is answered or expires (`storage.teams_file_offers`).
    """

    __tablename__ = "teams_file_offer"

    id: str = Field(primary_key=True, max_length=64)  # random, in the card's accept context
    workspace: str = Field(index=True, max_length=255)  # teams:TENANT
    user_ref: str = Field(max_length=512)  # who may accept it: the admin who asked
    name: str = Field(max_length=255)
    data: bytes
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
