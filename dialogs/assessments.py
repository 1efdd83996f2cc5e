"""Stored assessments back as recommendation cards (Share to channel, App Home, report).

The advisor stores the engine's result with each assessment; rebuilding the card from it
(plus the assessment's tasks as they are now) means sharing later shows current owners and
due dates. Lookups are filtered by workspace, so an assessment id from another workspace is
simply not found.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dialogs.recommendation_view import to_reply
from dialogs.replies import RecommendationReply
from dialogs.task_view import task_summary
from knowledge.recommend import Recommendation
from storage.db import session_scope
from storage.models import Assessment, Task


def card_of(session: Session, row: Assessment) -> RecommendationReply:
    tasks = session.exec(
        select(Task).where(Task.assessment_id == row.id, Task.workspace == row.workspace)
        .order_by(col(Task.due), col(Task.id))
    ).all()
    result = Recommendation.model_validate(row.result)
    return to_reply(result, row.id, [task_summary(t) for t in tasks])


def shareable(engine: Engine, workspace: str, assessment_id: int
              ) -> tuple[RecommendationReply, str | None] | None:
    """The card (without its Share button) and the channel ref it was started from (None:
    not from a channel), or None when there is no such assessment in `workspace`."""
    with session_scope(engine) as session:
        row = session.get(Assessment, assessment_id)
        if row is None or row.workspace != workspace:
            return None
        card = card_of(session, row).model_copy(update={"can_share": False})
        return card, row.channel_ref


def last_card(engine: Engine, workspace: str, user_ref: str) -> RecommendationReply | None:
    """The newest recommendation `user_ref` received in `workspace`."""
    with session_scope(engine) as session:
        row = session.exec(
            select(Assessment)
            .where(Assessment.workspace == workspace, Assessment.user_ref == user_ref)
            .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
        ).first()
        return card_of(session, row) if row else None
