"""`/idgov ...`: translated to a `Command` turn and routed (`dialogs.router`).

Acknowledged at once with an empty 200 (Slack's 3-second limit); Bolt runs the rest of the
listener after the acknowledgement. Answers meant for the caller alone go through the
command's ``response_url`` (ephemeral), which works even where the bot is not a member.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.surface import SlackSurface
from bot.slack.translate import command_turn


async def handle_command(client: AsyncWebClient, deps: SlackDeps,
                         command: dict[str, Any]) -> None:
    turn = command_turn(command)
    url = command.get("response_url")
    surface = SlackSurface(client, deps, turn, response_url=url if isinstance(url, str) else None,
                           trigger_id=command.get("trigger_id"))
    await surface.deliver(await deps.router.handle(turn, surface))


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command("/idgov")
    async def on_idgov(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await guarded(handle_command(client, deps, command), "command", command.get("team_id"))
