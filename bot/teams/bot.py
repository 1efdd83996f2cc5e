"""The Teams activity handler: translate activities into neutral turns and back.

Personal chat: ``assess``, ``ask QUESTION``, ``tasks``, ``help`` and plain questions. Channel
and group chat: the same after an @mention (Teams only delivers mentioned messages there),
with the mention text stripped. Card presses arrive as messages whose ``value`` is the
``Action.Submit`` data, decoded by `dialogs.actions.from_teams`. The dialog services are
synchronous and touch the database, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import ChannelAccount
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from bot.teams import outbound, services
from bot.teams.identity import Identity, submit_value
from dialogs.actions import Action, Verb, from_teams
from dialogs.replies import TextReply

log = logging.getLogger(__name__)

DIALOG_VERBS = {Verb.ANSWER, Verb.UNSURE, Verb.BACK, Verb.CANCEL, Verb.RESTART, Verb.SHARE}
TASK_VERBS = {Verb.TASK_DONE, Verb.TASK_SNOOZE, Verb.TASK_REASSIGN, Verb.TASK_NA}
START_WORDS = {"assess", "start", "assessment"}


class IdgovTeamsBot(ActivityHandler):
    def __init__(self, engine: Engine, advisor: Any = None) -> None:
        self.engine = engine
        self._advisor = advisor

    @property
    def advisor(self) -> Any:
        if self._advisor is None:
            from dialogs.service import Advisor

            self._advisor = Advisor(self.engine)
        return self._advisor

    # --- inbound ---------------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        ident = Identity.of(activity)
        value = submit_value(activity)
        if value is not None:
            replies = await self._on_submit(ident, value)
            await outbound.deliver(turn_context, self.engine, ident, replies,
                                   pressed_card=activity.reply_to_id)
            return
        text = self._text_of(turn_context, ident)
        if text is None:
            return
        replies = await self._on_text(ident, text)
        await outbound.deliver(turn_context, self.engine, ident, replies)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        """Welcome card when installed in a personal scope or added to a team or chat."""
        activity = turn_context.activity
        ident = Identity.of(activity)
        bot_id = activity.recipient.id if activity.recipient else None
        if any(m.id == bot_id for m in members_added) or (ident.personal and members_added):
            reply = services.help_reply(welcome=True, in_channel=not ident.personal)
            await outbound.deliver(turn_context, self.engine, ident, [reply])

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Our cards use Action.Submit (a message), never invokes: refuse them with a 4xx
        instead of the SDK's 501, and without running anything."""
        name = str(turn_context.activity.name or "")[:100]
        log.info("teams: unsupported invoke %r refused", name)
        return InvokeResponse(status=400, body={"error": f"idgov does not handle invoke {name!r}"})

    # --- translation -----------------------------------------------------------------
    @staticmethod
    def _text_of(turn_context: TurnContext, ident: Identity) -> str | None:
        """The user's words; None for a channel message that does not mention the bot."""
        activity = turn_context.activity
        if not ident.personal:
            bot_id = activity.recipient.id if activity.recipient else None
            mentioned = any(
                (m.additional_properties.get("mentioned") or {}).get("id") == bot_id
                for m in TurnContext.get_mentions(activity)
            )
            if not mentioned:
                return None
            TurnContext.remove_recipient_mention(activity)
        return " ".join((activity.text or "").split())

    async def _on_text(self, ident: Identity, text: str) -> list[BaseModel]:
        word, _, rest = text.partition(" ")
        command = word.lower().rstrip("!.?")
        ws, user = ident.workspace, ident.user_ref
        if command == "ask":
            if not rest.strip():
                return [TextReply(text="Ask me something after `ask`, for example: "
                                       "ask what is a non-human identity?")]
            return [await asyncio.to_thread(services.answer, self.engine, workspace=ws,
                                            user_ref=user, question=rest.strip())]
        if command == "tasks" and not rest:
            return [await asyncio.to_thread(services.my_tasks, self.engine, workspace=ws,
                                            user_ref=user)]
        if command in START_WORDS and not rest:
            return list(await asyncio.to_thread(self.advisor.start, ident.key, user,
                                                channel_ref=ident.channel_ref))
        replies = await asyncio.to_thread(self.advisor.handle_text, ident.key, user, text)
        if replies is not None:
            return list(replies)
        if not text or command == "help":
            return [services.help_reply(in_channel=not ident.personal)]
        return [await asyncio.to_thread(services.answer, self.engine, workspace=ws,
                                        user_ref=user, question=text)]

    async def _on_submit(self, ident: Identity, value: dict[str, Any]) -> list[BaseModel]:
        try:
            action: Action = from_teams(value)
        except ValueError:
            log.info("teams: unknown card submit %r", sorted(value)[:10])
            return [TextReply(text="That button is not one I know; it may be from an older "
                                   "version of this app.", tone="warning")]
        ws, user = ident.workspace, ident.user_ref
        if action.verb is Verb.START:
            return list(await asyncio.to_thread(self.advisor.start, ident.key, user,
                                                channel_ref=ident.channel_ref))
        if action.verb in DIALOG_VERBS:
            return list(await asyncio.to_thread(self.advisor.handle_action, ident.key, user,
                                                action))
        if action.verb in TASK_VERBS:
            return [await asyncio.to_thread(services.task_action, self.engine, workspace=ws,
                                            user_ref=user, action=action, value=value)]
        if action.verb is Verb.ASK:
            return [await asyncio.to_thread(services.answer_suggestion, self.engine,
                                            workspace=ws, user_ref=user, action=action)]
        if action.verb is Verb.FEEDBACK:
            return [await asyncio.to_thread(services.vote, self.engine, workspace=ws,
                                            user_ref=user, action=action)]
        return [await asyncio.to_thread(services.my_tasks, self.engine, workspace=ws,
                                        user_ref=user)]
