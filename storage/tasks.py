"""Follow-up task lifecycle: create, list, done, snooze, reassign, not applicable, cancel.

Every change appends a `TaskEvent` (who, when, from where, what) in the same transaction as
the change itself, because that history is the audit evidence that a gap was followed up.
Each change also re-plans the task's next reminder (`dialogs.reminders`) so the scheduler
never nudges about a closed task or ignores a snooze.

Callers pass a sqlmodel ``Session`` (``storage.db.session_scope(engine)``) and commit; the
chat adapters pass ``source="slack"``/``"teams"``, the CLI ``"cli"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from dialogs.reminders import NudgeSettings, plan_next, safe_zone
from dialogs.replies import TaskSummary
from knowledge.schema import TASK_KINDS
from storage.clock import as_utc, utcnow
from storage.models import Task, TaskEvent, UserProfile

PRIORITIES = ("high", "medium", "low")
STATUSES = ("open", "snoozed", "done", "not_applicable", "cancelled")
ACTIVE = ("open", "snoozed")
SOURCES = ("assessment", "cli", "slack", "teams", "scheduler", "import")
MAX_SNOOZE_DAYS = 365


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


#: Where each calendar day starts first (UTC+14). A task whose owner's zone we do not know yet
#: is planned for the first instant its reminder day exists anywhere; the sweep then learns
#: the owner's real zone and waits for their working hours.
EARLIEST_TZ = "Pacific/Kiritimati"


def owner_tz(session: Session, owner: str) -> str | None:
    """The owner's stored IANA zone, if any (Slack users.info, Teams activity)."""
    profile = session.get(UserProfile, owner)
    return profile.tz if profile and profile.tz else None


def replan(
    session: Session, task: Task, *, now: datetime, settings: NudgeSettings | None = None,
) -> None:
    """Fresh reminder plan (new, snoozed or reassigned task); none for closed tasks."""
    settings = settings or NudgeSettings()
    # The lease is left alone: a sweeper sending right now still records its delivery, and
    # `storage.nudges.record` sees the change (its fingerprint) and keeps this plan.
    if task.status not in ACTIVE or task.owner.startswith("cli:"):
        task.next_nudge_at = None  # nobody to nudge in a chat
        task.nudge_stage = None
        return
    known = owner_tz(session, task.owner)
    if known is None:
        settings = settings.model_copy(update={"working_hours_only": False})
    tz = safe_zone(known or EARLIEST_TZ, settings.default_tz)
    plan = plan_next(due=task.due, now=as_utc(now), settings=settings, tz=tz,
                     not_before=task.snoozed_until)
    task.next_nudge_at = plan.at
    task.nudge_stage = plan.stage


def create_task(
    session: Session, *, workspace: str, kind: str, title: str, owner: str, created_by: str,
    due: date, why: str = "", controls: Sequence[str] = (), priority: str = "medium",
    assessment_id: int | None = None, channel_ref: str | None = None,
    recurrence_days: int | None = None, source: str = "assessment", now: datetime,
    settings: NudgeSettings | None = None,
) -> Task:
    if kind not in TASK_KINDS:
        raise TaskError(f"kind {kind!r} is not one of {', '.join(TASK_KINDS)}")
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
    task = Task(
        workspace=workspace, kind=kind, title=title, owner=parse_owner_ref(owner).raw,
        created_by=created_by, due=due, why=why or "", controls=list(controls),
        priority=priority, assessment_id=assessment_id, channel_ref=channel_ref,
        recurrence_days=recurrence_days, created_at=now, updated_at=now,
    )
    replan(session, task, now=now, settings=settings)
    session.add(task)
    session.flush()
    _event(session, task, actor=created_by, source=source, action="created", now=now,
           owner=task.owner, due=due.isoformat(), kind=kind, recurrence_days=recurrence_days)
    return task


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
    replan(session, task, now=now)
    session.add(task)
    _event(session, task, actor=actor, source=source, action=action, now=now, reason=reason)
    return task


def _next_due(task: Task, today: date) -> date:
    assert task.recurrence_days
    step = timedelta(days=task.recurrence_days)
    nxt = task.due + step
    while nxt <= today:
        nxt += step
    return nxt


def mark_done(
    session: Session, task_id: int, *, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    """Close the task; a recurring task gets its next occurrence (same cadence, not in the past)."""
    task = _active(session, task_id, workspace, "mark it done")
    _close(session, task, status="done", action="done", actor=actor, source=source, now=now)
    if task.recurrence_days:
        nxt = create_task(
            session, workspace=task.workspace, kind=task.kind, title=task.title,
            owner=task.owner, created_by=actor, due=_next_due(task, as_utc(now).date()),
            why=task.why, controls=task.controls, priority=task.priority,
            assessment_id=task.assessment_id, channel_ref=task.channel_ref,
            recurrence_days=task.recurrence_days, source=source, now=now,
        )
        _event(session, nxt, actor=actor, source=source, action="recurred", now=now,
               previous_task_id=task.id)
        _event(session, task, actor=actor, source=source, action="recurred", now=now,
               next_task_id=nxt.id, next_due=nxt.due.isoformat())
    return task


def snooze(
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
    replan(session, task, now=now)
    session.add(task)
    _event(session, task, actor=actor, source=source, action="snoozed", now=now, days=days,
           until=task.snoozed_until.isoformat())
    return task


def reassign(
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
    replan(session, task, now=now)
    session.add(task)
    _event(session, task, actor=actor, source=source, action="reassigned", now=now,
           previous_owner=previous, new_owner=owner)
    return task


def mark_not_applicable(
    session: Session, task_id: int, *, reason: str, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    reason = (reason or "").strip()
    if not reason:
        raise TaskError("a reason is required to mark a task not applicable")
    task = _active(session, task_id, workspace, "mark it not applicable")
    return _close(session, task, status="not_applicable", action="not_applicable", actor=actor,
                  source=source, now=now, reason=reason[:1000])


def cancel(
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


def task_summary(task: Task, *, today: date | None = None) -> TaskSummary:
    today = today or utcnow().date()
    # A chat user's id (a Teams object id, a Slack member id) is no name: cards mention the
    # owner or show the display name the adapters keep; only a terminal login reads as one.
    owner_display = task.owner.rsplit(":", 1)[-1] if task.owner.startswith("cli:") else None
    return TaskSummary(
        id=task.id, kind=task.kind, title=task.title, why=task.why,
        priority=task.priority if task.priority in PRIORITIES else "medium",
        owner=task.owner, owner_display=owner_display, due=task.due, status=task.status,
        overdue=task.status in ACTIVE and today > task.due, controls=list(task.controls),
        assessment_id=task.assessment_id, delivery_problem=task.last_error,
    )
