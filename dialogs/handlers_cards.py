"""Details and Full report: a finished assessment shown again, in full, where it was asked for.

Both are reached by a button on the recommendation (`Verb.DETAILS`, `Verb.REPORT`, payload
``a`` = assessment id) or by a typed word (``details``, ``report``, optionally with the
assessment id; Slack's ``/idgov report 12``). Without an id they mean the actor's newest
assessment. Access is the workspace's: an id from another workspace is simply not found.

Where the answer goes is said neutrally and each surface delivers it its way:

- a press answers in the thread under the message pressed (`Out.thread`): in Slack a
  threaded reply under the recommendation, so the summary stays one screen and the details
  sit one tap away beside it (a modal would vanish on the first click elsewhere and cannot
  be shared or found again); Teams and the terminal simply answer in the chat;
- a slash command answers the actor only; the report, a file that cannot be ephemeral,
  goes to the actor's direct message with the bot, with a private note saying so.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dialogs import assessments
from dialogs.handlers import Ctx, _args, _db, _slash
from dialogs.outbox import Audience, Out
from dialogs.replies import RecommendationReply, Reply, ReportReply, TextReply
from dialogs.report import ReportError, load_report
from dialogs.turn import Pressed, Turn
from storage.db import session_scope
from storage.models import Assessment

NOT_FOUND = "I could not find that assessment in this workspace."
NONE_YET = "You have no finished assessment yet; start one with assess."
BAD_ID = "Give the assessment's number, for example: report 12."
REPORT_IN_DM = "I have sent the full report to our direct message."


def _wanted_id(turn: Turn) -> int | str | None:
    """The assessment asked for: an id, None for "my newest", or a problem to say."""
    what = turn.what
    if isinstance(what, Pressed):
        return what.action.assessment_id
    arg = _args(turn).lstrip("#")
    if not arg:
        return None
    if not (arg.isascii() and arg.isdigit()) or int(arg) < 1:
        return BAD_ID
    return int(arg)


def _card(engine: Engine, workspace: str, user_ref: str,
          assessment_id: int | None) -> RecommendationReply | None:
    if assessment_id is None:
        return assessments.last_card(engine, workspace, user_ref)
    with session_scope(engine) as session:
        row = session.get(Assessment, assessment_id)
        if row is None or row.workspace != workspace:
            return None
        return assessments.card_of(session, row)


def _newest_id(engine: Engine, workspace: str, user_ref: str) -> int | None:
    card = assessments.last_card(engine, workspace, user_ref)
    return card.assessment_id if card else None


def _report(engine: Engine, workspace: str, assessment_id: int) -> ReportReply | None:
    with Session(engine) as session:
        try:
            return ReportReply(report=load_report(session, assessment_id, workspace))
        except ReportError:
            return None


def _where(turn: Turn, reply: Reply) -> list[Out]:
    """A press: in the thread under the pressed message (or privately, when that message
    was only the actor's); a slash command: the actor only; typed: here."""
    what = turn.what
    if _slash(turn):
        return [Out(reply, Audience.ACTOR)]
    if isinstance(what, Pressed):
        if what.private_message:
            return [Out(reply, Audience.ACTOR)]
        return [Out(reply, Audience.HERE, thread=turn.place.thread or what.message)]
    return [Out(reply, Audience.HERE)]


def _problem(turn: Turn, text: str) -> list[Out]:
    return [Out(TextReply(text=text, tone="warning"), Audience.ACTOR)]


async def details(ctx: Ctx, turn: Turn) -> list[Out]:
    """The recommendation's Details view: every reason, what pulls the other way, every
    answer that would change it, the crosswalk and the sources."""
    wanted = _wanted_id(turn)
    if isinstance(wanted, str):
        return _problem(turn, wanted)
    card = await _db(_card, ctx.engine, turn.actor.workspace, turn.actor.ref, wanted)
    if card is None:
        return _problem(turn, NOT_FOUND if wanted is not None else NONE_YET)
    view = card.model_copy(update={"view": "details", "can_share": False})
    return _where(turn, view)


async def report(ctx: Ctx, turn: Turn) -> list[Out]:
    """The assessment's full report (`dialogs.report`), to keep or send to an auditor."""
    wanted = _wanted_id(turn)
    if isinstance(wanted, str):
        return _problem(turn, wanted)
    if wanted is None:
        wanted = await _db(_newest_id, ctx.engine, turn.actor.workspace, turn.actor.ref)
        if wanted is None:
            return _problem(turn, NONE_YET)
    reply = await _db(_report, ctx.engine, turn.actor.workspace, wanted)
    if reply is None:
        return _problem(turn, NOT_FOUND)
    hidden = isinstance(turn.what, Pressed) and turn.what.private_message
    if (_slash(turn) or hidden) and not turn.place.is_dm:
        return [Out(reply, Audience.DM, to=turn.actor.ref),
                Out(TextReply(text=REPORT_IN_DM), Audience.ACTOR)]
    if _slash(turn):
        return [Out(reply, Audience.HERE)]
    return _where(turn, reply)
