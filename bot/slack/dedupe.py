"""Process each Slack event once, across retries and replicas.

Slack re-sends an event (``X-Slack-Retry-Num``) when it did not see our 200 in time, and
several replicas may receive copies. The first request to insert its ``event_id`` into
`ProcessedEvent` wins (primary key); every other copy is acknowledged with 200 and dropped,
so Slack stops retrying and nothing is answered twice.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from storage.clock import utcnow
from storage.db import session_scope
from storage.models import ProcessedEvent

log = logging.getLogger(__name__)

PLATFORM = "slack"
#: Slack stops retrying an event within the hour; ids older than this cannot come back.
KEEP = timedelta(days=2)
PRUNE_EVERY = 500  # claims between two clean-ups of old ids, per process
_claims = itertools.count(1)
#: The claim runs before Slack's acknowledgement, so it has threads of its own: in the shared
#: pool it would wait behind a backlog of dialog steps and delay the ack (issue 7).
_CLAIMS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="idgov-slack-claim")


def prune_events(engine: Engine, now: datetime | None = None) -> int:
    """Forget Slack event ids older than `KEEP`; returns how many rows went."""
    cutoff = (now or utcnow()) - KEEP
    with session_scope(engine) as session:
        result = session.connection().execute(
            delete(ProcessedEvent).where(col(ProcessedEvent.platform) == PLATFORM,
                                         col(ProcessedEvent.received_at) < cutoff))
        return int(result.rowcount or 0)


def claim_event(engine: Engine, event_id: str) -> bool:
    """True for the first caller with this event id, False for every later one."""
    try:
        with session_scope(engine) as session:
            session.add(ProcessedEvent(platform=PLATFORM, event_id=event_id[:255]))
    except IntegrityError:
        return False
    if next(_claims) % PRUNE_EVERY == 0:
        prune_events(engine)
    return True


def dedupe_middleware(engine: Engine) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def dedupe_events(req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        body: dict[str, Any] = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await asyncio.get_running_loop().run_in_executor(
                _CLAIMS, claim_event, engine, str(event_id)):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("slack event %s already processed (retry %s); skipped", event_id, retry)
            return BoltResponse(status=200, body="")
        await next()
        return resp

    return dedupe_events
