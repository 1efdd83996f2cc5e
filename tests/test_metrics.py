"""`GET /metrics` and `/healthz` on the real application: signed Slack commands and Teams
activities go in over 127.0.0.1, the Slack Web API and the Bot Framework connector are local
stand-ins, and the assertions read the Prometheus text the app serves."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli.main import main
from bot.metrics import metrics_of, slack_kind
from bot.scheduler import start_background
from bot.server import create_app
from bot.slack.sender import SlackSender
from dialogs import task_ops as tasks
from dialogs.reminders import NudgeSettings
from storage.db import make_engine, migrate, session_scope
from storage.models import Assessment
from tests.slack_payloads.harness import CHANNEL, TEAM, USER, payload, settings, sign
from tests.standins.connector import ConnectorStandIn
from tests.standins.connector import Failure as ConnectorFailure
from tests.standins.slack_api import Failure, SlackApiStandIn
from tests.teams_helpers import APP_ENV, TENANT, USER_AAD, submits
from tests.teams_helpers import payload as teams_payload

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*APP_ENV, "IDGOV_METRICS"):
        monkeypatch.delenv(name, raising=False)


def parse(text: str) -> Samples:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def until(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


class Client:
    def __init__(self, server: TestServer, session: aiohttp.ClientSession) -> None:
        self.server, self.session = server, session

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.server.make_url(path)) as resp:
            return resp.status, await resp.text()

    async def post(self, path: str, body: str, content_type: str,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        async with self.session.post(self.server.make_url(path), data=body.encode(),
                                     headers={"Content-Type": content_type,
                                              **(headers or {})}) as resp:
            return resp.status, await resp.text()

    async def slash(self, standin: SlackApiStandIn, text: str, n: int) -> tuple[int, str]:
        fields = payload("slash_command")
        fields.update(text=text, response_url=f"{standin.response_url}commands/{n}")
        body = urllib.parse.urlencode(fields)
        return await self.post("/slack/events", body, "application/x-www-form-urlencoded",
                                sign(body))

    async def teams(self, activity: dict[str, Any]) -> int:
        status, _ = await self.post("/api/messages", json.dumps(activity), "application/json")
        return status

    async def metrics(self) -> tuple[str, Samples]:
        status, text = await self.get("/metrics")
        assert status == 200
        return text, parse(text)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[Client]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield Client(server, session)
    finally:
        await server.close()


async def _assess_by_submits(client: Client, conn: ConnectorStandIn) -> None:
    """A whole Teams assessment: press the first choice of each question card."""
    assert await client.teams(teams_payload("personal_message", conn.service_url,
                                            text="assess")) == 201
    for _ in range(30):
        choices = [s for s in submits(conn.calls_of("send", "reply")[-1].card)
                   if s.get("idgov") == "answer"]
        if not choices:
            return
        assert await client.teams(teams_payload(
            "personal_card_submit", conn.service_url, value=choices[0],
            replyToId=conn.sent_ids[-1])) == 201
    raise AssertionError("assessment did not finish")


async def test_counters_move_with_slack_and_teams_traffic(sqlite_engine: Engine) -> None:
    standin, conn = SlackApiStandIn(), ConnectorStandIn()
    await standin.async_start()
    await conn.async_start()
    app = create_app(sqlite_engine, slack=settings(standin), teams=True, scheduler=False)
    try:
        async with serve(app) as client:
            assert (await client.slash(standin, "ask what is a non-human identity?", 1))[0] == 200
            assert (await client.slash(standin, "ask best pizza topping in Naples?", 2))[0] == 200
            assert (await client.slash(standin, "assess", 3))[0] == 200
            await until(lambda: len(standin.calls_to("chat.postMessage")) >= 1
                        and len([c for c in standin.calls
                                 if c.method.startswith("response_url:")]) >= 3)
            standin.fail("chat.postMessage", Failure(error="channel_not_found"))
            assert (await client.slash(standin, "assess here", 4))[0] == 200
            await until(lambda: len(standin.calls_to("chat.postMessage")) >= 2)
            assert (await client.get("/no/such/page"))[0] == 404

            await _assess_by_submits(client, conn)
            conn.fail("reply", ConnectorFailure(status=403, code="Forbidden"))
            assert await client.teams(teams_payload("personal_message", conn.service_url,
                                                    text="help")) == 201
            text, m = await client.metrics()
    finally:
        await standin.async_stop()
        await conn.async_stop()

    with Session(sqlite_engine) as s:
        done = s.exec(select(Assessment)).one()
    teams_turns = 2 + len([c for c in conn.calls if c.op == "update"])  # messages + submits
    assert value(m, "idgov_slack_inbound_total", kind="slash_command") == 4
    assert value(m, "idgov_teams_inbound_total", type="message") == teams_turns
    assert value(m, "idgov_knowledge_answers_total", platform="slack", outcome="answered") == 1
    assert value(m, "idgov_knowledge_answers_total", platform="slack", outcome="refused") == 1
    assert value(m, "idgov_dialog_steps_total", platform="slack", step="asked") == 1
    asked = value(m, "idgov_dialog_steps_total", platform="teams", step="asked")
    assert asked >= 5 and value(m, "idgov_dialog_steps_total", platform="teams",
                                step="answered") == asked
    assert value(m, "idgov_assessments_completed_total", platform="teams",
                 recommendation=done.recommendation) == 1
    assert value(m, "idgov_platform_api_errors_total", platform="slack", kind="permanent") == 1
    assert value(m, "idgov_platform_api_errors_total", platform="teams", kind="permanent") == 1
    assert value(m, "idgov_http_requests_total", route="/slack/events", method="POST",
                 status="2xx") == 4
    assert value(m, "idgov_http_requests_total", route="/api/messages", method="POST",
                 status="2xx") == teams_turns
    assert value(m, "idgov_http_requests_total", route="other", method="GET", status="4xx") == 1
    assert value(m, "idgov_http_request_duration_seconds_count", route="/slack/events") == 4
    # Low-cardinality labels only: no workspace, user, channel, tenant or conversation ids,
    # and none of the users' words.
    sent = teams_payload("personal_message", conn.service_url)
    for secret in (TEAM, USER, CHANNEL, TENANT, USER_AAD, sent["from"]["id"],
                   sent["conversation"]["id"], "pizza", "Naples"):
        assert secret not in text


async def test_sweeps_count_nudges_and_api_errors(sqlite_engine: Engine) -> None:
    standin = SlackApiStandIn()
    await standin.async_start()
    with session_scope(sqlite_engine) as session:
        for user in ("U1", "U2", "U3"):
            standin.add_user(user, tz="UTC")
            tasks.create_task(session, workspace="slack:T0001", kind="offboarding",
                              title="Remove leavers' tokens", owner=f"slack:T0001:{user}",
                              created_by="slack:T0001:U1", due=date(2020, 1, 6),
                              now=datetime(2020, 1, 6, 9, tzinfo=UTC))
    standin.fail("chat.postMessage", Failure(status=503), Failure(status=429, retry_after=1))
    app = create_app(sqlite_engine, slack=None, teams=False, scheduler=False)
    start_background(app, sqlite_engine,
                     settings=NudgeSettings(IDGOV_NUDGE_INTERVAL_SECONDS=0.05,
                                            IDGOV_NUDGE_WORKING_HOURS_ONLY=False),
                     senders={"slack": SlackSender(token="xoxb-t", base_url=standin.base_url)})
    try:
        async with serve(app) as client:
            m: Samples = {}

            async def swept_twice() -> bool:
                nonlocal m
                m = (await client.metrics())[1]
                return value(m, "idgov_nudge_sweep_duration_seconds_count") >= 2

            deadline = time.monotonic() + 10
            while not await swept_twice():
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
    finally:
        await standin.async_stop()
    assert value(m, "idgov_nudges_total", outcome="sent") == 1
    assert value(m, "idgov_nudges_total", outcome="deferred") == 2
    assert value(m, "idgov_nudges_total", outcome="failed") == 0
    assert value(m, "idgov_platform_api_errors_total", platform="slack", kind="5xx") == 1
    assert value(m, "idgov_platform_api_errors_total", platform="slack", kind="429") == 1
    assert value(m, "idgov_nudge_sweep_errors_total") == 0


async def test_metrics_off_switch_is_a_404(sqlite_engine: Engine,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDGOV_METRICS", "false")
    app = create_app(sqlite_engine, slack=None, teams=False, scheduler=False)
    assert metrics_of(app) is None
    async with serve(app) as client:
        assert (await client.get("/metrics"))[0] == 404
        assert (await client.get("/healthz"))[0] == 200


def test_bad_metrics_switch_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'i.db'}")
    monkeypatch.setenv("IDGOV_METRICS", "sometimes")
    assert main(["serve", "--no-scheduler", "--dev"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "idgov: error: IDGOV_METRICS must be true or false, got 'sometimes'"


def test_each_app_owns_its_registry(sqlite_engine: Engine) -> None:
    first = create_app(sqlite_engine, slack=None, teams=False, scheduler=False)
    second = create_app(sqlite_engine, slack=None, teams=False, scheduler=False)
    one, two = metrics_of(first), metrics_of(second)
    assert one is not None and two is not None and one.registry is not two.registry
    one.nudges.labels("sent").inc(3)
    assert value(parse(two.exposition().decode()), "idgov_nudges_total", outcome="sent") == 0
    assert value(parse(one.exposition().decode()), "idgov_nudges_total", outcome="sent") == 3


@pytest.mark.parametrize(("body", "kind"), [
    ({"command": "/idgov", "text": "ask U123 secret"}, "slash_command"),
    ({"type": "block_actions"}, "block_actions"),
    ({"type": "event_callback", "event": {"type": "app_mention"}}, "event:app_mention"),
    ({"type": "event_callback", "event": {"type": "T0001-made-up"}}, "event:other"),
    ({"type": "anything else"}, "other"),
    ("not a dict", "other"),
])
def test_slack_kinds_are_a_closed_set(body: Any, kind: str) -> None:
    assert slack_kind(body) == kind


async def test_healthz_is_503_with_one_line_when_the_database_goes_away(
        tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    app = create_app(engine, slack=None, teams=False, scheduler=False)
    try:
        async with serve(app) as client:
            assert (await client.get("/healthz")) == (200, '{"ok": true}')
            engine.dispose()  # drop pooled connections, then make the file impossible to open
            path.unlink()
            path.mkdir()
            started = time.monotonic()
            status, body = await client.get("/healthz")
            assert time.monotonic() - started < 2.5
            assert status == 503 and "\n" not in body
            assert json.loads(body) == {"ok": False, "error": "database unavailable"}
            _, m = await client.metrics()
    finally:
        engine.dispose()
    assert value(m, "idgov_http_requests_total", route="/healthz", method="GET",
                 status="5xx") == 1
    assert value(m, "idgov_http_requests_total", route="/healthz", method="GET",
                 status="2xx") == 1


def test_only_bot_records_metrics() -> None:
    """dialogs/, knowledge/ and storage/ stay free of prometheus: bot/ counts around them."""
    root = Path(__file__).resolve().parent.parent
    offenders = [str(p.relative_to(root)) for pkg in ("dialogs", "knowledge", "storage")
                 for p in (root / pkg).rglob("*.py") if "prometheus" in p.read_text("utf-8")]
    assert offenders == []
