"""Process each Slack event once, across retries and replicas.

Slack re-sends an event (``X-Slack-Retry-Num``) when it did not see our 200 in time, and
several replicas may receive copies. The first request to claim its ``event_id``
(`storage.events.claim_event`, shared with Teams) wins; every other copy is acknowledged
with 200 and dropped, so Slack stops retrying and nothing is answered twice.

A claim whose work failed, or whose reply never reached Slack, is released
(`releaser`, called by `bot.slack.guard.guarded`), so Slack's redelivery is processed.
A reply failure is reported with `note_reply_failed` from inside the listener's task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy.engine import Engine

from bot.logsafe import safe
from storage.events import claim_event, release_event

log = logging.getLogger(__name__)

PLATFORM = "slack"
#: The claim runs before Slack's acknowledgement, so it has threads of its own: in the shared
#: pool it would wait behind a backlog of dialog steps and delay the ack (issue 7).
_CLAIMS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="idgov-slack-claim")


def event_id_of(body: Any) -> str | None:
    """The Events API id of `body`, or None for commands, actions and other payloads."""
    if not isinstance(body, dict) or body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    return str(event_id) if event_id else None


def dedupe_middleware(engine: Engine) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def dedupe_events(req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        event_id = event_id_of(req.body)
        if event_id and not await asyncio.get_running_loop().run_in_executor(
                _CLAIMS, claim_event, engine, PLATFORM, event_id):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("slack event %s already processed (retry %s); skipped", safe(event_id),
                     safe(retry))
            return BoltResponse(status=200, body="")
        await next()
        return resp

    return dedupe_events


def releaser(engine: Engine, body: Any) -> Callable[[], Awaitable[None]] | None:
    """An async callable that releases `body`'s claimed event id (None: nothing claimed)."""
    event_id = event_id_of(body)
    if event_id is None:
        return None

    async def release() -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(
                _CLAIMS, release_event, engine, PLATFORM, event_id)
            log.warning("slack event %s released: its work or reply failed, so Slack's "
                        "retry will be processed", safe(event_id))
        except Exception as exc:  # the database is gone too: the retry will be dropped
            log.error("slack event %s could not be released: %s", safe(event_id),
                      type(exc).__name__)

    return release


@dataclass
class ReplyWatch:
    failed: bool = False


_WATCH: ContextVar[ReplyWatch | None] = ContextVar("idgov_slack_reply_watch", default=None)


@contextmanager
def watch_replies() -> Iterator[ReplyWatch]:
    """Collect `note_reply_failed` calls made by the work run inside this block."""
    watch = ReplyWatch()
    token = _WATCH.set(watch)
    try:
        yield watch
    finally:
        _WATCH.reset(token)


def note_reply_failed() -> None:
    """Say, from a listener's task, that a reply could not be delivered to Slack."""
    watch = _WATCH.get()
    if watch is not None:
        watch.failed = True
