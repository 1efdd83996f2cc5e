"""Importing inventories into SQLite and PostgreSQL: exact counts, tasks per owner per gap
kind, re-import idempotence, closing and relisting tasks, owners resolved to chat users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from dialogs.inventory.service import import_file, inventory_summary
from knowledge.inventory.model import InventoryFileError
from storage.db import session_scope
from storage.inventory_models import NhiIdentity
from storage.models import Task, TaskEvent, UserProfile
from storage.tasks import history, list_tasks

SAMPLES = Path(__file__).parent / "inventory_samples"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
IMPORTER = "cli:local:tester"
WS = "cli:local"


def load(engine: Engine, name: str, *, now: datetime = NOW, dry_run: bool = False,
         data: bytes | None = None):  # type: ignore[no-untyped-def]
    return import_file(engine, data if data is not None else (SAMPLES / name).read_bytes(), name,
                       importer_ref=IMPORTER, workspace=WS, dry_run=dry_run, now=now)


def tasks_by_owner(engine: Engine) -> dict[tuple[str, str], tuple[str, str]]:
    """(owner, title prefix) -> (workspace, status) for every task."""
    with session_scope(engine) as session:
        return {(t.owner, t.title): (t.workspace, t.status) for t in list_tasks(session)}


def test_messy_inventory_counts_gaps_and_tasks(engine: Engine) -> None:
    with session_scope(engine) as session:  # eve is a known Teams user: her tasks go there
        session.add(UserProfile(ref="teams:TEN1:U9", email="eve@example.com"))
    report = load(engine, "generic_messy.csv")
    assert report.as_json() == {
        "imported": 4, "updated": 0,
        "rejected": [
            {"row": 5, "error": "last_rotated: 'someday' is not a date"},
            {"row": 6, "error": "duplicate of row 2 (same platform and id or name)"},
            {"row": 7, "error": "column 'Notes' holds what looks like a GitHub token; row "
                                "refused, value not stored"},
            {"row": 8, "error": "14 fields but the header has 12"},
        ],
        "gaps": {"unowned": 1, "never_rotated": 0, "rotation_overdue": 2, "unused": 1,
                 "expired": 1, "expiring": 1, "privileged": 1, "human_use": 1,
                 "shared_environments": 1, "shared_apps": 1},
        "coverage": {"identities": 4, "with_owner": 0.75, "with_rotation_date": 1.0,
                     "rotated_within_policy": 0.3333, "used_recently": 0.75,
                     "used_recently_days": 90, "with_secret": 3},
        "tasks_created": 10, "tasks_closed": 0,
    }
    with session_scope(engine) as session:
        tasks = list_tasks(session)
        by_owner: dict[str, list[Task]] = {}
        for t in tasks:
            by_owner.setdefault(t.owner, []).append(t)
        assert {o: len(ts) for o, ts in by_owner.items()} == {
            IMPORTER: 3, "slack:T1:U2": 5, "teams:TEN1:U9": 2}
        assert {t.workspace for t in by_owner["slack:T1:U2"]} == {"slack:T1"}
        assert {t.workspace for t in by_owner["teams:TEN1:U9"]} == {"teams:TEN1"}
        assert {t.workspace for t in by_owner[IMPORTER]} == {WS}
        unowned = next(t for t in by_owner[IMPORTER] if t.kind == "ownership")
        assert unowned.title == "Name an owner for 1 non-human identity"
        assert "gcp:legacy-backup" in unowned.why
        assert unowned.controls == ["A.5.16", "A.5.9", "CC6.2", "GV.RR-02", "PR.AA-01", "NHI1"]
        assert unowned.due == NOW.date() + timedelta(days=14) and unowned.priority == "high"
        assert [e.action for e in history(session, unowned.id or 0)] == ["created", "listed"]
        stored = session.exec(select(NhiIdentity)).all()
        assert sorted(i.name for i in stored) == ["billing-bot", "ci-deployer", "legacy-backup",
                                                  "old-cert"]
        blob = repr([i.model_dump() for i in stored]) + repr(
            [e.detail for e in session.exec(select(TaskEvent)).all()])
        assert "ghp_" not in blob  # the refused row's token went nowhere


def test_reimport_is_idempotent_then_closes_and_relists(engine: Engine) -> None:
    load(engine, "generic_messy.csv")
    again = load(engine, "generic_messy.csv", now=NOW + timedelta(hours=1))
    assert (again.imported, again.updated, again.tasks_created, again.tasks_closed,
            again.tasks_updated) == (0, 4, 0, 0, 0)
    with session_scope(engine) as session:
        assert len(session.exec(select(NhiIdentity)).all()) == 4
        assert len(list_tasks(session)) == 10

    fixed = load(engine, "generic_fixed.csv", now=NOW + timedelta(days=1))
    assert (fixed.imported, fixed.updated, fixed.tasks_created, fixed.tasks_closed) == (0, 2, 0, 5)
    with session_scope(engine) as session:
        done = list_tasks(session, status="done")
        assert len(done) == 5 and len(list_tasks(session, status="open")) == 5
        assert {t.owner for t in done} == {IMPORTER, "email:eve@example.com"}
        assert [e.action for e in history(session, done[0].id or 0)][-2:] == ["done", "resolved"]
        assert history(session, done[0].id or 0)[-1].source == "import"

    extra = (b"name,type,platform,owner,used_by_humans\n"
             b"ops-console,service_account,aws,slack:T1:U2,yes\n")
    more = load(engine, "more.csv", data=extra, now=NOW + timedelta(days=2))
    assert (more.imported, more.tasks_created, more.tasks_closed, more.tasks_updated) == (
        1, 0, 0, 1)
    with session_scope(engine) as session:
        human = next(t for t in list_tasks(session, status="open") if t.kind == "break_glass")
        assert human.title == "Stop human use of 2 non-human identities"
        last = history(session, human.id or 0)[-1]
        assert (last.action, last.detail["added"], last.detail["identities"]) == (
            "updated", ["aws:ops-console"], 2)


def test_every_native_shape_imports(engine: Engine) -> None:
    expected = {
        "aws_credential_report.csv": (4, 0, 1),
        "gcp_service_accounts.json": (2, 0, 0),
        "gcp_service_account_keys.json": (0, 1, 0),
        "azure_applications.json": (2, 0, 1),
        "kubernetes_service_accounts.json": (3, 0, 0),
        "github_fine_grained_pats.json": (2, 0, 0),
        "generic.json": (2, 0, 1),
    }
    for name, counts in expected.items():
        report = load(engine, name)
        assert (report.imported, report.updated, len(report.rejected)) == counts, name
    with session_scope(engine) as session:
        ci = session.exec(select(NhiIdentity).where(
            NhiIdentity.native_key == "ci@proj-123.iam.gserviceaccount.com")).one()
        assert ci.gaps == ["unowned", "rotation_overdue"]  # the keys listing filled it in
        assert ci.source_format == "gcp_service_account_keys"
        owners = {t.owner for t in list_tasks(session)}
    # GitHub logins cannot be messaged: their tasks go to the importer, who can reassign
    assert owners == {IMPORTER, "email:grace@example.com", "slack:T1:U3"}
    summary = inventory_summary(engine, WS, now=NOW)
    assert summary.identities == 15
    unowned = next(g for g in summary.gaps if g.kind == "unowned")
    assert unowned.count == 10
    # most gaps first, then by name: root has four, three identities tie on three
    assert [(w.label, w.gaps) for w in unowned.worst] == [
        ("aws:<root_account>", 4), ("aws:backup-job", 3), ("azure:legacy-sso", 3)]
    assert len(summary.tasks) == len(owners_tasks(engine))


def owners_tasks(engine: Engine) -> list[Task]:
    with session_scope(engine) as session:
        return list_tasks(session, status=("open", "snoozed"))


def test_dry_run_writes_nothing(engine: Engine) -> None:
    report = load(engine, "generic_messy.csv", dry_run=True)
    assert (report.imported, report.tasks_created) == (4, 0)
    with session_scope(engine) as session:
        assert session.exec(select(NhiIdentity)).all() == []
        assert list_tasks(session) == []


def test_a_refused_file_writes_nothing(engine: Engine) -> None:
    with pytest.raises(InventoryFileError, match="Client Secret"):
        load(engine, "generic_secret_column.csv")
    with session_scope(engine) as session:
        assert session.exec(select(NhiIdentity)).all() == []


def test_chunked_import_of_many_rows(engine: Engine) -> None:
    lines = ["name,type,platform,owner,last_rotated"]
    lines += [f"key-{i:05d},api_key,aws,{'' if i % 3 else f'owner{i % 7}@example.com'},"
              f"2026-0{1 + i % 9}-01" for i in range(2500)]
    report = load(engine, "many.csv", data="\n".join(lines).encode())
    assert (report.imported, len(report.rejected)) == (2500, 0)
    assert report.gaps["unowned"] == 2500 - len(range(0, 2500, 3))
    with session_scope(engine) as session:
        assert len(session.exec(select(NhiIdentity.id)).all()) == 2500
