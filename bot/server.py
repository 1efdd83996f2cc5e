"""One aiohttp application for every platform: Slack (``/slack/events`` and the OAuth install
pages, or Socket Mode), Teams (``/api/messages``), ``/healthz``, ``/metrics`` (`bot.metrics`),
and the nudge scheduler in the background.

Each platform adds itself through its own folder (`bot.slack.web.setup_slack`,
`bot.teams.web.setup_teams`), so this module holds no platform SDK code.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot import startup_gc
from bot.executor import sized_executor
from bot.legal import setup_legal
from bot.metrics import setup_metrics
from bot.shutdown import setup_drain
from bot.slack.settings import SlackSettings

log = logging.getLogger(__name__)

ENGINE_KEY = web.AppKey("idgov.engine", Engine)
READY_KEY = web.AppKey("idgov.ready", asyncio.Event)
HEALTH_TIMEOUT_SECONDS = 2.0


async def healthz(request: web.Request) -> web.Response:
    """200 once the app started and the migrated database answers; 503 otherwise."""
    if not request.app[READY_KEY].is_set():
        return web.json_response({"ok": False, "error": "starting"}, status=503)
    engine = request.app[ENGINE_KEY]

    def ping() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1 FROM alembic_version"))

    try:  # a hung database (firewall drop) must not hang the load balancer's probe
        await asyncio.wait_for(asyncio.to_thread(ping), HEALTH_TIMEOUT_SECONDS)
    except Exception as exc:
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        return web.json_response({"ok": False, "error": "database unavailable"}, status=503)
    return web.json_response({"ok": True})


def _warm_knowledge(engine: Engine) -> Callable[[web.Application], Awaitable[None]]:
    """Build the knowledge index and load the intent model before serving (Slack and Teams
    alike), so the first question is not slow and concurrent first questions do not each load
    the model."""

    async def warm(_app: web.Application) -> None:
        from dialogs.qa import ask_result

        await asyncio.to_thread(ask_result, engine, "ISO 27001 or SOC 2")

    return warm


def create_app(engine: Engine, *, slack: SlackSettings | None, teams: bool,
               scheduler: bool = True) -> web.Application:
    """The application `idgov serve` runs; `engine` must already be migrated."""
    app = web.Application()
    app[ENGINE_KEY] = engine
    app[READY_KEY] = asyncio.Event()
    app.on_startup.append(sized_executor(engine))  # first: before any hook uses a thread
    setup_metrics(app)  # first, so the platforms below can bind their middlewares to it
    app.router.add_get("/healthz", healthz)
    setup_legal(app)  # the privacy and terms URLs the Teams package names
    if slack is not None:
        from bot.slack.web import setup_slack

        setup_slack(app, engine, slack)
    if teams:
        from bot.teams.web import setup_teams

        setup_teams(app, engine)
    if slack is not None or teams:
        app.on_startup.append(_warm_knowledge(engine))
    if scheduler:
        from bot.scheduler import start_background

        start_background(app, engine)

    async def loaded(_app: web.Application) -> None:
        # Loaded (the knowledge index warmed above): the cyclic garbage collector that
        # `idgov serve` started without goes back on, start-up's objects frozen
        # (`bot.startup_gc`). Nothing to do when the collector was never paused (tests).
        startup_gc.loaded()

    async def ready(_app: web.Application) -> None:
        _app[READY_KEY].set()

    app.on_startup.append(loaded)
    app.on_startup.append(ready)
    setup_drain(app)  # last: tasks started by the hooks above are long-lived, not work
    return app
