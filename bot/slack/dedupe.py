"""Process each Slack event once, across retries and replicas.

Slack re-sends an event (``X-Slack-Retry-Num``) when it did not see our 200 in time, and
several replicas may receive copies. The first request to claim its ``event_id``
(`storage.events.claim_event`, shared with Teams) wins; every other copy is acknowledged
with 200 and dropped, so Slack stops retrying and nothing is answered twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy.engine import Engine

from storage.events import claim_event

log = logging.getLogger(__name__)

PLATFORM = "slack"
#: The claim runs before Slack's acknowledgement, so it has threads of its own: in the shared
#: pool it would wait behind a backlog of dialog steps and delay the ack (issue 7).
_CLAIMS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="idgov-slack-claim")


def dedupe_middleware(engine: Engine) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def dedupe_events(req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        body: dict[str, Any] = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await asyncio.get_running_loop().run_in_executor(
                _CLAIMS, claim_event, engine, PLATFORM, str(event_id)):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("slack event %s already processed (retry %s); skipped", event_id, retry)
            return BoltResponse(status=200, body="")
        await next()
        return resp

    return dedupe_events
