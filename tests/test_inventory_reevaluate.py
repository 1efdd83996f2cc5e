"""Gaps judged again at today's date, without a new import (issue 13: tasks that chase).

An inventory imported on 1 December holds a key rotated 80 days before (within the 90-day
policy) and one that expires in 40 days (outside the 30-day warning). Two weeks later, with
no new import, the daily re-evaluation must open the rotation and expiry tasks; a month
later "expiring" becomes "expired". An AWS key the report says was never used becomes
"unused" once it is older than the 90 days, which needs the stored `never_used` flag.
Runs on SQLite and PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.inventory_data import AWS_HEADER  # the credential report's documented columns
from bot.housekeeping import Housekeeping
from dialogs.inventory.reevaluate import reevaluate, reevaluate_all
from dialogs.inventory.service import import_file
from storage.inventory_models import NhiIdentity, NhiTaskLink
from storage.models import Task, TaskEvent

D = datetime(2026, 12, 1, 9, tzinfo=UTC)
WS = "slack:T1"
ADMIN = "slack:T1:UADMIN"
OWNER = "slack:T1:U1"


def _day(delta: int, base: datetime = D) -> str:
    return (base + timedelta(days=delta)).date().isoformat()


def _generic(base: datetime) -> bytes:
    """Three identities as of `base`: rotated 80 days before, expiring in 40 days, fine."""
    return (
        "name,type,platform,owner,environment,last_rotated,last_used,expires\n"
        f"rot-soon,api_key,aws,{OWNER},prod,{_day(-80, base)},{_day(-1, base)},\n"
        f"exp-soon,api_key,aws,{OWNER},prod,{_day(-10, base)},{_day(-1, base)},"
        f"{_day(40, base)}\n"
        f"fine,api_key,aws,{OWNER},prod,{_day(-1, base)},{_day(-1, base)},\n"
    ).encode()


GENERIC = _generic(D)

AWS = (AWS_HEADER + "\n" + f"svc-ci,arn:aws:iam::123456789012:user/svc-ci,{_day(-30)}T10:00:00"
       f"+00:00,false,N/A,N/A,N/A,false,true,{_day(-30)}T10:05:00+00:00,N/A,N/A,N/A,false,N/A,"
       "N/A,N/A,N/A,false,N/A,false,N/A\n").encode()


def _gaps(engine: Engine) -> dict[str, list[str]]:
    with Session(engine) as session:
        return {r.name: list(r.gaps) for r in session.exec(select(NhiIdentity)).all()}


def _open_kinds(engine: Engine) -> dict[str, str]:
    """gap kind -> owner of its open task."""
    with Session(engine) as session:
        rows = session.exec(select(NhiTaskLink, Task).where(NhiTaskLink.task_id == Task.id)).all()
        return {link.gap_kind: task.owner for link, task in rows
                if task.status not in ("done", "not_applicable")}


def test_time_based_gaps_appear_without_a_new_import(engine: Engine) -> None:
    report = import_file(engine, GENERIC, "nhi.csv", importer_ref=ADMIN, workspace=WS, now=D)
    assert report.tasks_created == 0 and _gaps(engine) == {"rot-soon": [], "exp-soon": [],
                                                          "fine": []}
    later = reevaluate(engine, WS, now=D + timedelta(days=15))
    assert (later.identities, later.changed, later.tasks_created) == (3, 2, 2)
    assert _gaps(engine) == {"rot-soon": ["rotation_overdue"], "exp-soon": ["expiring"],
                             "fine": []}
    assert _open_kinds(engine) == {"rotation_overdue": OWNER, "expiring": OWNER}
    with Session(engine) as session:
        listed = session.exec(select(TaskEvent).where(TaskEvent.action == "listed")).all()
    assert {(e.actor, e.source) for e in listed} == {("idgov", "scheduler")}

    same_day = reevaluate(engine, WS, now=D + timedelta(days=15, hours=3))
    assert (same_day.changed, same_day.tasks_created, same_day.tasks_closed) == (0, 0, 0)

    month = reevaluate(engine, WS, now=D + timedelta(days=45))
    assert _gaps(engine)["exp-soon"] == ["expired"]
    assert month.tasks_closed == 1 and "expiring" not in _open_kinds(engine)
    assert _open_kinds(engine)["expired"] == OWNER


def test_a_key_never_used_becomes_unused_once_old_enough(engine: Engine) -> None:
    import_file(engine, AWS, "credential_report.csv", importer_ref=ADMIN, workspace=WS, now=D)
    assert "unused" not in _gaps(engine)["svc-ci"]
    reevaluate(engine, WS, now=D + timedelta(days=70))  # created 100 days before
    assert "unused" in _gaps(engine)["svc-ci"]
    assert _open_kinds(engine)["unused"] == ADMIN  # unowned: the last importer's


def test_every_workspace_and_an_empty_base(engine: Engine) -> None:
    assert reevaluate_all(engine, now=D) == []
    assert reevaluate(engine, "slack:T9", now=D).identities == 0
    import_file(engine, GENERIC, "nhi.csv", importer_ref=ADMIN, workspace=WS, now=D)
    import_file(engine, GENERIC, "nhi.csv", importer_ref="slack:T2:UADMIN", workspace="slack:T2",
                now=D)
    done = reevaluate_all(engine, now=D + timedelta(days=15))
    assert [(r.workspace, r.changed) for r in done] == [("slack:T1", 2), ("slack:T2", 2)]


async def test_the_daily_job_runs_once_across_replicas(engine: Engine) -> None:
    imported = datetime.now(UTC) - timedelta(days=15)  # the job runs at the real clock
    import_file(engine, _generic(imported), "nhi.csv", importer_ref=ADMIN, workspace=WS,
                now=imported)
    first, second = Housekeeping(engine), Housekeeping(engine)  # two replicas
    await first.run_due()
    await second.run_due()
    with Session(engine) as session:
        tasks = session.exec(select(Task)).all()
    assert len(tasks) == 2  # rotation and expiry, each opened once


def test_cli_reevaluate(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "IDGOV_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "USER": "ana",
                "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    sample = tmp_path / "nhi.csv"
    sample.write_bytes(GENERIC)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)

    assert run("inventory", "import", str(sample), "--now", D.isoformat()).returncode == 0
    proc = run("inventory", "reevaluate", "--format", "json", "--now",
               (D + timedelta(days=15)).isoformat())
    assert proc.returncode == 0, proc.stderr
    [out] = json.loads(proc.stdout)
    assert (out["changed"], out["tasks_created"]) == (2, 2)
    assert out["gaps"] == {"expiring": 1, "rotation_overdue": 1}
    text = run("inventory", "reevaluate", "--all", "--now", (D + timedelta(days=15)).isoformat())
    assert text.returncode == 0 and "0 with changed gaps" in text.stdout
    both = run("inventory", "reevaluate", "--all", "--workspace", "cli:local")
    assert both.returncode == 2 and len(both.stderr.strip().splitlines()) == 1
