"""Repository functions for the inventory tables. Each takes a Session; the caller commits.

Imports write in bulk (ORM bulk INSERT / UPDATE by primary key) because a real estate has
tens of thousands of identities and the server must keep answering while they load.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, Table, and_, bindparam, or_, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from storage.clock import as_utc
from storage.db import row_without_nul
from storage.inventory_models import NhiIdentity, NhiTaskLink
from storage.models import Task, TaskEvent, UserProfile

ACTIVE = ("open", "snoozed")
#: Bulk paths use SQLAlchemy Core on the table: building 100,000 ORM objects costs more
#: than the SQL itself.
TABLE: Table = NhiIdentity.__table__  # type: ignore[attr-defined]
#: Identity columns an import writes (everything but the id and bookkeeping set here).
FIELDS = ("platform", "native_key", "name", "type", "owner", "environment", "created",
          "last_rotated", "last_used", "expires", "privileges", "used_by_humans",
          "shared_with", "has_secret", "source_format", "gaps", "never_used")


@contextmanager
def _driver_cursor(session: Session, *, server_side: bool = False,
                   ) -> Iterator[tuple[str, Any]]:
    """(dialect name, a DB-API cursor on the session's own connection and transaction).

    For the bulk reads, which take whole tables of plain values: SQLAlchemy's result rows
    cost more per row than the driver's tuples. `server_side` streams on PostgreSQL (a named
    cursor; memory stays flat); SQLite's cursors step through the table anyway. Parameters
    must be passed through `_params`, which drops NUL as the engine hook does for
    SQLAlchemy's statements.
    """
    conn = session.connection()
    dbapi = conn.connection.driver_connection
    name = conn.dialect.name
    cursor = (dbapi.cursor(name=f"idgov_{uuid.uuid4().hex}")  # type: ignore[union-attr]
              if server_side and name == "postgresql" else
              dbapi.cursor())  # type: ignore[union-attr]
    try:
        yield name, cursor
    finally:
        cursor.close()


def _params(*values: Any) -> Any:
    return row_without_nul(values)


def _mark(dialect: str) -> str:
    """The driver's placeholder (sqlite3: qmark; psycopg: format)."""
    return "?" if dialect == "sqlite" else "%s"


def key_index(session: Session, workspace: str) -> dict[tuple[str, str], int]:
    """(platform, native_key) -> id for the whole workspace, read once per import.

    Looking keys up chunk by chunk with ``IN (...)`` scanned the growing table on
    PostgreSQL before autovacuum had analysed it; one pass, then primary-key reads, does not.
    Read as the driver's tuples (SQLAlchemy's rows were half the read at 100,000).
    """
    with _driver_cursor(session) as (dialect, cursor):
        cursor.execute("SELECT platform, native_key, id FROM nhi_identity WHERE workspace = "
                       + _mark(dialect), _params(workspace))
        return {(p, k): i for p, k, i in cursor.fetchall()}


class StoredRow(Mapping[str, Any]):
    """One stored identity as `rows_by_id` read it: ``id`` plus the import FIELDS, each
    converted to what the ORM would load only when asked for (a re-import's merge reads
    the few fields an export leaves empty), and `driver`, the FIELDS as the driver returned
    them (SQLite: datetimes as text; JSON as text on both), which `update_identities`
    compares a new row's driver values against."""

    __slots__ = ("_readers", "driver", "id")

    def __init__(self, row_id: int, driver: tuple[Any, ...],
                 readers: tuple[Callable[[Any], Any] | None, ...]) -> None:
        self.id, self.driver, self._readers = row_id, driver, readers

    def __getitem__(self, name: str) -> Any:
        if name == "id":
            return self.id
        i = _POSITION[name]
        value, read = self.driver[i], self._readers[i]
        return value if read is None or value is None else read(value)

    def get(self, name: str, default: Any = None) -> Any:
        i = _POSITION.get(name)
        if i is None:
            return self.id if name == "id" else default
        value, read = self.driver[i], self._readers[i]
        return value if read is None or value is None else read(value)

    def __iter__(self) -> Iterator[str]:
        return iter(("id", *FIELDS))

    def __len__(self) -> int:
        return 1 + len(FIELDS)


def rows_by_id(session: Session, ids: Iterable[int]) -> dict[int, StoredRow]:
    """Stored identity rows by primary key, read straight from the driver.

    A re-import reads one chunk's stored rows at a time. SQLAlchemy's result rows and type
    processing (a UTC datetime per date column, JSON) were most of the read: the driver's
    values are kept as they are (to see whether an update would change anything) and
    converted with SQLAlchemy's own result processors where read, once per distinct date
    or list (they repeat across an estate).
    """
    wanted = sorted(set(ids))
    found: dict[int, StoredRow] = {}
    if not wanted:
        return found
    readers = _readers(session.connection().dialect)
    with _driver_cursor(session) as (dialect, cursor):
        if dialect == "postgresql":
            columns = ", ".join(f"{f}::text" if f in _JSON else f for f in FIELDS)
            sql = f"SELECT id, {columns} FROM nhi_identity WHERE id = ANY(%s)"
        else:
            sql = f"SELECT id, {', '.join(FIELDS)} FROM nhi_identity WHERE id IN "
        for start in range(0, len(wanted), 1000):
            batch = wanted[start:start + 1000]
            if dialect == "postgresql":
                cursor.execute(sql, (batch,))
            else:
                cursor.execute(sql + f"({', '.join('?' for _ in batch)})", batch)
            for row in cursor.fetchall():
                found[row[0]] = StoredRow(row[0], tuple(row[1:]), readers)
    return found


_POSITION = {name: i for i, name in enumerate(FIELDS)}
_READERS: dict[str, tuple[Callable[[Any], Any] | None, ...]] = {}


def _readers(dialect: Dialect) -> tuple[Callable[[Any], Any] | None, ...]:
    """Per column of FIELDS, the conversion from the driver's value to what the ORM loads
    (None where there is none); built once per dialect."""
    if dialect.name not in _READERS:
        _READERS[dialect.name] = tuple(_reader(dialect, name) for name in FIELDS)
    return _READERS[dialect.name]


def _reader(dialect: Dialect, name: str) -> Callable[[Any], Any] | None:
    if name in _JSON:
        return _json_value
    process = TABLE.c[name].type.dialect_impl(dialect).result_processor(dialect, None)
    if process is None:
        return None
    if name in _TIMES:  # exports repeat dates: convert each distinct one once
        return lru_cache(maxsize=1 << 14)(process)
    return process


def _json_value(text: str) -> list[Any]:
    return list(_json_tuple(text)) if text else []


_INSERT_COLUMNS = (*FIELDS, "workspace", "imported_by", "evaluated_at", "first_seen_at",
                   "last_seen_at")
_JSON = frozenset({"privileges", "shared_with", "gaps"})
_TIMES = frozenset({"created", "last_rotated", "last_used", "expires", "evaluated_at",
                    "first_seen_at", "last_seen_at"})


def _driver_value(column: str, value: Any, dialect: str) -> Any:
    """What SQLAlchemy's type processing would send, computed once per value (JSON text,
    UTC datetimes; SQLite stores them as text in SQLAlchemy's own format)."""
    if value is None:
        return None
    if column in _JSON:
        return _json_text(value)
    if column in _TIMES:
        return (_sqlite_time if dialect == "sqlite" else _utc)(value)
    return value


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if value == []:  # most privilege and sharing lists
        return "[]"
    if isinstance(value, list) and len(value) <= 16:  # gap lists: a few hundred distinct
        try:
            return _json_list(tuple(value))
        except TypeError:  # an unhashable item
            pass
    return json.dumps(value)


@lru_cache(maxsize=4096)
def _json_list(items: tuple[Any, ...]) -> str:
    return json.dumps(list(items))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC else value.astimezone(UTC)


@lru_cache(maxsize=1 << 14)  # exports repeat dates (day-granular columns, one report run)
def _sqlite_time(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite datetime text, "2026-12-01 09:00:00.000000" (UTC)."""
    if value is None:
        return None
    return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _pg_time(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _row_values(dialect: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """One row's FIELDS as driver values: `_driver_value` unrolled per column, because at
    100,000 rows a function call per value was a second of the import."""
    when = _sqlite_time if dialect == "sqlite" else _pg_time

    def values(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["platform"], r["native_key"], r["name"], r["type"], r["owner"],
                r["environment"], when(r["created"]), when(r["last_rotated"]),
                when(r["last_used"]), when(r["expires"]), _json_text(r["privileges"]),
                r["used_by_humans"], _json_text(r["shared_with"]), r["has_secret"],
                r["source_format"], _json_text(r["gaps"]), r["never_used"])

    return values


#: `_row_values` spells the columns out; this keeps it in step with FIELDS.
assert FIELDS == ("platform", "native_key", "name", "type", "owner", "environment", "created",
                  "last_rotated", "last_used", "expires", "privileges", "used_by_humans",
                  "shared_with", "has_secret", "source_format", "gaps", "never_used")


def insert_identities(session: Session, workspace: str, rows: Sequence[dict[str, Any]], *,
                      actor: str, now: datetime) -> None:
    """Bulk insert of new identities, rows carrying every name in FIELDS.

    SQLite: the driver's executemany with ready values (SQLAlchemy's per-value type
    processing was most of an import's time at 100,000 rows). PostgreSQL: ``COPY ... FROM
    STDIN``, which SQLAlchemy has no construct for; psycopg's executemany still cost one
    protocol round of Bind/Execute per row, twice the time of COPY (issue 13).
    """
    if not rows:
        return
    now = as_utc(now)
    conn = session.connection()
    dialect = conn.dialect.name
    stamp = _driver_value("evaluated_at", now, dialect)
    tail = (workspace, actor, stamp, stamp, stamp)  # the columns after FIELDS, same each row
    values = _row_values(dialect)
    if dialect == "postgresql":
        _copy(conn, [values(r) + tail for r in rows])
        return
    holes = ", ".join("?" for _ in _INSERT_COLUMNS)  # SQLite's paramstyle
    sql = f"INSERT INTO nhi_identity ({', '.join(_INSERT_COLUMNS)}) VALUES ({holes})"
    conn.exec_driver_sql(sql, [values(r) + tail for r in rows])


def _copy(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """COPY the rows into nhi_identity on the session's own connection (same transaction).

    COPY bypasses the engine's ``before_cursor_execute`` hook, so NUL characters are dropped
    here, as `storage.db._strip_nul` does for every other write (PostgreSQL refuses them).
    """
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(_INSERT_COLUMNS)
    with cursor, cursor.copy(f"COPY nhi_identity ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row_without_nul(row))


_UPDATE_COLUMNS = (*FIELDS, "imported_by", "evaluated_at", "last_seen_at")


def update_identities(session: Session, rows: Sequence[dict[str, Any]], *, actor: str,
                      now: datetime, stored: Mapping[int, StoredRow] | None = None) -> int:
    """Rows carry ``id`` plus every name in FIELDS; returns how many changed a field.

    Through the driver's executemany with ready values, as `insert_identities` on SQLite:
    SQLAlchemy's per-value type processing was a third of a 100,000-identity re-import.
    With `stored` (`rows_by_id` of these ids), a row whose driver values equal the stored
    ones is not rewritten: only the importer and the times are set, for all such rows in
    one statement (a re-import of an unchanged export is mostly those). The rows end the
    same either way.
    """
    if not rows:
        return 0
    now = as_utc(now)
    conn = session.connection()
    dialect = conn.dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    stamp = _driver_value("evaluated_at", now, dialect)
    values = _row_values(dialect)
    changed: list[tuple[Any, ...]] = []
    same: list[int] = []
    for r in rows:
        new = values(r)
        before = stored.get(r["id"]) if stored is not None else None
        if before is not None and before.driver == new:
            same.append(r["id"])
        else:
            changed.append((*new, actor, stamp, stamp, r["id"]))
    if changed:
        sets = ", ".join(f"{c} = {mark}::json" if c in _JSON and dialect != "sqlite"
                         else f"{c} = {mark}" for c in _UPDATE_COLUMNS)
        conn.exec_driver_sql(f"UPDATE nhi_identity SET {sets} WHERE id = {mark}", changed)
    touch = "UPDATE nhi_identity SET imported_by = {0}, evaluated_at = {0}, last_seen_at = {0}"
    for start in range(0, len(same), 1000):
        batch = same[start:start + 1000]
        if dialect == "postgresql":
            conn.exec_driver_sql(touch.format("%s") + " WHERE id = ANY(%s)",
                                 (actor, stamp, stamp, batch))
        else:
            holes = ", ".join("?" for _ in batch)
            conn.exec_driver_sql(touch.format("?") + f" WHERE id IN ({holes})",
                                 (actor, stamp, stamp, *batch))
    return len(changed)


def iter_columns(session: Session, workspace: str, columns: Sequence[str], *,
                 batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Chosen columns of every identity (plus platform and key), streamed in key order."""
    wanted = list(dict.fromkeys(["platform", "native_key", *columns]))
    conn = session.connection()
    last: tuple[str, str] | None = None
    while True:
        query = core_select(*[TABLE.c[c] for c in wanted]).where(TABLE.c.workspace == workspace)
        if last is not None:
            query = query.where(or_(TABLE.c.platform > last[0],
                                    and_(TABLE.c.platform == last[0],
                                         TABLE.c.native_key > last[1])))
        query = query.order_by(TABLE.c.platform, TABLE.c.native_key).limit(batch)
        rows = [dict(r._mapping) for r in conn.execute(query)]
        if not rows:
            return
        yield from rows
        last = (rows[-1]["platform"], rows[-1]["native_key"])


@lru_cache(maxsize=4096)  # a few hundred distinct lists (gaps, scopes) in a whole estate
def _json_tuple(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def gap_rows(session: Session, workspace: str, *, batch: int = 10_000,
             ) -> Iterator[tuple[str, str, str | None, tuple[str, ...]]]:
    """(platform, name, owner, gaps) of every identity in `workspace` with a gap, in no
    particular order.

    What the task sync groups, read as the driver's tuples from one streamed query (a
    server-side cursor on PostgreSQL, so memory stays flat): `iter_columns` (dicts, JSON
    decoded per row, keyset pages) cost the sync of a 100,000-identity inventory two to
    three seconds, SQLAlchemy's streamed rows a few tenths. The gaps column is read as text
    and each distinct list decoded once.
    """
    with _driver_cursor(session, server_side=True) as (dialect, cursor):
        gaps = "gaps::text" if dialect == "postgresql" else "gaps"
        cursor.execute(f"SELECT platform, name, owner, {gaps} FROM nhi_identity "
                       f"WHERE workspace = {_mark(dialect)}", _params(workspace))
        while rows := cursor.fetchmany(batch):
            for platform, name, owner, text in rows:
                if text and text != "[]" and (found := _json_tuple(text)):
                    yield platform, name, owner, found


def count_identities(session: Session, workspace: str) -> int:
    from sqlalchemy import func

    query = select(func.count()).select_from(NhiIdentity).where(NhiIdentity.workspace == workspace)
    return int(session.exec(query).one())


def refs_by_email(session: Session, emails: Iterable[str]) -> dict[str, str]:
    """lower-case email -> chat user ref, for owners an export names by email."""
    wanted = sorted({e.lower() for e in emails})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = select(UserProfile.ref, UserProfile.email).where(
            col(UserProfile.email).in_(wanted[start:start + 500]))
        for ref, email in session.exec(query).all():
            if email and not ref.startswith("email:"):
                found.setdefault(email.lower(), ref)
    return found


def links(session: Session, workspace: str, *, active_only: bool = True,
          ) -> list[tuple[NhiTaskLink, Task]]:
    """Task links of an inventory with their tasks, oldest first."""
    query = select(NhiTaskLink, Task).where(NhiTaskLink.workspace == workspace,
                                            NhiTaskLink.task_id == Task.id)
    if active_only:
        query = query.where(col(Task.status).in_(ACTIVE))
    return [(link, task) for link, task in
            session.exec(query.order_by(col(NhiTaskLink.id))).all()]


class OpenLink(NamedTuple):
    """A link of an open (or snoozed) task, as a plain row (`open_links`)."""

    id: int
    owner: str
    gap_kind: str
    task_id: int
    identities: list[str]


def open_links(session: Session, workspace: str) -> list[OpenLink]:
    """The links of an inventory's open and snoozed tasks, oldest first, as plain rows:
    what the task sync compares its groups with. The sync loads as objects
    (`links_by_id`) only the few it changes: loading every link and task of a large
    inventory as ORM objects on every import cost a few tenths of a second on SQLite and
    most of a second on PostgreSQL.
    """
    link: Table = NhiTaskLink.__table__  # type: ignore[attr-defined]
    task: Table = Task.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    rows = [OpenLink(*row) for row in conn.execute(
        core_select(link.c.id, link.c.owner, link.c.gap_kind, link.c.task_id, link.c.identities)
        .where(link.c.workspace == workspace).order_by(link.c.id))]
    # the tasks' status by primary key, not joined: on tables not yet analysed (a new
    # installation's first imports) PostgreSQL joined them with a nested loop that scanned
    # the workspace's links once per task, half a second at 2,696 tasks
    wanted = sorted({r.task_id for r in rows})
    active: set[int] = set()
    for start in range(0, len(wanted), 500):
        active.update(conn.execute(core_select(task.c.id).where(
            task.c.id.in_(wanted[start:start + 500]), task.c.status.in_(ACTIVE))).scalars())
    return [r for r in rows if r.task_id in active]


def links_by_id(session: Session, ids: Iterable[int]) -> dict[int, tuple[NhiTaskLink, Task]]:
    """Links (by id) with their tasks, as objects in the session."""
    wanted = sorted(set(ids))
    found: dict[int, tuple[NhiTaskLink, Task]] = {}
    for start in range(0, len(wanted), 500):
        query = select(NhiTaskLink, Task).where(
            col(NhiTaskLink.id).in_(wanted[start:start + 500]), NhiTaskLink.task_id == Task.id)
        for link, task in session.exec(query).all():
            assert link.id is not None
            found[link.id] = (link, task)
    return found


def add_links(session: Session, rows: Sequence[dict[str, Any]], *, workspace: str,
              now: datetime) -> None:
    """New links in one statement; each row has owner, gap_kind, task_id and identities."""
    if rows:
        table: Table = NhiTaskLink.__table__  # type: ignore[attr-defined]
        session.flush()  # the tasks they point at must exist first
        session.connection().execute(table.insert(), [
            {**r, "workspace": workspace, "updated_at": as_utc(now), "meta": {}} for r in rows])


def relist_task(
    session: Session, link: NhiTaskLink, task: Task, *, identities: list[str], title: str,
    why: str, actor: str, now: datetime, source: str = "import",
) -> None:
    """Replace the identities an open task lists; the change goes into the task's history."""
    now = as_utc(now)
    before, after = set(link.identities), set(identities)
    added, removed = sorted(after - before), sorted(before - after)
    link.identities = identities
    link.updated_at = now
    task.title = title[:500]
    task.why = why
    task.updated_at = now
    session.add(link)
    session.add(task)
    assert task.id is not None
    session.add(TaskEvent(task_id=task.id, at=now, actor=actor, source=source,
                          action="updated", detail={
                              "identities": len(identities), "added_count": len(added),
                              "removed_count": len(removed), "added": added[:20],
                              "removed": removed[:20]}))


def note_task(session: Session, task_id: int, *, action: str, actor: str, now: datetime,
              detail: dict[str, Any], source: str = "import") -> None:
    """An inventory-specific entry in a task's history (what the import listed or resolved)."""
    session.add(TaskEvent(task_id=task_id, at=as_utc(now), actor=actor, source=source,
                          action=action, detail=detail))


def note_tasks(session: Session, notes: Sequence[tuple[int, str, dict[str, Any]]], *,
               actor: str, now: datetime, source: str = "import") -> None:
    """Many (task_id, action, detail) history entries in one statement."""
    if notes:
        table: Table = TaskEvent.__table__  # type: ignore[attr-defined]
        session.flush()
        session.connection().execute(table.insert(), [
            {"task_id": t, "at": as_utc(now), "actor": actor, "source": source,
             "action": a, "detail": d} for t, a, d in notes])


def identity_rows(session: Session, workspace: str, *, batch: int = 5000,
                  ) -> Iterator[dict[str, Any]]:
    """``id`` plus the import FIELDS of every identity in `workspace`, streamed (one query,
    `yield_per`), for re-judging gaps without an import (`dialogs.inventory.reevaluate`)."""
    columns = [TABLE.c.id] + [TABLE.c[f] for f in FIELDS]
    query = (core_select(*columns).where(TABLE.c.workspace == workspace)
             .execution_options(yield_per=batch))
    for rows in session.connection().execute(query).partitions():
        for row in rows:
            yield dict(row._mapping)


def set_gaps(session: Session, changes: Sequence[tuple[int, list[str]]], *,
             now: datetime) -> None:
    """Write re-judged gap lists (``(id, gaps)``) and when they were judged."""
    if not changes:
        return
    statement = update(TABLE).where(TABLE.c.id == bindparam("row_id")).values(
        gaps=bindparam("new_gaps"), evaluated_at=bindparam("at"))
    at = as_utc(now)
    session.connection().execute(statement, [
        {"row_id": row_id, "new_gaps": gaps, "at": at} for row_id, gaps in changes])


def last_importer(session: Session, workspace: str) -> str | None:
    """Who imported into `workspace` most recently: unowned identities' tasks go to them."""
    query = (core_select(TABLE.c.imported_by).where(TABLE.c.workspace == workspace)
             .order_by(TABLE.c.last_seen_at.desc(), TABLE.c.id.desc()).limit(1))
    return session.connection().execute(query).scalar()


def inventory_workspaces(session: Session) -> list[str]:
    """Every workspace that has an inventory, sorted."""
    query = core_select(TABLE.c.workspace).distinct().order_by(TABLE.c.workspace)
    return list(session.connection().execute(query).scalars())
