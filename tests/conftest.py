"""Shared fixtures: a database per test on SQLite and (when available) PostgreSQL.

`db_url` is parametrised over both backends so the storage contract runs against each;
PostgreSQL tests skip with a stated reason only where the server cannot be started
(`.ci/run` installs it, so CI always runs them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from storage.db import make_engine, migrate
from tests import pgserver

pytest_plugins = ["tests.slack_payloads.fixtures"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.PgServer]:
    server, reason = pgserver.start()
    if server is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(reason)
    yield server
    server.stop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'idgov.db'}"


@pytest.fixture
def pg_url(pg_server: pgserver.PgServer) -> str:
    return pg_server.create_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on each backend."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    migrate(eng)
    yield eng
    eng.dispose()
