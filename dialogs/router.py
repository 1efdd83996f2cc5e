"""The one router: every command and every verb, on every surface, in one table.

An adapter turns a payload into a `Turn`, calls `Router.handle(turn, surface)` and delivers
the `Out` items it gets back, obeying their audience. Adding a verb means adding a row to
`VERBS` (and drawing its button in a template); nothing per platform. How a turn is routed:

- `Pressed`: by its verb (`VERBS`).
- `Command` (Slack's ``/idgov ...``): by its name (`COMMANDS`); answers go to the actor only,
  because a slash command may be typed where the bot is not a member.
- `Said` to the bot (a DM, an @mention, a Teams message): a leading command word
  (``ask``, ``tasks``, ``assess``) runs that command here; otherwise the text goes to the
  assessment running here, then to the knowledge base. Text overheard in a channel only
  reaches a team assessment in its thread, or auto-answer when the channel turned it on.
- `Submitted`: by its form name (`FORMS`).

Handlers live in `dialogs.handlers`; see docs/architecture.md for the whole picture.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.engine import Engine

from dialogs import handlers as h
from dialogs import handlers_assessment as ha
from dialogs import handlers_cards as cards
from dialogs import handlers_inventory as hi
from dialogs.actions import Verb
from dialogs.outbox import Out
from dialogs.service import Advisor
from dialogs.surface import Surface
from dialogs.turn import Command, Pressed, Said, Submitted, Turn

Handler = Callable[[h.Ctx, Turn], Awaitable[list[Out]]]

#: Commands by name: Slack's ``/idgov NAME ARGS`` and the same words typed to the bot.
COMMANDS: dict[str, Handler] = {
    "assess": ha.assess,
    "start": ha.assess,
    "assessment": ha.assess,
    ha.RESUME_WORD: ha.resume,
    "ask": h.ask,
    "tasks": h.tasks,
    "autoanswer": h.autoanswer,
    "help": h.help_,
    "inventory": hi.inventory,
    "evidence": hi.evidence,
    "details": cards.details,
    "report": cards.report,
}

#: Every button and card submit idgov draws.
VERBS: dict[Verb, Handler] = {
    Verb.ANSWER: h.assessment_press,
    Verb.UNSURE: h.assessment_press,
    Verb.BACK: h.assessment_press,
    Verb.CANCEL: h.assessment_press,
    Verb.RESTART: h.assessment_press,
    Verb.START: ha.assess,
    Verb.SHARE: h.share,
    Verb.TASK_DONE: h.task_press,
    Verb.TASK_SNOOZE: h.task_press,
    Verb.TASK_REASSIGN: h.task_press,
    Verb.TASK_NA: h.task_not_applicable,
    Verb.FEEDBACK: h.vote,
    Verb.TASKS: h.tasks,
    Verb.ASK: h.suggestion,
    Verb.RESUME: ha.resume,
    Verb.INVENTORY_TASKS: hi.gap_tasks,
    Verb.DETAILS: cards.details,
    Verb.REPORT: cards.report,
}

#: Forms by name (Slack modals).
FORMS: dict[str, Handler] = {
    h.NA_FORM: h.not_applicable_form,
}

#: Typed words that run a command when they open a message to the bot: `ask` with or
#: without a question after it (it says how when there is none), `details` and `report`
#: alone or with an assessment number, the others alone.
TYPED_COMMANDS = {"ask": "any", "tasks": "alone", "assess": "alone", "start": "alone",
                  "assessment": "alone", ha.RESUME_WORD: "alone", "inventory": "alone",
                  "evidence": "any", "details": "id", "report": "id"}

#: Files sent to the bot (a DM or an @mention with attachments): today only inventory imports.
FILES: Handler = hi.inventory_upload


class Router:
    """Routes turns to handlers; one per process, shared by every adapter."""

    def __init__(self, engine: Engine, advisor: Advisor | None = None) -> None:
        self.engine = engine
        self.advisor = advisor or Advisor(engine)

    async def handle(self, turn: Turn, surface: Surface) -> list[Out]:
        ctx = h.Ctx(self.engine, self.advisor, surface)
        what = turn.what
        if isinstance(what, Pressed):
            handler = VERBS.get(what.action.verb, h.unknown_button)
        elif isinstance(what, Command):
            handler = COMMANDS.get(what.name.lower(), h.help_)
        elif isinstance(what, Submitted):
            handler = FORMS.get(what.form, h.unknown_button)
        elif isinstance(what, Said):
            handler = _typed_handler(what)
        else:  # pragma: no cover - the union above is exhaustive
            return []
        return await handler(ctx, turn)


def _typed_handler(said: Said) -> Handler:
    if not said.addressed:
        return h.overheard
    if said.files:
        return FILES
    word, _, rest = said.text.strip().partition(" ")
    command = word.lower().rstrip("!.?")
    shape = TYPED_COMMANDS.get(command)
    rest = rest.strip().lstrip("#")
    if (shape == "any" or (shape in ("alone", "id") and not rest)
            or (shape == "id" and rest.isascii() and rest.isdigit())):
        return COMMANDS[command]
    return h.typed
