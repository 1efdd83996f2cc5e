"""Slack's routes on the shared aiohttp application: ``POST /slack/events`` (Events API,
slash commands and interactivity on one URL), the OAuth install pages, or Socket Mode.

The signature is checked first, on the raw bytes, before anything reads the body: a
request that is not signed with our secret (missing, malformed or stale timestamp, wrong
signature) is 401 whatever its body holds, so a forged request learns nothing about our
parsing and is never logged. A signed body Bolt cannot parse, or one without the shape its
type promises, is answered 400; an unexpected failure inside dispatch is logged and
answered 400, so a malformed payload never takes the server down or shows a traceback.
Bolt checks the signature again inside dispatch (harmless, and it covers Socket Mode).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine

from bot.logsafe import safe
from bot.metrics import Metrics, bind, count_slack_inbound, metrics_of
from bot.slack.settings import SlackSettings
from bot.slack.shape import problem

log = logging.getLogger(__name__)

SLACK_APP_KEY = web.AppKey("idgov.slack_app", AsyncApp)
SLACK_SECRET_KEY = web.AppKey("idgov.slack_signing_secret", str)
EVENTS_PATH = "/slack/events"


def _bad(reason: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status)


def signed_by_slack(secret: str, raw: bytes, headers: Mapping[str, str]) -> bool:
    """True when `raw` carries a current, valid Slack signature for `secret`.

    slack_sdk's verifier raises on a timestamp that is not an integer ("abc", "1.5", a
    5,000-digit number) and on a body that is not UTF-8; such a timestamp is simply not
    Slack's, and a body that is not UTF-8 is checked byte for byte with the same scheme
    (``v0:<timestamp>:<body>``, HMAC-SHA256), so a signed one is a 400, not a 401.
    """
    if not secret:
        return False
    verifier = SignatureVerifier(secret)
    try:
        return verifier.is_valid_request(raw, headers)
    except UnicodeDecodeError:
        pass
    except (ValueError, TypeError, OverflowError):
        return False
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        return False
    if abs(verifier.clock.now() - int(stamp)) > 60 * 5:
        return False
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256)
    return hmac.compare_digest(f"v0={digest.hexdigest()}",
                               headers.get("X-Slack-Signature", ""))


async def slack_events(request: web.Request) -> web.Response:
    bolt = request.app[SLACK_APP_KEY]
    raw = await request.read()
    if not signed_by_slack(request.app[SLACK_SECRET_KEY], raw, request.headers):
        return _bad("invalid request signature", 401)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _bad("request body is not UTF-8")
    try:  # Bolt parses form / JSON / `payload=` eagerly
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string,
                                        headers=dict(request.headers))
    except Exception as exc:
        log.warning("malformed Slack payload refused: %s", type(exc).__name__)
        return _bad("malformed payload: the body could not be parsed")
    wrong = problem(bolt_request.body)
    if wrong is not None:
        log.warning("malformed Slack payload refused: %s", wrong)
        return _bad(f"malformed payload: {wrong}")
    try:
        bolt_response = await bolt.async_dispatch(bolt_request)
    except Exception as exc:
        log.warning("Slack payload could not be dispatched: %s: %s", type(exc).__name__,
                    safe(exc))
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


class _TokenSkippedFilter(logging.Filter):
    """Drop Bolt's "As you gave `client` as well, `token` will be unused" warning.

    Bolt reads SLACK_BOT_TOKEN from the environment even when a client is given, and warns
    on every start; our client (`bot.slack.app.web_client`) carries that same token, so the
    warning is never true for idgov and only trains operators to ignore warnings.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def setup_slack(app: web.Application, engine: Engine, settings: SlackSettings) -> None:
    """Add Slack to `app`: HTTP routes, or a Socket Mode connection tied to its lifetime."""
    from bot.slack.app import build_slack_app

    bolt_logger = get_bolt_logger(AsyncApp)
    if not any(isinstance(f, _TokenSkippedFilter) for f in bolt_logger.filters):
        bolt_logger.addFilter(_TokenSkippedFilter())

    bolt = build_slack_app(settings, engine)
    metrics = metrics_of(app)
    if metrics is not None:
        bolt.middleware(_count_inbound(metrics))
    app[SLACK_APP_KEY] = bolt
    app[SLACK_SECRET_KEY] = settings.signing_secret or ""
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


def _add_socket_mode(app: web.Application, bolt: AsyncApp, settings: SlackSettings) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    async def socket(_app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(bolt, settings.app_token)
        await handler.connect_async()
        log.info("slack: connected in Socket Mode")
        yield
        await handler.close_async()

    app.cleanup_ctx.append(socket)
