"""Button presses and pickers (`block_actions`) on idgov's messages and Home tab.

``action_id`` is ``idgov.<verb>`` or ``idgov.<verb>#<n>`` (the suffix keeps ids unique in
one message; for the reassign user picker it is the task id). Each press is translated to a
`Pressed` turn and routed (`dialogs.router`); the advisor compares an assessment button's
step with the saved state, so a stale press changes nothing and is answered with a note only
the presser sees.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import modals
from bot.slack.delivery import whisper
from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.surface import SlackSurface
from bot.slack.task_messages import origin_of
from bot.slack.translate import press_turn, thread_of
from dialogs.handlers import UNKNOWN_BUTTON

log = logging.getLogger(__name__)

ACTION_ID = re.compile(r"^idgov\.")


async def handle_action(client: AsyncWebClient, deps: SlackDeps, body: dict[str, Any],
                        element: dict[str, Any]) -> None:
    try:
        turn = press_turn(body, element)
    except ValueError as exc:
        log.warning("undecodable idgov action %r: %s", element.get("action_id"), exc)
        channel = str((body.get("container") or {}).get("channel_id") or "")
        if channel:
            await whisper(client, channel, str((body.get("user") or {}).get("id") or ""),
                          UNKNOWN_BUTTON, thread_of(body))
        return
    url = body.get("response_url")
    surface = SlackSurface(client, deps, turn, response_url=url if isinstance(url, str) else None,
                           trigger_id=str(body.get("trigger_id") or ""), origin=origin_of(body))
    await surface.deliver(await deps.router.handle(turn, surface))


def register(app: AsyncApp, deps: SlackDeps) -> None:
    modals.register(app, deps)  # the Not applicable form's submission

    @app.action(ACTION_ID)
    async def on_action(ack: Any, body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient) -> None:
        await ack()
        await guarded(handle_action(client, deps, body, action), "action",
                      (body.get("team") or {}).get("id"))
