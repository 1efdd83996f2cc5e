"""The follow-up tasks as their own message, after the recommendation.

The recommendation card is read in ten seconds only if it does not also carry six task
cards; the tasks come right after it, in the order to do them (`knowledge.task_plan`), as
a task list with their buttons. Front ends call `split_recommendation` on the replies of a
finished assessment before rendering them.
"""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.replies import RecommendationReply, Reply, TaskListReply

TITLE = "Follow-up tasks, in the order to do them"


def follow_up(reply: RecommendationReply) -> TaskListReply | None:
    """The recommendation's tasks as a task list (None when it has none). The order is the
    plan's; the list is not re-sorted by date, since a prerequisite may be due later."""
    if not reply.tasks:
        return None
    return TaskListReply(title=TITLE, tasks=list(reply.tasks))


def split_recommendation(replies: Iterable[Reply]) -> list[Reply]:
    """`replies` with each recommendation followed by its tasks as a separate message."""
    out: list[Reply] = []
    for reply in replies:
        if isinstance(reply, RecommendationReply) and reply.view == "summary":
            tasks = follow_up(reply)
            out.append(reply.model_copy(update={"tasks_separate": tasks is not None}))
            if tasks is not None:
                out.append(tasks)
            continue
        out.append(reply)
    return out
