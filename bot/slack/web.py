"""Slack's routes on the shared aiohttp application: ``POST /slack/events`` (Events API,
slash commands and interactivity on one URL), the OAuth install pages, or Socket Mode.

Requests go through Bolt's aiohttp adapter with two guards around them: a body Bolt cannot
parse, or one without the shape its type promises, is answered 400 (401 when its signature
is also wrong); an unexpected failure inside dispatch is logged and answered 400, so a
malformed payload never takes the server down or shows a traceback. Signature checks on
well-formed requests (401) are Bolt's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine

from bot.metrics import Metrics, bind, count_slack_inbound, metrics_of
from bot.slack.settings import SlackSettings
from bot.slack.shape import problem

log = logging.getLogger(__name__)

SLACK_APP_KEY = web.AppKey("idgov.slack_app", AsyncApp)
SLACK_SECRET_KEY = web.AppKey("idgov.slack_signing_secret", str)
EVENTS_PATH = "/slack/events"


def _bad(reason: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status)


def _refuse(request: web.Request, body: str, why: str) -> web.Response:
    """401 for a bad signature, else 400: a forged request learns nothing about parsing."""
    verifier = SignatureVerifier(request.app[SLACK_SECRET_KEY])
    if not verifier.is_valid_request(body, dict(request.headers)):
        return _bad("invalid request signature", 401)
    log.warning("malformed Slack payload refused: %s", why)
    return _bad(f"malformed payload: {why}")


async def slack_events(request: web.Request) -> web.Response:
    bolt = request.app[SLACK_APP_KEY]
    raw = await request.read()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _bad("request body is not UTF-8")
    try:  # Bolt parses form / JSON / `payload=` eagerly
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string,
                                        headers=dict(request.headers))
    except Exception as exc:
        return _refuse(request, body, f"{type(exc).__name__}: {exc}")
    wrong = problem(bolt_request.body)
    if wrong is not None:
        return _refuse(request, body, wrong)
    try:
        bolt_response = await bolt.async_dispatch(bolt_request)
    except Exception as exc:
        log.warning("Slack payload could not be dispatched: %s: %s", type(exc).__name__, exc)
        return _bad("malformed payload")
    return await to_aiohttp_response(bolt_response)


async def slack_oauth(request: web.Request) -> web.Response:
    flow = request.app[SLACK_APP_KEY].oauth_flow
    if flow is None:
        return _bad("OAuth install is not configured", 404)
    bolt_request = AsyncBoltRequest(body="", query=request.query_string,
                                    headers=dict(request.headers))
    if request.path == flow.install_path:
        return await to_aiohttp_response(await flow.handle_installation(bolt_request))
    return await to_aiohttp_response(await flow.handle_callback(bolt_request))


def setup_slack(app: web.Application, engine: Engine, settings: SlackSettings) -> None:
    """Add Slack to `app`: HTTP routes, or a Socket Mode connection tied to its lifetime."""
    from bot.slack.app import build_slack_app

    bolt = build_slack_app(settings, engine)
    metrics = metrics_of(app)
    if metrics is not None:
        bolt.middleware(_count_inbound(metrics))
    app[SLACK_APP_KEY] = bolt
    app[SLACK_SECRET_KEY] = settings.signing_secret or ""
    app.on_startup.append(_warm_knowledge(engine))
    _shared_session(app, bolt)
    if settings.socket_mode:
        _add_socket_mode(app, bolt, settings)
        return
    app.router.add_post(EVENTS_PATH, slack_events)
    if bolt.oauth_flow is not None:
        app.router.add_get(bolt.oauth_flow.install_path, slack_oauth)
        app.router.add_get(bolt.oauth_flow.redirect_uri_path, slack_oauth)


def _count_inbound(metrics: Metrics) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Bolt global middleware: runs after the signature check (also in Socket Mode), binds
    the app's metrics for the listeners and counts the request by kind."""

    async def count_inbound(req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        bind(metrics)
        count_slack_inbound(req.body)
        await next()
        return resp

    return count_inbound


def _shared_session(app: web.Application, bolt: AsyncApp) -> None:
    """One keep-alive connection pool for every Web API call while the app runs.

    Without a session slack_sdk opens a new `aiohttp.ClientSession` (a new TCP, and in
    production TLS, connection) for every call: about a tenth of the server's time under
    load (issue 7). Bolt copies ``app.client.session`` into each request's client, so
    setting it at startup covers every listener; the timeout is the client's own.
    """

    async def open_session(_app: web.Application) -> None:
        client = bolt.client
        client.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=client.timeout))

    async def close_session(_app: web.Application) -> None:
        session, bolt.client.session = bolt.client.session, None
        if session is not None:
            await session.close()

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)


def _warm_knowledge(engine: Engine) -> Callable[[web.Application], Awaitable[None]]:
    """Build the knowledge index before serving, so the first question is not slow."""

    async def warm(_app: web.Application) -> None:
        from dialogs.qa import ask_result

        await asyncio.to_thread(ask_result, engine, "ISO 27001 or SOC 2")

    return warm


def _add_socket_mode(app: web.Application, bolt: AsyncApp, settings: SlackSettings) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    async def socket(_app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(bolt, settings.app_token)
        await handler.connect_async()
        log.info("slack: connected in Socket Mode")
        yield
        await handler.close_async()

    app.cleanup_ctx.append(socket)
