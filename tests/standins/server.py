"""Run a stand-in's aiohttp application on 127.0.0.1, in the test's loop or in its own thread.

Synchronous tests (and the subprocesses they start) need the stand-in running while the
test thread blocks, so `start()` runs it in a daemon thread with its own event loop; async
tests use `async_start()` in their loop. Subclasses only provide `app()`.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Self

from aiohttp import web


class LoopbackServer:
    port: int = 0

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def app(self) -> web.Application:
        raise NotImplementedError

    async def async_start(self) -> None:
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def async_stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def start(self) -> Self:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self.async_start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start within 10 s")
        return self

    def stop(self) -> None:
        if self._loop:
            fut = asyncio.run_coroutine_threadsafe(self.async_stop(), self._loop)
            fut.result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
