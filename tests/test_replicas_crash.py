"""Two `idgov serve` replicas on one PostgreSQL database (issue 14): SIGKILL one in the middle
of an assessment and in the middle of a nudge sweep; the other finishes both, with nothing
lost and nothing doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import update
from sqlmodel import Session, col, select

from dialogs.task_ops import create_task
from storage.clock import utcnow
from storage.db import make_engine, migrate, session_scope
from storage.models import Assessment, NudgeDelivery, Task
from tests.slack_payloads.harness import SECRET, USER, Server, buttons, wait_until
from tests.standins.slack_api import Call, SlackApiStandIn

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
DM = f"D{USER}"
NUDGED = "UNUDGE"


class StallingSlackApi(SlackApiStandIn):
    """The first chat.postMessage to the nudged user's DM never completes (its sender will
    be killed meanwhile); later ones are answered at once."""

    stalled: list[float]

    def __init__(self) -> None:
        super().__init__()
        self.stalled = []

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage" and not self.stalled:
            body = await self._body(request)
            if body.get("channel") == f"D{NUDGED}":
                self.stalled.append(time.time())
                deadline = time.time() + 60
                while time.time() < deadline and request.transport is not None \
                        and not request.transport.is_closing():
                    await asyncio.sleep(0.1)  # until its sender is killed
                return web.json_response({"ok": False, "error": "never answered"})
        return await super()._api(request)


class Replica(Server):
    """A real `idgov serve` process, driven with the harness's Slack-shaped requests."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> Replica:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve", "--host", "127.0.0.1", "--port",
             str(self.port)], cwd=self.cwd, env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, text=True)
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError):
                pass
            assert self.proc.poll() is None and time.time() < deadline, "replica did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def api() -> Iterator[StallingSlackApi]:
    server = StallingSlackApi().start()
    server.add_user(NUDGED, tz="UTC")
    server.add_user(USER, tz="UTC")
    yield server
    server.stop()


def dm_posts(api: SlackApiStandIn) -> list[Call]:
    return [c for c in api.calls_to("chat.postMessage") if c.body.get("channel") == DM
            and c.response]


def press_first(replica: Replica, api: SlackApiStandIn, call: Call) -> None:
    assert call.response is not None
    choice = next(b for b in buttons(call) if b["action_id"].startswith("idgov.answer"))
    status, _ = replica.press(api, choice, channel=DM, message_ts=call.response["ts"])
    assert status == 200


def is_question(call: Call) -> bool:
    return any(b.get("action_id", "").startswith("idgov.answer") for b in buttons(call))


def test_a_killed_replica_leaves_nothing_half_done(pg_url: str, tmp_path: Path,
                                                   api: StallingSlackApi) -> None:
    engine = make_engine(pg_url)
    migrate(engine)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_APP_", "IDGOV_"))}
    env.update(DATABASE_URL=pg_url, PYTHONPATH=str(ROOT), SLACK_SIGNING_SECRET=SECRET,
               SLACK_BOT_TOKEN="xoxb-replica", SLACK_API_URL=api.base_url,
               IDGOV_NUDGE_INTERVAL_SECONDS="0.5", IDGOV_NUDGE_LEASE_SECONDS="3",
               IDGOV_NUDGE_WORKING_HOURS_ONLY="false")
    with session_scope(engine) as session:
        task = create_task(session, workspace="slack:T0001", kind="rotation",
                           title="Rotate the CI deploy key", owner=f"slack:T0001:{NUDGED}",
                           created_by=f"slack:T0001:{NUDGED}",
                           due=date.today() + timedelta(days=1), source="cli", now=utcnow())
        task_id = task.id
        session.connection().execute(update(Task).where(col(Task.id) == task_id).values(
            next_nudge_at=utcnow() - timedelta(minutes=1)))

    first = Replica(env, tmp_path).start()
    second: Replica | None = None
    try:
        # the first replica claims the nudge and is stuck sending it
        wait_until(lambda: bool(api.stalled), timeout=20)
        second = Replica(env, tmp_path).start()
        # an assessment started on the first replica: two answers in
        assert first.command(api, "assess", channel=DM)[0] == 200
        wait_until(lambda: len(dm_posts(api)) >= 1)
        press_first(first, api, dm_posts(api)[-1])
        wait_until(lambda: len(dm_posts(api)) >= 2)
        press_first(first, api, dm_posts(api)[-1])
        wait_until(lambda: len(dm_posts(api)) >= 3)
        first.kill()  # mid-assessment and mid-sweep

        # the second replica finishes the assessment...
        for _ in range(30):
            last = dm_posts(api)[-1]
            if not is_question(last):
                break
            seen = len(dm_posts(api))
            press_first(second, api, last)
            wait_until(lambda seen=seen: len(dm_posts(api)) > seen)
        else:
            raise AssertionError("the assessment did not finish on the second replica")
        # ...and, once the dead replica's lease expires, sends the nudge
        wait_until(lambda: any(c.body.get("channel") == f"D{NUDGED}" and c.response
                               for c in api.calls_to("chat.postMessage")), timeout=20)
        time.sleep(1.5)  # a few more sweeps: nothing may be sent twice
    finally:
        first.stop()
        if second is not None:
            second.stop()

    nudges = [c for c in api.calls_to("chat.postMessage")
              if c.body.get("channel") == f"D{NUDGED}"]
    assert len(api.stalled) == 1  # the killed replica's attempt never completed
    assert len(nudges) == 1 and nudges[0].response  # the survivor's, once
    with Session(engine) as s:
        sent = s.exec(select(NudgeDelivery).where(col(NudgeDelivery.task_id) == task_id)).all()
        assert [d.status for d in sent] == ["sent"]
        assessments = s.exec(select(Assessment)).all()
        assert len(assessments) == 1  # one recommendation, not two
        made = s.exec(select(Task).where(col(Task.assessment_id) == assessments[0].id)).all()
        assert len({t.title for t in made}) == len(made)  # no task created twice
    recommendations = [c for c in dm_posts(api) if not is_question(c)
                       and "Question" not in str(c.body.get("text"))]
    assert len(recommendations) >= 1
    engine.dispose()
