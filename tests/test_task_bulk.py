"""Bulk task creation (`dialogs.task_ops.create_tasks`, `storage.tasks.add_tasks`) writes
exactly what one `create_task` per task writes, on SQLite and PostgreSQL: the same task rows
(reminder plan included), the same "created" history entries, in the same order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from dialogs import task_ops as tasks
from dialogs.reminders import NudgeSettings
from storage.db import session_scope
from storage.models import Task, TaskEvent, UserProfile
from storage.tasks import EVENT_TABLE, TASK_TABLE, add_tasks

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # Monday

SPECS = [
    # owner with a stored zone: planned in their working hours
    tasks.NewTask(workspace="slack:T1", kind="rotation", title="Rotate the CI key",
                  owner="slack:T1:UBERLIN", created_by="slack:T1:UADMIN",
                  due=date(2026, 1, 20), why="Keys leak", controls=["ISO27001:A.5.17"],
                  priority="high"),
    # a profile without a zone, and one with no profile at all: the earliest zone, any hour
    tasks.NewTask(workspace="slack:T1", kind="ownership", title="  Name owners  ",
                  owner="slack:T1:UNOTZ", created_by="slack:T1:UADMIN",
                  due=date(2026, 1, 6)),
    tasks.NewTask(workspace="slack:T1", kind="offboarding", title="Remove unused keys",
                  owner="slack:T1:UNOPROFILE", created_by="slack:T1:UADMIN",
                  due=date(2025, 12, 1), priority="low", channel_ref="slack:T1:C1"),
    # a CLI owner is never nudged; an email owner is stored lower-cased
    tasks.NewTask(workspace="cli:local", kind="break_glass", title="Document break-glass",
                  owner="cli:local:alice", created_by="cli:local:alice",
                  due=date(2026, 2, 1), recurrence_days=90),
    tasks.NewTask(workspace="slack:T1", kind="least_privilege", title="Trim admin roles",
                  owner="email:Eve@Example.com", created_by="slack:T1:UADMIN",
                  due=date(2026, 1, 5), controls=["SOC2:CC6.3", "ISO27001:A.8.2"]),
    tasks.NewTask(workspace="teams:TEN1", kind="scope_boundary", title="Split environments",
                  owner="teams:TEN1:U9", created_by="slack:T1:UADMIN",
                  due=date(2026, 1, 20)),
]


def _profiles(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(UserProfile(ref="slack:T1:UBERLIN", tz="Europe/Berlin"))
        session.add(UserProfile(ref="slack:T1:UNOTZ", display_name="No zone"))
        session.add(UserProfile(ref="teams:TEN1:U9", tz="America/Los_Angeles"))


def _one_at_a_time(engine: Engine, specs: list[tasks.NewTask]) -> list[int]:
    ids = []
    with session_scope(engine) as session:
        for spec in specs:
            task = tasks.create_task(
                session, workspace=spec.workspace, kind=spec.kind, title=spec.title,
                owner=spec.owner, created_by=spec.created_by, due=spec.due, why=spec.why,
                controls=spec.controls, priority=spec.priority,
                assessment_id=spec.assessment_id, channel_ref=spec.channel_ref,
                recurrence_days=spec.recurrence_days, source="import", now=NOW,
                settings=NudgeSettings())
            assert task.id is not None
            ids.append(task.id)
    return ids


def _rows(engine: Engine, ids: list[int]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """Task rows without their id, and each task's events without ids, in id order."""
    with engine.connect() as conn:
        found = {r.id: dict(r._mapping) for r in conn.execute(
            select(TASK_TABLE).where(TASK_TABLE.c.id.in_(ids)))}
        events = [[{k: v for k, v in dict(e._mapping).items() if k not in ("id", "task_id")}
                   for e in conn.execute(select(EVENT_TABLE).where(EVENT_TABLE.c.task_id == i)
                                         .order_by(EVENT_TABLE.c.id))] for i in ids]
    rows = [{k: v for k, v in found[i].items() if k != "id"} for i in ids]
    return rows, events


def test_bulk_tasks_are_the_tasks_created_one_at_a_time(engine: Engine) -> None:
    _profiles(engine)
    single = _one_at_a_time(engine, SPECS)
    with session_scope(engine) as session:
        bulk = tasks.create_tasks(session, SPECS, source="import", now=NOW,
                                  settings=NudgeSettings())
    assert len(bulk) == len(SPECS) and len(set(bulk)) == len(SPECS)
    assert min(bulk) > max(single)  # ids in the order given
    assert bulk == sorted(bulk)
    single_rows, single_events = _rows(engine, single)
    bulk_rows, bulk_events = _rows(engine, bulk)
    assert bulk_rows == single_rows
    assert bulk_events == single_events
    # the plans differ where they should: a zone known, unknown, a CLI owner
    by_owner = {r["owner"]: r for r in bulk_rows}
    assert by_owner["cli:local:alice"]["next_nudge_at"] is None
    assert by_owner["email:eve@example.com"]["nudge_stage"] is not None
    assert all(len(e) == 1 and e[0]["action"] == "created" for e in bulk_events)


def test_bulk_tasks_read_back_through_the_orm(engine: Engine) -> None:
    _profiles(engine)
    with session_scope(engine) as session:
        ids = tasks.create_tasks(session, SPECS[:2], source="import", now=NOW)
    with session_scope(engine) as session:
        first = session.get(Task, ids[0])
        assert first is not None and first.owner == "slack:T1:UBERLIN"
        assert first.created_at == NOW and first.controls == ["ISO27001:A.5.17"]
        history = tasks.history(session, ids[1])
        assert [(e.action, e.actor, e.source, e.at) for e in history] == [
            ("created", "slack:T1:UADMIN", "import", NOW)]
        assert history[0].detail == {"owner": "slack:T1:UNOTZ", "due": "2026-01-06",
                                     "kind": "ownership"}


@pytest.mark.parametrize("bad", [
    {"kind": "no_such_kind"}, {"owner": "nobody"}, {"priority": "urgent"}, {"title": " "},
])
def test_bulk_refuses_a_bad_task_and_writes_nothing(engine: Engine, bad: dict[str, Any]) -> None:
    fields = {"workspace": "slack:T1", "kind": "rotation", "title": "Rotate",
              "owner": "slack:T1:U1", "created_by": "slack:T1:U1", "due": date(2026, 1, 20)}
    specs = [tasks.NewTask(**fields), tasks.NewTask(**{**fields, **bad})]  # type: ignore[arg-type]
    with pytest.raises(tasks.TaskError), session_scope(engine) as session:
        tasks.create_tasks(session, specs, source="import", now=NOW)
    with session_scope(engine) as session:
        assert session.scalars(select(Task)).all() == []
        assert session.scalars(select(TaskEvent)).all() == []


def test_bulk_nothing_and_bad_source(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert tasks.create_tasks(session, [], source="import", now=NOW) == []
        with pytest.raises(tasks.TaskError):
            add_tasks(session, [], source="carrier_pigeon")
