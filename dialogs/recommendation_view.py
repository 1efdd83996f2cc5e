"""The engine's `Recommendation` as the neutral card reply.

Knowledge decides and explains; it does not know what a card is (docs/architecture.md,
"floors"). This module is where a recommendation meets the tasks stored for it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dialogs.replies import RecommendationReply, TaskSummary
from knowledge.recommend import Recommendation


def task_summaries(rec: Recommendation, today: date | None = None) -> list[TaskSummary]:
    """The proposed tasks unsaved (no id or owner), due `due_in_days` from today."""
    start = today or datetime.now(UTC).date()
    return [
        TaskSummary(
            kind=t.kind,
            title=t.title,
            why=t.why,
            priority=t.priority,
            due=start + timedelta(days=t.due_in_days),
            controls=t.controls,
        )
        for t in rec.tasks
    ]


def to_reply(
    rec: Recommendation, assessment_id: int | None, tasks: list[TaskSummary]
) -> RecommendationReply:
    """The neutral reply for the cards; `tasks` are the stored tasks (ids, owners, dues)."""
    return RecommendationReply(
        assessment_id=assessment_id,
        recommendation=rec.recommendation,
        recommendation_label=rec.recommendation_label,
        primary=rec.primary,
        confidence=rec.confidence,
        confidence_reason=rec.confidence_reason,
        summary=rec.summary,
        rationale=rec.rationale,
        would_change=rec.would_change,
        controls=rec.control_rows,
        tasks=tasks,
        sources=rec.sources,
    )
