"""Follow-up task lifecycle: create, list, done, snooze, reassign, not applicable, cancel.

What every caller (chat buttons, the CLI, the assessment, the scheduler) uses to change a
task. Storage (`storage.tasks`) records the change and its audit event; this floor adds the
two rules that are not storage's to know (docs/architecture.md, "floors"): the task kinds
come from the knowledge pack, and each change re-plans the task's next reminder
(`dialogs.reminders`) so the scheduler never nudges about a closed task or ignores a snooze.

Callers pass a sqlmodel ``Session`` (``storage.db.session_scope(engine)``) and commit; the
chat adapters pass ``source="slack"``/``"teams"``, the CLI ``"cli"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from dialogs.reminders import NudgeSettings, plan_next, safe_zone
from knowledge.schema import TASK_KINDS
from storage import tasks as store
from storage.clock import as_utc
from storage.models import Task
from storage.tasks import (
    ACTIVE,
    MAX_SNOOZE_DAYS,
    PRIORITIES,
    SOURCES,
    STATUSES,
    OwnerRef,
    TaskError,
    get_task,
    history,
    list_tasks,
    owner_tz,
    parse_owner_ref,
)

__all__ = [
    "ACTIVE", "EARLIEST_TZ", "MAX_SNOOZE_DAYS", "PRIORITIES", "SOURCES", "STATUSES",
    "TASK_KINDS", "NewTask", "OwnerRef", "TaskError", "cancel", "create_task", "create_tasks",
    "get_task", "history", "list_tasks", "mark_done", "mark_not_applicable", "owner_tz",
    "parse_owner_ref", "reassign", "replan", "snooze",
]

#: Where each calendar day starts first (UTC+14). A task whose owner's zone we do not know yet
#: is planned for the first instant its reminder day exists anywhere; the sweep then learns
#: the owner's real zone and waits for their working hours.
EARLIEST_TZ = "Pacific/Kiritimati"


def _plan(*, owner: str, status: str, due: date, snoozed_until: datetime | None,
          known_tz: str | None, now: datetime,
          settings: NudgeSettings) -> tuple[datetime | None, str | None]:
    """(next_nudge_at, nudge_stage) of a fresh plan, given the owner's stored zone if any."""
    if status not in ACTIVE or owner.startswith("cli:"):
        return None, None  # nobody to nudge in a chat
    if known_tz is None:
        settings = settings.model_copy(update={"working_hours_only": False})
    tz = safe_zone(known_tz or EARLIEST_TZ, settings.default_tz)
    plan = plan_next(due=due, now=as_utc(now), settings=settings, tz=tz,
                     not_before=snoozed_until)
    return plan.at, plan.stage


def replan(
    session: Session, task: Task, *, now: datetime, settings: NudgeSettings | None = None,
) -> None:
    """Fresh reminder plan (new, snoozed or reassigned task); none for closed tasks."""
    settings = settings or NudgeSettings()
    # The lease is left alone: a sweeper sending right now still records its delivery, and
    # `storage.nudges.record` sees the change (its fingerprint) and keeps this plan.
    active = task.status in ACTIVE and not task.owner.startswith("cli:")
    known = owner_tz(session, task.owner) if active else None
    task.next_nudge_at, task.nudge_stage = _plan(
        owner=task.owner, status=task.status, due=task.due, snoozed_until=task.snoozed_until,
        known_tz=known, now=now, settings=settings)


def create_task(
    session: Session, *, workspace: str, kind: str, title: str, owner: str, created_by: str,
    due: date, why: str = "", controls: Sequence[str] = (), priority: str = "medium",
    assessment_id: int | None = None, channel_ref: str | None = None,
    recurrence_days: int | None = None, source: str = "assessment", now: datetime,
    settings: NudgeSettings | None = None,
) -> Task:
    if kind not in TASK_KINDS:
        raise TaskError(f"kind {kind!r} is not one of {', '.join(TASK_KINDS)}")
    task = store.new_task(
        workspace=workspace, kind=kind, title=title, owner=owner, created_by=created_by,
        due=due, why=why, controls=controls, priority=priority, assessment_id=assessment_id,
        channel_ref=channel_ref, recurrence_days=recurrence_days, now=now,
    )
    replan(session, task, now=now, settings=settings)  # before the insert: one INSERT, planned
    return store.add_task(session, task, source=source)


@dataclass(frozen=True, slots=True)
class NewTask:
    """One task for `create_tasks`: the arguments `create_task` takes, bar the shared ones."""

    workspace: str
    kind: str
    title: str
    owner: str
    created_by: str
    due: date
    why: str = ""
    controls: Sequence[str] = ()
    priority: str = "medium"
    assessment_id: int | None = None
    channel_ref: str | None = None
    recurrence_days: int | None = None


def create_tasks(
    session: Session, tasks: Sequence[NewTask], *, source: str, now: datetime,
    settings: NudgeSettings | None = None,
) -> list[int]:
    """`create_task` for many tasks at once; their ids, in order.

    The same validation, rows, "created" events and reminder plans as one `create_task` per
    task, but the owners' time zones are read once (one query, not one per task) and the rows
    go in with two statements (`storage.tasks.add_tasks`): an import opening thousands of
    tasks spent seconds in per-task ORM flushes and profile look-ups.
    """
    settings = settings or NudgeSettings()
    rows: list[dict[str, Any]] = []
    for spec in tasks:
        if spec.kind not in TASK_KINDS:
            raise TaskError(f"kind {spec.kind!r} is not one of {', '.join(TASK_KINDS)}")
        rows.append(store.task_values(
            workspace=spec.workspace, kind=spec.kind, title=spec.title, owner=spec.owner,
            created_by=spec.created_by, due=spec.due, why=spec.why, controls=spec.controls,
            priority=spec.priority, assessment_id=spec.assessment_id,
            channel_ref=spec.channel_ref, recurrence_days=spec.recurrence_days, now=now))
    zones = store.owner_tzs(session, {r["owner"] for r in rows
                                      if not r["owner"].startswith("cli:")})
    plans: dict[tuple[bool, date, str | None], tuple[datetime | None, str | None]] = {}
    for row in rows:
        known = zones.get(row["owner"])
        key = (row["owner"].startswith("cli:"), row["due"], known)
        if key not in plans:  # the plan depends only on these (and now, settings: shared)
            plans[key] = _plan(owner=row["owner"], status=row["status"], due=row["due"],
                               snoozed_until=None, known_tz=known, now=now, settings=settings)
        row["next_nudge_at"], row["nudge_stage"] = plans[key]
    return store.add_tasks(session, rows, source=source)


def mark_done(
    session: Session, task_id: int, *, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    """Close the task; a recurring task gets its next occurrence (same cadence, not in the past)."""
    task = store.set_done(session, task_id, actor=actor, source=source, now=now,
                          workspace=workspace)
    replan(session, task, now=now)
    if task.recurrence_days:
        nxt = create_task(
            session, workspace=task.workspace, kind=task.kind, title=task.title,
            owner=task.owner, created_by=actor, due=store.next_due(task, as_utc(now).date()),
            why=task.why, controls=task.controls, priority=task.priority,
            assessment_id=task.assessment_id, channel_ref=task.channel_ref,
            recurrence_days=task.recurrence_days, source=source, now=now,
        )
        store.record_recurrence(session, task, nxt, actor=actor, source=source, now=now)
    return task


def snooze(
    session: Session, task_id: int, *, days: int, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    task = store.set_snoozed(session, task_id, days=days, actor=actor, source=source, now=now,
                             workspace=workspace)
    replan(session, task, now=now)
    return task


def reassign(
    session: Session, task_id: int, *, new_owner: str, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    task = store.set_owner(session, task_id, new_owner=new_owner, actor=actor, source=source,
                           now=now, workspace=workspace)
    replan(session, task, now=now)
    return task


def mark_not_applicable(
    session: Session, task_id: int, *, reason: str, actor: str, source: str, now: datetime,
    workspace: str | None = None,
) -> Task:
    task = store.set_not_applicable(session, task_id, reason=reason, actor=actor,
                                    source=source, now=now, workspace=workspace)
    replan(session, task, now=now)
    return task


def cancel(
    session: Session, task_id: int, *, actor: str, source: str, now: datetime,
    reason: str | None = None, workspace: str | None = None,
) -> Task:
    task = store.set_cancelled(session, task_id, actor=actor, source=source, now=now,
                               reason=reason, workspace=workspace)
    replan(session, task, now=now)
    return task
