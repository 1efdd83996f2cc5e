"""Events API: @mentions, messages (DMs, team-assessment threads, auto-answer channels) and
the App Home tab.

Messages and mentions become `Said` turns for the router (`dialogs.router`): a DM or a
mention is addressed to the bot; other channel messages are overheard (a team assessment in
their thread, or an auto-answer channel). In channels, messages that mention the bot are
left to the `app_mention` listener so a question is never answered twice.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.dedupe import releaser
from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.home import publish_home
from bot.slack.surface import SlackSurface
from bot.slack.translate import is_dm, message_turn

log = logging.getLogger(__name__)

HANDLED_SUBTYPES = {None, "thread_broadcast", "file_share"}


async def _route(deps: SlackDeps, client: AsyncWebClient, team_id: str,
                 event: dict[str, Any], *, addressed: bool) -> None:
    turn = message_turn(team_id, event, addressed=addressed)
    surface = SlackSurface(client, deps, turn)
    await surface.deliver(await deps.router.handle(turn, surface))


async def on_mention(deps: SlackDeps, client: AsyncWebClient, team_id: str,
                     event: dict[str, Any]) -> None:
    if not event.get("user") or not event.get("channel"):
        return
    await _route(deps, client, team_id, event, addressed=True)


async def on_message(deps: SlackDeps, client: AsyncWebClient, team_id: str,
                     bot_user_id: str | None, event: dict[str, Any]) -> None:
    if event.get("subtype") not in HANDLED_SUBTYPES or event.get("bot_id"):
        return
    user_id, channel = str(event.get("user") or ""), str(event.get("channel") or "")
    text = str(event.get("text") or "").strip()
    dm = event.get("channel_type") == "im" or is_dm(channel)
    if not user_id or not channel or not (text or (dm and event.get("files"))):
        return  # a file alone counts only in the DM (an inventory import)
    if not dm and bot_user_id and f"<@{bot_user_id}" in text:
        return  # the app_mention listener answers this one
    await _route(deps, client, team_id, event, addressed=dm)


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
