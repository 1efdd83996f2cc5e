"""The worker threads that run idgov's synchronous database work (`asyncio.to_thread`).

Dialog steps, task updates and the Slack/Teams bookkeeping are synchronous SQLModel code run
in the event loop's default executor, so the loop only does HTTP. Python's default pool is
``min(32, cores + 4)`` threads: six on a 2-core host. Those threads hold the GIL while
SQLAlchemy builds and reads rows, and every extra runnable thread makes the event-loop
thread wait longer for the GIL each time it returns from a socket call: under a backlog of
dialog steps the acknowledgements Slack needs within 3 seconds queue behind them (issue 7
measured button-press acks at p99 0.6 to 1.3 s). SQLite has one writer anyway, so a small
pool loses no throughput there (measured on 2 cores: 2 to 3 threads gave 30 to 40% more
dialog steps per second than 6); PostgreSQL gets a few more threads for its network waits.
Teams' connector calls (msrest runs `requests` in this executor) share the pool.
``IDGOV_DB_THREADS`` overrides the size.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from sqlalchemy.engine import Engine

ENV = "IDGOV_DB_THREADS"


def pool_size(engine: Engine) -> int:
    """Threads for the default executor: IDGOV_DB_THREADS, else by backend and cores."""
    raw = os.environ.get(ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return min(int(raw), 64)
    cores = os.cpu_count() or 1
    if engine.dialect.name == "sqlite":
        return min(4, cores + 1)
    return max(4, min(16, cores * 2))


def sized_executor(engine: Engine) -> Callable[[web.Application], Awaitable[None]]:
    """aiohttp startup hook: give the loop a default executor of `pool_size` threads.

    The loop shuts its default executor down when it closes (`web.run_app`, `asyncio.run`),
    so nothing is torn down here that a later cleanup hook might still need.
    """

    async def install(_app: web.Application) -> None:
        pool = ThreadPoolExecutor(max_workers=pool_size(engine), thread_name_prefix="idgov-db")
        asyncio.get_running_loop().set_default_executor(pool)

    return install
