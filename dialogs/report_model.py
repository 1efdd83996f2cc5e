"""The report's plain-data model, apart from how it is built (`dialogs.report`).

Kept in its own module so the neutral reply that carries a report to chat
(`dialogs.replies.ReportReply`) can hold it without `dialogs.replies` importing the code
that builds reports from stored rows (which itself uses the replies).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from knowledge.results import ControlRow, Source


class AnswerLine(BaseModel):
    question: str
    answer: str


class ReasonLine(BaseModel):
    text: str
    answer: str = ""
    sources: list[str] = Field(default_factory=list)


class TaskLine(BaseModel):
    id: int | None
    title: str
    kind: str
    priority: str
    due: date
    status: str
    owner: str
    done_when: str = ""


class Report(BaseModel):
    """Everything a report shows, already in people's words."""

    assessment_id: int
    created_at: datetime
    run_by: str
    recommendation: str
    start_with: str
    confidence: str
    confidence_reason: str = ""
    summary: str
    answers: list[AnswerLine]
    reasons_for: list[ReasonLine]
    reasons_against: list[ReasonLine]
    unknowns: list[ReasonLine]
    would_change: list[str]
    controls: list[ControlRow]
    tasks: list[TaskLine]
    sources: list[Source]
