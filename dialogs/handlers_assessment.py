"""Assessment-flow handlers that protect answers already given.

- `assess` (Slack ``/idgov assess``, the typed word in Teams and the terminal, and the
  Start button) while a non-expired assessment is in progress where it would run asks
  whether to resume or start over (`ResumeOrRestartReply`: a RESUME and a RESTART button),
  instead of silently discarding the answers. With no assessment in progress it starts one
  as before (`dialogs.handlers.assess`).
- `resume` (the RESUME button, or the typed word) re-posts the pending question.

The prompt goes where the assessment runs (Slack: the starter's DM), so its buttons are
pressed under the same conversation key as the assessment's own.
"""

from __future__ import annotations

from dialogs import handlers as h
from dialogs.outbox import Audience, Out
from dialogs.replies import ResumeOrRestartReply, TextReply
from dialogs.turn import Command, Pressed, Turn

RESUME_WORD = "resume"


async def assess(ctx: h.Ctx, turn: Turn) -> list[Out]:
    """Start an assessment, or ask first when one is in progress where it would run."""
    if h._args(turn).lower() == "here":
        return await h.assess(ctx, turn)
    place = await ctx.surface.assessment_place(turn)
    if place is None:
        return await h.assess(ctx, turn)  # says it could not open the DM
    key = place.key_for(turn.actor)
    answered = await h._db(ctx.advisor.answered_count, key)
    if answered is None:
        return await h.assess(ctx, turn)
    prompt = ResumeOrRestartReply(answered=answered)
    outs = h._dialog_outs([prompt], turn, place)
    if place != turn.place and isinstance(turn.what, Command):
        outs.append(Out(TextReply(text=h.SENT_TO_DM), Audience.ACTOR))
    return outs


async def resume(ctx: h.Ctx, turn: Turn) -> list[Out]:
    """Carry on: the pending question again (or a new assessment when none is running)."""
    place = turn.place
    if not isinstance(turn.what, Pressed):
        place = await ctx.surface.assessment_place(turn) or turn.place
    replies = await h._db(ctx.advisor.resume, place.key_for(turn.actor), turn.actor.ref,
                          channel_ref=turn.place.channel_ref)
    return h._dialog_outs(replies, turn, place)
