"""Task buttons from Slack (task list, nudge DM, App Home): done, snooze, reassign, N/A.

Every lookup is filtered by the workspace the press came from, so a task id from another
workspace is "not found" here, never changed. A press on a task that is already closed is
refused (`dialogs.task_ops` raises `TaskError`), and the result carries the task as it is, with
its last outcome from the history, so the message it came from can stop offering buttons.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.slack import refs
from bot.slack.mrkdwn import escape
from dialogs import task_ops as task_store
from dialogs.actions import Action, Verb
from dialogs.replies import TaskOutcome, TaskSummary
from dialogs.task_view import task_summary
from storage.clock import as_utc, utcnow
from storage.db import session_scope
from storage.models import Task

SOURCE = "slack"
REASON_MAX = 500
OUTCOME_ACTIONS = frozenset({"done", "snoozed", "reassigned", "not_applicable", "cancelled"})
CONFIRM = {
    "done": ":white_check_mark: Done",
    "snoozed": ":zzz: Snoozed",
    "reassigned": ":arrows_counterclockwise: Reassigned",
    "not_applicable": ":heavy_minus_sign: Not applicable",
}
CONFIRM_VERBS = frozenset({Verb.TASK_DONE, Verb.TASK_SNOOZE, Verb.TASK_REASSIGN, Verb.TASK_NA})


@dataclass(frozen=True)
class TaskResult:
    """What a press did: `applied`, a private one-liner (mrkdwn), a plain `problem` when
    refused (for form errors), and the task as it now is, with its outcome, when known."""

    applied: bool
    text: str
    problem: str | None = None
    task: TaskSummary | None = None


def _open_tasks(engine: Engine, team_id: str, user_id: str) -> list[TaskSummary]:
    with session_scope(engine) as session:
        rows = task_store.list_tasks(session, workspace=refs.workspace(team_id),
                                     owner=refs.user_ref(team_id, user_id),
                                     status=list(task_store.ACTIVE))
        return [task_summary(t) for t in rows]


async def open_tasks(engine: Engine, team_id: str, user_id: str) -> list[TaskSummary]:
    return await asyncio.to_thread(_open_tasks, engine, team_id, user_id)


def _outcome(session: Session, task: Task) -> TaskOutcome | None:
    """The task's last button-worthy change, read from its audit history."""
    assert task.id is not None
    for event in reversed(task_store.history(session, task.id)):
        if event.action not in OUTCOME_ACTIONS:
            continue
        detail: dict[str, Any] = dict(event.detail or {})
        until = detail.get("until")
        return TaskOutcome(
            action=event.action, by=event.actor, at=as_utc(event.at),
            until=as_utc(datetime.fromisoformat(until)) if isinstance(until, str) else None,
            new_owner=detail.get("new_owner"), reason=detail.get("reason"),
        )
    return None


def _summary(session: Session, task: Task) -> TaskSummary:
    summary = task_summary(task)
    summary.outcome = _outcome(session, task)
    return summary


def _refusal(engine: Engine, team_id: str, task_id: int, exc: Exception) -> TaskResult:
    """A polite no: the task is closed already (say how), or not found here."""
    with session_scope(engine) as session:
        try:
            task = task_store.get_task(session, task_id, workspace=refs.workspace(team_id))
        except task_store.TaskError:
            return TaskResult(False, f":information_source: I could not find that task here "
                              f"({escape(str(exc))}).", "I could not find that task in this "
                              "workspace; nothing was changed.")
        if task.status in task_store.ACTIVE:
            return TaskResult(False, f":information_source: {escape(str(exc))}", str(exc))
        state = task.status.replace("_", " ")
        return TaskResult(
            False, f":information_source: _{escape(task.title)}_ is already {state}, so I "
            "left it as it is.", f"This task is already {state}; nothing was changed.",
            _summary(session, task))


def _apply(engine: Engine, team_id: str, user_id: str, action: Action,
           new_owner_id: str | None, reason: str | None) -> TaskResult:
    if action.task_id is None:
        return TaskResult(False, ":warning: That button does not name a task.",
                          "That button does not name a task.")
    if action.verb is Verb.TASK_REASSIGN and not new_owner_id:
        return TaskResult(False, ":warning: Pick the new owner in the user picker.",
                          "Pick the new owner in the user picker.")
    if action.verb not in CONFIRM_VERBS:
        return TaskResult(False, ":warning: That is not a task button.",
                          "That is not a task button.")
    common: dict[str, Any] = {"actor": refs.user_ref(team_id, user_id), "source": SOURCE,
                              "now": utcnow(), "workspace": refs.workspace(team_id)}
    try:
        with session_scope(engine) as session:
            if action.verb is Verb.TASK_DONE:
                task = task_store.mark_done(session, action.task_id, **common)
            elif action.verb is Verb.TASK_SNOOZE:
                task = task_store.snooze(session, action.task_id, days=action.days or 1,
                                         **common)
            elif action.verb is Verb.TASK_REASSIGN:
                assert new_owner_id
                task = task_store.reassign(session, action.task_id,
                                           new_owner=refs.user_ref(team_id, new_owner_id),
                                           **common)
            else:
                why = (reason or "").strip() or f"marked not applicable in Slack by <@{user_id}>"
                task = task_store.mark_not_applicable(session, action.task_id,
                                                      reason=why[:REASON_MAX], **common)
            session.flush()
            summary = _summary(session, task)
    except task_store.TaskError as exc:
        return _refusal(engine, team_id, action.task_id, exc)
    verb = summary.outcome.action if summary.outcome else "done"
    return TaskResult(True, f"{CONFIRM.get(verb, 'Updated')}: {escape(summary.title)}",
                      task=summary)



async def press(engine: Engine, team_id: str, user_id: str, action: Action,
                new_owner_id: str | None = None, reason: str | None = None) -> TaskResult:
    """Apply a task button (or the N/A form with its `reason`) for this workspace."""
    return await asyncio.to_thread(_apply, engine, team_id, user_id, action, new_owner_id,
                                   reason)


async def apply(engine: Engine, team_id: str, user_id: str, action: Action,
                new_owner_id: str | None = None) -> str:
    """Apply a task button; returns the one-line confirmation (or why not) in mrkdwn."""
    return (await press(engine, team_id, user_id, action, new_owner_id)).text


def _still_open(engine: Engine, team_id: str, task_id: int) -> TaskResult:
    with session_scope(engine) as session:
        try:
            task = task_store.get_task(session, task_id, workspace=refs.workspace(team_id))
        except task_store.TaskError as exc:
            error = exc
        else:
            if task.status in task_store.ACTIVE:
                return TaskResult(False, "", None, task_summary(task))
            error = task_store.TaskError(f"task {task_id} is already {task.status}")
    return _refusal(engine, team_id, task_id, error)


async def still_open(engine: Engine, team_id: str, task_id: int) -> TaskResult:
    """Before asking for an N/A reason: ``problem`` is None when the task can still close."""
    return await asyncio.to_thread(_still_open, engine, team_id, task_id)


async def listing_after(engine: Engine, team_id: str, user_id: str,
                        changed: TaskSummary) -> list[TaskSummary]:
    """My open tasks with `changed` (and its outcome) in its place, for re-rendering a task
    list that cannot be edited block by block (an ephemeral `/idgov tasks` answer)."""
    current = [t for t in await open_tasks(engine, team_id, user_id) if t.id != changed.id]
    far = datetime.max.date()
    return sorted([*current, changed], key=lambda t: (t.due or far, t.id or 0))
