"""Follow-up task rows and their audit trail: insert, list, close, snooze, reassign.

Pure persistence (docs/architecture.md, "floors"): these functions check what the table
itself requires (owner reference, priority, title, status transitions) and append a
`TaskEvent` (who, when, from where, what) in the same transaction as each change, because
that history is the audit evidence that a gap was followed up. Which task kinds exist and
when the next reminder is due are decided one floor up, in `dialogs.task_ops`, which every
caller uses; it wraps these functions.

Callers pass a sqlmodel ``Session`` (``storage.db.session_scope(engine)``) and commit; the
chat adapters pass ``source="slack"``/``"teams"``, the CLI ``"cli"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, insert
from sqlmodel import Session, col, select

from storage.clock import as_utc
from storage.models import Task, TaskEvent, UserProfile

PRIORITIES = ("high", "medium", "low")
STATUSES = ("open", "snoozed", "done", "not_applicable", "cancelled")
ACTIVE = ("open", "snoozed")
SOURCES = ("assessment", "cli", "slack", "teams", "scheduler", "import")
MAX_SNOOZE_DAYS = 365
#: The bulk path (`add_tasks`) writes with Core on the tables: no ORM object per row.
TASK_TABLE: Table = Task.__table__  # type: ignore[attr-defined]
EVENT_TABLE: Table = TaskEvent.__table__  # type: ignore[attr-defined]


class TaskError(ValueError):
    """Unknown id, wrong workspace, invalid transition or bad owner ref (one-line message)."""


@dataclass(frozen=True, slots=True)
class OwnerRef:
    platform: str  # slack | teams | email | cli
    scope: str  # team id | tenant id | "" (email) | "local"
    user: str  # user id | address | name
    raw: str


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]*$")
_EMAIL = re.compile(r"^[^@\s:]+@[^@\s:]+\.[^@\s:]+$")


def parse_owner_ref(ref: str) -> OwnerRef:
    """``slack:TEAM:USER`` | ``teams:TENANT:USER`` | ``email:ADDRESS`` | ``cli:local:NAME``."""
    text = (ref or "").strip()
    platform, _, rest = text.partition(":")
    if platform == "email":
        if _EMAIL.match(rest):
            return OwnerRef("email", "", rest.lower(), f"email:{rest.lower()}")
        raise TaskError(f"owner {ref!r} is not a valid email reference (email:name@example.com)")
    if platform in {"slack", "teams", "cli"}:
        scope, _, user = rest.partition(":")
        if platform == "cli" and scope != "local":
            raise TaskError(f"owner {ref!r}: CLI owners are written cli:local:NAME")
        if scope and user and _ID.match(scope) and _ID.match(user) and ":" not in scope:
            return OwnerRef(platform, scope, user, text)
    raise TaskError(
        f"owner {ref!r} is not a valid reference; use slack:TEAM:USER, teams:TENANT:USER, "
        "email:ADDRESS or cli:local:NAME"
    )


def _event(
    session: Session, task: Task, *, actor: str, source: str, action: str, now: datetime,
    **detail: Any,
) -> None:
    if source not in SOURCES:
        raise TaskError(f"source {source!r} is not one of {', '.join(SOURCES)}")
    assert task.id is not None
    session.add(
        TaskEvent(task_id=task.id, at=as_utc(now), actor=actor, source=source, action=action,
                  detail={k: v for k, v in detail.items() if v is not None})
    )


def owner_tz(session: Session, owner: str) -> str | None:
    """The owner's stored IANA zone, if any (Slack users.info, Teams activity)."""
    profile = session.get(UserProfile, owner)
    return profile.tz if profile and profile.tz else None


def owner_tzs(session: Session, owners: Iterable[str]) -> dict[str, str | None]:
    """`owner_tz` for many owners in one query per 500 (a bulk task creation's look-up)."""
    wanted = sorted(set(owners))
    found: dict[str, str | None] = dict.fromkeys(wanted)
    for start in range(0, len(wanted), 500):
        query = select(UserProfile.ref, UserProfile.tz).where(
            col(UserProfile.ref).in_(wanted[start:start + 500]))
        for ref, tz in session.exec(query).all():
            found[ref] = tz or None
    return found


def task_values(
    *, workspace: str, kind: str, title: str, owner: str, created_by: str, due: date,
    why: str = "", controls: Sequence[str] = (), priority: str = "medium",
    assessment_id: int | None = None, channel_ref: str | None = None,
    recurrence_days: int | None = None, now: datetime,
) -> dict[str, Any]:
    """Every column of a validated new task but its id: what `new_task` builds a `Task`
    from and what `add_tasks` inserts, so a task is the same row whichever path stored it."""
    if priority not in PRIORITIES:
        raise TaskError(f"priority {priority!r} is not one of {', '.join(PRIORITIES)}")
    title = (title or "").strip()
    if not title or len(title) > 500:
        raise TaskError("title must be 1 to 500 characters")
    if recurrence_days is not None and not 1 <= recurrence_days <= 3660:
        raise TaskError("recurrence must be 1 to 3660 days")
    if not isinstance(due, date):
        raise TaskError("due must be a date (YYYY-MM-DD)")
    now = as_utc(now)
    return {
        "workspace": workspace, "kind": kind, "title": title,
        "owner": parse_owner_ref(owner).raw, "created_by": created_by, "due": due,
        "why": why or "", "controls": list(controls), "priority": priority,
        "assessment_id": assessment_id, "channel_ref": channel_ref,
        "recurrence_days": recurrence_days, "created_at": now, "updated_at": now,
        # the model's defaults, spelled out so the bulk insert writes the same row
        "status": "open", "status_reason": None, "snoozed_until": None,
        "unreachable_note": None, "next_nudge_at": None, "nudge_stage": None,
        "nudges_sent": 0, "overdue_nudges": 0, "lease_owner": None, "lease_until": None,
        "attempts": 0, "last_error": None,
    }


def new_task(
    *, workspace: str, kind: str, title: str, owner: str, created_by: str, due: date,
    why: str = "", controls: Sequence[str] = (), priority: str = "medium",
    assessment_id: int | None = None, channel_ref: str | None = None,
    recurrence_days: int | None = None, now: datetime,
) -> Task:
    """A validated, not yet stored task (`add_task` stores it); the kind is the caller's check."""
    return Task(**task_values(
        workspace=workspace, kind=kind, title=title, owner=owner, created_by=created_by,
        due=due, why=why, controls=controls, priority=priority, assessment_id=assessment_id,
        channel_ref=channel_ref, recurrence_days=recurrence_days, now=now))


def _created_detail(owner: str, due: date, kind: str,
                    recurrence_days: int | None) -> dict[str, Any]:
    """The "created" event's detail (one spelling for `add_task` and `add_tasks`)."""
    detail = {"owner": owner, "due": due.isoformat(), "kind": kind,
              "recurrence_days": recurrence_days}
    return {k: v for k, v in detail.items() if v is not None}


def add_task(session: Session, task: Task, *, source: str) -> Task:
    """Insert a `new_task` and its "created" event (by its creator, at its creation time)."""
    session.add(task)
    session.flush()
    _event(session, task, actor=task.created_by, source=source, action="created",
           now=task.created_at,
           **_created_detail(task.owner, task.due, task.kind, task.recurrence_days))
    return task


def add_tasks(session: Session, rows: Sequence[dict[str, Any]], *, source: str) -> list[int]:
    """Insert many `task_values` rows and their "created" events; the new ids, in order.

    Two executemany statements instead of one ORM flush per task (issue 13: an import that
    opens 2,700 tasks spent most of its task sync flushing them one at a time). The rows and
    events are exactly what `add_task` writes for the same values.
    """
    if source not in SOURCES:
        raise TaskError(f"source {source!r} is not one of {', '.join(SOURCES)}")
    if not rows:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        ids = _reserve_ids(conn, len(rows))
        conn.execute(insert(TASK_TABLE), [{**r, "id": i} for i, r in zip(ids, rows, strict=True)])
    else:
        inserted = conn.execute(
            insert(TASK_TABLE).returning(TASK_TABLE.c.id, sort_by_parameter_order=True),
            [dict(r) for r in rows])
        ids = [int(i) for i in inserted.scalars()]
    conn.execute(insert(EVENT_TABLE), [
        {"task_id": task_id, "at": as_utc(r["created_at"]), "actor": r["created_by"],
         "source": source, "action": "created",
         "detail": _created_detail(r["owner"], r["due"], r["kind"], r["recurrence_days"])}
        for task_id, r in zip(ids, rows, strict=True)])
    return ids


def _reserve_ids(conn: Connection, count: int) -> list[int]:
    """`count` new task ids from the table's own sequence, ascending.

    On PostgreSQL an INSERT ... RETURNING of thousands of rows goes through SQLAlchemy's
    multi-row statements, which psycopg parses client-side (0.65 s for 2,700 tasks); with
    the ids known first, the insert is a plain pipelined executemany (a third of that).
    """
    sequence = func.pg_get_serial_sequence(TASK_TABLE.name, "id")
    query = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
    return sorted(int(i) for i in conn.execute(query).scalars())


def list_tasks(
    session: Session, *, workspace: str | None = None, owner: str | None = None,
    status: str | Sequence[str] | None = None,
) -> list[Task]:
    query = select(Task)
    if workspace is not None:
        query = query.where(Task.workspace == workspace)
    if owner is not None:
        query = query.where(Task.owner == owner)
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise TaskError(f"status {unknown[0]!r} is not one of {', '.join(STATUSES)}")
        query = query.where(col(Task.status).in_(wanted))
    return list(session.exec(query.order_by(col(Task.due), col(Task.id))).all())


def get_task(
    session: Session, task_id: int, *, workspace: str | None = None, for_update: bool = False,
) -> Task:
    query = select(Task).where(Task.id == task_id)
    if for_update:
        query = query.with_for_update()
    task = session.exec(query).first()
    if task is None or (workspace is not None and task.workspace != workspace):
        raise TaskError(f"no task {task_id}" + (f" in workspace {workspace}" if workspace else ""))
    return task


def _active(session: Session, task_id: int, workspace: str | None, verb: str) -> Task:
    task = get_task(session, task_id, workspace=workspace, for_update=True)
    if task.status not in ACTIVE:
        raise TaskError(f"task {task_id} is already {task.status.replace('_', ' ')}; cannot {verb}")
    return task


def _close(
    session: Session, task: Task, *, status: str, action: str, actor: str, source: str,
    now: datetime, reason: str | None = None,
) -> Task:
    now = as_utc(now)
    task.status = status
    task.status_reason = reason
    task.snoozed_until = None
    task.updated_at = now
    session.add(task)
    _event(session, task, actor=actor, source=source, action=action, now=now, reason=reason)
    return task


def next_due(task: Task, today: date) -> date:
    """A recurring task's next due date: same cadence, never today or in the past."""
    assert task.recurrence_days
    step = timedelta(days=task.recurrence_days)
    nxt = task.due + step
    while nxt <= today:
        nxt += step
    return nxt


def set_done(
    session: Session, task_id: int, *, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    """Close the task as done (its next occurrence, if recurring, is the caller's to add)."""
    task = _active(session, task_id, workspace, "mark it done")
    return _close(session, task, status="done", action="done", actor=actor, source=source,
                  now=now)


def record_recurrence(
    session: Session, done: Task, nxt: Task, *, actor: str, source: str, now: datetime,
) -> None:
    """Link a done recurring task and its next occurrence in both histories."""
    _event(session, nxt, actor=actor, source=source, action="recurred", now=now,
           previous_task_id=done.id)
    _event(session, done, actor=actor, source=source, action="recurred", now=now,
           next_task_id=nxt.id, next_due=nxt.due.isoformat())


def set_snoozed(
    session: Session, task_id: int, *, days: int, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    if not isinstance(days, int) or not 1 <= days <= MAX_SNOOZE_DAYS:
        raise TaskError(f"snooze days must be 1 to {MAX_SNOOZE_DAYS}")
    task = _active(session, task_id, workspace, "snooze it")
    now = as_utc(now)
    task.status = "snoozed"
    task.snoozed_until = now + timedelta(days=days)
    task.updated_at = now
    session.add(task)
    _event(session, task, actor=actor, source=source, action="snoozed", now=now, days=days,
           until=task.snoozed_until.isoformat())
    return task


def set_owner(
    session: Session, task_id: int, *, new_owner: str, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    owner = parse_owner_ref(new_owner).raw
    task = _active(session, task_id, workspace, "reassign it")
    if owner == task.owner:
        raise TaskError(f"task {task_id} is already owned by {owner}")
    now = as_utc(now)
    previous = task.owner
    task.owner = owner
    task.unreachable_note = None
    task.last_error = None
    task.attempts = 0
    task.updated_at = now
    session.add(task)
    _event(session, task, actor=actor, source=source, action="reassigned", now=now,
           previous_owner=previous, new_owner=owner)
    return task


def set_not_applicable(
    session: Session, task_id: int, *, reason: str, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    reason = (reason or "").strip()
    if not reason:
        raise TaskError("a reason is required to mark a task not applicable")
    task = _active(session, task_id, workspace, "mark it not applicable")
    return _close(session, task, status="not_applicable", action="not_applicable", actor=actor,
                  source=source, now=now, reason=reason[:1000])


def set_cancelled(
    session: Session, task_id: int, *, actor: str, source: str, now: datetime,
    reason: str | None = None, workspace: str | None = None,
) -> Task:
    task = _active(session, task_id, workspace, "cancel it")
    return _close(session, task, status="cancelled", action="cancelled", actor=actor,
                  source=source, now=now, reason=(reason or None))


def history(session: Session, task_id: int) -> list[TaskEvent]:
    """The task's audit trail, oldest first."""
    query = select(TaskEvent).where(TaskEvent.task_id == task_id)
    return list(session.exec(query.order_by(col(TaskEvent.at), col(TaskEvent.id))).all())
