"""`POST /api/messages` on the shared aiohttp application (Slack and `/healthz` live beside it).

With an app id, a request without a Bearer token is 401 before its body is read, and a
malformed body is authenticated before it is refused: 401 unless its token is valid, so a
forger learns nothing about our parsing. We parse and check the activity ourselves before
handing it to the adapter, so a malformed body is a one-line 400 rather than an SDK
traceback and a 500, and we write invoke
responses ourselves (CloudAdapter.process answers 500 to any invoke with a body: it
re-serialises an already serialised dict under msrest 0.7.1).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import jwt
from aiohttp import web
from botbuilder.schema import Activity
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.engine import Engine

from bot.logsafe import safe
from bot.metrics import metrics_of
from bot.teams.adapter import IdgovCloudAdapter, MetricsMiddleware, make_adapter
from bot.teams.bot import IdgovTeamsBot
from bot.teams.openid import MetadataUnavailable
from bot.teams.retry import RetryPolicy
from bot.teams.settings import TeamsSettings, load_settings

log = logging.getLogger(__name__)

PATH = "/api/messages"
ADAPTER_KEY = web.AppKey("idgov.teams.adapter", IdgovCloudAdapter)
BOT_KEY = web.AppKey("idgov.teams.bot", IdgovTeamsBot)
SETTINGS_KEY = web.AppKey("idgov.teams.settings", TeamsSettings)


class _Account(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1, max_length=1024)


class _Envelope(BaseModel):
    """The fields every activity we act on must carry (Teams always sends them)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    type: str = Field(min_length=1, max_length=64)
    id: str | None = Field(default=None, max_length=1024)
    serviceUrl: str = Field(min_length=1, max_length=2048)
    channelId: str = Field(min_length=1, max_length=64)
    conversation: _Account
    from_: _Account = Field(alias="from")
    recipient: _Account
    text: str | None = Field(default=None, max_length=40_000)

    @field_validator("serviceUrl")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value


def _bad(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def check_activity(body: Any) -> str | None:
    """None when `body` is an activity we can process, else the one-line reason."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (a Bot Framework activity)"
    try:
        _Envelope.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).replace("from_", "from")
        return f"activity field {where!r}: {first['msg']}"
    return None


def _bearer(request: web.Request) -> str | None:
    """The Authorization header when it has the shape of a Bearer JWT, else None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or token.count(".") != 2 or len(header) > 16_384:
        return None
    return header


async def _refuse_malformed(request: web.Request, reason: str,
                            status: int = 400) -> web.Response:
    """400 for an authenticated sender, 401 for everyone else."""
    if request.app[SETTINGS_KEY].authenticated:
        auth = request.app[ADAPTER_KEY].bot_framework_authentication
        try:
            await auth.authenticate_request(Activity(), request.headers["Authorization"])
        except MetadataUnavailable:
            return _bad("the request could not be verified right now; try again", 503)
        except Exception:
            return _bad(UNAUTHORIZED, 401)
    return _bad(reason, status)


UNAUTHORIZED = "unauthorized: a valid Bot Framework token is required"


async def handle_messages(request: web.Request) -> web.Response:
    if request.app[SETTINGS_KEY].authenticated and _bearer(request) is None:
        return _bad(UNAUTHORIZED, 401)
    if "application/json" not in request.headers.get("Content-Type", ""):
        return await _refuse_malformed(request, "Content-Type must be application/json", 415)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return await _refuse_malformed(request, "the body is not valid JSON")
    reason = check_activity(body)
    if reason:
        return await _refuse_malformed(request, reason)
    try:
        activity = Activity().deserialize(body)
    except Exception as exc:  # msrest DeserializationError and friends
        return await _refuse_malformed(
            request, f"the activity could not be read: {str(exc).splitlines()[0][:200]}")
    adapter = request.app[ADAPTER_KEY]
    bot = request.app[BOT_KEY]
    try:
        invoke = await adapter.process_activity(
            request.headers.get("Authorization", ""), activity, bot.on_turn)
    except (PermissionError, jwt.PyJWTError):  # missing, malformed, forged or expired token
        return _bad(UNAUTHORIZED, 401)
    except MetadataUnavailable:  # logged once by bot.teams.openid
        return _bad("the request could not be verified right now; try again", 503)
    except Exception as exc:  # turn errors are handled in the adapter; this is auth plumbing
        log.error("teams: could not authenticate or start the turn: %s: %s",
                  type(exc).__name__, safe(exc))
        return _bad("the request could not be verified right now; try again", 503)
    if invoke is not None:
        payload = invoke.body.serialize() if hasattr(invoke.body, "serialize") else invoke.body
        return web.json_response(payload, status=invoke.status)
    return web.Response(status=201)


def setup_teams(app: web.Application, engine: Engine, *,
                settings: TeamsSettings | None = None,
                retry: RetryPolicy | None = None) -> None:
    """Add `POST /api/messages` to `app`; raises TeamsConfigError (one line) on bad settings."""
    settings = settings or load_settings()
    if not settings.authenticated:
        log.warning(
            "TEAMS ENDPOINT %s IS UNAUTHENTICATED: MICROSOFT_APP_ID is not set, so any caller "
            "can post activities. Use this only for local development; set "
            "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD in production.", PATH)
    else:
        log.info("teams: %s accepts Bot Framework tokens for app %s (%s)", PATH,
                 settings.app_id, settings.app_type)
    app[SETTINGS_KEY] = settings
    app[ADAPTER_KEY] = make_adapter(settings, engine, retry)
    metrics = metrics_of(app)
    if metrics is not None:
        app[ADAPTER_KEY].use(MetricsMiddleware(metrics))
    app[BOT_KEY] = IdgovTeamsBot(engine, app_id=settings.app_id)
    app.router.add_post(PATH, handle_messages)
