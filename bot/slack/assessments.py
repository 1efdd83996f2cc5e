"""Stored assessments back as recommendation cards (Share to channel, App Home).

The advisor stores the engine's result with each assessment; rebuilding the card from it
(plus the assessment's tasks as they are now) means sharing later shows current owners and
due dates. Lookups are filtered by workspace, so an assessment id from another workspace
is simply not found.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.slack import refs
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


def shareable(engine: Engine, team_id: str, assessment_id: int
              ) -> tuple[RecommendationReply, str | None] | None:
    """The card and the channel it was started from (None: no channel), or None if unknown."""
    with session_scope(engine) as session:
        row = session.get(Assessment, assessment_id)
        if row is None or row.workspace != refs.workspace(team_id):
            return None
        card = card_of(session, row).model_copy(update={"can_share": False})
        return card, refs.parse_channel_ref(row.channel_ref, team_id)


def last_card(engine: Engine, team_id: str, user_id: str) -> RecommendationReply | None:
    with session_scope(engine) as session:
        row = session.exec(
            select(Assessment)
            .where(Assessment.workspace == refs.workspace(team_id),
                   Assessment.user_ref == refs.user_ref(team_id, user_id))
            .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
        ).first()
        return card_of(session, row) if row else None
