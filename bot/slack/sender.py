"""The Slack `Sender`: nudges as DMs (conversations.open + chat.postMessage), escalations to
channels, time zones from users.info and ``email:`` owners through users.lookupByEmail.

Why no slack_sdk retry handlers: a 429 or 5xx must come back to the scheduler as a transient
`DeliveryResult` carrying Retry-After, so the nudge is rescheduled in the database (and may be
sent by another replica) instead of one sweep sleeping on it. Errors that will never succeed
(user gone, channel archived) come back as permanent so the task is escalated, not retried.

Lookups go as POST form bodies (which Slack accepts for every method) rather than the query
strings the typed helpers use, so one request shape works against Slack and the recorded
stand-in alike.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import count_api_error
from bot.senders import DeliveryResult, Recipient, Sendable
from bot.slack.settings import DEFAULT_API_URL

log = logging.getLogger(__name__)

#: Slack error codes that no retry will fix.
PERMANENT_ERRORS = frozenset({
    "user_not_found", "users_not_found", "account_inactive", "channel_not_found", "is_archived",
    "cannot_dm_bot", "user_disabled", "not_in_channel", "messages_tab_disabled",
    "restricted_action", "invalid_blocks", "msg_too_long", "no_text", "not_installed",
})
DEFAULT_RETRY_AFTER = 30.0

#: team id -> bot token (e.g. from an installation store); None when not installed.
TokenLookup = Callable[[str], Awaitable[str | None]]


def split_ref(ref: str) -> tuple[str, str, bool]:
    """``slack:TEAM:USER`` / ``slack:TEAM:#CHANNEL`` -> (team, id, is_channel)."""
    platform, _, rest = ref.partition(":")
    team, _, target = rest.partition(":")
    if platform != "slack" or not team or not target:
        raise ValueError(f"not a Slack reference: {ref!r}")
    return team, target.removeprefix("#"), target.startswith("#")


def classify(exc: SlackApiError) -> DeliveryResult:
    """Map a Slack API failure onto transient (with Retry-After) or permanent."""
    response = exc.response
    status = int(getattr(response, "status_code", 200) or 200)
    data = response.data if isinstance(getattr(response, "data", None), dict) else {}
    error = str(data.get("error") or f"http_{status}")
    headers = {k.lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
    raw_retry = headers.get("retry-after")
    retry_after: float | None = None
    if raw_retry is not None:
        try:
            retry_after = max(float(raw_retry if isinstance(raw_retry, str) else raw_retry[0]), 0)
        except (TypeError, ValueError, IndexError):
            retry_after = None
    if status == 429 or status >= 500:
        return DeliveryResult(ok=False, retry_after=retry_after or DEFAULT_RETRY_AFTER,
                              error=f"{error} (HTTP {status})")
    if error in PERMANENT_ERRORS:
        return DeliveryResult(ok=False, permanent=True, error=error)
    return DeliveryResult(ok=False, retry_after=retry_after, error=error)


class SlackSender:
    """`bot.senders.Sender` for Slack. Give it a single-workspace `token` or a `token_for_team`
    lookup (installation store); `base_url` points at Slack or a local stand-in."""

    platform = "slack"

    def __init__(self, *, token: str | None = None, token_for_team: TokenLookup | None = None,
                 base_url: str = DEFAULT_API_URL, timeout: int = 15) -> None:
        if not token and token_for_team is None:
            raise ValueError("SlackSender needs a bot token or a token_for_team lookup")
        self._token = token
        self._token_for_team = token_for_team
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._timeout = timeout
        self._clients: dict[str, AsyncWebClient] = {}
        self._dm_channels: dict[str, str] = {}
        self._team: str | None = None
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    async def _client(self, team: str) -> AsyncWebClient | None:
        token = self._token
        if self._token_for_team is not None:
            token = await self._token_for_team(team) or self._token
        if not token:
            return None
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            # One connection pool per event loop (a sweep), not one TCP/TLS setup per call.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout))
            self._session_loop = loop
            self._clients.clear()
        client = self._clients.get(token)
        if client is None:
            client = AsyncWebClient(token=token, base_url=self._base_url, timeout=self._timeout,
                                    retry_handlers=[], session=self._session)
            self._clients[token] = client
        return client

    async def aclose(self) -> None:
        """Close the connection pool (the scheduler calls this at the end of each sweep)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        self._clients.clear()

    async def _channel_for(self, client: AsyncWebClient, team: str, target: str,
                           is_channel: bool) -> str:
        if is_channel:
            return target
        key = f"{team}:{target}"
        channel = self._dm_channels.get(key)
        if channel is None:
            opened = await client.api_call("conversations.open", data={"users": target})
            channel = str(opened["channel"]["id"])
            self._dm_channels[key] = channel
        return channel

    async def send(self, recipient: Recipient, reply: Sendable) -> DeliveryResult:
        from bot.cards.render import render

        try:
            team, target, is_channel = split_ref(recipient.ref)
        except ValueError as exc:
            return DeliveryResult(ok=False, permanent=True, error=str(exc))
        client = await self._client(team)
        if client is None:
            return DeliveryResult(ok=False, permanent=True, error="not_installed")
        try:
            channel = await self._channel_for(client, team, target,
                                              is_channel or recipient.is_channel)
            message: dict[str, Any] = render(reply, "slack")
            sent = await client.chat_postMessage(channel=channel, text=message.get("text", ""),
                                                 blocks=message.get("blocks"))
            return DeliveryResult(ok=True, message_ref=f"{sent['channel']}:{sent['ts']}")
        except SlackApiError as exc:
            count_api_error("slack", getattr(exc.response, "status_code", None))
            return classify(exc)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            count_api_error("slack", None)
            return DeliveryResult(ok=False, retry_after=DEFAULT_RETRY_AFTER,
                                  error=f"connection: {type(exc).__name__}")

    async def user_timezone(self, user_ref: str) -> str | None:
        try:
            team, user, is_channel = split_ref(user_ref)
            client = await self._client(team)
            if client is None or is_channel:
                return None
            info = await client.api_call("users.info", data={"user": user})
        except (TimeoutError, ValueError, SlackApiError, aiohttp.ClientError, OSError):
            log.info("no time zone for %s", user_ref)
            return None
        profile: dict[str, Any] = info.get("user") or {}
        tz = profile.get("tz")
        return str(tz) if tz else None

    async def _own_team(self) -> str:
        if self._team is None:
            client = await self._client("")
            try:
                auth = await client.auth_test() if client else None
            except (TimeoutError, SlackApiError, aiohttp.ClientError, OSError):
                auth = None
            self._team = str(auth.get("team_id") or "") if auth else ""
        return self._team

    async def resolve_email(self, email: str, workspace: str) -> str | None:
        if workspace.startswith("slack:"):
            team = workspace.removeprefix("slack:")
        elif self._token:  # e.g. a CLI task: the single installed workspace
            team = await self._own_team()
        else:
            return None
        client = await self._client(team)
        if client is None:
            return None
        try:
            found = await client.api_call("users.lookupByEmail", data={"email": email})
        except (TimeoutError, SlackApiError, aiohttp.ClientError, OSError):
            return None
        user = found.get("user") or {}
        if not user.get("id") or user.get("deleted"):
            return None
        return f"slack:{user.get('team_id') or team}:{user['id']}"
