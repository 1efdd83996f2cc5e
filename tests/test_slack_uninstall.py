"""A workspace that removes the app (issue 14): ``app_uninstalled`` / ``tokens_revoked`` delete
its installation and tokens (Bolt's revocation listeners on slack_sdk's store), stop its
nudges and digests, and say so in each task's history; other workspaces are untouched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dialogs.task_ops import create_task
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import ChannelSetting, Task, TaskEvent
from tests.slack_payloads.harness import Server, settings, wait_until
from tests.standins.slack_api import SlackApiStandIn

CLIENT_ID = "3333.4444"
TEAMS = {"T0GONE": "xoxb-gone", "T0STAY": "xoxb-stay", "T0REVOKE": "xoxb-revoke"}

pytestmark = pytest.mark.usefixtures("slack_fresh")


@pytest.fixture(scope="module")
def store(slack_engine: Engine) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=slack_engine)


@pytest.fixture(scope="module")
def server(slack_engine: Engine, standin: SlackApiStandIn,
           store: SQLAlchemyInstallationStore) -> Iterator[Server]:
    oauth = settings(standin, SLACK_BOT_TOKEN="", SLACK_CLIENT_ID=CLIENT_ID,
                     SLACK_CLIENT_SECRET="client-secret", SLACK_STATE_SECRET="state-secret")
    srv = Server(slack_engine, oauth).start()
    for team, token in TEAMS.items():
        store.save(Installation(app_id="A0001", team_id=team, bot_token=token,
                                bot_id=f"B{team}", bot_user_id="UBOT",
                                bot_scopes=["chat:write"], user_id="UINSTALLER"))
    yield srv
    srv.stop()


def _task(engine: Engine, team: str) -> int:
    with session_scope(engine) as session:
        task = create_task(session, workspace=f"slack:{team}", kind="rotation",
                           title=f"Rotate the keys of {team}", owner=f"slack:{team}:U1",
                           created_by=f"slack:{team}:U1", due=date.today() + timedelta(days=3),
                           source="cli", now=utcnow())
        session.add(ChannelSetting(platform="slack", workspace=f"slack:{team}",
                                   channel="C1", digest=True, autoanswer=True))
        assert task.id is not None and task.next_nudge_at is not None
        return task.id


def _event(server: Server, team: str, event: dict[str, Any]) -> int:
    body = {"token": "x", "team_id": team, "api_app_id": "A0001", "type": "event_callback",
            "event_id": f"Ev{team}{time.time_ns()}", "event_time": int(time.time()),
            "event": event, "authorizations": [{"team_id": team, "is_bot": True,
                                                "user_id": "UBOT"}]}
    return server.post_json(body)[0]


def _stopped(engine: Engine, task_id: int) -> bool:
    with Session(engine) as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task.next_nudge_at is None


def test_app_uninstalled_deletes_tokens_and_stops_nudges(
        server: Server, slack_engine: Engine, store: SQLAlchemyInstallationStore) -> None:
    gone, stay = _task(slack_engine, "T0GONE"), _task(slack_engine, "T0STAY")
    assert _event(server, "T0GONE", {"type": "app_uninstalled"}) == 200
    wait_until(lambda: store.find_bot(enterprise_id=None, team_id="T0GONE") is None)
    wait_until(lambda: _stopped(slack_engine, gone))
    assert store.find_installation(enterprise_id=None, team_id="T0GONE") is None
    assert store.find_bot(enterprise_id=None, team_id="T0STAY") is not None
    assert not _stopped(slack_engine, stay)
    with Session(slack_engine) as s:
        history = s.exec(select(TaskEvent).where(col(TaskEvent.task_id) == gone)).all()
        assert [e.action for e in history][-1] == "nudges_stopped"
        assert history[-1].detail == {"reason": "app uninstalled"}
        digest = s.get(ChannelSetting, ("slack", "slack:T0GONE", "C1"))
        assert digest is not None and not digest.digest and not digest.autoanswer
        kept = s.get(ChannelSetting, ("slack", "slack:T0STAY", "C1"))
        assert kept is not None and kept.digest


def test_bot_tokens_revoked_deletes_the_bot_and_stops_nudges(
        server: Server, slack_engine: Engine, store: SQLAlchemyInstallationStore) -> None:
    task = _task(slack_engine, "T0REVOKE")
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert _event(server, "T0REVOKE", event) == 200
    wait_until(lambda: store.find_bot(enterprise_id=None, team_id="T0REVOKE") is None)
    wait_until(lambda: _stopped(slack_engine, task))


def test_bolt_no_longer_warns_about_client_and_token(
        slack_engine: Engine, standin: SlackApiStandIn, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from bot.server import create_app

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    create_app(slack_engine, slack=settings(standin), teams=False, scheduler=False)
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
