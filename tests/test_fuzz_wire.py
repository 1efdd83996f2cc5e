"""Property-based fuzzing of the running server (issue 14): arbitrary headers and bodies,
signed and unsigned, on ``/slack/events`` and ``/api/messages`` (Teams with an app id) never
give a 5xx, never change stored data without a valid signature or token, and leave the
server up. Bounded: a few dozen examples and a few seconds per property."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from botframework.connector.auth import ChannelValidation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.teams import openid
from storage.models import Conversation, Feedback, ProcessedEvent, Task
from tests.slack_payloads.harness import Server, payload, sign

pytestmark = pytest.mark.usefixtures("slack_fresh")

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
HEADER_VALUE = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
HEADER_NAMES = st.sampled_from(["X-Slack-Request-Timestamp", "X-Slack-Signature",
                                "X-Slack-Retry-Num", "Content-Type", "Authorization",
                                "X-Forwarded-For", "Content-Encoding", "Transfer-Encoding-X"])
CONTENT_TYPES = st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                 "text/plain", "application/json; charset=latin-1", ""])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                               max_size=4),
    max_leaves=12)


def _slack_shaped() -> st.SearchStrategy[bytes]:
    names = ["event_app_mention", "slash_command_json", "url_verification"]

    def mutate(pair: tuple[str, dict[str, Any]]) -> bytes:
        name, extra = pair
        try:
            body = payload(name)
        except FileNotFoundError:
            body = {"type": "event_callback"}
        body.update(extra)
        return json.dumps(body).encode()

    return st.tuples(st.sampled_from(names),
                     st.dictionaries(st.sampled_from(["type", "event", "team_id", "event_id",
                                                      "actions", "user", "view", "command"]),
                                     JSON_VALUES, max_size=3)).map(mutate)


BODIES = st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode),
                   JSON_VALUES.map(lambda v: json.dumps(v).encode()), _slack_shaped())


def _counts(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as s:
        return tuple(int(s.exec(select(func.count()).select_from(m)).one())
                     for m in (Task, ProcessedEvent, Feedback, Conversation))


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def _signed(body: bytes) -> dict[str, str]:
    try:
        return sign(body.decode("utf-8"))
    except UnicodeDecodeError:
        import hashlib
        import hmac
        import time

        from tests.slack_payloads.harness import SECRET

        stamp = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


@FUZZ
@given(body=BODIES, headers=st.dictionaries(HEADER_NAMES, HEADER_VALUE, max_size=4),
       content_type=CONTENT_TYPES)
def test_slack_unsigned_requests_are_refused_and_change_nothing(
        server: Server, slack_engine: Engine, body: bytes, headers: dict[str, str],
        content_type: str) -> None:
    before = _counts(slack_engine)
    status = _post(server.port, "/slack/events", body, {**headers, "Content-Type": content_type})
    assert status == 401, status
    assert _counts(slack_engine) == before


@FUZZ
@given(body=BODIES, content_type=CONTENT_TYPES)
def test_slack_signed_garbage_is_never_5xx(server: Server, body: bytes,
                                           content_type: str) -> None:
    status = _post(server.port, "/slack/events", body,
                   {"Content-Type": content_type, **_signed(body)})
    assert status < 500, (status, body[:80])


def test_slack_server_is_still_up_after_fuzzing(server: Server) -> None:
    assert server.get("/healthz")[0] == 200


# --- Teams, authenticated (app id set), signing keys from a local metadata host ----------------
class _TeamsServer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self._runners: list[web.AppRunner] = []

    def start(self) -> _TeamsServer:
        ready = threading.Event()

        async def boot() -> None:
            keys = web.Application()

            async def config(request: web.Request) -> web.Response:
                return web.json_response({"jwks_uri": str(request.url.with_path("/keys"))})

            async def jwks(_request: web.Request) -> web.Response:
                return web.json_response({"keys": []})

            keys.router.add_get("/openid", config)
            keys.router.add_get("/keys", jwks)
            meta = web.AppRunner(keys)
            await meta.setup()
            site = web.TCPSite(meta, "127.0.0.1", 0)
            await site.start()
            ChannelValidation.open_id_metadata_endpoint = (
                f"http://127.0.0.1:{meta.addresses[0][1]}/openid")
            from bot.server import create_app

            app = create_app(self.engine, slack=None, teams=True, scheduler=False)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            self.port = runner.addresses[0][1]
            self._runners = [runner, meta]

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(boot())
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        assert ready.wait(30)
        return self

    def stop(self) -> None:
        async def down() -> None:
            for runner in self._runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(down(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        ChannelValidation.open_id_metadata_endpoint = None


@pytest.fixture(scope="module")
def teams(slack_engine: Engine) -> Iterator[_TeamsServer]:
    mp = pytest.MonkeyPatch()
    mp.setenv("MICROSOFT_APP_ID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
    mp.setenv("MICROSOFT_APP_PASSWORD", "fuzz-password")
    openid.forget()
    srv = _TeamsServer(slack_engine).start()
    yield srv
    srv.stop()
    openid.forget()
    mp.undo()


TOKENS = st.one_of(
    HEADER_VALUE,
    st.tuples(st.sampled_from(["Bearer ", "bearer ", "Basic ", ""]),
              st.lists(st.text(st.characters(min_codepoint=45, max_codepoint=122), max_size=40),
                       min_size=1, max_size=4).map(".".join)).map("".join),
    st.just("Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0."),
)


@FUZZ
@given(body=BODIES, auth=TOKENS, content_type=CONTENT_TYPES)
def test_teams_without_a_valid_token_is_401_and_changes_nothing(
        teams: _TeamsServer, slack_engine: Engine, body: bytes, auth: str,
        content_type: str) -> None:
    before = _counts(slack_engine)
    status = _post(teams.port, "/api/messages", body,
                   {"Content-Type": content_type, "Authorization": auth})
    assert status == 401, status  # whatever the body: the token is checked first
    assert _counts(slack_engine) == before


def test_teams_server_is_still_up_after_fuzzing(teams: _TeamsServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", teams.port, timeout=5)
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200
