"""Remember which Teams message holds a conversation's open question card.

A typed answer carries no reference to the card it answers, yet the card must be replaced
by the answer (so its buttons cannot be pressed twice); this small table bridges that.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.clock import utcnow
from storage.db import session_scope
from storage.teams_models import TeamsQuestionCard


def save(engine: Engine, *, key: str, workspace: str, conversation_id: str, activity_id: str,
         question_id: str, step: int) -> None:
    for attempt in (1, 2):
        try:
            with session_scope(engine) as session:
                session.merge(TeamsQuestionCard(
                    key=key, workspace=workspace, conversation_id=conversation_id,
                    activity_id=activity_id, question_id=question_id, step=step,
                    updated_at=utcnow()))
            return
        except IntegrityError:  # a concurrent first insert: the retry updates it
            if attempt == 2:
                raise


def take(engine: Engine, key: str, step: int, *, forget: bool = True) -> str | None:
    """The activity id of the card that asked `step` in this conversation, forgotten once read.

    ``forget=False`` only reads: for when the next question card follows in the same turn,
    whose `save` replaces this row anyway (one write fewer per answered step; issue 7).
    """
    if not forget:
        with engine.connect() as conn:
            found = conn.execute(
                select(col(TeamsQuestionCard.step), col(TeamsQuestionCard.activity_id))
                .where(col(TeamsQuestionCard.key) == key)).first()
        return str(found[1]) if found is not None and found[0] == step else None
    with session_scope(engine) as session:
        row = session.get(TeamsQuestionCard, key)
        if row is None or row.step != step:
            return None
        session.delete(row)
        return row.activity_id
