"""What idgov keeps, and how it goes (issue 14): the privacy and terms URLs the Teams package
names are served, and `idgov data delete` erases one workspace and nothing else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.cli.main import main
from bot.server import create_app
from bot.teams.package import render_manifest
from dialogs.task_ops import create_task
from storage.clock import utcnow
from storage.db import get_engine, session_scope
from storage.models import ChannelSetting, Task, TaskEvent

APP_ID = "00000000-0000-0000-0000-000000000001"


async def test_privacy_and_terms_are_served_where_the_teams_package_points(
        sqlite_engine: Engine) -> None:
    manifest = render_manifest(APP_ID, "https://idgov.example.com")
    privacy, terms = manifest["developer"]["privacyUrl"], manifest["developer"]["termsOfUseUrl"]
    assert privacy == "https://idgov.example.com/idgov/privacy"
    assert terms == "https://idgov.example.com/idgov/terms"
    app = create_app(sqlite_engine, slack=None, teams=False, scheduler=False)
    async with TestClient(TestServer(app)) as client:
        for url, needle in ((privacy, "data delete"), (terms, "not legal")):
            resp = await client.get(url.removeprefix("https://idgov.example.com"))
            assert resp.status == 200 and needle in await resp.text()


def _seed(engine: Engine, team: str) -> int:
    with session_scope(engine) as session:
        task = create_task(session, workspace=f"slack:{team}", kind="rotation",
                           title="Rotate keys", owner=f"slack:{team}:U1",
                           created_by=f"slack:{team}:U1", due=date(2030, 1, 1), source="cli",
                           now=utcnow())
        session.add(ChannelSetting(platform="slack", workspace=f"slack:{team}", channel="C1"))
        assert task.id is not None
        return task.id


def test_data_delete_erases_one_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = get_engine(url)
    gone, kept = _seed(engine, "T0GONE"), _seed(engine, "T0KEEP")
    assert main(["data", "delete", "slack:T0GONE"]) == 0  # dry run
    assert "would delete" in capsys.readouterr().out
    with Session(engine) as s:
        assert s.get(Task, gone) is not None
    assert main(["data", "delete", "slack:T0GONE", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "deleted" in out and "1 task" in out
    with Session(engine) as s:
        assert s.get(Task, gone) is None and s.get(Task, kept) is not None
        assert s.exec(select(TaskEvent).where(col(TaskEvent.task_id) == gone)).all() == []
        assert s.get(ChannelSetting, ("slack", "slack:T0GONE", "C1")) is None
        assert s.get(ChannelSetting, ("slack", "slack:T0KEEP", "C1")) is not None
    assert main(["data", "delete", "nonsense"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
