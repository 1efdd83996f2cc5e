"""The report to keep: one assessment in full, for a decision record or an auditor.

Built from the stored rows (the ``assessment`` row with its answers and engine result, and
the tasks made from it), so a report rendered months later says what the user was told
then, with the tasks as they stand now. The model is platform-neutral plain data;
`bot.cards.report` renders it as Markdown or self-contained HTML, and the chat's Full
report action sends the same model.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from dialogs.reasons import confidence_reason, flips, sort_reasons, your_answer
from dialogs.replies import Rationale, RecommendationReply, Source
from dialogs.report_model import AnswerLine, ReasonLine, Report, TaskLine
from dialogs.scoping import scoping_dialog
from dialogs.wording import (
    CONFIDENCE_LABELS,
    FRAMEWORK_LABELS,
    kind_label,
    person_name,
    priority_label,
    status_label,
)
from knowledge.applicability import given
from knowledge.task_plan import done_when
from storage.models import Assessment, Task


class ReportError(LookupError):
    """No such assessment (the message is one line for the user)."""


def _reply_of(row: Assessment) -> RecommendationReply:
    """The stored engine result as the reply the user was shown (tasks come from rows)."""
    result = row.result
    return RecommendationReply.model_validate({
        "assessment_id": row.id,
        "recommendation": result.get("recommendation", row.recommendation),
        "recommendation_label": result.get("recommendation_label", row.recommendation),
        "primary": result.get("primary", "iso27001"),
        "confidence": result.get("confidence", row.confidence),
        "summary": result.get("summary", ""),
        "rationale": result.get("rationale", []),
        "would_change": result.get("would_change", []),
        "controls": result.get("control_rows", []),
        "tasks": [],
        "sources": result.get("sources", []),
        # read when the engine stores it (RecommendationReply.confidence_reason)
        "confidence_reason": result.get("confidence_reason"),
    })


def _reason_lines(items: list[Rationale], by_id: dict[str, Source]) -> list[ReasonLine]:
    return [
        ReasonLine(text=r.text, answer=your_answer(r),
                   sources=[(by_id[s].label or by_id[s].title) for s in r.source_ids if s in by_id])
        for r in items
    ]


def _answers(answers: dict[str, str]) -> list[AnswerLine]:
    """The answers as the user saw them; a question that did not apply (and implies no
    value) was never asked, so it is not reported as an answer (knowledge/applicability.py)."""
    dialog = scoping_dialog()
    return [AnswerLine(question=q.prompt, answer=q.label(answers.get(q.id, q.skip_value)))
            for q in dialog.questions if given(q.id, answers)]


def build_report(row: Assessment, tasks: list[Task]) -> Report:
    """The report of assessment `row` with its `tasks` (in plan order)."""
    reply = _reply_of(row)
    by_id = {s.id: s for s in reply.sources if s.id}
    reasons = sort_reasons(reply.rationale)
    return Report(
        assessment_id=row.id or 0,
        created_at=row.created_at,
        run_by=person_name(row.user_ref),
        recommendation=reply.recommendation_label,
        start_with=FRAMEWORK_LABELS[reply.primary],
        confidence=CONFIDENCE_LABELS[reply.confidence],
        confidence_reason=confidence_reason(reply),
        summary=reply.summary,
        answers=_answers(row.answers),
        reasons_for=_reason_lines(reasons.strongest + reasons.more_for, by_id),
        reasons_against=_reason_lines(reasons.against, by_id),
        unknowns=_reason_lines(reasons.unknown, by_id),
        would_change=[f.text for f in flips(reply.would_change)],
        controls=reply.controls,
        tasks=[
            TaskLine(id=t.id, title=t.title, kind=kind_label(t.kind),
                     priority=priority_label(t.priority), due=t.due,
                     status=status_label(t.status), owner=person_name(t.owner),
                     done_when=done_when(t.kind))
            for t in tasks
        ],
        sources=reply.sources,
    )


def load_report(session: Session, assessment_id: int | None = None,
                workspace: str | None = None) -> Report:
    """The report of `assessment_id` (default: the newest assessment, in `workspace` when
    given). Raises ReportError when there is none."""
    query = select(Assessment)
    if assessment_id is not None:
        query = query.where(col(Assessment.id) == assessment_id)
    if workspace is not None:
        query = query.where(col(Assessment.workspace) == workspace)
    row = session.exec(
        query.order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc()).limit(1)
    ).first()
    if row is None:
        raise ReportError(f"no assessment {assessment_id}" if assessment_id is not None
                          else "no assessment has been completed yet")
    tasks = list(session.exec(
        select(Task).where(col(Task.assessment_id) == row.id).order_by(col(Task.id))
    ).all())
    return build_report(row, tasks)
