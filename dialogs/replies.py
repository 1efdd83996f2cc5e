"""Neutral replies: what the advisor wants to say, with no platform formatting.

Dialogs and services return these; `bot.cards.render(reply, target)` turns each one into
Slack Block Kit, a Teams Adaptive Card or plain text through Jinja2 templates. Every
field is plain data (user text unescaped), so each renderer escapes for its own target.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field


class Choice(BaseModel):
    value: str
    label: str


class Source(BaseModel):
    id: str = ""
    title: str
    url: str = ""
    label: str = ""  # a short name for inline citations ("NIST CSF 2.0"); title when empty


class QuestionReply(BaseModel):
    """One scoping question, asked with a button per choice plus "Not sure"."""

    kind: Literal["question"] = "question"
    question_id: str
    step: int  # monotonically increasing per conversation; a press with an older step is stale
    number: int  # 1-based position shown to the user
    total: int  # questions expected given the answers so far
    prompt: str
    why: str  # one line: why this question matters
    choices: list[Choice]
    allow_unsure: bool = True
    can_go_back: bool = False
    error: str | None = None  # set when re-asking after invalid input
    help: str | None = None  # set when the user asked for help


class AnsweredReply(BaseModel):
    """Replaces a question message once answered, so its buttons cannot be pressed again."""

    kind: Literal["answered"] = "answered"
    question_id: str
    step: int
    prompt: str
    answer_label: str
    by: str | None = None  # display reference of who answered (team threads)


class Rationale(BaseModel):
    text: str
    answer_id: str | None = None
    answer_value: str | None = None
    source_ids: list[str] = Field(default_factory=list)


class ControlRow(BaseModel):
    """One identity outcome mapped across the four frameworks."""

    outcome: str
    iso27001: list[str] = Field(default_factory=list)
    soc2: list[str] = Field(default_factory=list)
    nist_csf: list[str] = Field(default_factory=list)
    owasp_nhi: list[str] = Field(default_factory=list)


class TaskOutcome(BaseModel):
    """What last happened to a task from a button, shown in place of that task's buttons."""

    action: Literal["done", "snoozed", "reassigned", "not_applicable", "cancelled"]
    by: str | None = None  # actor ref, e.g. slack:T1:U1
    at: datetime | None = None
    until: datetime | None = None  # snoozed until
    new_owner: str | None = None  # reassigned to (owner ref)
    reason: str | None = None  # not applicable / cancelled


class TaskSummary(BaseModel):
    id: int | None = None
    kind: str
    title: str
    why: str = ""
    priority: Literal["high", "medium", "low"] = "medium"
    owner: str | None = None  # platform-neutral owner ref, e.g. slack:T1:U1
    owner_display: str | None = None
    due: date | None = None
    status: str = "open"
    overdue: bool = False
    controls: list[str] = Field(default_factory=list)
    #: set when a message is updated after a button press: shown instead of the buttons
    outcome: TaskOutcome | None = None


class RecommendationReply(BaseModel):
    kind: Literal["recommendation"] = "recommendation"
    assessment_id: int | None = None
    #: iso27001 | soc2 | soc2_then_iso27001 | soc2_with_iso27001_practices | both
    recommendation: str
    recommendation_label: str
    primary: Literal["iso27001", "soc2"]
    confidence: Literal["high", "medium", "low"]
    confidence_reason: str = ""  # why confidence is not high (one line); empty when high
    summary: str
    rationale: list[Rationale]
    would_change: list[str]
    controls: list[ControlRow]
    tasks: list[TaskSummary]
    sources: list[Source]
    can_share: bool = True


class TaskListReply(BaseModel):
    kind: Literal["task_list"] = "task_list"
    title: str = "Your open identity tasks"
    tasks: list[TaskSummary]
    empty_text: str = "You have no open tasks."


class AnswerReply(BaseModel):
    """A knowledge-base answer (or an honest refusal) with sources and feedback buttons."""

    kind: Literal["answer"] = "answer"
    question: str
    answered: bool
    answer: str
    sources: list[Source] = Field(default_factory=list)
    score: float = 0.0
    feedback_id: int | None = None  # set once stored; enables Helpful yes/no
    #: on a refusal: entries the question may have meant (id = entry id, title = its question),
    #: each shown as a button that answers that entry (Verb.ASK)
    suggestions: list[Source] = Field(default_factory=list)


class NudgeReply(BaseModel):
    """A reminder about one task, with Done / Snooze / Reassign / Not applicable."""

    kind: Literal["nudge"] = "nudge"
    stage: Literal["lead", "due", "overdue", "escalation"]
    task: TaskSummary
    days_overdue: int = 0
    escalation_note: str | None = None


class HelpReply(BaseModel):
    kind: Literal["help"] = "help"
    title: str = "idgov: ISO/IEC 27001 or SOC 2 for your identity programme"
    intro: str
    commands: list[tuple[str, str]]  # (command, what it does)
    welcome: bool = False


class TextReply(BaseModel):
    kind: Literal["text"] = "text"
    text: str
    tone: Literal["info", "success", "warning", "error"] = "info"


Reply = Annotated[
    QuestionReply
    | AnsweredReply
    | RecommendationReply
    | TaskListReply
    | AnswerReply
    | NudgeReply
    | HelpReply
    | TextReply,
    Field(discriminator="kind"),
]
