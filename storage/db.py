"""Engine and session setup from DATABASE_URL, and migrations applied on start.

`postgresql://user:pass@host:port/db` is rewritten to the psycopg 3 driver the project
ships, so operators can paste the usual URL form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseUrlError(ValueError):
    """DATABASE_URL is not something we can connect to; message is one line."""


def normalise_url(url: str) -> str:
    """Map the usual URL spellings onto drivers we ship (psycopg 3 for PostgreSQL)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a long message
        raise DatabaseUrlError("DATABASE_URL is not a valid database URL (expected "
                               "sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB)") from exc
    backend = parsed.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise DatabaseUrlError(
            f"DATABASE_URL backend {backend!r} is not supported; use sqlite:/// or postgresql://"
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    # WAL lets readers proceed while the single writer writes; busy_timeout makes
    # concurrent writers (two sweepers, web + cron) wait instead of failing.
    cur.execute("PRAGMA journal_mode=WAL")
    # Under WAL, synchronous=NORMAL fsyncs at checkpoints instead of at every commit (the
    # profiles of issue 7 found per-commit fsync at a quarter of the server's time). It
    # stays consistent and durable across application crashes; only an OS crash or power
    # loss can lose the last commits before the next checkpoint (never corrupt the file).
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _no_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _has_nul(values: Any) -> bool:
    return any(isinstance(v, str) and "\x00" in v for v in values)


def row_without_nul(row: Any) -> Any:
    """`row` (a dict, list or tuple of parameters) with NUL dropped from its text values."""
    if isinstance(row, dict) and _has_nul(row.values()):
        return {k: _no_nul(v) for k, v in row.items()}
    if isinstance(row, (list, tuple)) and _has_nul(row):
        return type(row)(_no_nul(v) for v in row)
    return row


def _strip_nul(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
               executemany: bool) -> tuple[str, Any]:
    """Drop NUL characters from every text parameter, on every backend.

    PostgreSQL refuses NUL in text ("DataError: ... cannot contain NUL (0x00) bytes"), so a
    NUL typed into a mention, `/idgov ask`, a DM or an imported CSV row got no reply or an
    internal error there while SQLite stored it. Stripping it at the one place every write
    passes makes both backends store the same text (JSON columns are serialised first, with
    NUL escaped as \\u0000, which both accept). Control characters other than NUL are kept
    on both and escaped where printed (`bot.cli.output`).
    """
    if executemany and isinstance(parameters, (list, tuple)):
        return statement, [row_without_nul(row) for row in parameters]
    return statement, row_without_nul(parameters)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    event.listen(engine, "before_cursor_execute", _strip_nul, retval=True)
    return engine


def _script_heads() -> frozenset[str]:
    """Head revisions of the shipped migrations, read from the files without Alembic.

    A revision is a head when no other migration names it as its down_revision.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        down = re.search(r"^down_revision\s*=\s*(.+)$", text, re.M)
        if rev:
            revisions.add(rev.group(1))
        if down:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return frozenset(revisions - parents)


def _at_heads(engine: Engine) -> bool:
    """True when the database already records exactly the shipped heads."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            current = frozenset(str(r) for r in rows)
    except DBAPIError:
        return False  # no alembic_version table yet: a new database
    return bool(current) and current == _script_heads()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (all heads); safe to call on every start.

    An up-to-date database is recognised with one query, so short CLI commands skip
    importing and running Alembic (a cold `idgov ask` must start in well under a second).
    """
    if _at_heads(engine):
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection_engine"] = engine
    command.upgrade(cfg, "heads")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None, *, migrate_schema: bool = True) -> Engine:
    """Process-wide engine per URL, migrated once on first use."""
    from storage.config import core_settings

    key = url or core_settings().database_url
    engine = _engines.get(key)
    if engine is None:
        engine = make_engine(key)
        if migrate_schema:
            migrate(engine)
        _engines[key] = engine
    return engine
