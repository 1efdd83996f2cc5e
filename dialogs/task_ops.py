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
from datetime import date, datetime

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
    "TASK_KINDS", "OwnerRef", "TaskError", "cancel", "create_task", "get_task", "history",
    "list_tasks", "mark_done", "mark_not_applicable", "owner_tz", "parse_owner_ref",
    "reassign", "replan", "snooze",
]

#: Where each calendar day starts first (UTC+14). A task whose owner's zone we do not know yet
#: is planned for the first instant its reminder day exists anywhere; the sweep then learns
#: the owner's real zone and waits for their working hours.
EARLIEST_TZ = "Pacific/Kiritimati"


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
    task = store.new_task(
        workspace=workspace, kind=kind, title=title, owner=owner, created_by=created_by,
        due=due, why=why, controls=controls, priority=priority, assessment_id=assessment_id,
        channel_ref=channel_ref, recurrence_days=recurrence_days, now=now,
    )
    replan(session, task, now=now, settings=settings)  # before the insert: one INSERT, planned
    return store.add_task(session, task, source=source)


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
