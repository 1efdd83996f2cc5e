"""Task buttons update the message they were pressed on, and Not applicable asks why.

At the wire: the real idgov server, signed ``block_actions`` and ``view_submission`` payloads
shaped like Slack's, and the Slack Web API stand-in (extended here to remember posted messages
for ``conversations.history`` and to answer ``views.open``) receiving ``chat.update``,
``views.open``, ``views.publish`` and ``response_url`` posts. Every Block Kit payload sent is
checked by the ``slack_fresh`` fixture (slack_sdk round trip and Slack's limits).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.cards.escaping import slack_escape
from bot.scheduler import run_once
from bot.slack.sender import SlackSender
from bot.slack.translate import element_value
from dialogs.reminders import NudgeSettings
from dialogs.task_ops import create_task
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Task, TaskEvent
from tests.slack_payloads.harness import (
    TEAM,
    USER,
    Server,
    choices,
    payload,
    responses,
    wait_until,
)
from tests.standins.slack_api import Call, SlackApiStandIn

pytestmark = pytest.mark.usefixtures("slack_fresh")

NOW = datetime(2026, 1, 5, 10, tzinfo=UTC)  # a Monday, 10:00 in London
SETTINGS = NudgeSettings(IDGOV_NUDGE_DEFAULT_TZ="Europe/London")
NEW_OWNER = "U0NEWOWNER"
_n = count(1)


class HistoryStandIn(SlackApiStandIn):
    """The stand-in, plus what Slack does for these flows: it keeps posted and updated
    messages (``conversations.history`` returns them) and opens modals."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "conversations.history":
            found = self.messages.get((str(body.get("channel")), str(body.get("latest"))))
            return {"ok": True, "messages": [found] if found else [], "has_more": False}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0MODAL01", **(body.get("view") or {})}}
        answer = super()._answer(method, body)
        if method in {"chat.postMessage", "chat.update"}:
            self.messages[(answer["channel"], answer["ts"])] = {
                "type": "message", "ts": answer["ts"], "text": body.get("text", ""),
                "blocks": body.get("blocks") or []}
        return answer


@pytest.fixture(scope="module")
def standin() -> Iterator[SlackApiStandIn]:
    api = HistoryStandIn().start()
    api.add_user(USER, tz="Europe/London")
    yield api
    api.stop()


# --- helpers ---------------------------------------------------------------------------------
def _task(engine: Engine, title: str, *, due: date = date(2030, 1, 31), now: datetime | None = None,
          team: str = TEAM) -> int:
    with session_scope(engine) as session:
        task = create_task(session, workspace=f"slack:{team}", kind="rotation", title=title,
                           owner=f"slack:{team}:{USER}", created_by=f"slack:{team}:{USER}",
                           due=due, source="cli", now=now or utcnow(), settings=SETTINGS)
        assert task.id is not None
        return task.id


def _nudge(engine: Engine, standin: SlackApiStandIn, title: str) -> tuple[int, Call]:
    """A real nudge DM: a task due today, one scheduler sweep, the message Slack received."""
    task_id = _task(engine, title, due=NOW.date(), now=NOW)
    sender = SlackSender(token="xoxb-test-token", base_url=standin.base_url)
    asyncio.run(run_once(engine, {"slack": sender}, NOW, settings=SETTINGS))
    posted = [c for c in standin.calls_to("chat.postMessage")
              if slack_escape(title) in c.body["text"]]
    assert len(posted) == 1
    return task_id, posted[0]


def _elements(blocks: list[dict[str, Any]], task_id: int | None = None) -> list[dict[str, Any]]:
    found = [c for b in blocks if b["type"] == "actions" for e in b["elements"]
             if e["action_id"].startswith("idgov.task_") for c in choices(e)]
    if task_id is None:
        return found
    return [e for e in found if json.loads(element_value(e) or "{}").get("t") == task_id
            or e["action_id"] == f"idgov.task_reassign#{task_id}"]


def _element(blocks: list[dict[str, Any]], task_id: int, verb: str, days: int | None = None
             ) -> dict[str, Any]:
    for e in _elements(blocks, task_id):
        value = json.loads(element_value(e) or "{}")
        if e["action_id"].split("#")[0] == verb and (days is None or value.get("d") == days):
            return e
    raise AssertionError(f"no {verb} for task {task_id}")


def _press_message(server: Server, standin: SlackApiStandIn, posted: Call,
                   element: dict[str, Any], *, picked: str | None = None) -> str:
    """Press `element` on the message `posted` (a DM or channel message); the response_url."""
    body = payload("block_actions_button")
    channel, ts = str(posted.response["channel"]), str(posted.response["ts"])  # type: ignore[index]
    body["container"].update(channel_id=channel, message_ts=ts)
    body["channel"]["id"] = channel
    body["message"].update(ts=ts, text=posted.body["text"], blocks=posted.body["blocks"])
    return _post_action(server, standin, body, element, picked)


def _press_ephemeral(server: Server, standin: SlackApiStandIn, element: dict[str, Any]) -> str:
    """Press on an ephemeral message: Slack sends no ``message``, only the container."""
    return _post_action(server, standin, payload("block_actions_ephemeral"), element, None)


def _post_action(server: Server, standin: SlackApiStandIn, body: dict[str, Any],
                 element: dict[str, Any], picked: str | None) -> str:
    path = f"actions/{next(_n)}"
    body["response_url"] = standin.response_url + path
    pressed = {**element, "block_id": "b1", "action_ts": str(time.time())}
    if picked:
        pressed["selected_user"] = picked
    body["actions"] = [pressed]
    status, _ = server.post_form({"payload": json.dumps(body)})
    assert status == 200
    return "response_url:" + path


def _submit(server: Server, metadata: str, reason: str, *, team: str = TEAM) -> dict[str, Any]:
    body = payload("view_submission_na_reason")
    body["team"]["id"] = body["user"]["team_id"] = body["view"]["team_id"] = team
    body["view"]["private_metadata"] = metadata
    body["view"]["state"]["values"]["reason"]["reason_text"]["value"] = reason
    status, text = server.post_form({"payload": json.dumps(body)})
    assert status == 200, text
    return json.loads(text) if text.strip() else {}


def _state(engine: Engine, task_id: int) -> tuple[str, str, str | None, int]:
    with Session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        events = session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id)).all()
        return task.status, task.owner, task.status_reason, len(events)


def _text(call: Call) -> str:
    return json.dumps(call.body.get("blocks") or call.body.get("view", {}).get("blocks"))


def _to(standin: SlackApiStandIn, method: str) -> list[Call]:
    with standin._lock:
        return [c for c in standin.calls if c.method == method]


# --- each button updates the message it was pressed on -----------------------------------------
@pytest.mark.parametrize(
    ("verb", "days", "picked", "status", "outcome"),
    [
        ("idgov.task_done", None, None, "done", f"Done by <@{USER}> on "),
        ("idgov.task_snooze", 1, None, "snoozed", "Snoozed until 20"),
        ("idgov.task_snooze", 7, None, "snoozed", "Snoozed until 20"),
        ("idgov.task_reassign", None, NEW_OWNER, "open", f"Reassigned to <@{NEW_OWNER}>"),
    ],
)
def test_a_button_on_a_nudge_updates_that_message_in_place(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine, verb: str, days: int | None,
    picked: str | None, status: str, outcome: str,
) -> None:
    title = f"Rotate the CI deploy key {next(_n)}"
    task_id, nudge = _nudge(slack_engine, standin, title)
    note = _press_message(server, standin, nudge, _element(nudge.body["blocks"], task_id, verb,
                                                           days), picked=picked)
    update = standin.wait_for("chat.update")[0]
    assert (update.body["channel"], update.body["ts"]) == (nudge.response["channel"],  # type: ignore[index]
                                                           nudge.response["ts"])  # type: ignore[index]
    assert outcome in _text(update) and title in _text(update)
    assert _elements(update.body["blocks"]) == []  # no live button left for this task
    assert update.body["blocks"][0] == nudge.body["blocks"][0]  # the headline is kept
    if status == "done":
        assert utcnow().date().isoformat() in _text(update)
    if days:  # "Snoozed until <that day> HH:MM UTC"
        assert f"until {(utcnow() + timedelta(days=days)).date().isoformat()} " in _text(update)
    assert _state(slack_engine, task_id)[0] == status
    homes = standin.wait_for("views.publish", 2 if picked else 1)
    assert {c.body["user_id"] for c in homes} == {USER, *([picked] if picked else [])}
    assert not [c for c in standin.calls if c.method == note]  # no extra private note


def test_a_second_press_on_a_closed_task_is_refused_politely(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    task_id, nudge = _nudge(slack_engine, standin, "Remove the break-glass admin's MFA bypass")
    done = _element(nudge.body["blocks"], task_id, "idgov.task_done")
    _press_message(server, standin, nudge, done)
    standin.wait_for("chat.update")
    before = _state(slack_engine, task_id)
    with Session(slack_engine) as session:
        updated_at = session.get(Task, task_id).updated_at  # type: ignore[union-attr]
    # The same (stale) message pressed again, e.g. on a device that had not refreshed yet.
    note = _press_message(server, standin, nudge, done)
    refusal = responses(standin)[-1]
    assert refusal.method == note and refusal.body["replace_original"] is False
    assert "already done" in refusal.body["text"] and "left it as it is" in refusal.body["text"]
    assert _state(slack_engine, task_id) == before
    with Session(slack_engine) as session:
        assert session.get(Task, task_id).updated_at == updated_at  # type: ignore[union-attr]
    second = standin.wait_for("chat.update", 2)[1]  # stale buttons dropped there too
    assert _elements(second.body["blocks"]) == [] and "Done by" in _text(second)


def test_a_list_message_keeps_the_other_tasks_buttons(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    first = _task(slack_engine, f"Inventory service accounts {next(_n)}", due=date(2030, 1, 1))
    second = _task(slack_engine, f"Owner for every API key {next(_n)}", due=date(2030, 1, 2))
    body = payload("block_actions_users_select_home")  # "My tasks" from the Home tab
    body["actions"] = [{"type": "button", "block_id": "b1", "action_id": "idgov.tasks",
                        "value": "{}", "action_ts": "1.0"}]
    server.post_form({"payload": json.dumps(body)})
    listing = standin.wait_for("chat.postMessage")[0]
    _press_message(server, standin, listing,
                   _element(listing.body["blocks"], first, "idgov.task_done"))
    update = standin.wait_for("chat.update")[0]
    assert _elements(update.body["blocks"], first) == []
    untouched = _elements(update.body["blocks"], second)
    assert untouched == _elements(listing.body["blocks"], second) and len(untouched) == 6
    # Done, the Snooze select's three durations, Reassign, Not applicable
    assert update.body["blocks"][0] == listing.body["blocks"][0]  # header kept
    assert update.body["text"] == listing.body["text"]
    assert "Done by" in _text(update)


def test_an_ephemeral_tasks_answer_is_replaced_through_its_response_url(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    user = "U0EPHEMERAL"
    with session_scope(slack_engine) as session:
        ids = [create_task(session, workspace=f"slack:{TEAM}", kind="least_privilege",
                           title=f"Review admin role {i}", owner=f"slack:{TEAM}:{user}",
                           created_by="cli:local:lead", due=date(2030, 3, i), source="cli",
                           now=utcnow()).id for i in (1, 2)]
    server.command(standin, "tasks", user=user)
    listing = responses(standin)[0]
    element = _element(listing.body["blocks"], int(ids[0] or 0), "idgov.task_snooze", 7)
    body = payload("block_actions_ephemeral")
    body["user"]["id"] = user
    note = _post_action(server, standin, body, element, None)
    replaced = responses(standin, 2)[1]
    assert replaced.method == note and replaced.body["replace_original"] is True
    assert "Snoozed until" in _text(replaced) and f"<@{user}>" in _text(replaced)
    assert _elements(replaced.body["blocks"], ids[0]) == []
    # Done, Snooze's three durations, the reassign picker, Not applicable
    assert len(_elements(replaced.body["blocks"], ids[1])) == 6
    assert _state(slack_engine, int(ids[0] or 0))[0] == "snoozed"


def test_a_button_on_the_home_tab_republishes_it_without_that_task(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    task_id = _task(slack_engine, f"Offboard the old CI bot {next(_n)}")
    body = payload("block_actions_users_select_home")
    element = {"type": "button", "action_id": "idgov.task_done",
               "text": {"type": "plain_text", "text": "Done"}, "value": json.dumps({"t": task_id})}
    _post_action(server, standin, body, element, None)
    # this user's Home (an earlier test's late republish for another user may also arrive)
    wait_until(lambda: any(c.body.get("user_id") == USER for c in _to(standin, "views.publish")))
    view = next(c for c in _to(standin, "views.publish") if c.body.get("user_id") == USER)
    assert "Offboard the old CI bot" not in _text(view)
    assert _state(slack_engine, task_id)[0] == "done"
    assert not _to(standin, "chat.update")


# --- Not applicable asks why, in a modal ---------------------------------------------------------
def _open_form(server: Server, standin: SlackApiStandIn, nudge: Call, task_id: int) -> Call:
    _press_message(server, standin, nudge, _element(nudge.body["blocks"], task_id,
                                                    "idgov.task_na"))
    return standin.wait_for("views.open")[0]


def test_not_applicable_opens_a_form_and_records_the_reason(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    task_id, nudge = _nudge(slack_engine, standin, "Rotate the <legacy> FTP password")
    form = _open_form(server, standin, nudge, task_id)
    assert form.body["trigger_id"] == payload("block_actions_button")["trigger_id"]
    view = form.body["view"]
    assert view["type"] == "modal" and view["callback_id"] == "idgov.task_na"
    reason_input = next(b for b in view["blocks"] if b["type"] == "input")
    assert reason_input["block_id"] == "reason" and not reason_input.get("optional", False)
    assert reason_input["element"] == {"type": "plain_text_input", "action_id": "reason_text",
                                       "multiline": True, "max_length": 500}
    meta = json.loads(view["private_metadata"])
    assert meta["t"] == task_id and meta["c"] == nudge.response["channel"]  # type: ignore[index]
    assert _state(slack_engine, task_id)[0] == "open"  # nothing recorded by opening the form

    empty = _submit(server, view["private_metadata"], "   ")
    assert empty["response_action"] == "errors" and "reason" in empty["errors"]
    assert _state(slack_engine, task_id)[:2] == ("open", f"slack:{TEAM}:{USER}")

    reason = "Decommissioned in <March>; the server & <!channel> are gone"
    assert _submit(server, view["private_metadata"], reason) == {}  # closes the form
    update = standin.wait_for("chat.update")[0]
    assert update.body["ts"] == nudge.response["ts"]  # type: ignore[index]
    assert "Not applicable: Decommissioned in &lt;March&gt;; the server &amp; &lt;!channel&gt;" \
        in _text(update)
    assert _elements(update.body["blocks"]) == []
    status, _, stored, _ = _state(slack_engine, task_id)
    assert (status, stored) == ("not_applicable", reason)
    with Session(slack_engine) as session:
        event = session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id)
                             .order_by(col(TaskEvent.id).desc())).first()
    assert event is not None and (event.action, event.actor, event.source) == (
        "not_applicable", f"slack:{TEAM}:{USER}", "slack")
    assert event.detail["reason"] == reason

    recorded = _state(slack_engine, task_id)
    again = _submit(server, view["private_metadata"], "a second time")  # form submitted twice
    assert "already not applicable" in again["errors"]["reason"]
    assert _state(slack_engine, task_id) == recorded


def test_too_long_or_foreign_submissions_are_refused(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    task_id, nudge = _nudge(slack_engine, standin, "Review the vault root token holders")
    metadata = _open_form(server, standin, nudge, task_id).body["view"]["private_metadata"]
    before = _state(slack_engine, task_id)
    assert "500" in _submit(server, metadata, "x" * 501)["errors"]["reason"]
    foreign = _submit(server, metadata, "not ours", team="T0OTHER")  # another workspace
    assert "could not find that task" in foreign["errors"]["reason"]
    assert "errors" in _submit(server, "not json", "whatever")
    assert _state(slack_engine, task_id) == before
    assert not _to(standin, "chat.update")


def test_not_applicable_on_an_ephemeral_list_and_on_a_closed_task(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    task_id = _task(slack_engine, f"Break-glass account review {next(_n)}")
    element = {"type": "button", "action_id": "idgov.task_na",
               "text": {"type": "plain_text", "text": "Not applicable"},
               "value": json.dumps({"t": task_id})}
    note = _press_ephemeral(server, standin, element)
    meta = standin.wait_for("views.open")[0].body["view"]["private_metadata"]
    assert json.loads(meta)["r"].endswith(note.removeprefix("response_url:"))
    assert _submit(server, meta, "We have no break-glass accounts") == {}
    replaced = responses(standin)[0]
    assert replaced.method == note and replaced.body["replace_original"] is True
    assert "Not applicable: We have no break-glass accounts" in _text(replaced)

    standin.reset()
    _press_ephemeral(server, standin, element)  # N/A again on the closed task: no form
    refusal = responses(standin, 2)
    assert any("already not applicable" in c.body.get("text", "") for c in refusal)
    assert not _to(standin, "views.open")


def test_what_was_sent_type_checks_against_slack_types() -> None:
    """Runs last: every message, update and view above through Slack's @slack/types."""
    from tests.cards_node import require_node
    from tests.slack_payloads.harness import SENT, type_check_sent

    require_node()
    kinds = {name.split("#")[0] for name in SENT}
    assert {"chat.update", "views.open", "views.publish"} <= kinds
    assert {name for name in SENT if name.startswith("response_url")}  # replace_original too
    assert type_check_sent() == {}
