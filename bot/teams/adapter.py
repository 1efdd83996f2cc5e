"""The Bot Framework adapter: CloudAdapter plus retries, middleware and a turn error handler.

CloudAdapter authenticates each inbound request (with an app id) and creates the connector
client that posts replies to the activity's service URL (built once per service URL and
reused: `bot.teams.clients`). We add what a production bot
needs around it: connector 429/5xx retried with backoff and logged, each activity processed
once, the conversation reference stored, and a failed turn logged with its context.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import Middleware, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ResourceResponse
from msrest.exceptions import ClientRequestError, HttpOperationError
from sqlalchemy.engine import Engine

from bot.logsafe import safe
from bot.metrics import Metrics, bind, count_teams_inbound
from bot.teams.clients import CachingBotFrameworkAuthentication
from bot.teams.middleware import DedupeMiddleware, ReferenceMiddleware
from bot.teams.retry import RetryPolicy, call_with_retries, disable_sdk_retries
from bot.teams.settings import TeamsSettings

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


class IdgovCloudAdapter(CloudAdapter):
    """CloudAdapter whose connector calls are retried one activity at a time."""

    def __init__(self, auth: Any, retry: RetryPolicy | None = None) -> None:
        super().__init__(auth)
        self.retry = retry or RetryPolicy()

    def _client(self, context: TurnContext) -> None:
        disable_sdk_retries(context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY))

    async def send_activities(self, context: TurnContext,
                              activities: list[Activity]) -> list[ResourceResponse]:
        self._client(context)
        responses: list[ResourceResponse] = []
        for activity in activities:
            conv = activity.conversation.id if activity.conversation else "?"

            async def _send(one: Activity = activity) -> list[ResourceResponse]:
                result: list[ResourceResponse] = await CloudAdapter.send_activities(
                    self, context, [one])
                return result

            responses.extend(await call_with_retries(_send, f"send to {conv}", self.retry))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> Any:
        self._client(context)
        conv = activity.conversation.id if activity.conversation else "?"

        async def _update() -> Any:
            return await CloudAdapter.update_activity(self, context, activity)

        return await call_with_retries(_update, f"update {activity.id} in {conv}", self.retry)


class MetricsMiddleware(Middleware):
    """Count each authenticated activity by type, and bind the app's metrics for the turn."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def on_turn(self, context: TurnContext,
                      logic: Callable[[], Awaitable[None]]) -> None:
        bind(self.metrics)
        count_teams_inbound(context.activity.type)
        await logic()


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    activity = context.activity
    log.error(
        "teams: turn failed for activity %s (%s) in conversation %s: %s",
        safe(activity.id, 80), safe(activity.type, 40),
        safe(activity.conversation.id, 120) if activity.conversation else "?",
        safe(error), exc_info=error,
    )
    if activity.type != "message" or isinstance(error, (HttpOperationError, ClientRequestError)):
        return  # nothing to say, or the connector itself is failing: an apology would too
    try:
        from bot.teams.outbound import to_activity
        from dialogs.replies import TextReply

        await context.send_activity(to_activity(TextReply(text=SORRY, tone="error")))
    except Exception as exc:  # the log above has the turn; this one says the user was not told
        log.error("teams: could not tell the user about the failure: %s", safe(exc))


def make_adapter(settings: TeamsSettings, engine: Engine, retry: RetryPolicy | None = None,
                 *, inbound: bool = True) -> IdgovCloudAdapter:
    """The adapter for inbound turns, or (inbound=False) for proactive sends: no middleware
    and no error handler, so a failed send reaches the sender, which reports it."""
    auth = CachingBotFrameworkAuthentication(settings.sdk_config())
    adapter = IdgovCloudAdapter(auth, retry)
    if inbound:
        adapter.use(DedupeMiddleware(engine))
        adapter.use(ReferenceMiddleware(engine))
        adapter.on_turn_error = _on_turn_error
    return adapter
