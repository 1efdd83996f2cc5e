"""Forged Bot Framework tokens are 401 within a bounded time, and a slow OpenID metadata host
delays only the request that needed it (issue 14).

The SDK is pointed at a local metadata server (`ChannelValidation.open_id_metadata_endpoint`
is the SDK's own override) that serves a JWKS with a key we generate, so a properly signed
token is accepted and every forgery is checked against real keys, offline.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.teams import openid
from storage.models import ProcessedEvent
from tests.teams_helpers import APP_ENV, payload, post, running_server

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
PASSWORD = "app-password-s3cret-long-enough-for-hs256"
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class MetadataHost:
    """OpenID configuration + JWKS on 127.0.0.1, optionally slow."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.hits = 0
        jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
        self.keys = [{**jwk, "kid": "k1", "use": "sig", "endorsements": ["msteams"]}]
        self.server: TestServer | None = None

    async def _config(self, request: web.Request) -> web.Response:
        self.hits += 1
        await asyncio.sleep(self.delay)
        return web.json_response({"jwks_uri": str(request.url.with_path("/keys"))})

    async def _keys(self, _request: web.Request) -> web.Response:
        return web.json_response({"keys": self.keys})

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        app = web.Application()
        app.router.add_get("/openid", self._config)
        app.router.add_get("/keys", self._keys)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        try:
            yield str(self.server.make_url("/openid"))
        finally:
            await self.server.close()


@pytest.fixture
async def metadata(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[MetadataHost]:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", PASSWORD)
    host = MetadataHost()
    async with host.running() as url:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", url)
        openid.forget()
        yield host
    openid.forget()


def claims(service_url: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": APP_ID, "iat": now, "nbf": now - 5, "exp": now + 600,
            "serviceurl": service_url, **extra}


def forged(kind: str, service_url: str) -> str:
    body = claims(service_url)
    if kind == "alg-none":
        return jwt.encode(body, None, algorithm="none")  # type: ignore[arg-type]
    if kind == "unknown-kid":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(body, other, algorithm="RS256", headers={"kid": "not-ours"})
    if kind == "hs256-app-password":
        return jwt.encode(body, PASSWORD, algorithm="HS256", headers={"kid": "k1"})
    if kind == "right-kid-wrong-key":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(body, other, algorithm="RS256", headers={"kid": "k1"})
    if kind == "expired":
        return jwt.encode({**body, "exp": int(time.time()) - 3600}, KEY, algorithm="RS256",
                          headers={"kid": "k1"})
    raise AssertionError(kind)


def events(engine: Engine) -> list[ProcessedEvent]:
    with Session(engine) as s:
        return list(s.exec(select(ProcessedEvent)).all())


@pytest.mark.parametrize("kind", ["alg-none", "unknown-kid", "hs256-app-password",
                                  "right-kid-wrong-key", "expired"])
async def test_forged_tokens_are_401_quickly_and_change_nothing(
        sqlite_engine: Engine, metadata: MetadataHost, kind: str,
        caplog: pytest.LogCaptureFixture) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        activity = payload("personal_message", conn.service_url, text="assess")
        started = time.monotonic()
        token = forged(kind, conn.service_url)
        status, body = await post(url, activity, headers={"Authorization": f"Bearer {token}"})
        assert status == 401, body
        assert time.monotonic() - started < 3
        assert conn.calls == []
    assert events(sqlite_engine) == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_properly_signed_token_is_accepted(sqlite_engine: Engine,
                                                   metadata: MetadataHost) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        activity = payload("personal_message", conn.service_url, type="typing")
        token = jwt.encode(claims(conn.service_url), KEY, algorithm="RS256",
                           headers={"kid": "k1"})
        status, body = await post(url, activity, headers={"Authorization": f"Bearer {token}"})
        assert status in (200, 201), body
    assert len(events(sqlite_engine)) == 1  # the activity went through the turn
    assert metadata.hits == 1


async def test_malformed_body_with_a_forged_token_is_401_not_400(
        sqlite_engine: Engine, metadata: MetadataHost) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        token = forged("unknown-kid", conn.service_url)
        for raw in (b"{not json", b'{"type": ["x"]}', b"\xff\xfe"):
            status, _ = await post(url, None, raw=raw,
                                   headers={"Authorization": f"Bearer {token}"})
            assert status == 401
        status, _ = await post(url, None, raw=b"[]", headers={"Content-Type": "text/plain"})
        assert status == 401  # no token at all: refused before the body is looked at


async def test_slow_metadata_host_delays_only_that_request(
        sqlite_engine: Engine, metadata: MetadataHost,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openid, "FETCH_TIMEOUT", 1.5)
    openid.forget()
    metadata.delay = 30.0
    async with running_server(sqlite_engine) as (url, conn):
        health = url.replace("/api/messages", "/healthz")
        token = forged("unknown-kid", conn.service_url)
        started = time.monotonic()
        forged_request = asyncio.ensure_future(post(
            url, payload("personal_message", conn.service_url),
            headers={"Authorization": f"Bearer {token}"}))
        await asyncio.sleep(0.3)
        async with aiohttp.ClientSession() as session:
            t0 = time.monotonic()
            async with session.get(health) as resp:
                assert resp.status == 200
            assert time.monotonic() - t0 < 1.0  # the event loop was not blocked
        status, _ = await forged_request
        elapsed = time.monotonic() - started
        assert status == 503 and elapsed < 4  # bounded by the fetch timeout
        # the failure is remembered: a flood of forgeries does not hammer the host
        hits = metadata.hits
        status, _ = await post(url, payload("personal_message", conn.service_url),
                               headers={"Authorization": f"Bearer {token}"})
        assert status == 503 and metadata.hits == hits
