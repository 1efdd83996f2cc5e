"""The Bolt `AsyncApp` for idgov: Web API client with retries, install mode, middleware
and every listener.

Bolt verifies each request's signature (bad or older than five minutes: 401) before any
listener runs. The Web API client retries 429 (honouring Retry-After) and 5xx with
slack_sdk's retry handlers; calls that still fail are logged with context by
`bot.slack.delivery.call`.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot.slack import actions, assistant, commands, events, uninstall
from bot.slack.dedupe import dedupe_middleware
from bot.slack.deps import SlackDeps
from bot.slack.settings import SlackSettings

log = logging.getLogger(__name__)


def web_client(settings: SlackSettings) -> AsyncWebClient:
    """A Web API client at ``SLACK_API_URL`` that retries rate limits and server errors."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("slack listener failed: %s: %s (team=%s type=%s)", type(error).__name__, error,
              body.get("team_id") or (body.get("team") or {}).get("id"), body.get("type"),
              exc_info=error)


def build_slack_app(settings: SlackSettings, engine: Engine) -> AsyncApp:
    """Bolt app for the given settings on our (migrated) engine."""
    kwargs: dict[str, Any] = {
        "signing_secret": settings.signing_secret or "",
        "client": web_client(settings),
        "process_before_response": False,
        "request_verification_enabled": True,
    }
    if settings.mode == "oauth":
        from bot.slack.oauth import oauth_settings

        kwargs["oauth_settings"] = oauth_settings(settings, engine)
    app = AsyncApp(**kwargs)
    deps = SlackDeps(engine)
    app.middleware(dedupe_middleware(engine))
    app.error(_log_error)
    assistant.register(app, deps)  # before the message listener: it claims assistant threads
    commands.register(app, deps)
    actions.register(app, deps)
    events.register(app, deps)
    uninstall.register(app, deps)
    return app
