"""Listener bodies never raise: failures after the acknowledgement are logged with context.

Bolt runs a listener as a task and waits for its ``ack()``; an exception raised soon after
the ack overwrites the acknowledged response, so Slack would see an error for a request we
did accept. Catching here keeps the 200 and leaves one log line naming the team and kind.

The event id was claimed before the ack (`bot.slack.dedupe`). When the work fails, is cut
short by shutdown, or its reply could not be delivered (`dedupe.note_reply_failed`), the
claim is released (`release`) so Slack's redelivery is processed instead of dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.slack.dedupe import watch_replies

log = logging.getLogger(__name__)

Release = Callable[[], Awaitable[None]]


async def guarded(work: Awaitable[None], what: str, team_id: str | None, *,
                  release: Release | None = None) -> None:
    with watch_replies() as replies:
        try:
            await work
        except asyncio.CancelledError:
            if release is not None:
                await asyncio.shield(release())
            raise
        except Exception:
            log.exception("slack %s failed after acknowledgement (team=%s)", what, team_id)
            replies.failed = True
    if replies.failed and release is not None:
        await release()
