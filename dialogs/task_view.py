"""A stored task as the neutral `TaskSummary` the cards render.

Storage keeps rows; what a person sees of a task (owner shown by name, overdue or not) is
decided here, one floor up (docs/architecture.md, "floors").
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import object_session

from dialogs.replies import TaskSummary
from storage.clock import utcnow
from storage.models import Task, UserProfile
from storage.tasks import ACTIVE, PRIORITIES


def task_summary(task: Task, *, today: date | None = None) -> TaskSummary:
    today = today or utcnow().date()
    # A chat user's id (a Teams object id, a Slack member id) is no name: cards mention the
    # owner or show the display name the adapters keep; only a terminal login reads as one.
    owner_display = task.owner.rsplit(":", 1)[-1] if task.owner.startswith("cli:") else None
    if owner_display is None:
        owner_display = kept_name(task)
    return TaskSummary(
        id=task.id, kind=task.kind, title=task.title, why=task.why,
        priority=task.priority if task.priority in PRIORITIES else "medium",
        owner=task.owner, owner_display=owner_display, due=task.due, status=task.status,
        overdue=task.status in ACTIVE and today > task.due, controls=list(task.controls),
        assessment_id=task.assessment_id, delivery_problem=task.last_error,
    )


def kept_name(task: Task) -> str | None:
    """The owner's display name the adapters kept (`UserProfile`: Teams stores the activity's
    ``from.name`` with the conversation reference), read in the row's own session; None for
    a detached row or an owner never seen. The session's identity map makes a listing of one
    owner's tasks one read."""
    session = object_session(task)
    if session is None or not task.owner:
        return None
    profile = session.get(UserProfile, task.owner)
    name = profile.display_name.strip() if profile and profile.display_name else ""
    return name or None
