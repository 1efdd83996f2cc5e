"""Two sweepers in separate processes over 1,200 due tasks on PostgreSQL: each nudge sent once.

Each sweeper is a real ``idgov nudge --once --now ...`` process; both wait on a start signal
so their claims overlap. Exactly-once is asserted where it matters, at the Slack Web API
stand-in (one chat.postMessage per task), and in the delivery records.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from dialogs import task_ops as tasks
from storage.db import make_engine, migrate, session_scope
from storage.models import NudgeDelivery, Task, UserProfile
from tests.standins.slack_api import SlackApiStandIn

ROOT = Path(__file__).resolve().parent.parent
TASKS = 1200
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # Monday 10:00 in London
CHILD = """
import os, sys, time
go = sys.argv[1]
from bot.cli.main import main  # import everything before the start signal
while not os.path.exists(go):
    time.sleep(0.005)
sys.exit(main(["nudge", "--once", "--now", sys.argv[2]]))
"""


@pytest.mark.slow
@pytest.mark.postgres
def test_two_sweeper_processes_send_every_nudge_exactly_once(pg_url: str, tmp_path: Path) -> None:
    engine = make_engine(pg_url)
    migrate(engine)
    standin = SlackApiStandIn().start()
    try:
        with session_scope(engine) as session:
            for i in range(TASKS):
                owner = f"slack:T0001:U{i:05d}"
                session.add(UserProfile(ref=owner, tz="Europe/London", updated_at=NOW))
                tasks.create_task(session, workspace="slack:T0001", kind="inventory",
                                  title=f"Inventory service accounts, batch {i}", owner=owner,
                                  created_by=owner, due=date(2026, 1, 5), now=NOW)
        with Session(engine) as session:
            due = session.execute(select(func.count()).select_from(Task)
                                  .where(Task.next_nudge_at <= NOW)).scalar_one()
        assert due == TASKS

        go = tmp_path / "go"
        env = {**os.environ, "DATABASE_URL": pg_url, "SLACK_BOT_TOKEN": "xoxb-standin",
               "SLACK_SIGNING_SECRET": "test-secret", "SLACK_API_URL": standin.base_url,
               "IDGOV_NUDGE_BATCH_SIZE": "50", "PYTHONPATH": str(ROOT)}
        for key in ("SLACK_CLIENT_ID", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID"):
            env.pop(key, None)
        procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(go), NOW.isoformat()],
                                  cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        time.sleep(2.0)  # let both finish importing
        go.touch()
        outputs = [p.communicate(timeout=90) for p in procs]
        for proc, (_out, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err[-2000:]

        posts = standin.calls_to("chat.postMessage")
        per_channel = Counter(str(c.body["channel"]) for c in posts)
        assert len(per_channel) == TASKS
        assert set(per_channel.values()) == {1}, per_channel.most_common(3)
        sent = [int(out.split()[1]) for out, _ in outputs]
        assert sum(sent) == TASKS
        assert all(n > 0 for n in sent), f"one sweeper did all the work: {sent}"
        with Session(engine) as session:
            rows = session.execute(select(func.count()).select_from(NudgeDelivery)).scalar_one()
            leased = session.execute(select(func.count()).select_from(Task)
                                     .where(Task.lease_owner.is_not(None))).scalar_one()  # type: ignore[union-attr]
        assert (rows, leased) == (TASKS, 0)
    finally:
        standin.stop()
        engine.dispose()
