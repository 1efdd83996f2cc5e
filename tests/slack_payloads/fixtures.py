"""Module-scoped fixtures for Slack wire tests: one stand-in Web API, one migrated SQLite
database and one running idgov server per test module (fast), reset between tests.

Registered for the whole suite in tests/conftest.py; a module overrides `server` when it
needs other settings (OAuth), and opts into the per-test reset with
``pytestmark = pytest.mark.usefixtures("slack_fresh")``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from storage.db import make_engine, migrate
from tests.slack_payloads.harness import Server, check_block_kit, settings
from tests.standins.slack_api import SlackApiStandIn


@pytest.fixture(scope="module")
def standin() -> Iterator[SlackApiStandIn]:
    api = SlackApiStandIn().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def slack_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("slack") / "idgov.db"
    eng = make_engine(f"sqlite:///{path}")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def server(slack_engine: Engine, standin: SlackApiStandIn) -> Iterator[Server]:
    srv = Server(slack_engine, settings(standin)).start()
    yield srv
    srv.stop()


@pytest.fixture
def slack_fresh(standin: SlackApiStandIn) -> Iterator[None]:
    """Forget earlier calls; afterwards check every Block Kit payload the test made us send."""
    standin.reset()
    yield
    check_block_kit(standin.calls)
