"""The Teams activity handler: activities in as neutral turns, the router's replies out.

Everything a person says or presses goes through `bot.teams.translate` to a `Turn`, then the
one router (`dialogs.router`), then `bot.teams.outbound` delivers the replies. What stays
here is Teams-only: the welcome card when the app is installed or added to a team, the
answer to a file consent card, and refusing every other invoke (our cards use Action.Submit).
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import ChannelAccount
from sqlalchemy.engine import Engine

from bot.logsafe import safe
from bot.teams import file_consent, translate
from bot.teams.identity import Identity, submit_value
from bot.teams.outbound import TeamsSurface
from dialogs.help import help_reply
from dialogs.outbox import here
from dialogs.question_messages import TeamsQuestionCards
from dialogs.replies import TextReply
from dialogs.router import Router

log = logging.getLogger(__name__)


class IdgovTeamsBot(ActivityHandler):
    def __init__(self, engine: Engine, advisor: Any = None, *, app_id: str | None = None) -> None:
        self.engine = engine
        self.app_id = app_id
        self._router: Router | None = Router(engine, advisor) if advisor is not None else None
        self.questions = TeamsQuestionCards(engine)

    @property
    def router(self) -> Router:
        if self._router is None:
            self._router = Router(self.engine)
        return self._router

    @property
    def advisor(self) -> Any:
        return self.router.advisor

    def _surface(self, context: TurnContext, ident: Identity) -> TeamsSurface:
        return TeamsSurface(context, self.engine, ident, self.questions, self.app_id)

    # --- inbound ---------------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        ident = Identity.of(activity)
        surface = self._surface(turn_context, ident)
        value = submit_value(activity)
        if value is not None:
            try:
                turn = translate.press_turn(ident, activity, value)
            except ValueError:
                log.info("teams: unknown card submit with keys %s",
                         safe(",".join(sorted(str(k) for k in value)[:10]), 120))
                await surface.deliver(here(TextReply(
                    text="That button is not one I know; it may be from an older version of "
                         "this app.", tone="warning")))
                return
            outs = await self.router.handle(turn, surface)
            await surface.deliver(outs, pressed_card=activity.reply_to_id)
            return
        said = translate.text_turn(turn_context, ident)
        if said is None:
            return
        await surface.deliver(await self.router.handle(said, surface))

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        """Welcome card when installed in a personal scope or added to a team or chat."""
        activity = turn_context.activity
        ident = Identity.of(activity)
        bot_id = activity.recipient.id if activity.recipient else None
        if any(m.id == bot_id for m in members_added) or (ident.personal and members_added):
            reply = help_reply(welcome=True, in_channel=not ident.personal)
            await self._surface(turn_context, ident).deliver(here(reply))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """The one invoke we handle is the answer to a file consent card
        (`bot.teams.file_consent`). Our cards use Action.Submit (a message), so every other
        invoke is refused with a 4xx instead of the SDK's 501, without running anything."""
        name = str(turn_context.activity.name or "")[:100]
        if name == file_consent.INVOKE_NAME:
            return await file_consent.handle(turn_context, self.engine)
        log.info("teams: unsupported invoke %s refused", safe(name, 80))
        return InvokeResponse(status=400, body={"error": f"idgov does not handle invoke {name!r}"})
