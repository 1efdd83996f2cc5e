"""Parity as a test: the same conversation scripts through the Slack adapter and the Teams
adapter at the wire (signed Slack requests to /slack/events; Teams activities to
/api/messages), asserting the same outcome in the database and equivalent replies at the
stand-ins. One router serves both (docs/architecture.md), so a drift fails here.

The Slack user starts from a channel with ``/idgov assess`` (the assessment runs in the DM);
the Teams user starts by mentioning the bot in a channel (the assessment runs there). Both
assessments therefore remember their channel, so Share to channel works on both.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any, Protocol

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.slack.translate import element_value
from dialogs.actions import Action, Verb, from_slack, from_teams
from storage.db import make_engine, migrate, session_scope
from storage.models import Assessment, Conversation, Feedback, Task, TaskEvent
from tests.slack_payloads.harness import USER, Server, buttons, pressables, settings, wait_until
from tests.standins.connector import ConnectorStandIn
from tests.standins.slack_api import Call, SlackApiStandIn
from tests.teams_helpers import (
    APP_ENV,
    TENANT,
    payload,
    post,
    running_server,
    submits,
    texts,
)

DM = f"D{USER}"


class Driver(Protocol):
    engine: Engine
    actor_ref: str

    async def start(self) -> None: ...
    async def actions(self) -> list[Action]: ...  # on the newest card sent to the user
    async def all_actions(self) -> list[list[Action]]: ...  # per card with buttons, in order
    async def press(self, action: Action, **fields: str) -> None: ...
    async def say(self, text: str) -> None: ...
    async def last_text(self) -> str: ...


# --- Slack ----------------------------------------------------------------------------------
class SlackDriver:
    def __init__(self, server: Server, standin: SlackApiStandIn, engine: Engine) -> None:
        self.server, self.standin, self.engine = server, standin, engine
        self.actor_ref = f"slack:T0001:{USER}"

    def _cards(self) -> list[Call]:
        with self.standin._lock:
            return [c for c in self.standin.calls
                    if c.method in ("chat.postMessage", "chat.postEphemeral")
                    or c.method.startswith("response_url:")]

    def _settled(self, before: int) -> None:
        """Wait for the listener's calls after the acknowledgement: at least one, then quiet."""
        import time

        wait_until(lambda: len(self.standin.calls) > before)
        quiet_since, seen = time.monotonic(), len(self.standin.calls)
        while time.monotonic() - quiet_since < 0.3:
            time.sleep(0.03)
            if len(self.standin.calls) != seen:
                quiet_since, seen = time.monotonic(), len(self.standin.calls)

    async def start(self) -> None:
        before = len(self.standin.calls)
        await asyncio.to_thread(self.server.command, self.standin, "assess")
        await asyncio.to_thread(self._settled, before)

    def _newest_with_buttons(self) -> Call | None:
        for call in reversed(self._cards()):
            if buttons(call):
                return call
        return None

    async def actions(self) -> list[Action]:
        call = self._newest_with_buttons()
        return self._actions_of(call) if call is not None else []

    @staticmethod
    def _actions_of(call: Call) -> list[Action]:
        return [from_slack(b["action_id"], element_value(b)) for b in pressables(call)
                if str(b.get("action_id", "")).startswith("idgov.")]

    async def all_actions(self) -> list[list[Action]]:
        return [self._actions_of(c) for c in self._cards() if buttons(c)]

    def _offering(self, action: Action) -> tuple[Call, dict[str, Any]]:
        """The newest message offering `action`, and its element as Slack sends it back."""
        for call in reversed(self._cards()):
            for b in pressables(call):
                if (str(b.get("action_id", "")).startswith("idgov.")
                        and from_slack(b["action_id"], element_value(b)) == action):
                    return call, b
        raise AssertionError(f"no message offers {action}")

    async def press(self, action: Action, **fields: str) -> None:
        call, element = self._offering(action)
        channel = call.body.get("channel") or DM
        ts = (call.response or {}).get("ts") or "1.0"
        if "picked" in fields:
            element = {**element, "selected_user": fields["picked"]}
        before = len(self.standin.calls)
        await asyncio.to_thread(self.server.press, self.standin, element, channel=channel,
                                message_ts=ts)
        await asyncio.to_thread(self._settled, before)
        if action.verb is Verb.TASK_NA:  # Slack asks for the reason in a modal
            opened = self.standin.wait_for("views.open")[-1]
            view = opened.body["view"]
            view = json.loads(view) if isinstance(view, str) else view
            body = json.loads(self.server_payload("view_submission_na_reason"))
            body["view"]["private_metadata"] = view["private_metadata"]
            body["view"]["state"]["values"]["reason"]["reason_text"]["value"] = fields["reason"]
            before = len(self.standin.calls)
            await asyncio.to_thread(self.server.post_form, {"payload": json.dumps(body)})
            await asyncio.to_thread(self._settled, before)

    @staticmethod
    def server_payload(name: str) -> str:
        from tests.slack_payloads.harness import payload as slack_payload

        return json.dumps(slack_payload(name))

    async def say(self, text: str) -> None:
        before = len(self.standin.calls)
        await asyncio.to_thread(self.server.event, "event_message_im", channel=DM, user=USER,
                                text=text, ts=f"{before + 1}.0")
        await asyncio.to_thread(self._settled, before)

    async def last_text(self) -> str:
        call = self._cards()[-1]
        return json.dumps(call.body)


# --- Teams ----------------------------------------------------------------------------------
class TeamsDriver:
    def __init__(self, url: str, conn: ConnectorStandIn, engine: Engine) -> None:
        self.url, self.conn, self.engine = url, conn, engine
        self.channel = "19:parity@thread.tacv2;messageid=1480124433027"
        sender = payload("channel_message_with_mention", "http://x")["from"]
        self.actor_ref = f"teams:{TENANT}:{sender['aadObjectId']}"

    def _activity(self, text: str | None = None, value: dict[str, Any] | None = None,
                  reply_to: str | None = None) -> dict[str, Any]:
        data = payload("channel_message_with_mention", self.conn.service_url)
        data["conversation"]["id"] = self.channel
        if value is not None:
            data["value"], data["text"], data["entities"] = value, "", []
            data["replyToId"] = reply_to
        else:
            data["text"] = f"<at>idgov</at> {text}"
        return copy.deepcopy(data)

    async def start(self) -> None:
        status, _ = await post(self.url, self._activity("assess"))
        assert status == 201

    def _newest_with_submits(self) -> tuple[str | None, dict[str, Any] | None]:
        for call in reversed(self.conn.calls_of("send", "reply")):
            if submits(call.card):
                index = self.conn.calls.index(call)
                sent = [c for c in self.conn.calls[: index + 1] if c.op in ("send", "reply")]
                return self.conn.sent_ids[len(sent) - 1], call.card
        return None, None

    async def actions(self) -> list[Action]:
        _, card = self._newest_with_submits()
        return [from_teams(d) for d in submits(card) if "idgov" in d]

    async def all_actions(self) -> list[list[Action]]:
        return [[from_teams(d) for d in submits(c.card) if "idgov" in d]
                for c in self.conn.calls_of("send", "reply") if submits(c.card)]

    def _offering(self, action: Action) -> tuple[str | None, dict[str, Any]]:
        """The newest card offering `action` (its activity id) and that submit's data."""
        sent = [c for c in self.conn.calls if c.op in ("send", "reply")]
        for i in range(len(sent) - 1, -1, -1):
            for d in submits(sent[i].card):
                if "idgov" in d and from_teams(d) == action:
                    return self.conn.sent_ids[i], d
        raise AssertionError(f"no card offers {action}")

    async def press(self, action: Action, **fields: str) -> None:
        card_id, data = self._offering(action)
        value = dict(data)
        if "reason" in fields:
            value["reason"] = fields["reason"]
        if "owner" in fields and action.task_id is not None:
            value[f"idgov.reassign.{action.task_id}"] = fields["owner"]
        status, _ = await post(self.url, self._activity(value=value, reply_to=card_id))
        assert status == 201

    async def say(self, text: str) -> None:
        status, _ = await post(self.url, self._activity(text))
        assert status == 201

    async def last_text(self) -> str:
        return texts(self.conn.calls_of("send", "reply")[-1].card)


@pytest.fixture(autouse=True)
def _no_app_id(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["slack", "teams"])
async def driver(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Driver]:
    engine = make_engine(f"sqlite:///{tmp_path / 'parity.db'}")
    migrate(engine)
    if request.param == "slack":
        standin = SlackApiStandIn().start()
        server = await asyncio.to_thread(lambda: Server(engine, settings(standin)).start())
        try:
            yield SlackDriver(server, standin, engine)
        finally:
            await asyncio.to_thread(server.stop)
            standin.stop()
    else:
        async with running_server(engine) as (url, conn):
            yield TeamsDriver(url, conn, engine)
    engine.dispose()


def _answer_actions(actions: list[Action]) -> list[Action]:
    return [a for a in actions if a.verb is Verb.ANSWER]


async def _by_buttons(d: Driver, pick: int = 0) -> None:
    await d.start()
    for _ in range(30):
        choices = _answer_actions(await d.actions())
        if not choices:
            return
        await d.press(choices[pick])
    raise AssertionError("assessment did not finish")


def _assessment(engine: Engine) -> Assessment:
    with Session(engine) as s:
        rows = s.exec(select(Assessment)).all()
        assert len(rows) == 1
        return rows[0]


# Expected outcome of pressing every first choice, the same on both platforms.
async def test_whole_assessment_by_buttons_then_share(driver: Driver) -> None:
    await _by_buttons(driver)
    row = _assessment(driver.engine)
    assert row.channel_ref is not None and row.recommendation
    summary = (await driver.all_actions())[-1]  # these answers leave no gap: no task message
    assert {Verb.SHARE, Verb.RESTART, Verb.REPORT} <= {a.verb for a in summary}
    share = next(a for a in summary if a.verb is Verb.SHARE)
    await driver.press(share)
    assert "Shared to the channel" in await driver.last_text() or "Shared by" in (
        await driver.last_text())
    _OUTCOMES.setdefault("buttons", {})[type(driver).__name__] = (
        dict(row.answers), row.recommendation, row.confidence)


TASK_VERBS = {Verb.TASK_DONE, Verb.TASK_SNOOZE, Verb.TASK_REASSIGN, Verb.TASK_NA}


async def _with_tasks(driver: Driver) -> tuple[list[Action], list[Action]]:
    """An assessment answered with every last choice (gaps, so tasks); the recommendation's
    actions and the task message's, checking the tasks came as their own message after it."""
    await _by_buttons(driver, pick=-1)
    *_, summary, tasks = await driver.all_actions()
    with Session(driver.engine) as s:
        planned = [t.id for t in s.exec(select(Task).order_by(col(Task.id))).all()]
    assert planned, "these answers leave gaps, so there are tasks"
    assert {a.verb for a in tasks} <= TASK_VERBS
    assert list(dict.fromkeys(a.task_id for a in tasks)) == planned  # in plan order
    # Slack's Details is a button; Teams' is an Action.ShowCard holding the details itself
    wanted = {Verb.SHARE, Verb.RESTART, Verb.REPORT} | (
        {Verb.DETAILS} if isinstance(driver, SlackDriver) else set())
    assert wanted <= {a.verb for a in summary}
    assert not {a.verb for a in summary} & TASK_VERBS
    return summary, tasks


async def test_details_and_full_report(driver: Driver) -> None:
    """Details answers with the details view; Full report delivers the whole report: in Slack
    the HTML file uploaded into the recommendation's thread (files_upload_v2), in Teams a card."""
    summary, _tasks = await _with_tasks(driver)
    row = _assessment(driver.engine)
    if isinstance(driver, SlackDriver):
        await driver.press(next(a for a in summary if a.verb is Verb.DETAILS))
    else:  # an older card's Details submit still answers, with the details view
        report = next(a for a in summary if a.verb is Verb.REPORT)
        card_id, _ = driver._offering(report)
        data = Action(verb=Verb.DETAILS, a=row.id).teams_data()
        status, _ = await post(driver.url, driver._activity(value=data, reply_to=card_id))
        assert status == 201
        assert "Action.ShowCard" in json.dumps(driver.conn.calls_of("send", "reply")[-3].card)
    details = await driver.last_text()
    if isinstance(driver, SlackDriver):  # pressed on the details, now the newest to offer it
        report_from = driver._offering(Action(verb=Verb.REPORT, a=row.id))[0].response["ts"]  # type: ignore[index]
    assert "Details: " in details and "Identity controls across frameworks" in details
    assert "Every answer that would change it" in details
    await driver.press(next(a for a in summary if a.verb is Verb.REPORT))
    if isinstance(driver, SlackDriver):
        standin = driver.standin
        pressed_ts = next(c for c in reversed(driver._cards()) if any(
            a.verb is Verb.DETAILS for a in driver._actions_of(c))).response["ts"]  # type: ignore[index]
        posts = [c for c in standin.calls_to("chat.postMessage") if c.body.get("thread_ts")]
        # the details under the recommendation, the report under the message pressed
        assert [p.body["thread_ts"] for p in posts[-2:]] == [pressed_ts, report_from]
        asked = standin.wait_for("files.getUploadURLExternal")[-1]
        done = standin.wait_for("files.completeUploadExternal")[-1]
        assert asked.body["filename"] == f"idgov-assessment-{row.id}.html"
        assert (done.body["channel_id"], done.body["thread_ts"]) == (DM, report_from)
        file_id = done.body["files"][0]["id"]
        assert int(asked.body["length"]) == len(standin.uploads[file_id]["bytes"])
        text = standin.uploads[file_id]["bytes"].decode()
        assert text.startswith("<!DOCTYPE html>") and "<script" not in text
    else:
        text = await driver.last_text()
        assert "Full report: " in text
    with Session(driver.engine) as s:
        titles = [t.title for t in s.exec(select(Task)).all()]
    assert f"Assessment {row.id}" in text and "Follow-up tasks, in the order to do them" in text
    assert titles and all(t in text for t in titles)


async def test_details_and_report_typed(driver: Driver) -> None:
    """The typed words work where there are no buttons (older cards, the terminal): details
    and report with no id mean my newest; another workspace's or a missing id is not found."""
    await _with_tasks(driver)
    row = _assessment(driver.engine)
    await driver.say("details")
    assert "Every answer that would change it" in await driver.last_text()
    await driver.say(f"report {row.id}")
    if isinstance(driver, TeamsDriver):
        assert "Full report: " in await driver.last_text()
    else:
        assert driver.standin.wait_for("files.completeUploadExternal")
    await driver.say(f"report {int(row.id or 0) + 50}")
    assert "could not find that assessment" in await driver.last_text()


async def test_typed_answers_with_back_and_skip(driver: Driver) -> None:
    await driver.start()
    await driver.say("1")
    await driver.say("back")
    await driver.say("2")
    await driver.say("skip")
    for _ in range(30):
        if not _answer_actions(await driver.actions()):
            break
        await driver.say("1")
    row = _assessment(driver.engine)
    _OUTCOMES.setdefault("typed", {})[type(driver).__name__] = (
        dict(row.answers), row.recommendation)


async def test_start_over_begins_afresh(driver: Driver) -> None:
    await _by_buttons(driver)
    restart = next(a for card in await driver.all_actions() for a in card
                   if a.verb is Verb.RESTART)
    await driver.press(restart)
    with Session(driver.engine) as s:
        conv = s.exec(select(Conversation)).all()
    states = [c.state for c in conv if c.state.get("status") == "active"]
    assert len(states) == 1 and states[0]["answers"] == {}


async def test_ask_and_vote(driver: Driver) -> None:
    await driver.say("ask what is a SOC 2 Type II report?")
    votes = [a for a in await driver.actions() if a.verb is Verb.FEEDBACK]
    assert votes, "an answer card with Helpful yes/no"
    await driver.press(next(a for a in votes if a.value == "yes"))
    with Session(driver.engine) as s:
        rows = s.exec(select(Feedback)).all()
    assert len(rows) == 1 and rows[0].helpful is True and rows[0].voted_by


def _seed_tasks(d: Driver) -> list[int]:
    from dialogs.task_ops import create_task
    from storage.clock import utcnow

    workspace = d.actor_ref.rsplit(":", 1)[0]
    with session_scope(d.engine) as s:
        made = [create_task(s, workspace=workspace, kind=kind, title=f"Parity task {i}",
                            owner=d.actor_ref, created_by=d.actor_ref,
                            due=date(2030, 1, 1 + i), now=utcnow())
                for i, kind in enumerate(["inventory", "rotation", "offboarding", "ownership"])]
        s.flush()
        return [int(t.id or 0) for t in made]


async def test_every_task_button(driver: Driver) -> None:
    ids = _seed_tasks(driver)

    async def pressed(verb: Verb, task_id: int, **fields: str) -> None:
        await driver.say("tasks")
        action = next(a for a in await driver.actions()
                      if a.verb is verb and a.task_id == task_id)
        await driver.press(action, **fields)

    await pressed(Verb.TASK_DONE, ids[0])
    await pressed(Verb.TASK_SNOOZE, ids[1])
    await pressed(Verb.TASK_NA, ids[2], reason="Covered by the platform team's control")
    # a teammate in the same workspace: Slack's user picker, or the ref typed on the Teams card
    teammate = driver.actor_ref.rsplit(":", 1)[0] + ":teammate"
    await pressed(Verb.TASK_REASSIGN, ids[3], owner=teammate, picked="U0NEWOWNER")
    with Session(driver.engine) as s:
        status = {t.id: t.status for t in s.exec(select(Task)).all()}
        events = {(e.task_id, e.action) for e in s.exec(select(TaskEvent)).all()}
    assert status[ids[0]] == "done" and status[ids[1]] == "snoozed"
    assert status[ids[2]] == "not_applicable" and status[ids[3]] == "open"
    assert (ids[0], "done") in events and (ids[2], "not_applicable") in events
    with Session(driver.engine) as s:
        na = s.exec(select(TaskEvent).where(TaskEvent.task_id == ids[2],
                                            TaskEvent.action == "not_applicable")).one()
        moved = s.get(Task, ids[3])
    assert na.detail["reason"] == "Covered by the platform team's control"
    assert moved is not None and moved.owner != driver.actor_ref  # reassigned away
    _OUTCOMES.setdefault("tasks", {})[type(driver).__name__] = sorted(status.values())


_OUTCOMES: dict[str, dict[str, Any]] = {}


def test_both_platforms_reached_the_same_outcomes() -> None:
    """Runs after the scripts above (file order): the same answers, recommendation and task
    statuses came out of Slack and Teams."""
    for script, by_platform in _OUTCOMES.items():
        if len(by_platform) == 2:
            slack, teams = by_platform["SlackDriver"], by_platform["TeamsDriver"]
            assert slack == teams, f"{script}: Slack {slack} != Teams {teams}"
    assert _OUTCOMES, "the scripts ran"
