"""Listener bodies never raise: failures after the acknowledgement are logged with context.

Bolt runs a listener as a task and waits for its ``ack()``; an exception raised soon after
the ack overwrites the acknowledged response, so Slack would see an error for a request we
did accept. Catching here keeps the 200 and leaves one log line naming the team and kind.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

log = logging.getLogger(__name__)


async def guarded(work: Awaitable[None], what: str, team_id: str | None) -> None:
    try:
        await work
    except Exception:
        log.exception("slack %s failed after acknowledgement (team=%s)", what, team_id)
