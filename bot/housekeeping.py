"""Periodic jobs the server runs beside the nudge sweeps.

The scheduler loop (`bot.scheduler`) calls `run_due` after each sweep; this process looks at
most once per `EVERY`. Deleting expired Teams file offers is idempotent, so every replica
does it. Re-judging the inventories' gaps at today's date
(`dialogs.inventory.reevaluate`) runs once a day across all replicas: the first to claim the
day's job id (`storage.events.claim_event`, a primary key) runs it; a failure releases the
claim so the next look, here or elsewhere, retries.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Final

from sqlalchemy.engine import Engine

from dialogs.inventory.reevaluate import reevaluate_all
from storage import teams_file_offers
from storage.clock import utcnow
from storage.events import claim_event, release_event

log = logging.getLogger(__name__)

EVERY: Final = 3600.0  # seconds between two looks in one process
JOBS: Final = "idgov"  # the claim's platform: jobs, not a chat platform


class Housekeeping:
    """Remembers when this process last ran the jobs."""

    def __init__(self, engine: Engine, every: float = EVERY) -> None:
        self.engine, self.every = engine, every
        self._last: float | None = None

    async def run_due(self) -> None:
        now = time.monotonic()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        gone = await asyncio.to_thread(teams_file_offers.purge_expired, self.engine)
        if gone:
            log.info("housekeeping: %s expired Teams file offers deleted", gone)
        await self._reevaluate_daily()

    async def _reevaluate_daily(self) -> None:
        job = f"inventory-reevaluate:{utcnow().date().isoformat()}"
        if not await asyncio.to_thread(claim_event, self.engine, JOBS, job):
            return  # done today, here or on another replica
        try:
            done = await asyncio.to_thread(reevaluate_all, self.engine)
        except BaseException:
            await asyncio.to_thread(release_event, self.engine, JOBS, job)
            raise
        for run in done:
            if run.changed:
                log.info("housekeeping: inventory gaps judged again: %s identities changed, "
                         "tasks %s created, %s updated, %s closed", run.changed,
                         run.tasks_created, run.tasks_updated, run.tasks_closed)
