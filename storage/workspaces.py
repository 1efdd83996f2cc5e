"""A workspace (Slack team) or tenant that removed the app: stop everything we send it.

Its tasks and their history stay (they are the organisation's audit evidence and can be
exported or deleted on request, README "Data"), but no nudge, escalation or digest goes out
any more, and each stopped task says why in its own history, so the gap in the reminders is
explained where an auditor looks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.clock import as_utc
from storage.models import ChannelSetting, Task, TaskEvent

#: TaskEvent.source of the history entry (one of storage.tasks.SOURCES).
SOURCE_BY_PLATFORM = {"slack": "slack", "teams": "teams"}


def stop_workspace(session: Session, platform: str, workspace: str, *, reason: str,
                   actor: str, now: datetime) -> int:
    """Clear the nudge schedule of every task in `workspace` and its digest channels;
    returns how many tasks were stopped. Idempotent (a second call stops nothing)."""
    tasks = session.exec(select(Task).where(col(Task.workspace) == workspace,
                                            col(Task.next_nudge_at).is_not(None))).all()
    for task in tasks:
        task.next_nudge_at = None
        task.lease_owner = task.lease_until = None
        task.updated_at = as_utc(now)
        session.add(task)
        assert task.id is not None
        session.add(TaskEvent(task_id=task.id, at=as_utc(now), actor=actor,
                              source=SOURCE_BY_PLATFORM[platform], action="nudges_stopped",
                              detail={"reason": reason}))
    for setting in session.exec(select(ChannelSetting).where(
            col(ChannelSetting.platform) == platform,
            col(ChannelSetting.workspace) == workspace)).all():
        setting.digest = setting.autoanswer = False
        setting.updated_by, setting.updated_at = actor, as_utc(now)
        session.add(setting)
    return len(tasks)


def delete_workspace(session: Session, workspace: str) -> dict[str, int]:
    """Delete every row `workspace` owns (``slack:T123`` or ``teams:TENANT``); returns the
    number of rows per table. Profiles keyed by the workspace's user refs go too.

    The slack_sdk installation tables are the installation store's (deleted on uninstall).
    """
    from sqlalchemy import delete

    from storage.feedback_models import FeedbackVote
    from storage.models import (
        Assessment,
        Conversation,
        ConversationRef,
        Feedback,
        NudgeDelivery,
        UserProfile,
    )
    from storage.nudge_models import DigestRun
    from storage.slack_models import SlackQuestionMessage
    from storage.teams_models import TeamsFileOffer, TeamsQuestionCard

    platform, _, scope = workspace.partition(":")
    if platform not in {"slack", "teams", "cli"} or not scope:
        raise ValueError(f"workspace {workspace!r} must look like slack:T123 or teams:TENANT")
    task_ids = select(Task.id).where(col(Task.workspace) == workspace).scalar_subquery()
    counts: dict[str, int] = {}

    def run(name: str, query: Any) -> None:
        counts[name] = int(session.connection().execute(query).rowcount or 0)

    run("task_event", delete(TaskEvent).where(col(TaskEvent.task_id).in_(task_ids)))
    run("nudge_delivery", delete(NudgeDelivery).where(col(NudgeDelivery.task_id).in_(task_ids)))
    run("task", delete(Task).where(col(Task.workspace) == workspace))
    run("feedback_vote", delete(FeedbackVote).where(col(FeedbackVote.workspace) == workspace))
    for model in (Assessment, Conversation, Feedback, ChannelSetting, ConversationRef,
                  DigestRun, SlackQuestionMessage, TeamsQuestionCard, TeamsFileOffer):
        run(model.__tablename__, delete(model).where(col(model.workspace) == workspace))
    run("user_profile", delete(UserProfile).where(col(UserProfile.ref).startswith(
        workspace + ":")))
    return counts
