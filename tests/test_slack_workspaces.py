"""OAuth install and two workspaces at the wire: the install pages, installations stored in
our database, App Home and task buttons per workspace, and no data crossing workspaces."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from datetime import date

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dialogs.task_ops import create_task
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Task, TaskEvent
from tests.slack_payloads.harness import (
    Server,
    buttons,
    payload,
    responses,
    settings,
    wait_until,
)
from tests.standins.slack_api import Failure, SlackApiStandIn

CLIENT_ID = "1111.2222"
USER = "U0SAME"  # the same user id in both workspaces must still see only its own data
TEAMS = {"T0AAA": "xoxb-aaa", "T0BBB": "xoxb-bbb"}

pytestmark = pytest.mark.usefixtures("slack_fresh")


@pytest.fixture(scope="module")
def server(slack_engine: Engine, standin: SlackApiStandIn) -> Iterator[Server]:
    oauth = settings(standin, SLACK_BOT_TOKEN="", SLACK_CLIENT_ID=CLIENT_ID,
                     SLACK_CLIENT_SECRET="client-secret", SLACK_STATE_SECRET="state-secret")
    assert oauth.mode == "oauth"
    srv = Server(slack_engine, oauth).start()  # creates the installation/state tables
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=slack_engine)
    for team, token in TEAMS.items():
        store.save(Installation(app_id="A0001", team_id=team, bot_token=token,
                                bot_id=f"B{team}", bot_user_id="UBOT",
                                bot_scopes=["chat:write"], user_id="UINSTALLER"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def task_ids(slack_engine: Engine, server: Server) -> dict[str, int]:
    ids = {}
    with session_scope(slack_engine) as session:
        for team in TEAMS:
            task = create_task(session, workspace=f"slack:{team}", kind="rotation",
                               title=f"Rotate the deploy keys of {team}",
                               owner=f"slack:{team}:{USER}", created_by=f"slack:{team}:{USER}",
                               due=date(2030, 1, 31), source="cli", now=utcnow())
            assert task.id is not None
            ids[team] = task.id
    return ids


def _status(engine: Engine, task_id: int) -> tuple[str, str]:
    with Session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.status, task.owner


def test_each_workspace_home_shows_only_its_own_tasks_with_its_own_token(
    server: Server, standin: SlackApiStandIn, task_ids: dict[str, int]
) -> None:
    for team, token in TEAMS.items():
        standin.reset()
        server.event("event_app_home_opened", team=team, user=USER)
        view = standin.wait_for("views.publish")[0]
        assert view.body["user_id"] == USER
        assert view.headers["Authorization"] == f"Bearer {token}"
        shown = json.dumps(view.body["view"])
        other = next(t for t in TEAMS if t != team)
        assert f"deploy keys of {team}" in shown and f"deploy keys of {other}" not in shown


def test_tasks_command_lists_only_this_workspace(server: Server, standin: SlackApiStandIn,
                                                 task_ids: dict[str, int]) -> None:
    server.command(standin, "tasks", team="T0BBB", user=USER)
    listing = json.dumps(responses(standin)[-1].body)
    assert "deploy keys of T0BBB" in listing and "T0AAA" not in listing


def test_a_task_id_from_another_workspace_is_not_found(
    server: Server, standin: SlackApiStandIn, task_ids: dict[str, int], slack_engine: Engine
) -> None:
    foreign = {"type": "button", "action_id": "idgov.task_done",
               "text": {"type": "plain_text", "text": "Done"},
               "value": json.dumps({"t": task_ids["T0AAA"]})}
    server.press(standin, foreign, channel="D0BBB", message_ts="1.1", team="T0BBB", user=USER)
    note = responses(standin)[-1]
    assert "no task" in note.body["text"]
    assert _status(slack_engine, task_ids["T0AAA"])[0] == "open"


def test_home_buttons_reassign_and_close_a_task(
    server: Server, standin: SlackApiStandIn, task_ids: dict[str, int], slack_engine: Engine
) -> None:
    task_id = task_ids["T0AAA"]
    body = payload("block_actions_users_select_home")
    body["user"].update(id=USER, team_id="T0AAA")
    body["team"]["id"] = "T0AAA"
    body["actions"][0]["action_id"] = f"idgov.task_reassign#{task_id}"
    server.post_form({"payload": json.dumps(body)})
    wait_until(lambda: _status(slack_engine, task_id)[1] == "slack:T0AAA:U0NEWOWNER")
    standin.wait_for("views.publish")  # the Home tab is refreshed
    with Session(slack_engine) as session:
        event = session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id,
                                                     TaskEvent.action == "reassigned")).one()
        assert event.source == "slack" and event.actor == f"slack:T0AAA:{USER}"

    server.command(standin, "tasks", team="T0BBB", user=USER)
    listing = responses(standin)[-1]
    done = next(b for b in buttons(listing) if b.get("text", {}).get("text") == "Done")
    server.press(standin, done, channel="C0BBB", message_ts="1.2", team="T0BBB", user=USER)
    wait_until(lambda: _status(slack_engine, task_ids["T0BBB"])[0] == "done")
    assert "Done" in responses(standin, 2)[-1].body["text"]


def test_oauth_install_pages_store_a_new_installation(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    status, page = server.get("/slack/install")
    assert status == 200
    match = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
    assert match, page[:300]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(match.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID] and "chat:write" in query["scope"][0]
    state = query["state"][0]

    status, _ = server.get(f"/slack/oauth_redirect?code=abc&state={state}x")  # forged state
    assert status >= 400
    cookie = {"Cookie": f"slack-app-oauth-state={state}"}
    status, text = server.get(f"/slack/oauth_redirect?code=abc&state={state}", headers=cookie)
    assert status == 200, text[:300]
    exchange = standin.wait_for("oauth.v2.access")[-1]
    assert exchange.body["code"] == "abc"
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=slack_engine)
    assert store.find_bot(enterprise_id=None, team_id="T0001") is not None  # stand-in's team


def test_start_button_on_the_home_tab_opens_the_assessment_in_a_dm(
    server: Server, standin: SlackApiStandIn
) -> None:
    server.event("event_app_home_opened", team="T0AAA", user="U0HOME")
    view = standin.wait_for("views.publish")[0]
    elements = [el for block in view.body["view"]["blocks"] if block["type"] == "actions"
                for el in block["elements"]]
    start = next(el for el in elements if el.get("text", {}).get("text") == "Start assessment")
    body = payload("block_actions_users_select_home")
    body["user"].update(id="U0HOME", team_id="T0AAA")
    body["team"]["id"] = "T0AAA"
    body["actions"] = [{**start, "block_id": "b1", "action_ts": "1.0"}]
    server.post_form({"payload": json.dumps(body)})
    question = standin.wait_for("chat.postMessage")[0]
    assert question.body["channel"] == "DU0HOME" and "Question 1 of" in question.body["text"]
    assert question.headers["Authorization"] == "Bearer xoxb-aaa"


def test_assess_here_without_membership_explains_how_to_invite(
    server: Server, standin: SlackApiStandIn
) -> None:
    standin.fail("chat.postMessage", Failure(error="not_in_channel"))
    server.command(standin, "assess here", team="T0AAA", user=USER, channel="C0NOTIN")
    assert "/invite @idgov" in responses(standin)[-1].body["text"]
