"""Slack's AI-app surface: idgov in the assistant (agent) view, through the same router.

Where a workspace offers the assistant view, Slack opens an assistant thread in the user's
DM with the app and sends ``assistant_thread_started``; Bolt for Python's `AsyncAssistant`
middleware (slack_bolt >= 1.21; 1.30 installed) routes that event and the user's messages in
the thread to the listeners below. idgov then offers suggested prompts (run the assessment,
ask a question, my open tasks), shows a status line while the router works (cleared by
Slack when the reply is posted in the thread), and answers with the same cards: each message
becomes a `Said` turn whose place is the assistant thread (`bot.slack.translate.
assistant_turn`), so an assessment started there runs in that thread. A context change
(the user moved to another channel) is saved by Bolt's default listener.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAssistant
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.surface import SlackSurface
from bot.slack.translate import assistant_turn

log = logging.getLogger(__name__)

GREETING = ("Hi, I'm idgov. I help you choose between ISO/IEC 27001 and SOC 2 for your "
            "identity programme and keep track of the tasks that close the gaps.")
PROMPTS_TITLE = "Try one of these"
#: title: what the button shows; message: what it says to idgov (a command word the router knows)
PROMPTS: list[dict[str, str]] = [
    {"title": "Run the assessment", "message": "assess"},
    {"title": "Ask a question", "message": "ask what is a non-human identity?"},
    {"title": "My open tasks", "message": "tasks"},
]
STATUS = "is working on it…"


async def _quietly(what: str, call: Any) -> None:
    """Prompts and status are niceties: a refusal (an old install without assistant:write)
    is logged, never raised into the reply."""
    try:
        await call
    except Exception as exc:
        log.warning("slack assistant %s failed: %s", what, type(exc).__name__)


async def started(say: Any, set_suggested_prompts: Any) -> None:
    await say(GREETING)
    await _quietly("suggested prompts", set_suggested_prompts(prompts=PROMPTS,
                                                             title=PROMPTS_TITLE))


async def user_message(deps: SlackDeps, client: AsyncWebClient, team: str,
                       event: dict[str, Any], set_status: Any) -> None:
    if not event.get("user") or not str(event.get("text") or "").strip():
        return
    await _quietly("status", set_status(STATUS))
    turn = assistant_turn(team, event)
    surface = SlackSurface(client, deps, turn)
    await surface.deliver(await deps.router.handle(turn, surface))


def build_assistant(deps: SlackDeps) -> AsyncAssistant:
    assistant = AsyncAssistant()

    @assistant.thread_started
    async def on_started(say: Any, set_suggested_prompts: Any, context: dict[str, Any]) -> None:
        await guarded(started(say, set_suggested_prompts), "assistant_thread_started",
                      context.get("team_id"))

    @assistant.user_message
    async def on_message(payload: dict[str, Any], client: AsyncWebClient, set_status: Any,
                         context: dict[str, Any]) -> None:
        team = str(context.get("team_id") or "")
        await guarded(user_message(deps, client, team, payload, set_status),
                      "assistant_message", team)

    return assistant


def register(app: Any, deps: SlackDeps) -> None:
    app.assistant(build_assistant(deps))
