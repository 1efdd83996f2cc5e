"""The ingress fixes of issue 7, each checked for what it must keep doing (no timings here:
those live in `bench/`): SQLite sync level, the Slack question-message store, one Web API
connection pool, reused Teams clients, skipped unchanged Teams references, the question
card read without a write, and the sized worker pool."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from botbuilder.schema import Activity
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.executor import ENV as THREADS_ENV
from bot.executor import pool_size, sized_executor
from bot.teams import references
from bot.teams.clients import CachingBotFrameworkAuthentication
from bot.teams.settings import TeamsSettings
from dialogs.keys import ConversationKey
from dialogs.question_messages import SlackQuestionMessages, TeamsQuestionCards
from storage.db import make_engine, migrate
from storage.models import ConversationRef, UserProfile
from tests.slack_payloads.harness import Server, buttons, settings, wait_until
from tests.standins.slack_api import SlackApiStandIn
from tests.teams_helpers import payload

SERVICE_URL = "http://127.0.0.1:9/teams/"


def test_sqlite_commits_without_fsync_per_commit_under_wal(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


# --- Slack: question messages, one read and one upsert ------------------------------------
def test_question_messages_are_upserted_and_read_in_one_go(engine: Engine) -> None:
    store = SlackQuestionMessages(engine)
    key = ConversationKey("slack", "T1", "D1", "-", "U1")
    assert store.find(key, [1, 2]) == {}
    store.remember(key, [(1, "q1", "D1 1.1"), (2, "q2", "D1 2.1")])
    assert store.find(key, [1, 2, 3]) == {1: "D1 1.1", 2: "D1 2.1"}
    store.remember(key, [(2, "q2", "D9 2.2")])  # the same step posted again: moved
    assert store.find(key, [2]) == {2: "D9 2.2"}
    store.remember(key, [(3, "q3", "D1 3.1"), (3, "q3", "D1 3.2")])  # twice in one call
    assert store.find(key, [3]) == {3: "D1 3.2"}


class _PeerCountingStandIn(SlackApiStandIn):
    """The Slack stand-in, also noting which client connection each Web API call used."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: list[Any] = []

    def app(self) -> web.Application:
        app = super().app()

        @web.middleware
        async def note_peer(request: web.Request,
                            handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                            ) -> web.StreamResponse:
            if request.path.startswith("/api/") and request.transport is not None:
                self.peers.append(request.transport.get_extra_info("peername"))
            return await handler(request)

        app.middlewares.append(note_peer)
        return app


@pytest.fixture
def counting_standin() -> Iterator[_PeerCountingStandIn]:
    api = _PeerCountingStandIn().start()
    yield api
    api.stop()


def test_web_api_calls_share_one_keep_alive_connection(
        counting_standin: _PeerCountingStandIn, tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    migrate(engine)
    server = Server(engine, settings(counting_standin)).start()
    try:
        assert server.command(counting_standin, "assess")[0] == 200
        first = counting_standin.wait_for("chat.postMessage")[0]
        wait_until(lambda: first.response is not None)
        assert first.response is not None
        choice = next(b for b in buttons(first) if b["action_id"].startswith("idgov.answer"))
        status, _ = server.press(counting_standin, choice, channel=first.body["channel"],
                                 message_ts=first.response["ts"])
        assert status == 200
        counting_standin.wait_for("chat.update")
        counting_standin.wait_for("chat.postMessage", 2)
    finally:
        server.stop()
        engine.dispose()
    calls = len(counting_standin.peers)
    assert calls >= 4  # conversations.open, postMessage, update, postMessage
    assert len(set(counting_standin.peers)) == 1, counting_standin.peers


# --- Teams: clients built once, references written when changed ---------------------------
def _activity(**overrides: Any) -> Activity:
    data = payload("personal_message", SERVICE_URL, **overrides)
    activity: Activity = Activity().deserialize(data)
    return activity


def test_connector_and_token_clients_are_reused_per_service_url() -> None:
    auth = CachingBotFrameworkAuthentication(TeamsSettings().sdk_config())

    async def run() -> tuple[Any, ...]:
        one = await auth.authenticate_request(_activity(), "")
        two = await auth.authenticate_request(_activity(), "")
        c1 = await one.connector_factory.create(SERVICE_URL, one.audience)
        c2 = await two.connector_factory.create(SERVICE_URL, two.audience)
        other = await two.connector_factory.create("http://127.0.0.1:9/elsewhere/",
                                                   two.audience)
        proactive = await auth.create_connector_factory(one.claims_identity).create(
            SERVICE_URL, one.audience)
        t1 = await auth.create_user_token_client(one.claims_identity)
        t2 = await auth.create_user_token_client(two.claims_identity)
        return c1, c2, other, proactive, t1, t2

    c1, c2, other, proactive, t1, t2 = asyncio.run(run())
    assert c1 is c2 is proactive and other is not c1
    assert c1.config.base_url == SERVICE_URL and other.config.base_url != SERVICE_URL
    assert t1 is t2


def test_connector_cache_is_bounded() -> None:
    auth = CachingBotFrameworkAuthentication(TeamsSettings().sdk_config(), max_clients=2)

    async def run() -> None:
        result = await auth.authenticate_request(_activity(), "")
        for n in range(5):
            await result.connector_factory.create(f"http://127.0.0.1:9/{n}/", result.audience)

    asyncio.run(run())
    assert len(auth.connectors) == 2


def _ref_row(engine: Engine, ref: str) -> tuple[Any, Any]:
    with Session(engine) as session:
        row = session.get(ConversationRef, ref)
        profile = session.get(UserProfile, ref)
        assert row is not None and profile is not None
        return row.updated_at, profile.display_name


def test_unchanged_reference_is_not_rewritten_changed_one_is(engine: Engine) -> None:
    recent = references.RecentWrites()
    activity = _activity()
    assert references.remember(engine, activity, recent) is True
    ref = references.Identity.of(activity).user_ref
    written_at, name = _ref_row(engine, ref)
    assert references.remember(engine, _activity(), recent) is False  # same reference
    assert _ref_row(engine, ref) == (written_at, name)
    renamed = _activity()
    renamed.from_property.name = "Renamed Person"
    assert references.remember(engine, renamed, recent) is True
    assert _ref_row(engine, ref)[1] == "Renamed Person"
    assert references.remember(engine, renamed) is True  # without a memo: always written


def test_reference_is_refreshed_after_the_refresh_interval(engine: Engine) -> None:
    recent = references.RecentWrites(refresh=timedelta(0))
    assert references.remember(engine, _activity(), recent) is True
    assert references.remember(engine, _activity(), recent) is True


def test_question_card_read_without_forgetting_then_replaced(engine: Engine) -> None:
    """One row per conversation: reads never write; the next question replaces the row, so
    an older step is never matched to the newer card."""
    store = TeamsQuestionCards(engine)
    key = ConversationKey("teams", "t", "c1", "-", "u1")
    store.remember(key, [(1, "q", "a1")], "c1")
    assert store.find(key, [2]) == {}  # another step
    assert store.find(key, [1]) == {1: "a1"}
    assert store.find(key, [1]) == {1: "a1"}  # still there
    store.remember(key, [(2, "q", "a2")], "c1")  # the next question
    assert store.find(key, [1]) == {}
    assert store.find(key, [2]) == {2: "a2"}


# --- the worker pool ----------------------------------------------------------------------
def test_pool_size_by_backend_and_override(sqlite_engine: Engine,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert 2 <= pool_size(sqlite_engine) <= 4
    pg = make_engine("postgresql://u@127.0.0.1:1/x")  # never connects
    assert 4 <= pool_size(pg) <= 16
    monkeypatch.setenv(THREADS_ENV, "7")
    assert pool_size(sqlite_engine) == 7
    monkeypatch.setenv(THREADS_ENV, "lots")
    assert 2 <= pool_size(sqlite_engine) <= 4


def test_app_startup_installs_the_sized_pool(sqlite_engine: Engine,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "2")

    async def run() -> set[str]:
        await sized_executor(sqlite_engine)(web.Application())
        barrier = threading.Barrier(2, timeout=5)
        names = await asyncio.gather(*[asyncio.to_thread(_name_after, barrier)
                                       for _ in range(4)])
        return set(names)

    names = asyncio.run(run())
    assert len(names) == 2 and all(n.startswith("idgov-db") for n in names)


def _name_after(barrier: threading.Barrier) -> str:
    barrier.wait()  # two calls meet here: both threads exist before either is reused
    return threading.current_thread().name


def test_remember_payload_shape_is_json_safe() -> None:
    # The fingerprint holds the serialised reference: plain JSON, so comparisons are exact.
    data = references.reference_of(_activity(), references.Identity.of(_activity()))[1]
    assert json.loads(json.dumps(data)) == data
