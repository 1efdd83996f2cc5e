"""Which message holds each pending question: repository functions for both platforms.

Slack rows map (conversation key, step) to (channel, ts); Teams keeps one row per
conversation naming the activity id of the last question card. Functions take a
connection or session; the caller owns the transaction (`dialogs.question_messages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from storage.slack_models import SlackQuestionMessage
from storage.teams_models import TeamsQuestionCard

_SLACK: Table = SlackQuestionMessage.__table__  # type: ignore[attr-defined]
_TEAMS: Table = TeamsQuestionCard.__table__  # type: ignore[attr-defined]


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def slack_find(conn: Connection, key: str, steps: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(channel, ts) of the recorded question messages for these steps."""
    rows = conn.execute(
        select(_SLACK.c.step, _SLACK.c.channel, _SLACK.c.ts)
        .where(_SLACK.c.conversation_key == key, _SLACK.c.step.in_(list(steps)))
    ).all()
    return {int(step): (str(channel), str(ts)) for step, channel, ts in rows}


def slack_remember(conn: Connection, key: str, workspace: str,
                   posted: Sequence[tuple[int, str, str]], now: datetime) -> None:
    """Record (step, channel, ts) of questions just posted: one upsert."""
    latest = {step: (channel, ts) for step, channel, ts in posted}  # one row per step
    stmt = _insert(conn)(_SLACK).values([
        {"conversation_key": key, "step": step, "workspace": workspace, "channel": channel,
         "ts": ts, "created_at": now} for step, (channel, ts) in latest.items()])
    stmt = stmt.on_conflict_do_update(
        index_elements=[_SLACK.c.conversation_key, _SLACK.c.step],
        set_={"channel": stmt.excluded.channel, "ts": stmt.excluded.ts})
    conn.execute(stmt)


def teams_find(conn: Connection, key: str, step: int) -> str | None:
    """The activity id of the card that asked `step` in this conversation."""
    found = conn.execute(select(_TEAMS.c.step, _TEAMS.c.activity_id)
                         .where(_TEAMS.c.key == key)).first()
    return str(found[1]) if found is not None and found[0] == step else None


def teams_remember(conn: Connection, *, key: str, workspace: str, conversation_id: str,
                   activity_id: str, question_id: str, step: int, now: datetime) -> None:
    stmt = _insert(conn)(_TEAMS).values(
        key=key, workspace=workspace, conversation_id=conversation_id,
        activity_id=activity_id, question_id=question_id, step=step, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_TEAMS.c.key],
        set_={"conversation_id": stmt.excluded.conversation_id,
              "activity_id": stmt.excluded.activity_id,
              "question_id": stmt.excluded.question_id, "step": stmt.excluded.step,
              "updated_at": stmt.excluded.updated_at})
    conn.execute(stmt)
