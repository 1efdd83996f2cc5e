"""Task buttons, the Not-applicable form and task listings, for every surface.

One service applies Done / Snooze / Reassign / Not applicable whether the press came from a
Slack message, the App Home tab, a Teams card or the terminal, and answers with a neutral
`TaskChangedReply`: what changed, or why nothing did, and the task as it now is with its
last outcome read from its history, so the message pressed can stop offering buttons.

Every lookup is filtered by the actor's workspace, so a task id from another workspace is
"not found" here, never changed. Each function owns its transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dialogs import policy
from dialogs import task_ops as task_store
from dialogs.actions import Action, Verb
from dialogs.replies import TaskChangedReply, TaskOutcome, TaskSummary
from dialogs.task_view import task_summary
from dialogs.turn import Actor
from storage.clock import as_utc, utcnow
from storage.db import session_scope
from storage.models import Task

REASON_MAX = 500
OUTCOME_ACTIONS = frozenset({"done", "snoozed", "reassigned", "not_applicable", "cancelled"})
TASK_VERBS = frozenset({Verb.TASK_DONE, Verb.TASK_SNOOZE, Verb.TASK_REASSIGN, Verb.TASK_NA})


def open_tasks(engine: Engine, actor: Actor) -> list[TaskSummary]:
    """The actor's open and snoozed tasks in their workspace, soonest due first."""
    with session_scope(engine) as session:
        rows = task_store.list_tasks(session, workspace=actor.workspace, owner=actor.ref,
                                     status=list(task_store.ACTIVE))
        return [task_summary(t) for t in rows]


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


def summary_with_outcome(session: Session, task: Task) -> TaskSummary:
    summary = task_summary(task)
    summary.outcome = _outcome(session, task)
    return summary


def _refusal(engine: Engine, actor: Actor, task_id: int, exc: Exception) -> TaskChangedReply:
    """A polite no: the task is closed already (say how), or not found here."""
    with session_scope(engine) as session:
        try:
            task = task_store.get_task(session, task_id, workspace=actor.workspace)
        except task_store.TaskError:
            return TaskChangedReply(result="not_found", problem=str(exc))
        if task.status in task_store.ACTIVE:
            return TaskChangedReply(result="refused", problem=str(exc),
                                    task=task_summary(task))
        return TaskChangedReply(result="closed", task=summary_with_outcome(session, task))


def new_owner_ref(actor: Actor, *, picked_user: str | None, typed: str | None) -> str:
    """The reassignment target: a user picked on the card (same workspace), or a typed
    reference or email address. Raises ValueError with a one-line reason."""
    if picked_user:
        return Actor(platform=actor.platform, workspace_id=actor.workspace_id,
                     user_id=picked_user).ref
    raw = (typed or "").strip()
    if not raw:
        raise ValueError("Choose the new owner, or type their email address.")
    if raw.startswith(f"{actor.platform}:"):
        if not raw.startswith(f"{actor.workspace}:"):
            raise ValueError("The new owner must be in this workspace (Slack workspace or "
                             "Microsoft 365 tenant).")
        return raw
    if raw.startswith("email:"):
        return raw
    if "@" in raw:
        return f"email:{raw}"
    raise ValueError("Type the new owner's email address.")


def parties(engine: Engine, actor: Actor, task_id: int) -> tuple[str, str] | None:
    """(owner, created_by) of a task in the actor's workspace; None when not found there."""
    with session_scope(engine) as session:
        try:
            task = task_store.get_task(session, task_id, workspace=actor.workspace)
        except task_store.TaskError:
            return None
        return task.owner, task.created_by


def press(engine: Engine, actor: Actor, action: Action, *, new_owner: str | None = None,
          reason: str | None = None, source: str, admin: bool = False) -> TaskChangedReply:
    """Apply a task button (or the N/A form with its `reason`) in the actor's workspace,
    if `dialogs.policy` allows it: checked on the row as it is inside the transaction."""
    if action.task_id is None:
        return TaskChangedReply(result="refused", problem="That button does not name a task.")
    if action.verb not in TASK_VERBS:
        return TaskChangedReply(result="refused", problem="That is not a task button.")
    if action.verb is Verb.TASK_REASSIGN and not new_owner:
        return TaskChangedReply(result="refused", problem="Pick the new owner first.")
    common: dict[str, Any] = {"actor": actor.ref, "source": source, "now": utcnow(),
                              "workspace": actor.workspace}
    days = action.days or 1
    if (action.verb is Verb.TASK_REASSIGN and new_owner
            and not policy.inside_workspace(actor, new_owner) and not admin):
        policy.refused(actor, "task_reassign_outside", str(action.task_id))
        return TaskChangedReply(result="refused", problem=policy.OUTSIDE_NEEDS_ADMIN)
    try:
        with session_scope(engine) as session:
            current = task_store.get_task(session, action.task_id, workspace=actor.workspace,
                                          for_update=True)
            if not policy.may_change_task(actor, owner=current.owner,
                                          created_by=current.created_by, admin=admin):
                policy.refused(actor, action.verb.value, str(action.task_id))
                return TaskChangedReply(result="refused", problem=policy.NOT_YOURS)
            if action.verb is Verb.TASK_DONE:
                task = task_store.mark_done(session, action.task_id, **common)
            elif action.verb is Verb.TASK_SNOOZE:
                task = task_store.snooze(session, action.task_id, days=days, **common)
            elif action.verb is Verb.TASK_REASSIGN:
                assert new_owner
                task = task_store.reassign(session, action.task_id, new_owner=new_owner,
                                           **common)
            else:
                why = (reason or "").strip() or default_reason(actor, source)
                task = task_store.mark_not_applicable(session, action.task_id,
                                                      reason=why[:REASON_MAX], **common)
            session.flush()
            summary = summary_with_outcome(session, task)
    except task_store.TaskError as exc:
        return _refusal(engine, actor, action.task_id, exc)
    return TaskChangedReply(result="applied", task=summary,
                            days=days if action.verb is Verb.TASK_SNOOZE else None)


def default_reason(actor: Actor, source: str) -> str:
    return f"marked not applicable in {source.capitalize()} by {actor.display_name or actor.ref}"


def still_open(engine: Engine, actor: Actor, task_id: int) -> TaskChangedReply | TaskSummary:
    """Before asking for an N/A reason: the task when it can still close, else the refusal."""
    with session_scope(engine) as session:
        try:
            task = task_store.get_task(session, task_id, workspace=actor.workspace)
        except task_store.TaskError as exc:
            error: Exception = exc
        else:
            if task.status in task_store.ACTIVE:
                return task_summary(task)
            error = task_store.TaskError(f"task {task_id} is already {task.status}")
    return _refusal(engine, actor, task_id, error)


def listing_after(engine: Engine, actor: Actor, changed: TaskSummary) -> list[TaskSummary]:
    """My open tasks with `changed` (and its outcome) in its place, for re-rendering a task
    list that cannot be edited block by block (an ephemeral answer)."""
    current = [t for t in open_tasks(engine, actor) if t.id != changed.id]
    far = datetime.max.date()
    return sorted([*current, changed], key=lambda t: (t.due or far, t.id or 0))
