"""Slack Web API calls for the adapter: one call with logged errors, render, DM, whisper.

A failed Web API call is logged with its context (method, team, channel, Slack error) and
never raised into the listener: one lost message must not abort the rest of the turn.
How each neutral reply is delivered (post, update in place, ephemeral) is decided by its
audience in `bot.slack.surface`.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.logsafe import safe
from bot.metrics import count_api_error
from bot.slack.dedupe import note_reply_failed
from dialogs.replies import Reply

log = logging.getLogger(__name__)

def render(reply: Reply) -> dict[str, Any]:
    """Block Kit for one reply: ``{"text": fallback, "blocks": [...]}``."""
    from bot.cards import render as render_card

    return dict(render_card(reply, "slack"))


#: Read-style methods slack_sdk sends as GET query strings; sent as POST forms instead,
#: which Slack accepts for every method (and proxies and the test stand-in handle alike).
FORM_METHODS = frozenset({"conversations.info", "users.info", "conversations.open",
                          "conversations.history", "files.info"})


#: Calls that carry a reply to a person: when one is lost on the network, the event is released
#: (`bot.slack.dedupe`) so Slack's redelivery is processed instead of dropped.
REPLY_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})


async def call(client: AsyncWebClient, method: str, **kwargs: Any) -> dict[str, Any] | None:
    """One Web API call; errors are logged with context and turned into None."""
    args = {k: v for k, v in kwargs.items() if v is not None}
    try:
        if method in FORM_METHODS:
            response = await client.api_call(method, data=args)
        else:
            response = await getattr(client, method.replace(".", "_"))(**args)
    except SlackApiError as exc:
        count_api_error("slack", exc.response.status_code)  # Slack refused: a retry won't help
        data = exc.response.data
        error = data.get("error") if isinstance(data, dict) else f"HTTP {exc.response.status_code}"
        log.error("slack %s failed: %s (team=%s channel=%s)", method, safe(error, 100),
                  safe(_team(client), 40), safe(kwargs.get("channel"), 40))
        return None
    except Exception as exc:  # network errors after the retry handlers gave up
        if method in REPLY_METHODS:
            note_reply_failed()  # Slack never got the reply: release the event for its retry
        count_api_error("slack", None)
        log.error("slack %s failed: %s: %s (team=%s channel=%s)", method, type(exc).__name__,
                  safe(exc), safe(_team(client), 40), safe(kwargs.get("channel"), 40))
        return None
    return dict(response.data) if isinstance(response.data, dict) else None


def _team(client: AsyncWebClient) -> str | None:
    params = getattr(client, "default_params", None) or {}
    return params.get("team_id")


async def whisper(client: AsyncWebClient, channel: str, user: str, text: str,
                  thread_ts: str | None = None) -> None:
    """A short ephemeral note to one user (stale button, permission refused, where it went)."""
    await call(client, "chat.postEphemeral", channel=channel, user=user, text=text,
               thread_ts=thread_ts)


async def open_dm(client: AsyncWebClient, user: str) -> str | None:
    opened = await call(client, "conversations.open", users=user)
    if not opened:
        return None
    return str(opened.get("channel", {}).get("id") or "") or None
