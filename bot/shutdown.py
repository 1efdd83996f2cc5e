"""Stop without losing work: SIGTERM stops accepting, finishes what is in flight, exits 0.

aiohttp's `web.run_app` waits up to 60 s for open connections (a half-sent request kept
the process alive that long) and does not wait at all for the work Bolt runs after its
acknowledgement, so a reply whose Web API call was in flight was lost. `serve` runs the
app on an `AppRunner` itself: on SIGTERM or SIGINT the listening sockets close, the
`drain` hook waits for the requests being handled and the tasks they started (Bolt's
listeners, which run after the acknowledgement) until ``IDGOV_SHUTDOWN_SECONDS`` (default
20) have passed, then aiohttp cancels what is left after one more second. Work cut short
by the deadline is cancelled, which releases its claimed event (`bot.slack.guard`) so the
platform's retry is processed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import weakref
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

DEFAULT_SHUTDOWN_SECONDS = 20.0
#: Seconds aiohttp gives open connections after the drain, before cancelling them.
FINAL_SECONDS = 1.0


@dataclass
class InFlight:
    """Requests being handled and tasks they started (Bolt listeners run after the ack)."""

    requests: int = 0
    tasks: weakref.WeakSet[asyncio.Future[Any]] = field(default_factory=weakref.WeakSet)
    deadline: float | None = None

    def pending(self) -> set[asyncio.Future[Any]]:
        current = asyncio.current_task()
        return {t for t in self.tasks if not t.done() and t is not current}


_INFLIGHT = web.AppKey("idgov.shutdown.inflight", InFlight)
#: Set while a request of ours is handled; tasks created under it inherit it (asyncio
#: copies the creator's context), which is how the task factory knows they are our work.
_OWNER: ContextVar[InFlight | None] = ContextVar("idgov_inflight", default=None)


def shutdown_seconds() -> float:
    """``IDGOV_SHUTDOWN_SECONDS`` as a positive number; ValueError names the variable."""
    raw = os.environ.get("IDGOV_SHUTDOWN_SECONDS", "").strip()
    if not raw:
        return DEFAULT_SHUTDOWN_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ValueError(f"IDGOV_SHUTDOWN_SECONDS must be a number of seconds in (0, 3600], "
                         f"got {raw[:40]!r}")
    return value


def _track_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Wrap the loop's task factory so tasks created under `_OWNER` are recorded."""
    inner = loop.get_task_factory()
    if getattr(inner, "idgov_tracking", False):
        return

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        task = inner(loop, coro, **kwargs) if inner else asyncio.Task(coro, loop=loop, **kwargs)
        owner = _OWNER.get()
        if owner is not None:
            owner.tasks.add(task)
        return task

    factory.idgov_tracking = True  # type: ignore[attr-defined]
    loop.set_task_factory(factory)


def setup_drain(app: web.Application) -> None:
    """Track our requests and the work they start; wait for them at shutdown."""
    inflight = app[_INFLIGHT] = InFlight()

    @web.middleware
    async def track(request: web.Request, handler: Any) -> web.StreamResponse:
        token = _OWNER.set(inflight)
        inflight.requests += 1
        try:
            response: web.StreamResponse = await handler(request)
            return response
        finally:
            inflight.requests -= 1
            _OWNER.reset(token)

    async def start(_app: web.Application) -> None:
        _track_tasks(asyncio.get_running_loop())

    async def drain(_app: web.Application) -> None:
        deadline = inflight.deadline or time.monotonic() + shutdown_seconds()
        while inflight.requests or inflight.pending():
            left = deadline - time.monotonic()
            pending = inflight.pending()
            if left <= 0:
                log.warning("shutdown: %d request(s) and %d task(s) still running at the "
                            "deadline; cancelled", inflight.requests, len(pending))
                for task in pending:
                    task.cancel()
                if pending:
                    await asyncio.wait(pending, timeout=2)
                return
            if pending:
                await asyncio.wait(pending, timeout=min(left, 0.2))
            else:
                await asyncio.sleep(min(left, 0.05))

    app.middlewares.insert(0, track)
    app.on_startup.append(start)
    app.on_shutdown.append(drain)


async def serve(app: web.Application, host: str, port: int, grace: float) -> None:
    """Serve `app` until SIGTERM or SIGINT, then stop within about `grace` seconds.

    OSError from binding (port in use, address not available) propagates before anything
    is served.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=FINAL_SECONDS)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await stop.wait()
        log.info("shutdown: signal received; no new requests, finishing work in flight")
        app[_INFLIGHT].deadline = time.monotonic() + grace
    finally:
        await runner.cleanup()
    log.info("shutdown: done")
