"""`idgov tasks ...` and `idgov nudge --once` as an operator runs them: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.standins.slack_api import SlackApiStandIn

ROOT = Path(__file__).resolve().parent.parent


class Cli:
    """Runs ``idgov`` in a fresh process against its own SQLite database."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.db_url = f"sqlite:///{tmp_path / 'cli.db'}"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SLACK_", "MICROSOFT_APP_", "IDGOV_"))}
        self.env.update({"DATABASE_URL": self.db_url, "USER": "ana", "PYTHONPATH": str(ROOT)})

    def __call__(self, *args: str,
                 extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], cwd=self.cwd,
                              env={**self.env, **(extra_env or {})}, capture_output=True,
                              text=True, timeout=60)


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def _one_error_line(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("idgov: error:"), proc.stderr
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr


def test_add_list_and_every_change(run: Cli) -> None:
    added = run("tasks", "add", "--kind", "rotation", "--title", "Rotate CI keys",
                "--owner", "slack:T0001:U1", "--due", "2026-01-20", "--why", "leaks",
                "--priority", "high", "--every", "90")
    assert added.returncode == 0, added.stderr
    assert "#1" in added.stdout
    run("tasks", "add", "--kind", "inventory", "--title", "List NHIs", "--owner",
        "email:bo@example.com", "--due", "2026-02-01")
    listing = run("tasks", "list")
    assert listing.returncode == 0
    first = listing.stdout.splitlines()[0]
    for field in ("#1", "open", "2026-01-20", "rotation", "slack:T0001:U1", "Rotate CI keys"):
        assert field in first

    assert run("tasks", "snooze", "2", "--days", "7").returncode == 0
    assert run("tasks", "reassign", "2", "--owner", "slack:T0001:U9").returncode == 0
    assert run("tasks", "na", "2", "--reason", "no NHIs here").returncode == 0
    done = run("tasks", "done", "1", "--actor", "slack:T0001:U1")
    assert done.returncode == 0 and "done" in done.stdout

    rows = json.loads(run("tasks", "list", "--format", "json").stdout)
    assert [(r["id"], r["kind"], r["status"], r["due"], r["owner"]) for r in rows] == [
        (1, "rotation", "done", "2026-01-20", "slack:T0001:U1"),
        (2, "inventory", "not_applicable", "2026-02-01", "slack:T0001:U9"),
        (3, "rotation", "open", rows[2]["due"], "slack:T0001:U1"),  # the next occurrence
    ]
    assert rows[2]["recurrence_days"] == 90 and rows[1]["status_reason"] == "no NHIs here"
    mine = json.loads(run("tasks", "list", "--owner", "slack:T0001:U1", "--status", "open",
                          "--format", "json").stdout)
    assert [r["id"] for r in mine] == [3]

    from dialogs.task_ops import history
    from storage.db import make_engine, session_scope

    engine = make_engine(run.db_url)
    with session_scope(engine) as session:
        events = [(e.action, e.actor, e.source) for e in history(session, 2)]
        closed = [(e.action, e.actor, e.source) for e in history(session, 1)]
    engine.dispose()
    ana = "cli:local:ana"  # $USER
    assert events == [("created", ana, "cli"), ("snoozed", ana, "cli"),
                      ("reassigned", ana, "cli"), ("not_applicable", ana, "cli")]
    assert closed[1:] == [("done", "slack:T0001:U1", "cli"), ("recurred", "slack:T0001:U1", "cli")]


BAD_INPUT = [
    (("tasks", "add", "--kind", "nope", "--title", "t", "--owner", "slack:T:U", "--due",
      "2026-01-01"), "invalid choice"),
    (("tasks", "add", "--kind", "rotation", "--title", "t", "--owner", "bob", "--due",
      "2026-01-01"), "owner 'bob'"),
    (("tasks", "add", "--kind", "rotation", "--title", "t", "--owner", "slack:T:U", "--due",
      "2026-02-30"), "YYYY-MM-DD"),
    (("tasks", "done", "42"), "no task 42"),
    (("tasks", "done", "x"), "whole number"),
    (("tasks", "snooze", "1", "--days", "0"), "1 or more"),
    (("tasks", "reassign", "1", "--owner", "someone"), "owner 'someone'"),
    (("tasks", "na", "1"), "--reason"),
    (("tasks", "list", "--status", "closed"), "invalid choice"),
    (("tasks", "import", "missing.csv"), "cannot read"),
    (("tasks",), "required"),
    (("nudge", "--once", "--now", "yesterday"), "ISO-8601"),
    (("nudge", "--now", "2026-01-05T10:00:00Z"), "--once"),
]


def test_bad_input_is_one_line_and_exit_2(run: Cli) -> None:
    assert run("tasks", "list").returncode == 0  # migrate once before the parallel runs
    with ThreadPoolExecutor(max_workers=4) as pool:  # processes: keeps the suite fast
        results = list(pool.map(lambda case: run(*case[0]), BAD_INPUT))
    for (args, fragment), proc in zip(BAD_INPUT, results, strict=True):
        try:
            _one_error_line(proc, fragment)
        except AssertionError as exc:
            raise AssertionError(f"idgov {' '.join(args)}: {exc}") from None


def test_changing_a_closed_task_is_refused(run: Cli) -> None:
    run("tasks", "add", "--kind", "rotation", "--title", "t", "--owner", "slack:T:U", "--due",
        "2026-01-01")
    assert run("tasks", "done", "1").returncode == 0
    _one_error_line(run("tasks", "snooze", "1", "--days", "1"), "already done")


CSV = ("kind,title,owner,due,why\n"
       "rotation,Rotate keys,slack:T0001:U1,2026-02-01,leaks\n"
       "nope,Bad kind,slack:T0001:U1,2026-02-01,\n"
       "inventory,Bad owner,someone,2026-02-01,\n"
       "inventory,Bad date,email:a@example.com,2026-02-30,\n"
       "ownership,Name owners,email:a@example.com,2026-03-01,\n")


def test_import_reports_every_bad_row_and_keeps_the_good_ones(run: Cli, tmp_path: Path) -> None:
    (tmp_path / "tasks.csv").write_text(CSV)
    proc = run("tasks", "import", "tasks.csv")
    assert proc.returncode == 2
    assert [line.split(":")[1].strip() for line in proc.stderr.splitlines()] == \
        ["row 3", "row 4", "row 5"]
    assert "Imported 2 task(s); 3 bad row(s)" in proc.stdout
    rows = json.loads(run("tasks", "list", "--format", "json").stdout)
    assert [r["title"] for r in rows] == ["Rotate keys", "Name owners"]


def test_import_all_or_nothing_imports_nothing_when_a_row_is_bad(run: Cli, tmp_path: Path) -> None:
    (tmp_path / "tasks.csv").write_text(CSV)
    proc = run("tasks", "import", "tasks.csv", "--all-or-nothing")
    assert proc.returncode == 2
    assert "row 3" in proc.stderr and "row 5" in proc.stderr
    assert "nothing imported" in proc.stderr.splitlines()[-1]
    assert json.loads(run("tasks", "list", "--format", "json").stdout) == []
    good = "\n".join(CSV.splitlines()[:2]) + "\n"
    (tmp_path / "good.csv").write_text(good)
    ok = run("tasks", "import", "good.csv", "--all-or-nothing")
    assert ok.returncode == 0 and "Imported 1 task(s)" in ok.stdout


def test_import_without_required_columns_is_one_line(run: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("title,owner\nx,y\n")
    _one_error_line(run("tasks", "import", "bad.csv"), "missing column(s) kind, due")


def test_nudge_once_sends_due_nudges_through_the_slack_standin(run: Cli) -> None:
    # `tasks add` stamps the real clock, so pin `--now` to a Monday after today.
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday() + 7)
    standin = SlackApiStandIn().start()
    try:
        standin.add_user("U1", tz="Europe/London")
        slack_env = {"SLACK_BOT_TOKEN": "xoxb-standin", "SLACK_SIGNING_SECRET": "s",
                     "SLACK_API_URL": standin.base_url, "IDGOV_NUDGE_LEAD_DAYS": "0"}
        run("tasks", "add", "--kind", "rotation", "--title", "Rotate", "--owner",
            "slack:T0001:U1", "--due", monday.isoformat(), extra_env=slack_env)
        night = run("nudge", "--once", "--now", f"{monday}T02:00:00Z", extra_env=slack_env)
        assert night.returncode == 0, night.stderr
        assert night.stdout.splitlines() == [
            "nudges: 0 sent, 1 deferred, 0 failed",
            f"  task #1 Rotate: deferred, outside the owner's working hours; next try "
            f"{monday} 09:00 UTC",
        ]
        morning = run("nudge", "--once", "--now", f"{monday}T09:30:00Z", extra_env=slack_env)
        assert morning.stdout.strip() == "nudges: 1 sent, 0 deferred, 0 failed"
        again = run("nudge", "--once", "--now", f"{monday}T09:30:00Z", extra_env=slack_env)
        assert again.stdout.strip() == "nudges: 0 sent, 0 deferred, 0 failed"
        assert [c.body["channel"] for c in standin.calls_to("chat.postMessage")] == ["DU1"]
        assert "Due today" in standin.calls_to("chat.postMessage")[0].body["text"]
    finally:
        standin.stop()


def test_history_is_the_audit_trail_of_every_change(run: Cli) -> None:
    run("tasks", "add", "--kind", "offboarding", "--title", "Revoke the old CI token",
        "--owner", "slack:T0001:U1", "--due", "2026-03-01")
    run("tasks", "reassign", "1", "--owner", "email:bo@example.com", "--actor", "slack:T0001:U9")
    run("tasks", "na", "1", "--reason", "token already expired")
    proc = run("tasks", "history", "1", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["task"]["status"] == "not_applicable"
    trail = [(e["action"], e["actor"], e["source"]) for e in data["history"]]
    assert trail == [("created", "cli:local:ana", "cli"),
                     ("reassigned", "slack:T0001:U9", "cli"),
                     ("not_applicable", "cli:local:ana", "cli")]
    assert data["history"][2]["detail"]["reason"] == "token already expired"
    text = run("tasks", "history", "1")
    assert "reassigned" in text.stdout and "by slack:T0001:U9 via cli" in text.stdout
    _one_error_line(run("tasks", "history", "7"), "no task 7")


def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(run: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "idgov.db"
    proc = run("tasks", "list", extra_env={"DATABASE_URL": f"sqlite:///{missing}"})
    _one_error_line(proc, "cannot use the database")


def test_list_shows_the_last_delivery_problem(run: Cli) -> None:
    from sqlmodel import Session, select

    from storage.db import make_engine
    from storage.models import Task

    added = run("tasks", "add", "--kind", "rotation", "--title", "Rotate the deploy key",
                "--owner", "email:li@acme.example", "--due", "2026-01-20")
    assert added.returncode == 0, added.stderr
    engine = make_engine(run.db_url)
    with Session(engine) as session:
        task = session.exec(select(Task)).one()
        task.last_error = "no chat user found for li@acme.example"
        session.add(task)
        session.commit()
    engine.dispose()
    listed = run("tasks", "list")
    assert listed.returncode == 0, listed.stderr
    assert ("last reminder not delivered: no chat user found for li@acme.example"
            in listed.stdout)
    as_json = json.loads(run("tasks", "list", "--format", "json").stdout)
    assert as_json[0]["delivery_problem"] == "no chat user found for li@acme.example"
