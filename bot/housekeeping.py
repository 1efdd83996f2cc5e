"""Periodic clean-up the server runs beside the nudge sweeps.

Each job is idempotent, so every replica may run it: two replicas deleting the same expired
rows delete them once. The scheduler loop (`bot.scheduler`) calls `run_due` after each
sweep; a job runs at most once per `EVERY` per process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Final

from sqlalchemy.engine import Engine

from storage import teams_file_offers

log = logging.getLogger(__name__)

EVERY: Final = 3600.0  # seconds between two runs in one process


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
