"""Who may do what (dialogs/policy.py), proven at the wire on Slack and Teams.

A member of the same workspace who sends a task button's payload with another member's
task id (Done, Snooze, Reassign, Not applicable, and Slack's Not-applicable form) gets a
polite private refusal and nothing changes: not the status, not the owner, not the history.
The owner, whoever created the task and an idgov admin (``IDGOV_ADMINS``; on Slack also a
workspace admin as ``users.info`` says) succeed; handing a task to someone outside the
workspace needs an admin; another workspace's task is still "not found". Refusals are
logged without user ids and counted on ``/metrics`` (``idgov_refusals_total{action}``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import date
from itertools import count
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cards.render import reassign_input_id
from dialogs import policy
from dialogs.task_ops import create_task
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Task, TaskEvent
from tests.slack_payloads.harness import TEAM, Server, payload, responses
from tests.standins.slack_api import SlackApiStandIn
from tests.teams_helpers import APP_ENV, TENANT, post, running_server, texts, with_tenant
from tests.teams_helpers import payload as teams_payload

pytestmark = pytest.mark.usefixtures("slack_fresh")

OWNER, CREATOR, MEMBER, ADMIN, OTHER = "U0OWNER01", "U0CREATOR", "U0MEMBER1", "U0ADMIN01", \
    "U0MEMBER2"
_n = count(1)


@pytest.fixture(scope="module")
def standin() -> Iterator[SlackApiStandIn]:
    api = SlackApiStandIn().start()
    for user in (OWNER, CREATOR, MEMBER, OTHER):
        api.add_user(user)
    api.add_user(ADMIN)
    api.users[ADMIN]["is_admin"] = True  # users.info says so, as Slack does for admins
    yield api
    api.stop()


@pytest.fixture(autouse=True)
def _admins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("IDGOV_ADMINS", raising=False)
    policy.policy_settings.cache_clear()
    yield
    policy.policy_settings.cache_clear()


def _task(engine: Engine, workspace: str, owner: str, creator: str) -> int:
    with session_scope(engine) as session:
        task = create_task(session, workspace=workspace, kind="rotation",
                           title=f"Rotate the CI deploy key {next(_n)}", owner=owner,
                           created_by=creator, due=date(2030, 1, 31), source="cli",
                           now=utcnow())
        assert task.id is not None
        return task.id


def _state(engine: Engine, task_id: int) -> tuple[str, str, Any, list[tuple[str, str]]]:
    with Session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        events = session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id)
                              .order_by(TaskEvent.id)).all()  # type: ignore[arg-type]
        return task.status, task.owner, task.snoozed_until, [(e.action, e.actor)
                                                              for e in events]


# --- Slack -----------------------------------------------------------------------------
def _slack_press(server: Server, standin: SlackApiStandIn, user: str, element: dict[str, Any],
                 *, picked: str | None = None, team: str = TEAM) -> str:
    """A forged press on an ephemeral message (no message to splice): the response_url."""
    body = payload("block_actions_ephemeral")
    body["user"].update(id=user, team_id=team)
    body["team"]["id"] = team
    path = f"actions/authz-{next(_n)}"
    body["response_url"] = standin.response_url + path
    pressed = {"type": "button", "block_id": "b1", "action_ts": str(time.time()),
               "text": {"type": "plain_text", "text": "x"}, **element}
    if picked:
        pressed["selected_user"] = picked
    body["actions"] = [pressed]
    status, _ = server.post_form({"payload": json.dumps(body)})
    assert status == 200
    return "response_url:" + path


def _element(verb: str, task_id: int, **extra: Any) -> dict[str, Any]:
    if verb == "task_reassign":
        return {"type": "users_select", "action_id": f"idgov.task_reassign#{task_id}"}
    return {"action_id": f"idgov.{verb}", "value": json.dumps({"t": task_id, **extra})}


def _note(standin: SlackApiStandIn, method: str) -> str:
    def mine() -> list[Any]:
        return [c for c in responses(standin) if c.method == method]

    deadline = time.time() + 10
    while not mine() and time.time() < deadline:
        time.sleep(0.02)
    found = mine()
    assert found, f"no answer on {method}"
    return json.dumps(found[-1].body)


SLACK_PRESSES = [("task_done", {}, None), ("task_snooze", {"d": 30}, None),
                 ("task_reassign", {}, "PICKED"), ("task_na", {}, None)]


@pytest.mark.parametrize(("verb", "extra", "picked"), SLACK_PRESSES)
def test_slack_member_cannot_change_another_members_task(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine, verb: str,
    extra: dict[str, Any], picked: str | None, caplog: pytest.LogCaptureFixture,
) -> None:
    task_id = _task(slack_engine, f"slack:{TEAM}", f"slack:{TEAM}:{OWNER}",
                    f"slack:{TEAM}:{CREATOR}")
    before = _state(slack_engine, task_id)
    with caplog.at_level(logging.WARNING, logger="dialogs.policy"):
        note = _slack_press(server, standin, MEMBER, _element(verb, task_id, **extra),
                            picked=MEMBER if picked else None)
        text = _note(standin, note)
    assert "nothing was changed" in text and "owner" in text
    assert _state(slack_engine, task_id) == before
    assert not standin.calls_to("views.open")  # no N/A form for someone who may not close it
    logged = [r.getMessage() for r in caplog.records if r.name == "dialogs.policy"]
    assert logged == [f"refused {verb} on slack (task {task_id})"]
    assert MEMBER not in logged[0] and TEAM not in logged[0]


@pytest.mark.parametrize("who", [OWNER, CREATOR, ADMIN])
@pytest.mark.parametrize(("verb", "extra", "picked"), SLACK_PRESSES[:3])
def test_slack_owner_creator_and_admin_may_change_it(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine, who: str, verb: str,
    extra: dict[str, Any], picked: str | None,
) -> None:
    task_id = _task(slack_engine, f"slack:{TEAM}", f"slack:{TEAM}:{OWNER}",
                    f"slack:{TEAM}:{CREATOR}")
    note = _slack_press(server, standin, who, _element(verb, task_id, **extra),
                        picked=OTHER if picked else None)
    _note(standin, note)
    status, owner, _, history = _state(slack_engine, task_id)
    expected = {"task_done": ("done", OWNER), "task_snooze": ("snoozed", OWNER),
                "task_reassign": ("open", OTHER)}[verb]
    assert (status, owner) == (expected[0], f"slack:{TEAM}:{expected[1]}")
    assert history[-1][1] == f"slack:{TEAM}:{who}"


def test_slack_admin_named_in_idgov_admins_may_change_it(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    task_id = _task(slack_engine, f"slack:{TEAM}", f"slack:{TEAM}:{OWNER}",
                    f"slack:{TEAM}:{CREATOR}")
    monkeypatch.setenv("IDGOV_ADMINS", f"teams:{TENANT}:someone, slack:{TEAM}:{MEMBER}")
    policy.policy_settings.cache_clear()
    _note(standin, _slack_press(server, standin, MEMBER, _element("task_done", task_id)))
    assert _state(slack_engine, task_id)[0] == "done"


def _submit_na(server: Server, user: str, task_id: int, reason: str) -> dict[str, Any]:
    body = payload("view_submission_na_reason")
    body["user"]["id"] = user
    body["view"]["private_metadata"] = json.dumps({"t": task_id, "s": "e"})
    body["view"]["state"]["values"]["reason"]["reason_text"]["value"] = reason
    status, text = server.post_form({"payload": json.dumps(body)})
    assert status == 200, text
    return json.loads(text) if text.strip() else {}


def test_slack_forged_not_applicable_form_is_refused_and_the_owners_is_recorded(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine,
) -> None:
    task_id = _task(slack_engine, f"slack:{TEAM}", f"slack:{TEAM}:{OWNER}",
                    f"slack:{TEAM}:{CREATOR}")
    before = _state(slack_engine, task_id)
    answer = _submit_na(server, MEMBER, task_id, "not ours")
    assert answer["response_action"] == "errors"
    assert "nothing was changed" in answer["errors"]["reason"]
    assert _state(slack_engine, task_id) == before
    assert _submit_na(server, OWNER, task_id, "the key was retired") == {}
    assert _state(slack_engine, task_id)[0] == "not_applicable"


def test_slack_cross_workspace_press_is_still_not_found(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine,
) -> None:
    task_id = _task(slack_engine, "slack:T0OTHER", "slack:T0OTHER:U1", "slack:T0OTHER:U1")
    before = _state(slack_engine, task_id)
    text = _note(standin, _slack_press(server, standin, ADMIN, _element("task_done", task_id)))
    assert "find" in text.lower() and "owner" not in text
    assert _state(slack_engine, task_id) == before


def test_refusals_are_counted_on_metrics(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine,
) -> None:
    def refused_done() -> float:
        _, text = server.get("/metrics")
        for line in text.splitlines():
            if line.startswith('idgov_refusals_total{action="task_done"}'):
                return float(line.rsplit(" ", 1)[1])
        raise AssertionError("idgov_refusals_total{action=task_done} not exposed")

    start = refused_done()
    task_id = _task(slack_engine, f"slack:{TEAM}", f"slack:{TEAM}:{OWNER}",
                    f"slack:{TEAM}:{OWNER}")
    _note(standin, _slack_press(server, standin, MEMBER, _element("task_done", task_id)))
    assert refused_done() == start + 1
    _, text = server.get("/metrics")
    labels = {line.split('"')[1] for line in text.splitlines()
              if line.startswith("idgov_refusals_total{")}
    assert labels <= policy.REFUSAL_ACTIONS | {"other"}


# --- Teams -----------------------------------------------------------------------------
T_OWNER, T_MEMBER = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
T_CREATOR = "cccccccc-0000-4000-8000-000000000003"


@pytest.fixture
def _no_app_id(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)


def _ref(aad: str) -> str:
    return f"teams:{TENANT}:{aad}"


async def _teams_press(url: str, service_url: str, user: str, value: dict[str, Any]) -> None:
    activity = with_tenant(teams_payload("personal_card_submit", service_url, value=value),
                           TENANT, user_aad=user)
    status, _ = await post(url, activity)
    assert status in (200, 201)


@pytest.mark.usefixtures("_no_app_id")
async def test_teams_member_refused_owner_creator_and_admin_allowed(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    tasks = {verb: _task(sqlite_engine, f"teams:{TENANT}", _ref(T_OWNER), _ref(T_CREATOR))
             for verb in ("task_done", "task_snooze", "task_reassign", "task_na")}
    values: dict[str, dict[str, Any]] = {
        "task_done": {}, "task_snooze": {"d": 7}, "task_na": {"reason": "not ours"},
        "task_reassign": {reassign_input_id(tasks["task_reassign"]): _ref(T_MEMBER)}}
    async with running_server(sqlite_engine) as (url, conn):
        for verb, task_id in tasks.items():
            before = _state(sqlite_engine, task_id)
            await _teams_press(url, conn.service_url, T_MEMBER,
                               {"idgov": verb, "t": task_id, **values[verb]})
            said = texts(conn.calls[-1].card) + json.dumps(conn.calls[-1].body)
            assert "nothing was changed" in said, verb
            assert _state(sqlite_engine, task_id) == before, verb
        # the creator closes one, the owner another
        await _teams_press(url, conn.service_url, T_CREATOR,
                           {"idgov": "task_done", "t": tasks["task_done"]})
        await _teams_press(url, conn.service_url, T_OWNER,
                           {"idgov": "task_na", "t": tasks["task_na"], "reason": "retired"})
        # handing a task to an email address (outside the tenant) needs an admin
        reassign = tasks["task_reassign"]
        outside = {"idgov": "task_reassign", "t": reassign,
                   reassign_input_id(reassign): "contractor@example.net"}
        await _teams_press(url, conn.service_url, T_OWNER, outside)
        assert "outside this workspace" in json.dumps(conn.calls[-1].body)
        assert _state(sqlite_engine, reassign)[1] == _ref(T_OWNER)
        monkeypatch.setenv("IDGOV_ADMINS", _ref(T_MEMBER))
        policy.policy_settings.cache_clear()
        await _teams_press(url, conn.service_url, T_MEMBER, outside)
        await _teams_press(url, conn.service_url, T_MEMBER,
                           {"idgov": "task_snooze", "t": tasks["task_snooze"], "d": 7})
    assert _state(sqlite_engine, tasks["task_done"])[:2] == ("done", _ref(T_OWNER))
    assert _state(sqlite_engine, tasks["task_na"])[0] == "not_applicable"
    assert _state(sqlite_engine, reassign)[1] == "email:contractor@example.net"
    assert _state(sqlite_engine, tasks["task_snooze"])[0] == "snoozed"


# --- ids out of range are "could not read that button", not silence ---------------------
BAD_IDS = [2**63, 1180591620717411303424, -1]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_slack_button_with_an_out_of_range_id_gets_the_polite_note(
    server: Server, standin: SlackApiStandIn, bad: int,
) -> None:
    from dialogs.handlers import UNKNOWN_BUTTON

    _slack_press(server, standin, OWNER, {"action_id": "idgov.task_done",
                                          "value": json.dumps({"t": bad})})
    note = standin.wait_for("chat.postEphemeral")[0]
    assert note.body["user"] == OWNER and UNKNOWN_BUTTON in note.body["text"]


@pytest.mark.usefixtures("_no_app_id")
async def test_teams_submit_with_an_out_of_range_id_gets_the_polite_note(
    sqlite_engine: Engine,
) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        for bad in BAD_IDS:
            before = len(conn.calls)
            await _teams_press(url, conn.service_url, T_OWNER, {"idgov": "task_done", "t": bad})
            sent = conn.calls[before:]
            assert sent and "not one I know" in json.dumps(sent[-1].body)


# --- logged user values are escaped and capped -------------------------------------------
FORGED = "C1\nINFO forged line " + "x" * 5000


def test_slack_delivery_logs_user_values_escaped_and_capped(
    standin: SlackApiStandIn, caplog: pytest.LogCaptureFixture,
) -> None:
    import asyncio

    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack.delivery import call
    from tests.standins.slack_api import Failure

    standin.fail("chat.postMessage", Failure(error="channel_not_found\nINFO forged"))
    client = AsyncWebClient(token="xoxb-test-token", base_url=standin.base_url)
    with caplog.at_level(logging.ERROR, logger="bot.slack.delivery"):
        assert asyncio.run(call(client, "chat.postMessage", channel=FORGED, text="hi")) is None
    [record] = [r for r in caplog.records if r.name == "bot.slack.delivery"]
    line = record.getMessage()
    assert "\n" not in line and len(line) < 400 and "\\n" in line


@pytest.mark.usefixtures("_no_app_id")
async def test_teams_logs_user_values_escaped_and_capped(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        with caplog.at_level(logging.INFO, logger="bot.teams"):
            await _teams_press(url, conn.service_url, T_OWNER, {"idgov": FORGED})
            activity = teams_payload("personal_message", conn.service_url, text="hello")
            activity["id"] = "1480\nINFO forged line"
            assert (await post(url, activity))[0] in (200, 201)
            await post(url, activity)  # the duplicate is logged with its (forged) id
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.teams")]
    assert any("unknown card submit" in line for line in lines)
    assert any("duplicate activity" in line for line in lines)
    for line in lines:
        assert "\n" not in line and len(line) < 1000, line[:200]


# --- votes are per voter ------------------------------------------------------------------
def test_slack_votes_on_one_answer_are_kept_per_voter(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine,
) -> None:
    from storage.feedback import tally, votes
    from storage.models import Feedback
    from tests.slack_payloads.harness import CHANNEL, button

    question = f"what is SOC 2 Type II? ({next(_n)})"
    server.event("event_app_mention", text=f"<@UBOT> {question}", ts="1700000001.000100")
    answer = standin.wait_for("chat.postMessage")[0]
    assert answer.response
    for user, label in ((OWNER, "Yes"), (MEMBER, "No"), (OTHER, "Yes"), (MEMBER, "Yes")):
        server.press(standin, button(answer, label), channel=CHANNEL, user=user,
                     message_ts=answer.response["ts"], thread_ts="1700000001.000100")
    standin.wait_for("chat.postEphemeral", 4)
    with Session(slack_engine) as session:
        row = session.exec(select(Feedback).where(Feedback.question == question)).one()
        assert row.id is not None
        cast = {v.voter: v.helpful for v in votes(session, row.id)}
        assert cast == {f"slack:{TEAM}:{OWNER}": True, f"slack:{TEAM}:{MEMBER}": True,
                        f"slack:{TEAM}:{OTHER}": True}
        assert tally(session, row.id) == (3, 0) and row.helpful is True
