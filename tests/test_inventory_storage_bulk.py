"""The inventory's bulk storage paths on SQLite and PostgreSQL: rows written through the
driver read back as the ORM would have written them, and `gap_rows` sees exactly the
identities with gaps that `iter_columns` sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.inventory import (
    FIELDS,
    _driver_value,
    _row_values,
    gap_rows,
    insert_identities,
    iter_columns,
)
from storage.inventory_models import NhiIdentity

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))


def _row(i: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "platform": "gcp" if i % 2 else "aws", "native_key": f"key-{i}", "name": f"nhi-{i}",
        "type": "api_key", "owner": None if i % 3 == 0 else f"slack:T1:U{i % 4}",
        "environment": "prod", "created": NOW - timedelta(days=400 + i),
        "last_rotated": None if i % 5 == 0 else datetime(2026, 1, 2, 3, 4, 5, 678, PLUS2),
        "last_used": NOW - timedelta(days=i), "expires": None,
        "privileges": ["roles/owner"] if i % 4 == 0 else [], "used_by_humans": i % 7 == 0,
        "shared_with": ["staging"] if i % 6 == 0 else [], "has_secret": True,
        "source_format": "generic_csv",
        "gaps": [] if i % 8 == 0 else (["unowned", "unused"] if i % 3 == 0 else ["unused"]),
        "never_used": i % 9 == 0,
    }
    row.update(overrides)
    return row


def test_row_values_are_the_per_value_conversion() -> None:
    rows = [_row(i) for i in range(40)]
    for dialect in ("sqlite", "postgresql"):
        unrolled = _row_values(dialect)
        assert [unrolled(r) for r in rows] == [
            tuple(_driver_value(c, r.get(c), dialect) for c in FIELDS) for r in rows]


def test_bulk_insert_reads_back_as_written(engine: Engine) -> None:
    rows = [_row(i) for i in range(40)]
    with session_scope(engine) as session:
        insert_identities(session, "slack:T1", rows, actor="slack:T1:UADMIN", now=NOW)
    with session_scope(engine) as session:
        stored = {r.native_key: r for r in session.exec(select(NhiIdentity)).all()}
    assert len(stored) == len(rows)
    for row in rows:
        got = stored[row["native_key"]]
        for field in FIELDS:
            want = row[field]
            value = getattr(got, field)
            if isinstance(want, datetime):
                assert value == want and value.tzinfo is not None, field
            else:
                assert value == want, field
        assert got.workspace == "slack:T1" and got.imported_by == "slack:T1:UADMIN"
        assert got.first_seen_at == got.last_seen_at == got.evaluated_at == NOW


def test_gap_rows_are_the_identities_with_gaps(engine: Engine) -> None:
    with session_scope(engine) as session:
        insert_identities(session, "slack:T1", [_row(i) for i in range(57)],
                          actor="slack:T1:UADMIN", now=NOW)
        insert_identities(session, "slack:T2", [_row(i) for i in range(5)],
                          actor="slack:T2:UADMIN", now=NOW)
    with session_scope(engine) as session:
        fast = sorted(gap_rows(session, "slack:T1", batch=10))
        slow = sorted((r["platform"], r["name"], r["owner"], tuple(r["gaps"]))
                      for r in iter_columns(session, "slack:T1", ("name", "owner", "gaps"))
                      if r["gaps"])
    assert fast == slow
    assert len(fast) == 57 - len(range(0, 57, 8))
    with session_scope(engine) as session:
        assert list(gap_rows(session, "slack:NONE")) == []


def test_bulk_insert_drops_nul_like_every_write(engine: Engine) -> None:
    """PostgreSQL refuses NUL in text; the COPY path strips it as storage.db does elsewhere."""
    with session_scope(engine) as session:
        insert_identities(session, "slack:T1", [_row(1, name="nhi\x00one", owner="a\x00b")],
                          actor="slack:T1:UADMIN", now=NOW)
    with session_scope(engine) as session:
        got = session.exec(select(NhiIdentity)).one()
    assert (got.name, got.owner) == ("nhione", "ab")


def test_bulk_insert_keeps_tabs_newlines_and_backslashes(engine: Engine) -> None:
    """The PostgreSQL COPY text is escaped; SQLite's parameters need none. Same result."""
    odd = "a\tb\nc\rd\\e \\N \\t"
    with session_scope(engine) as session:
        insert_identities(session, "slack:T1", [_row(2, name=odd, privileges=[odd, "x\\y"])],
                          actor="slack:T1:UADMIN", now=NOW)
    with session_scope(engine) as session:
        got = session.exec(select(NhiIdentity)).one()
    assert (got.name, got.privileges) == (odd, [odd, "x\\y"])


def test_bulk_update_writes_every_field_and_the_bookkeeping(engine: Engine) -> None:
    """A re-import's update goes through the driver too: same values read back as inserted
    ones, NUL dropped, the importer and times set, other rows untouched."""
    from storage.inventory import update_identities

    rows = [_row(i) for i in range(6)]
    with session_scope(engine) as session:
        insert_identities(session, "slack:T1", rows, actor="slack:T1:UADMIN", now=NOW)
    with session_scope(engine) as session:
        ids = {r.native_key: r.id for r in session.exec(select(NhiIdentity)).all()}
    later = NOW + timedelta(days=3)
    changed = [{**_row(i, owner="email:o\x00wner@example.com", privileges=["*", "tab\there"],
                       last_rotated=datetime(2026, 11, 30, 1, 2, 3, 4, PLUS2), gaps=["privileged"],
                       never_used=True, has_secret=False), "id": ids[f"key-{i}"]}
               for i in (1, 4)]
    with session_scope(engine) as session:
        update_identities(session, changed, actor="slack:T1:UOTHER", now=later)
    with session_scope(engine) as session:
        stored = {r.native_key: r for r in session.exec(select(NhiIdentity)).all()}
    for i in (1, 4):
        got = stored[f"key-{i}"]
        assert got.owner == "email:owner@example.com"
        assert got.privileges == ["*", "tab\there"] and got.gaps == ["privileged"]
        assert got.last_rotated == datetime(2026, 11, 30, 1, 2, 3, 4, PLUS2)
        assert got.never_used is True and got.has_secret is False
        assert (got.imported_by, got.evaluated_at, got.last_seen_at) == (
            "slack:T1:UOTHER", later, later)
        assert got.first_seen_at == NOW
    untouched = stored["key-2"]
    assert untouched.imported_by == "slack:T1:UADMIN" and untouched.last_seen_at == NOW


def _orm_values(got: NhiIdentity) -> dict[str, Any]:
    return {"id": got.id, **{f: getattr(got, f) for f in FIELDS}}


def test_stored_rows_read_as_the_orm_loads_them(engine: Engine) -> None:
    """`rows_by_id` reads the driver's values and converts them itself: every field, read
    by key or by `get`, equals what the ORM loads (UTC datetimes, booleans, JSON lists,
    None), and a field it does not hold is the default."""
    from storage.inventory import rows_by_id

    rows = [_row(i, has_secret=None if i % 5 == 1 else i % 2 == 0,
                 used_by_humans=None if i % 4 == 1 else i % 7 == 0,
                 expires=NOW + timedelta(days=i) if i % 3 else None) for i in range(30)]
    with session_scope(engine) as session:
        insert_identities(session, "slack:T1", rows, actor="slack:T1:UADMIN", now=NOW)
    with session_scope(engine) as session:
        orm = {r.id or 0: _orm_values(r) for r in session.exec(select(NhiIdentity)).all()}
        stored = rows_by_id(session, [*orm, *orm, 10**9])  # repeats and a missing id
    assert set(stored) == set(orm)
    for row_id, want in orm.items():
        got = stored[row_id]
        assert dict(got) == want
        assert {f: got.get(f) for f in want} == want
        assert got.get("workspace") is None and got.get("nothing", 7) == 7
        for field in ("created", "last_rotated", "last_used", "expires"):
            if want[field] is not None:
                assert got[field].tzinfo is UTC, field
        for field in ("privileges", "shared_with", "gaps"):
            assert got[field] is not got[field], "each read is a fresh list"
    with session_scope(engine) as session:
        assert rows_by_id(session, []) == {}


def test_update_rewrites_only_changed_rows_and_stamps_every_row(engine: Engine) -> None:
    """With the stored rows, an update whose driver values equal them only sets the
    importer and the times; a row with any difference (a microsecond, a list item, None
    for False, a NUL that is dropped on write) is rewritten. Both end as a full update."""
    from storage.inventory import rows_by_id, update_identities

    rows = [_row(i) for i in range(8)]
    with session_scope(engine) as session:
        insert_identities(session, "slack:T1", rows, actor="slack:T1:UADMIN", now=NOW)
    with session_scope(engine) as session:
        ids = {r.native_key: r.id or 0 for r in session.exec(select(NhiIdentity)).all()}
    changes: dict[int, dict[str, Any]] = {
        1: {"last_used": rows[1]["last_used"] + timedelta(microseconds=1)},
        2: {"privileges": ["roles/owner", "x"]},
        3: {"has_secret": None},
        4: {"name": "nhi-\x004"},  # stored as "nhi-4": the same text, written anyway
        5: {"gaps": ["unowned", "unused", "privileged"]},
    }
    later = NOW + timedelta(days=2)
    new = [{**_row(i, **changes.get(i, {})), "id": ids[f"key-{i}"]} for i in range(8)]
    with session_scope(engine) as session:
        stored = rows_by_id(session, ids.values())
        changed = update_identities(session, new, actor="slack:T1:UOTHER", now=later,
                                    stored=stored)
    assert changed == len(changes)
    with session_scope(engine) as session:
        back = {r.native_key: r for r in session.exec(select(NhiIdentity)).all()}
    for i in range(8):
        got, want = back[f"key-{i}"], {**_row(i, **changes.get(i, {}))}
        want["name"] = want["name"].replace("\x00", "")
        assert {f: getattr(got, f) for f in FIELDS} == {f: want[f] for f in FIELDS}, i
        assert (got.imported_by, got.evaluated_at, got.last_seen_at, got.first_seen_at) == (
            "slack:T1:UOTHER", later, later, NOW), i
    with session_scope(engine) as session:  # nothing to compare with: every row rewritten
        assert update_identities(session, new, actor="slack:T1:UOTHER", now=later) == 8
