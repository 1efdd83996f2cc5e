"""Neutral replies: what the advisor wants to say, with no platform formatting.

Dialogs and services return these; `bot.cards.render(reply, target)` turns each one into
Slack Block Kit, a Teams Adaptive Card or plain text through Jinja2 templates. Every
field is plain data (user text unescaped), so each renderer escapes for its own target.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

# Knowledge's own value types, embedded in the replies as they are (and importable from here).
from dialogs.report_model import Report
from knowledge.results import ControlRow, Rationale, Source


class Choice(BaseModel):
    value: str
    label: str


class QuestionReply(BaseModel):
    """One scoping question, asked with a button per choice plus "Not sure"."""

    kind: Literal["question"] = "question"
    question_id: str
    step: int  # monotonically increasing per conversation; a press with an older step is stale
    number: int  # 1-based position shown to the user
    total: int  # questions still applicable given the answers so far
    #: the count shown with the previous question, set only when the last answer changed it
    total_was: int | None = None
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
    assessment_id: int | None = None  # the assessment the task came from, for a link back
    #: why the last reminder could not be delivered ("no chat user found for li@acme.example")
    delivery_problem: str | None = None
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
    #: "summary": the first screen (point, three reasons, two would-change answers);
    #: "details": everything (every reason, what pulls the other way, the crosswalk).
    view: Literal["summary", "details"] = "summary"
    #: the tasks go out as their own message after this one (`dialogs.followup`); until a
    #: front end does that, the summary lists them at its end so none is lost
    tasks_separate: bool = False


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


class TaskChangedReply(BaseModel):
    """What a task button (or the Not-applicable form) did, for the person who pressed it.

    `result`: ``applied`` (the change was made), ``closed`` (the task was already closed:
    nothing changed), ``not_found`` (no such task in this workspace), ``refused`` (the
    change is not allowed or the input was wrong; `problem` says why). `task` is the task
    as it now is, with its last outcome, so the message pressed can drop its buttons.
    """

    kind: Literal["task_changed"] = "task_changed"
    result: Literal["applied", "closed", "not_found", "refused"]
    task: TaskSummary | None = None
    problem: str | None = None
    days: int | None = None  # snoozed for


class NudgeReply(BaseModel):
    """A reminder about one task, with Done / Snooze / Reassign / Not applicable."""

    kind: Literal["nudge"] = "nudge"
    stage: Literal["lead", "due", "overdue", "escalation"]
    task: TaskSummary
    days_overdue: int = 0
    escalation_note: str | None = None  # free text; cards prefer the parts below
    reminders_sent: int | None = None  # overdue reminders the owner got before escalating
    #: why the owner could not be reached (the escalation then says so instead)
    unreachable_reason: str | None = None


class HelpCommand(BaseModel):
    """One command in neutral words (``ask QUESTION``); the renderer names it as its surface
    does (``/idgov ask QUESTION`` in Slack, ``ask QUESTION`` in Teams and the terminal)."""

    name: str
    what: str
    #: surfaces that have it; empty: every surface
    surfaces: list[str] = Field(default_factory=list)


class HelpReply(BaseModel):
    kind: Literal["help"] = "help"
    title: str = "idgov: ISO/IEC 27001 or SOC 2 for your identity programme"
    intro: str
    commands: list[HelpCommand]
    welcome: bool = False
    #: said in a channel or group chat, where people must mention the bot first
    in_channel: bool = False


class TextReply(BaseModel):
    kind: Literal["text"] = "text"
    text: str
    tone: Literal["info", "success", "warning", "error"] = "info"
    #: a note for the person who acted only (a stale button pressed in a team thread must
    #: not make noise for everyone); the router turns it into `Audience.ACTOR`
    private: bool = False


class ResumeOrRestartReply(BaseModel):
    """`assess` while an assessment is in progress: carry on, or start over? Asked instead of
    silently discarding the answers so far (`dialogs.handlers_assessment`)."""

    kind: Literal["resume_or_restart"] = "resume_or_restart"
    answered: int = 0  # questions answered so far
    text: str = ("You have an assessment in progress. Carry on where you left off, or start "
                 "over (your answers so far are discarded)?")

# --- inventory (issue 13): the import report and the chat summary ---------------------------
# Kept here, not in dialogs/inventory/replies.py (which re-exports them), because the summary
# is a member of the `Reply` union below and its tasks are `TaskSummary`s.
class RejectedRow(BaseModel):
    row: int
    error: str


class ImportReport(BaseModel):
    format: str
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    skipped: int = 0  # rows the format says are not non-human identities (console users)
    rejected: list[RejectedRow] = Field(default_factory=list)
    gaps: dict[str, int] = Field(default_factory=dict)
    coverage: dict[str, Any] = Field(default_factory=dict)
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_closed: int = 0

    def as_json(self) -> dict[str, Any]:
        """The documented JSON output: exactly these keys."""
        return {
            "imported": self.imported, "updated": self.updated,
            "rejected": [r.model_dump() for r in self.rejected], "gaps": dict(self.gaps),
            "coverage": dict(self.coverage), "tasks_created": self.tasks_created,
            "tasks_closed": self.tasks_closed,
        }


class GapOffender(BaseModel):
    label: str  # platform:name
    owner: str | None = None
    gaps: int  # how many gap kinds this identity has


class GapCount(BaseModel):
    kind: str
    label: str
    count: int
    task_kind: str
    controls: list[str] = Field(default_factory=list)
    worst: list[GapOffender] = Field(default_factory=list)
    tasks_open: int = 0  # open inventory tasks chasing this gap (an "Open tasks" button)


class InventorySummaryReply(BaseModel):
    kind: Literal["inventory_summary"] = "inventory_summary"
    workspace: str
    identities: int
    coverage: dict[str, Any]
    gaps: list[GapCount]
    tasks: list[TaskSummary]  # open inventory tasks (opened per gap kind with a button)
    #: set when the summary answers a file sent in chat: what that import did
    report: ImportReport | None = None
    source: str | None = None  # the file's name
    empty_text: str = ("No inventory yet. Send a CSV or JSON export (AWS credential report, "
                       "gcloud, Azure, kubectl or GitHub) to import one.")


class ReportReply(BaseModel):
    """An assessment's full report sent into chat (the Full report action): Slack uploads
    it as an HTML file, Teams shows it as a card, the terminal prints its Markdown."""

    kind: Literal["report"] = "report"
    report: Report


class DigestOwner(BaseModel):
    """One owner's part of the weekly digest, named as each surface names people."""

    owner: str | None = None  # owner ref
    owner_display: str | None = None
    overdue: int = 0
    tasks: list[TaskSummary] = Field(default_factory=list)


class DigestReply(BaseModel):
    """The weekly digest of a workspace's open identity tasks, grouped by owner."""

    kind: Literal["digest"] = "digest"
    week: str
    today: date  # the digest's day in the workspace's zone: "overdue N days" counts from it
    total: int
    overdue: int
    owners: list[DigestOwner] = Field(default_factory=list)
    more: int = 0  # tasks not listed (the digest stays one readable message)


Reply = Annotated[
    QuestionReply
    | AnsweredReply
    | RecommendationReply
    | TaskListReply
    | AnswerReply
    | NudgeReply
    | TaskChangedReply
    | HelpReply
    | TextReply
    | ResumeOrRestartReply
    | InventorySummaryReply
    | ReportReply
    | DigestReply,
    Field(discriminator="kind"),
]
