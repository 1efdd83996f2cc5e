"""The sweep loop inside the web server, the off switch, and the claim query's index."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from aiohttp import web
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from bot.scheduler import SCHEDULER_KEY, start_background
from bot.slack.sender import SlackSender
from dialogs import task_ops as tasks
from dialogs.reminders import NudgeSettings
from storage.db import session_scope
from storage.models import Task
from storage.nudges import due_condition
from tests.standins.slack_api import SlackApiStandIn


async def test_server_runs_sweeps_every_interval_and_stops_cleanly(sqlite_engine: Engine) -> None:
    standin = SlackApiStandIn()
    await standin.async_start()
    standin.add_user("U1", tz="UTC")
    with session_scope(sqlite_engine) as session:
        # Due long ago: the owner is overdue, and the anytime setting ignores the real clock's hour.
        tasks.create_task(session, workspace="slack:T0001", kind="offboarding",
                          title="Remove leavers' tokens", owner="slack:T0001:U1",
                          created_by="slack:T0001:U1", due=date(2020, 1, 6),
                          now=datetime(2020, 1, 6, 9, tzinfo=UTC))
    settings = NudgeSettings(IDGOV_NUDGE_INTERVAL_SECONDS=0.05,
                             IDGOV_NUDGE_WORKING_HOURS_ONLY=False)
    app = web.Application()
    start_background(app, sqlite_engine, settings=settings,
                     senders={"slack": SlackSender(token="xoxb-t", base_url=standin.base_url)})
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        for _ in range(200):
            if standin.calls_to("chat.postMessage"):
                break
            await asyncio.sleep(0.05)
        assert [c.body["channel"] for c in standin.calls_to("chat.postMessage")] == ["DU1"]
        await asyncio.sleep(0.3)  # several more sweeps: nothing else is due
        assert len(standin.calls_to("chat.postMessage")) == 1
        loop_task = app[SCHEDULER_KEY]
    finally:
        await runner.cleanup()
        await standin.async_stop()
    assert loop_task.done()


def test_disabled_scheduler_adds_nothing(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IDGOV_NUDGE_DISABLED", "1")
    app = web.Application()
    start_background(app, sqlite_engine, senders={})
    assert len(app.cleanup_ctx) == 0


def test_claim_query_uses_the_due_nudges_index(engine: Engine) -> None:
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    query = select(Task.id).where(due_condition(now)).order_by(Task.next_nudge_at)  # type: ignore[arg-type]
    with engine.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True,
                                                      "render_postcompile": True}))
        if conn.dialect.name == "sqlite":
            plan = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")).fetchall()
        else:
            conn.execute(text("SET enable_seqscan = off"))  # an empty table would scan anyway
            plan = conn.execute(text(f"EXPLAIN {sql}")).fetchall()
    assert "ix_task_due_nudges" in " ".join(str(row) for row in plan), plan
