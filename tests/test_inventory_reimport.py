"""Re-importing an inventory (the update path) on SQLite and PostgreSQL: what is stored
afterwards is exactly what a full rewrite of every row gave.

An unchanged export changes no identity field, task, link or history entry (only each
identity's importer and import times move on); one changed cell changes exactly that
identity, its gaps and the one task that lists it; an empty cell keeps the stored value.
Files span more than one 1,000-row chunk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dialogs.inventory.replies import ImportReport
from dialogs.inventory.service import import_file
from knowledge.inventory.rules import GAP_KINDS
from storage.inventory import FIELDS
from storage.inventory_models import NhiIdentity, NhiTaskLink
from storage.models import Task, TaskEvent

SAMPLES = Path(__file__).parent / "inventory_samples"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
IMPORTER = "cli:local:tester"
WS = "cli:local"
ROWS = 1200  # two chunks
HEADER = "name,type,platform,owner,environment,created,last_rotated,last_used,privileges"


def _line(i: int, **cells: str) -> str:
    """Identity `i`: owner U0-U2, a tenth privileged, rotation dates old and new."""
    values = {
        "name": f"key-{i:05d}", "type": "api_key", "platform": "aws",
        "owner": f"slack:T1:U{i % 3}", "environment": "prod", "created": "2025-01-01",
        "last_rotated": f"2026-{1 + i % 11:02d}-15", "last_used": f"2026-11-2{i % 10}",
        "privileges": "roles/owner" if i % 10 == 0 else "read",
    }
    values.update(cells)
    return ",".join(values[c] for c in HEADER.split(","))


def _csv(changed: dict[int, dict[str, str]] | None = None, *, rows: int = ROWS,
         header: str = HEADER) -> bytes:
    changed = changed or {}
    lines = [header] + [_line(i, **changed.get(i, {})) for i in range(rows)]
    return "\n".join(lines).encode()


def load(engine: Engine, name: str, data: bytes, now: datetime) -> ImportReport:
    return import_file(engine, data, name, importer_ref=IMPORTER, workspace=WS, now=now)


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything an import may write, by stable keys."""
    with Session(engine) as session:
        identities = {(i.platform, i.native_key): i.model_dump()
                      for i in session.exec(select(NhiIdentity)).all()}
        tasks = {t.id: t.model_dump() for t in session.exec(select(Task)).all()}
        events = [e.model_dump() for e in
                  session.exec(select(TaskEvent).order_by(col(TaskEvent.id))).all()]
        links = {link.id: link.model_dump() for link in session.exec(select(NhiTaskLink)).all()}
    return {"identities": identities, "tasks": tasks, "events": events, "links": links}


STAMPS = ("imported_by", "evaluated_at", "last_seen_at")


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in FIELDS}


def _without_stamps(identities: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {k: {f: v for f, v in row.items() if f not in STAMPS}
            for k, row in identities.items()}


def test_an_unchanged_reimport_changes_nothing_but_the_import_stamps(engine: Engine) -> None:
    files = [("inventory.csv", _csv()),
             ("generic_messy.csv", (SAMPLES / "generic_messy.csv").read_bytes()),
             ("aws_credential_report.csv",
              (SAMPLES / "aws_credential_report.csv").read_bytes())]
    first = [load(engine, name, data, NOW) for name, data in files]
    before = snapshot(engine)
    again = [load(engine, name, data, LATER) for name, data in files]
    after = snapshot(engine)

    for one, two in zip(first, again, strict=True):
        assert (two.imported, two.updated) == (0, one.imported + one.updated)
        assert (two.tasks_created, two.tasks_updated, two.tasks_closed) == (0, 0, 0)
        assert (two.rejected, two.gaps, two.coverage) == (one.rejected, one.gaps, one.coverage)
    assert _without_stamps(after["identities"]) == _without_stamps(before["identities"])
    assert {(r["imported_by"], r["evaluated_at"], r["last_seen_at"])
            for r in after["identities"].values()} == {(IMPORTER, LATER, LATER)}
    assert len(after["identities"]) == ROWS + 4 + 4
    assert after["tasks"] == before["tasks"]
    assert after["links"] == before["links"]
    assert after["events"] == before["events"]  # no history entry at all


def test_one_changed_cell_updates_that_identity_its_gaps_and_its_task(engine: Engine) -> None:
    load(engine, "inventory.csv", _csv(), NOW)
    before = snapshot(engine)
    # key-01101 (owner U0) becomes privileged; U0 already has a least-privilege task
    report = load(engine, "inventory.csv", _csv({1101: {"privileges": "roles/owner"}}), LATER)
    after = snapshot(engine)

    assert (report.imported, report.updated) == (0, ROWS)
    assert (report.tasks_created, report.tasks_updated, report.tasks_closed) == (0, 1, 0)
    key = ("aws", "key-01101")
    changed = {k for k, row in after["identities"].items()
               if _fields(row) != _fields(before["identities"][k])}
    assert changed == {key}
    was, now = before["identities"][key], after["identities"][key]
    assert (was["privileges"], now["privileges"]) == (["read"], ["roles/owner"])
    assert "privileged" not in was["gaps"]
    assert now["gaps"] == [g for g in GAP_KINDS if g in {*was["gaps"], "privileged"}]
    assert {k: {f: v for f, v in r.items() if f not in (*FIELDS, *STAMPS)}
            for k, r in after["identities"].items()} == {
        k: {f: v for f, v in r.items() if f not in (*FIELDS, *STAMPS)}
        for k, r in before["identities"].items()}

    new_events = after["events"][len(before["events"]):]
    assert after["events"][:len(before["events"])] == before["events"]
    [event] = new_events
    link = next(v for v in after["links"].values()
                if (v["owner"], v["gap_kind"]) == ("slack:T1:U0", "privileged"))
    assert (event["task_id"], event["action"], event["source"], event["actor"]) == (
        link["task_id"], "updated", "import", IMPORTER)
    assert (event["detail"]["added"], event["detail"]["removed"]) == (["aws:key-01101"], [])
    assert link["identities"] == sorted(
        [*before["links"][link["id"]]["identities"], "aws:key-01101"])
    for task_id, task in after["tasks"].items():
        if task_id != link["task_id"]:
            assert task == before["tasks"][task_id]
    assert {k: v for k, v in after["links"].items() if k != link["id"]} == {
        k: v for k, v in before["links"].items() if k != link["id"]}


def test_a_gap_gone_by_one_cell_closes_that_task_only(engine: Engine) -> None:
    solo = "\nsolo-admin,api_key,aws,slack:T1:USOLO,prod,2025-01-01,2026-11-20,2026-11-29,{}"
    load(engine, "inventory.csv", _csv() + solo.format("roles/owner").encode(), NOW)
    before = snapshot(engine)
    report = load(engine, "inventory.csv", _csv() + solo.format("read").encode(), LATER)
    after = snapshot(engine)

    assert (report.tasks_created, report.tasks_updated, report.tasks_closed) == (0, 0, 1)
    changed = {k for k, row in after["identities"].items()
               if _fields(row) != _fields(before["identities"][k])}
    assert changed == {("aws", "solo-admin")}
    assert after["identities"][("aws", "solo-admin")]["gaps"] == []
    [closed] = [t for t in after["tasks"].values() if t["status"] != "open"]
    assert (closed["owner"], closed["kind"], closed["status"]) == (
        "slack:T1:USOLO", "least_privilege", "done")
    new_events = after["events"][len(before["events"]):]
    assert {e["task_id"] for e in new_events} == {closed["id"]}
    assert [e["action"] for e in new_events] == ["done", "resolved"]


def test_empty_cells_keep_the_stored_values(engine: Engine) -> None:
    """An export that leaves the owner, rotation date, last use and privileges empty (or has
    no such column) changes nothing stored; a cell it does fill still applies."""
    load(engine, "inventory.csv", _csv(), NOW)
    before = snapshot(engine)
    blank = {i: {"owner": "", "last_rotated": "", "last_used": "", "privileges": ""}
             for i in range(ROWS)}
    report = load(engine, "inventory.csv", _csv(blank), LATER)
    assert (report.imported, report.updated, report.tasks_created, report.tasks_updated,
            report.tasks_closed) == (0, ROWS, 0, 0, 0)
    after = snapshot(engine)
    assert _without_stamps(after["identities"]) == _without_stamps(before["identities"])
    assert (after["tasks"], after["links"], after["events"]) == (
        before["tasks"], before["links"], before["events"])

    narrow = "name,type,platform,environment"
    data = "\n".join([narrow] + [f"key-{i:05d},api_key,aws,{'dev' if i == 7 else 'prod'}"
                                 for i in range(ROWS)]).encode()
    load(engine, "narrow.csv", data, LATER + timedelta(hours=1))
    later = snapshot(engine)
    changed = {k: {f for f in FIELDS if row[f] != after["identities"][k][f]}
               for k, row in later["identities"].items()}
    assert {k: fs for k, fs in changed.items() if fs} == {("aws", "key-00007"): {"environment"}}
    assert later["identities"][("aws", "key-00007")]["owner"] == "slack:T1:U1"
