"""The neutral work a Teams turn asks for: Q&A, my tasks, task buttons, feedback votes.

Plain synchronous functions over the database (the bot runs them with `asyncio.to_thread`);
each takes the caller's workspace, so a button or an id from one tenant can never reach a
row of another.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine

from dialogs.actions import Action, Verb
from dialogs.replies import AnswerReply, HelpReply, TaskListReply, TextReply
from storage.clock import utcnow
from storage.db import session_scope

SOURCE = "teams"

COMMANDS: list[tuple[str, str]] = [
    ("assess", "Start the scoping assessment: ISO/IEC 27001, SOC 2, or both?"),
    ("ask QUESTION", "Answer a question from the curated, sourced knowledge base."),
    ("tasks", "List your open identity follow-up tasks, with Done and Snooze buttons."),
    ("help", "Show this help."),
]


def help_reply(*, welcome: bool = False, in_channel: bool = False) -> HelpReply:
    mention = " Mention me first in a channel or group chat." if in_channel else ""
    intro = (
        "I help identity-governance teams choose between ISO/IEC 27001 and SOC 2 for their "
        "identity and non-human-identity programme, turn the gaps I hear about into owned "
        "follow-up tasks, remind owners until they are done, and answer questions with "
        "sources." + mention
    )
    return HelpReply(intro=intro, commands=COMMANDS, welcome=welcome)


def answer(engine: Engine, *, workspace: str, user_ref: str, question: str) -> AnswerReply:
    from dialogs import qa

    reply = qa.answer(engine, workspace=workspace, user_ref=user_ref, question=question)
    assert reply is not None  # only_if_confident=False always answers
    return reply.model_copy(update={"answer": teams_commands(reply.answer)})


def answer_suggestion(engine: Engine, *, workspace: str, user_ref: str,
                      action: Action) -> AnswerReply | TextReply:
    """A pressed "Did you mean…?" suggestion: that entry's answer card, stored for feedback
    in the presser's workspace like any answer (so Helpful yes/no works on it)."""
    from dialogs import qa

    if not action.entry_id:
        return TextReply(text="That suggestion button is missing its entry.", tone="warning")
    reply = qa.answer_entry(engine, workspace=workspace, user_ref=user_ref,
                            entry_id=action.entry_id)
    return reply.model_copy(update={"answer": teams_commands(reply.answer)})


_SLASH_COMMAND = re.compile(r"`/idgov (\w+)")


def teams_commands(text: str) -> str:
    """Neutral texts point at Slack's `/idgov help`; in Teams the command is just `help`."""
    return _SLASH_COMMAND.sub(r"`\1", text)


def vote(engine: Engine, *, workspace: str, user_ref: str, action: Action) -> TextReply:
    from dialogs import qa

    if action.feedback_id is None or action.value not in ("yes", "no"):
        return TextReply(text="That feedback button is not one I know.", tone="warning")
    ok = qa.vote(engine, workspace=workspace, user_ref=user_ref,
                 feedback_id=action.feedback_id, helpful=action.value == "yes")
    if not ok:
        return TextReply(text="I could not find that answer any more.", tone="warning")
    return TextReply(text="Thanks for the feedback.", tone="success")


def my_tasks(engine: Engine, *, workspace: str, user_ref: str) -> TaskListReply:
    from dialogs.task_ops import ACTIVE, list_tasks
    from dialogs.task_view import task_summary

    with session_scope(engine) as session:
        tasks = list_tasks(session, workspace=workspace, owner=user_ref, status=ACTIVE)
        return TaskListReply(tasks=[task_summary(t) for t in tasks])


def _new_owner(raw: str, tenant_workspace: str) -> str:
    raw = raw.strip()
    if raw.startswith("teams:"):
        if not raw.startswith(f"{tenant_workspace}:"):
            raise ValueError("the new owner must be in this Microsoft 365 tenant")
        return raw
    if raw.startswith("email:"):
        return raw
    if "@" in raw:
        return f"email:{raw}"
    raise ValueError("type the new owner's email address")


def task_action(engine: Engine, *, workspace: str, user_ref: str, action: Action,
                value: dict[str, Any]) -> TextReply:
    """Apply a Done / Snooze / Reassign / Not applicable press; reply with what happened."""
    from bot.cards.render import reassign_input_id
    from dialogs import task_ops as repo

    if action.task_id is None:
        return TextReply(text="That task button is missing its task.", tone="warning")
    common: dict[str, Any] = {"actor": user_ref, "source": SOURCE, "now": utcnow(),
                              "workspace": workspace}
    try:
        with session_scope(engine) as session:
            if action.verb is Verb.TASK_DONE:
                task = repo.mark_done(session, action.task_id, **common)
                text = f"Marked done: {task.title}"
            elif action.verb is Verb.TASK_SNOOZE:
                days = action.days or 1
                task = repo.snooze(session, action.task_id, days=days, **common)
                text = f"Snoozed for {days} day{'s' if days != 1 else ''}: {task.title}"
            elif action.verb is Verb.TASK_REASSIGN:
                raw = str(value.get(reassign_input_id(action.task_id)) or "")
                owner = _new_owner(raw, workspace)
                task = repo.reassign(session, action.task_id, new_owner=owner, **common)
                text = f"Reassigned to {owner.split(':', 1)[1]}: {task.title}"
            else:
                reason = str(value.get("reason") or "").strip() or "Marked not applicable in Teams"
                task = repo.mark_not_applicable(session, action.task_id, reason=reason, **common)
                text = f"Marked not applicable: {task.title}"
    except ValueError as exc:  # TaskError and bad owner input: one clear line back
        return TextReply(text=str(exc), tone="warning")
    return TextReply(text=text, tone="success")
