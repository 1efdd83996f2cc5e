"""Task buttons from Slack (task list, nudge DM, App Home): done, snooze, reassign, N/A.

Every lookup is filtered by the workspace the press came from, so a task id from another
workspace is "not found" here, never changed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.engine import Engine

from bot.slack import refs
from bot.slack.mrkdwn import escape
from dialogs.actions import Action, Verb
from dialogs.replies import TaskSummary
from storage import tasks as task_store
from storage.clock import utcnow
from storage.db import session_scope

SOURCE = "slack"


def _open_tasks(engine: Engine, team_id: str, user_id: str) -> list[TaskSummary]:
    with session_scope(engine) as session:
        rows = task_store.list_tasks(session, workspace=refs.workspace(team_id),
                                     owner=refs.user_ref(team_id, user_id),
                                     status=list(task_store.ACTIVE))
        return [task_store.task_summary(t) for t in rows]


async def open_tasks(engine: Engine, team_id: str, user_id: str) -> list[TaskSummary]:
    return await asyncio.to_thread(_open_tasks, engine, team_id, user_id)


def _apply(engine: Engine, team_id: str, user_id: str, action: Action,
           new_owner_id: str | None) -> str:
    if action.task_id is None:
        return ":warning: That button does not name a task."
    common: dict[str, Any] = {"actor": refs.user_ref(team_id, user_id), "source": SOURCE,
                              "now": utcnow(), "workspace": refs.workspace(team_id)}
    try:
        with session_scope(engine) as session:
            if action.verb is Verb.TASK_DONE:
                task = task_store.mark_done(session, action.task_id, **common)
                return f":white_check_mark: Done: {escape(task.title)}"
            if action.verb is Verb.TASK_SNOOZE:
                days = action.days or 1
                task = task_store.snooze(session, action.task_id, days=days, **common)
                plural = "s" if days != 1 else ""
                return f":zzz: Snoozed for {days} day{plural}: {escape(task.title)}"
            if action.verb is Verb.TASK_REASSIGN:
                if not new_owner_id:
                    return ":warning: Pick the new owner in the user picker."
                task = task_store.reassign(session, action.task_id,
                                           new_owner=refs.user_ref(team_id, new_owner_id),
                                           **common)
                return (f":arrows_counterclockwise: Reassigned to <@{new_owner_id}>: "
                        f"{escape(task.title)}")
            if action.verb is Verb.TASK_NA:
                reason = f"marked not applicable in Slack by <@{user_id}>"
                task = task_store.mark_not_applicable(session, action.task_id, reason=reason,
                                                      **common)
                return f":heavy_minus_sign: Not applicable: {escape(task.title)}"
    except task_store.TaskError as exc:
        return f":information_source: {escape(str(exc))}"
    return ":warning: That is not a task button."


async def apply(engine: Engine, team_id: str, user_id: str, action: Action,
                new_owner_id: str | None = None) -> str:
    """Apply a task button; returns the one-line confirmation (or why not) in mrkdwn."""
    return await asyncio.to_thread(_apply, engine, team_id, user_id, action, new_owner_id)
