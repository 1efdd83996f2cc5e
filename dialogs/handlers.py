"""The router's handlers: each turns one kind of turn into neutral replies with audiences.

Handlers hold the behaviour every surface shares; the database work they call is
synchronous (SQLModel) and runs in a worker thread, so the event loop keeps serving.
Platform differences go through the `Surface` port only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from sqlalchemy.engine import Engine

from dialogs import assessments, channel_settings, policy, qa, question_messages
from dialogs import tasks as task_service
from dialogs.actions import Action, Verb
from dialogs.engine import STALE_TEXT
from dialogs.followup import split_recommendation
from dialogs.help import help_reply
from dialogs.outbox import Audience, Out, here, private
from dialogs.replies import QuestionReply, Reply, TaskChangedReply, TaskListReply, TextReply
from dialogs.service import Advisor
from dialogs.surface import Surface
from dialogs.turn import Command, Place, Pressed, Said, Submitted, Turn

log = logging.getLogger(__name__)
T = TypeVar("T")

NA_FORM = "task_na"
#: `Pressed.fields` names the adapters fill from card inputs
NEW_OWNER_FIELD = "new_owner"
REASON_FIELD = "reason"
#: A team assessment's opening post; the surface fills in its mention of the starter.
THREAD_INTRO = ("{who} started a team scoping assessment: ISO/IEC 27001 or SOC 2 for our "
                "identity programme. Answer with the buttons or by replying in this thread.")
THREAD_HINT = ("I read that as conversation, not an answer to the open question. Use its "
               "buttons, or type a choice number, skip, back or help.")
SENT_TO_DM = "I have sent you the first question in a direct message (Apps > idgov)."
NO_DM = "I could not open a direct message with you; please try again in a minute."
ASK_HOW = "Ask me something after `ask`, for example: ask what is a non-human identity?"
UNKNOWN_BUTTON = ("I could not read that button; it may be from an older version of idgov.")
UNSEEN_NOTE = ("The next question did not reach you; here it is. Your earlier answers are "
               "kept.")
REASON_EMPTY = "Please say why this task does not apply to you."
REASON_TOO_LONG = f"Please keep the reason under {task_service.REASON_MAX} characters."


@dataclass(frozen=True)
class Ctx:
    engine: Engine
    advisor: Advisor
    surface: Surface


async def _db(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    return await asyncio.to_thread(partial(fn, *args, **kwargs))


def _slash(turn: Turn) -> bool:
    """A slash command: its answers go to the actor only (see `dialogs.router`)."""
    return isinstance(turn.what, Command)


def _reply_to(turn: Turn, *replies: Reply) -> list[Out]:
    return private(*replies) if _slash(turn) else here(*replies)


def _args(turn: Turn) -> str:
    what = turn.what
    if isinstance(what, Command):
        return what.args.strip()
    if isinstance(what, Said):
        return what.text.strip().partition(" ")[2].strip()
    return ""


def _dialog_outs(replies: list[Reply], turn: Turn, place: Place | None = None) -> list[Out]:
    """Advisor replies: private notes to the actor, the rest where the assessment runs."""
    where = place or turn.place
    key = where.key_for(turn.actor)
    outs: list[Out] = []
    for reply in split_recommendation(replies):  # tasks as their own message after it
        if isinstance(reply, TextReply) and reply.private:
            outs.append(Out(reply, Audience.ACTOR))
        elif where == turn.place:
            outs.append(Out(reply, Audience.HERE, key=key))
        else:
            outs.append(Out(reply, Audience.DM, to=turn.actor.ref, key=key))
    return outs


# --- assessment ------------------------------------------------------------------------
async def assess(ctx: Ctx, turn: Turn) -> list[Out]:
    """Start (or restart) the scoping assessment; ``assess here`` runs it in a team thread."""
    if _args(turn).lower() == "here":
        return await _assess_here(ctx, turn)
    place = await ctx.surface.assessment_place(turn)
    if place is None:
        return private(TextReply(text=NO_DM, tone="warning"))
    replies = await _db(ctx.advisor.start, place.key_for(turn.actor), turn.actor.ref,
                        channel_ref=turn.place.channel_ref)
    outs = _dialog_outs(replies, turn, place)
    if place != turn.place and _slash(turn):
        outs.append(Out(TextReply(text=SENT_TO_DM), Audience.ACTOR))
    return outs


async def _assess_here(ctx: Ctx, turn: Turn) -> list[Out]:
    if turn.place.is_dm:
        return await assess(ctx, turn.model_copy(update={"what": Command(name="assess")}))
    thread = await ctx.surface.open_thread(turn.place, turn.actor)
    if thread is None:
        # `assess here` exists only where threads do (Slack), so Slack's words are right
        return private(TextReply(text="I could not post in this channel. Invite me first "
                                 "(`/invite @idgov`), or use `/idgov assess` for a DM."))
    replies = await _db(ctx.advisor.start, thread.key_for(turn.actor), turn.actor.ref,
                        channel_ref=turn.place.channel_ref)
    key = thread.key_for(turn.actor)
    return [Out(r, Audience.ACTOR) if isinstance(r, TextReply) and r.private
            else Out(r, Audience.HERE, key=key, thread=thread.thread) for r in replies]


async def assessment_press(ctx: Ctx, turn: Turn) -> list[Out]:
    assert isinstance(turn.what, Pressed)
    replies = await _db(ctx.advisor.handle_action, turn.key, turn.actor.ref, turn.what.action)
    if _only_stale(replies):  # an old button: maybe the next question never went out
        unseen = await _db(unseen_question, ctx, turn)
        if unseen is not None:
            replies = [*replies, unseen]
    return _dialog_outs(replies, turn)


def _only_stale(replies: list[Reply]) -> bool:
    return len(replies) == 1 and isinstance(replies[0], TextReply) and \
        replies[0].text == STALE_TEXT


def unseen_question(ctx: Ctx, turn: Turn) -> QuestionReply | None:
    """The pending question when it was never delivered: a crash between saving the step
    and posting the next question leaves no message recorded for the current step
    (`dialogs.question_messages`). Then an old button or typed text re-posts it, instead
    of "already answered" or an answer to a question nobody saw."""
    store = question_messages.store_for(ctx.engine, turn.actor.platform)
    if store is None:
        return None
    pending = ctx.advisor.pending(turn.key)
    if pending is None or store.find(turn.key, [pending.step]):
        return None
    log.info("re-posting step %s: its question message was never recorded", pending.step)
    return pending


def _not_an_answer(replies: list[Reply]) -> bool:
    """The advisor only re-asked the same question because the text did not parse."""
    return (len(replies) == 1 and isinstance(replies[0], QuestionReply)
            and replies[0].error is not None)


async def _to_assessment(ctx: Ctx, turn: Turn, text: str) -> list[Out] | None:
    """Give typed text to the assessment running here; None when none is."""
    unseen = await _db(unseen_question, ctx, turn)
    if unseen is not None:
        return _dialog_outs([TextReply(text=UNSEEN_NOTE, private=True), unseen], turn)
    replies = await _db(ctx.advisor.handle_text, turn.key, turn.actor.ref, text)
    if replies is None:
        return None
    if turn.place.shared and _not_an_answer(replies):
        # A team thread is also a conversation: chatter that is no answer gets a private
        # hint to its author instead of the question re-posted for everyone.
        return private(TextReply(text=THREAD_HINT, private=True))
    return _dialog_outs(replies, turn)


async def typed(ctx: Ctx, turn: Turn) -> list[Out]:
    """Text said to the bot: the running assessment first, then help or the knowledge base."""
    assert isinstance(turn.what, Said)
    text = " ".join(turn.what.text.split())
    outs = await _to_assessment(ctx, turn, text)
    if outs is not None:
        return outs
    if not text or text.lower().rstrip("!.?") == "help":
        return await help_(ctx, turn)
    return await _answer(ctx, turn, text)


async def overheard(ctx: Ctx, turn: Turn) -> list[Out]:
    """Channel text not addressed to the bot: a team assessment in its thread, or an
    auto-answer channel's confident answer; otherwise nothing."""
    assert isinstance(turn.what, Said)
    text = " ".join(turn.what.text.split())
    if turn.place.shared and await _db(ctx.advisor.active, turn.key):
        return await _to_assessment(ctx, turn, text) or []
    if await _db(channel_settings.autoanswer_enabled, ctx.engine, turn.place):
        return await _answer(ctx, turn, text, only_if_confident=True)
    return []


# --- knowledge -------------------------------------------------------------------------
async def _answer(ctx: Ctx, turn: Turn, question: str, *,
                  only_if_confident: bool = False) -> list[Out]:
    reply = await _db(qa.answer, ctx.engine, workspace=turn.actor.workspace,
                      user_ref=turn.actor.ref, question=question,
                      only_if_confident=only_if_confident)
    return _reply_to(turn, reply) if reply is not None else []


async def ask(ctx: Ctx, turn: Turn) -> list[Out]:
    question = _args(turn)
    if not question:
        return _reply_to(turn, TextReply(text=ASK_HOW))
    return await _answer(ctx, turn, question)


async def suggestion(ctx: Ctx, turn: Turn) -> list[Out]:
    """A "Did you mean…?" press: that entry's answer where the refusal was (privately when
    the refusal was private), stored for feedback like any answer."""
    assert isinstance(turn.what, Pressed)
    entry_id = turn.what.action.entry_id
    if not entry_id:
        return private(TextReply(text="That suggestion button is missing its entry.",
                                 tone="warning"))
    reply = await _db(qa.answer_entry, ctx.engine, workspace=turn.actor.workspace,
                      user_ref=turn.actor.ref, entry_id=entry_id)
    return private(reply) if turn.what.private_message else here(reply)


async def vote(ctx: Ctx, turn: Turn) -> list[Out]:
    assert isinstance(turn.what, Pressed)
    action = turn.what.action
    if action.feedback_id is None or action.value not in ("yes", "no"):
        return private(TextReply(text="That feedback button is not one I know.",
                                 tone="warning"))
    ok = await _db(qa.vote, ctx.engine, workspace=turn.actor.workspace,
                   user_ref=turn.actor.ref, feedback_id=action.feedback_id,
                   helpful=action.value == "yes")
    text = "Thanks for the feedback." if ok else "I could not find that answer any more."
    return private(TextReply(text=text, tone="success" if ok else "warning"))


async def autoanswer(ctx: Ctx, turn: Turn) -> list[Out]:
    arg = _args(turn).lower()
    if arg not in {"on", "off"}:
        return private(TextReply(text="Usage: `/idgov autoanswer on` or `/idgov autoanswer off`."))
    if turn.place.is_dm:
        return private(TextReply(text="Auto-answer is a channel setting; run it in the "
                                      "channel."))
    if not await ctx.surface.can_manage_channel(turn.place, turn.actor):
        return private(TextReply(text="Only the channel's creator or a workspace admin can "
                                      "change auto-answer here."))
    await _db(channel_settings.set_autoanswer, ctx.engine, turn.place, arg == "on", turn.actor)
    if arg == "on":
        text = ("Auto-answer is on: I will answer questions in this channel without a mention "
                "when I am confident. Invite me if I am not a member yet.")
    else:
        text = "Auto-answer is off: mention me to ask a question here."
    return private(TextReply(text=text))


async def help_(ctx: Ctx, turn: Turn) -> list[Out]:
    return _reply_to(turn, help_reply(in_channel=not turn.place.is_dm))


async def unknown_button(ctx: Ctx, turn: Turn) -> list[Out]:
    return private(TextReply(text=UNKNOWN_BUTTON, tone="warning"))


# --- sharing ---------------------------------------------------------------------------
async def share(ctx: Ctx, turn: Turn) -> list[Out]:
    """Share a recommendation to the channel its assessment was started from."""
    assert isinstance(turn.what, Pressed)
    assessment_id = turn.what.action.assessment_id
    found = (await _db(assessments.shareable, ctx.engine, turn.actor.workspace, assessment_id)
             if assessment_id is not None else None)
    if found is None:
        return private(TextReply(text="I could not find that assessment.", tone="warning"))
    card, channel_ref = found
    if channel_ref is None:
        return private(TextReply(text="This assessment was not started from a channel, so "
                                      "there is nowhere to share it. Start one in a channel.",
                                 tone="warning"))
    out = Out(card, Audience.CHANNEL, to=channel_ref, shared_by=turn.actor.ref)
    if await ctx.surface.post(out):
        return private(TextReply(text="Shared to the channel the assessment was started from.",
                                 tone="success"))
    return private(TextReply(text="I could not post in the channel the assessment was started "
                                  "from; invite me there first.", tone="warning"))


# --- tasks -----------------------------------------------------------------------------
async def tasks(ctx: Ctx, turn: Turn) -> list[Out]:
    listing = await _db(task_service.open_tasks, ctx.engine, turn.actor)
    return _reply_to(turn, TaskListReply(tasks=listing))


async def task_press(ctx: Ctx, turn: Turn) -> list[Out]:
    """Done, Snooze, Reassign: applied, then shown in place of the message's buttons."""
    assert isinstance(turn.what, Pressed)
    action = turn.what.action
    new_owner: str | None = None
    if action.verb is Verb.TASK_REASSIGN and action.task_id is not None:
        try:
            new_owner = task_service.new_owner_ref(
                turn.actor, picked_user=turn.what.picked_user,
                typed=turn.what.fields.get(NEW_OWNER_FIELD))
        except ValueError as exc:
            return [Out(TaskChangedReply(result="refused", problem=str(exc)), Audience.ACTOR)]
    admin = await _admin_if_needed(ctx, turn, action.task_id, new_owner)
    reply = await _db(task_service.press, ctx.engine, turn.actor, action, new_owner=new_owner,
                      source=ctx.surface.name, admin=admin)
    return [Out(reply, Audience.ACTOR, replaces=True)]


async def is_admin(ctx: Ctx, turn: Turn) -> bool:
    """An idgov admin of the actor's workspace (`dialogs.policy`)."""
    return policy.is_listed_admin(turn.actor) or await ctx.surface.is_workspace_admin(turn.actor)


async def _admin_if_needed(ctx: Ctx, turn: Turn, task_id: int | None,
                           new_owner: str | None = None) -> bool:
    """Ask the platform whether the actor is an admin only when the owner or creator rule
    does not already allow the change (one Web API call saved on almost every press)."""
    if task_id is None:
        return False
    found = await _db(task_service.parties, ctx.engine, turn.actor, task_id)
    if found is None:
        return False  # not found here: the service says so
    outside = new_owner is not None and not policy.inside_workspace(turn.actor, new_owner)
    if turn.actor.ref in found and not outside:
        return False
    return await is_admin(ctx, turn)


async def task_not_applicable(ctx: Ctx, turn: Turn) -> list[Out]:
    """Not applicable needs a reason (audit evidence): a form where the surface has one,
    else the reason typed on the card (or a default naming who pressed it)."""
    assert isinstance(turn.what, Pressed)
    action = turn.what.action
    if action.task_id is None:
        return [Out(TaskChangedReply(result="refused", problem="That button does not name a "
                                     "task."), Audience.ACTOR)]
    reason = turn.what.fields.get(REASON_FIELD)
    admin = await _admin_if_needed(ctx, turn, action.task_id)
    if not reason:
        check = await _db(task_service.still_open, ctx.engine, turn.actor, action.task_id)
        if isinstance(check, TaskChangedReply):
            return [Out(check, Audience.ACTOR, replaces=True)]
        found = await _db(task_service.parties, ctx.engine, turn.actor, action.task_id)
        allowed = found is not None and policy.may_change_task(
            turn.actor, owner=found[0], created_by=found[1], admin=admin)
        if allowed and await ctx.surface.ask_reason(turn, check):
            return []
    reply = await _db(task_service.press, ctx.engine, turn.actor, action, reason=reason,
                      source=ctx.surface.name, admin=admin)
    return [Out(reply, Audience.ACTOR, replaces=True)]


async def not_applicable_form(ctx: Ctx, turn: Turn) -> list[Out]:
    """The reason form's submission: validated, then recorded like the button."""
    assert isinstance(turn.what, Submitted)
    reason = turn.what.values.get(REASON_FIELD, "").strip()
    if not reason or len(reason) > task_service.REASON_MAX:
        problem = REASON_TOO_LONG if reason else REASON_EMPTY
        return [Out(TaskChangedReply(result="refused", problem=problem), Audience.ACTOR)]
    action = Action(verb=Verb.TASK_NA, t=turn.what.task_id)
    admin = await _admin_if_needed(ctx, turn, turn.what.task_id)
    reply = await _db(task_service.press, ctx.engine, turn.actor, action, reason=reason,
                      source=ctx.surface.name, admin=admin)
    return [Out(reply, Audience.ACTOR, replaces=True)]
