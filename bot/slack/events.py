"""Events API: @mentions, messages (DMs, team-assessment threads, auto-answer channels) and
the App Home tab.

A typed message first goes to an assessment running in that place (the DM, or the team
thread); only when none is running is it treated as a question for the knowledge base.
In channels, messages that mention the bot are left to the `app_mention` listener so a
question is never answered twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import qa, refs
from bot.slack.commands import help_reply
from bot.slack.dedupe import releaser
from bot.slack.delivery import send_replies, whisper
from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.home import publish_home
from dialogs.keys import ConversationKey
from dialogs.replies import QuestionReply, Reply

log = logging.getLogger(__name__)

HANDLED_SUBTYPES = {None, "thread_broadcast", "file_share"}


async def _typed(deps: SlackDeps, client: AsyncWebClient, key: ConversationKey, team_id: str,
                 user_id: str, channel: str, text: str, thread_ts: str | None) -> bool:
    """Give `text` to the assessment under `key`; False when no assessment is running."""
    replies = await asyncio.to_thread(deps.advisor.handle_text, key,
                                      refs.user_ref(team_id, user_id), text)
    if replies is None:
        return False
    if key.shared and _not_an_answer(replies):
        # A team thread is also a conversation: chatter that is no answer gets a private
        # hint to its author instead of the question re-posted for everyone.
        await whisper(client, channel, user_id, THREAD_HINT, thread_ts=thread_ts)
        return True
    await send_replies(client, deps.engine, key, channel, replies, thread_ts=thread_ts,
                       whisper_to=user_id)
    return True


THREAD_HINT = ("I read that as conversation, not an answer to the open question. Use its "
               "buttons, or type a choice number, skip, back or help.")


def _not_an_answer(replies: list[Reply]) -> bool:
    """The advisor only re-asked the same question because the text did not parse."""
    return (len(replies) == 1 and isinstance(replies[0], QuestionReply)
            and replies[0].error is not None)


async def _answer(deps: SlackDeps, client: AsyncWebClient, team_id: str, user_id: str,
                  channel: str, question: str, thread_ts: str | None, *,
                  only_if_confident: bool = False) -> None:
    if not question:
        await send_replies(client, deps.engine, None, channel, [help_reply()],
                           thread_ts=thread_ts)
        return
    reply = await qa.answer(deps.engine, team_id, user_id, question,
                            only_if_confident=only_if_confident)
    if reply is not None:
        await send_replies(client, deps.engine, None, channel, [reply], thread_ts=thread_ts)


async def on_mention(deps: SlackDeps, client: AsyncWebClient, team_id: str,
                     event: dict[str, Any]) -> None:
    user_id, channel = str(event.get("user") or ""), str(event.get("channel") or "")
    if not user_id or not channel:
        return
    text = qa.strip_mentions(str(event.get("text") or ""))
    thread_ts = event.get("thread_ts")
    if thread_ts:
        key = refs.thread_key(team_id, channel, str(thread_ts))
        if await asyncio.to_thread(deps.advisor.active, key) and await _typed(
            deps, client, key, team_id, user_id, channel, text, str(thread_ts)
        ):
            return
    await _answer(deps, client, team_id, user_id, channel, text,
                  str(thread_ts or event.get("ts") or "") or None)


async def on_message(deps: SlackDeps, client: AsyncWebClient, team_id: str,
                     bot_user_id: str | None, event: dict[str, Any]) -> None:
    if event.get("subtype") not in HANDLED_SUBTYPES or event.get("bot_id"):
        return
    user_id, channel = str(event.get("user") or ""), str(event.get("channel") or "")
    text = str(event.get("text") or "").strip()
    if not user_id or not channel or not text:
        return
    thread_ts = str(event["thread_ts"]) if event.get("thread_ts") else None
    if event.get("channel_type") == "im" or refs.is_dm(channel):
        key = refs.dm_key(team_id, channel, user_id)
        if not await _typed(deps, client, key, team_id, user_id, channel, text, None):
            await _answer(deps, client, team_id, user_id, channel, qa.strip_mentions(text),
                          None)
        return
    if bot_user_id and f"<@{bot_user_id}" in text:
        return  # the app_mention listener answers this one
    if thread_ts:
        key = refs.thread_key(team_id, channel, thread_ts)
        if await asyncio.to_thread(deps.advisor.active, key):
            await _typed(deps, client, key, team_id, user_id, channel, text, thread_ts)
            return
    if await qa.autoanswer_enabled(deps.engine, team_id, channel):
        await _answer(deps, client, team_id, user_id, channel, text,
                      thread_ts or str(event.get("ts") or "") or None, only_if_confident=True)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_mention")
    async def mention(ack: Any, event: dict[str, Any], client: AsyncWebClient,
                      context: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        team = str(context.get("team_id") or "")
        await guarded(on_mention(deps, client, team, event), "app_mention", team,
                      release=releaser(deps.engine, body))

    @app.event("message")
    async def message(ack: Any, event: dict[str, Any], client: AsyncWebClient,
                      context: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        team = str(context.get("team_id") or "")
        await guarded(on_message(deps, client, team, context.get("bot_user_id"), event),
                      "message", team, release=releaser(deps.engine, body))

    @app.event("app_home_opened")
    async def home(ack: Any, event: dict[str, Any], client: AsyncWebClient,
                   context: dict[str, Any]) -> None:
        await ack()
        team = str(context.get("team_id") or "")
        if event.get("tab", "home") == "home" and event.get("user"):
            await guarded(publish_home(client, deps, team, str(event["user"])), "app_home",
                          team)
