"""SQLModel tables. Datetimes are aware UTC (see `storage.clock`).

Owner and user references are platform-neutral strings: ``slack:TEAM:USER``,
``teams:TENANT:USER``, ``email:ADDRESS`` or ``cli:local:NAME``. Every row that belongs to a
workspace carries ``workspace`` (``slack:T123`` / ``teams:TENANT`` / ``cli:local``) so one
workspace's data is never shown in another.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.clock import utcnow


class Conversation(SQLModel, table=True):
    """Serialised dialog state under its conversation key; saved after every step."""

    __tablename__ = "conversation"

    key: str = Field(primary_key=True, max_length=512)
    workspace: str = Field(index=True, max_length=255)
    dialog: str = Field(max_length=64)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 0  # optimistic concurrency: two replicas never both apply one step
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class Assessment(SQLModel, table=True):
    """A completed scoping assessment: answers, result, who, when and where."""

    __tablename__ = "assessment"

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(index=True, max_length=255)
    conversation_key: str = Field(max_length=512)
    channel_ref: str | None = Field(default=None, max_length=512)  # where it ran / escalations
    user_ref: str = Field(index=True, max_length=255)  # who ran it
    answers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recommendation: str = Field(max_length=64)
    confidence: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Task(SQLModel, table=True):
    """A follow-up task for one identity gap, with its nudge schedule and lease."""

    __tablename__ = "task"
    __table_args__ = (
        # The sweeper asks "which open tasks have a nudge due now?": this index makes the
        # cost follow the number due, not the number of tasks.
        Index("ix_task_due_nudges", "status", "next_nudge_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(index=True, max_length=255)
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id", index=True)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=500)
    why: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    controls: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    priority: str = Field(default="medium", max_length=16)
    owner: str = Field(index=True, max_length=255)
    created_by: str = Field(max_length=255)
    due: date
    # open | snoozed | done | not_applicable | cancelled
    status: str = Field(default="open", max_length=32)
    status_reason: str | None = Field(default=None, max_length=1000)
    snoozed_until: datetime | None = None
    recurrence_days: int | None = None  # a review cadence: next occurrence made when done
    channel_ref: str | None = Field(default=None, max_length=512)  # escalation channel
    unreachable_note: str | None = Field(default=None, max_length=1000)
    # Nudge schedule and claim (lease) for exactly-once delivery across replicas.
    next_nudge_at: datetime | None = None
    nudge_stage: str | None = Field(default=None, max_length=16)
    nudges_sent: int = 0
    overdue_nudges: int = 0
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TaskEvent(SQLModel, table=True):
    """Append-only task history (audit evidence): who changed what, when, from where."""

    __tablename__ = "task_event"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=255)
    source: str = Field(max_length=32)  # assessment | cli | slack | teams | scheduler | import
    action: str = Field(max_length=32)  # created | done | snoozed | reassigned | not_applicable ...
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class NudgeDelivery(SQLModel, table=True):
    """One reminder sent (or failed) for a task; the unique key makes a send idempotent."""

    __tablename__ = "nudge_delivery"
    __table_args__ = (UniqueConstraint("task_id", "seq", name="uq_nudge_task_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    seq: int  # the task's nth nudge
    stage: str = Field(max_length=16)  # lead | due | overdue | escalation
    recipient: str = Field(max_length=512)
    status: str = Field(max_length=16)  # sent | failed
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """Inbound platform event ids already handled (Slack event_id, Teams activity id)."""

    __tablename__ = "processed_event"

    platform: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=255)
    received_at: datetime = Field(default_factory=utcnow, index=True)


class Feedback(SQLModel, table=True):
    """A knowledge-base answer shown in chat, and the Helpful yes/no it received."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(index=True, max_length=255)
    user_ref: str = Field(max_length=255)
    question: str = Field(sa_column=Column(Text, nullable=False))
    entry_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answered: bool = True
    score: float = 0.0
    helpful: bool | None = None
    voted_by: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    voted_at: datetime | None = None


class OrgKnowledgeEntry(SQLModel, table=True):
    """An organisation's own FAQ entry added with `idgov kb add` (validated before insert)."""

    __tablename__ = "org_knowledge_entry"

    id: str = Field(primary_key=True, max_length=128)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_file: str = Field(max_length=1000)
    added_at: datetime = Field(default_factory=utcnow)


class ChannelSetting(SQLModel, table=True):
    """Per-channel options: auto-answer questions without a mention, weekly digest."""

    __tablename__ = "channel_setting"

    platform: str = Field(primary_key=True, max_length=16)
    workspace: str = Field(primary_key=True, max_length=255)
    channel: str = Field(primary_key=True, max_length=255)
    autoanswer: bool = False
    digest: bool = False
    updated_by: str | None = Field(default=None, max_length=255)
    updated_at: datetime = Field(default_factory=utcnow)


class ConversationRef(SQLModel, table=True):
    """How to reach a user or channel proactively (Teams conversation reference, Slack ids)."""

    __tablename__ = "conversation_ref"

    ref: str = Field(primary_key=True, max_length=512)  # user ref or channel ref
    platform: str = Field(max_length=16)
    workspace: str = Field(index=True, max_length=255)
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class UserProfile(SQLModel, table=True):
    """What we know of a chat user: display name and IANA time zone for working hours."""

    __tablename__ = "user_profile"

    ref: str = Field(primary_key=True, max_length=255)
    display_name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, index=True, max_length=320)
    tz: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)


from storage.feedback_models import FeedbackVote  # noqa: E402, F401  (one vote per voter)
from storage.inventory_models import NhiIdentity, NhiTaskLink  # noqa: E402, F401  (inventory)
from storage.nudge_models import DigestRun  # noqa: E402, F401  (weekly digest claims)
from storage.slack_models import SlackQuestionMessage  # noqa: E402, F401  (Slack adapter table)
from storage.teams_models import (  # noqa: E402, F401  (Teams adapter tables)
    TeamsFileOffer,
    TeamsQuestionCard,
)
