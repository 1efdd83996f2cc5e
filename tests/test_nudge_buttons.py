"""Every button of a real nudge DM works from the message itself.

The nudge is produced by a sweep and captured at the Slack stand-in; each button element is
pressed the way Slack reports it (``action_id``, ``value``, or ``selected_user`` for the picker)
and handled by the Slack adapter's task handler, which calls `storage.tasks`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.cards.render import render_slack
from bot.scheduler import SweepStats, run_once
from bot.slack.sender import SlackSender
from bot.slack.translate import element_value, press_turn
from dialogs import task_ops as tasks
from dialogs import tasks as task_service
from dialogs.actions import Verb
from dialogs.reminders import NudgeSettings
from dialogs.turn import Pressed
from storage.db import session_scope
from tests.slack_payloads.harness import choices
from tests.standins.slack_api import SlackApiStandIn

NOW = datetime(2026, 1, 5, 10, tzinfo=UTC)  # Monday 10:00 London
SETTINGS = NudgeSettings(IDGOV_NUDGE_DEFAULT_TZ="Europe/London")


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackApiStandIn]:
    standin = SlackApiStandIn().start()
    standin.add_user("U1", tz="Europe/London")
    yield standin
    standin.stop()


def _nudge(engine: Engine, api: SlackApiStandIn) -> tuple[int, dict[str, dict[str, Any]]]:
    api.reset()
    with session_scope(engine) as session:
        task = tasks.create_task(session, workspace="slack:T0001", kind="break_glass",
                                 title="Test break-glass access", owner="slack:T0001:U1",
                                 created_by="slack:T0001:U1", due=date(2026, 1, 5), now=NOW,
                                 settings=SETTINGS)
        task_id = int(task.id or 0)
    senders = {"slack": SlackSender(token="xoxb-t", base_url=api.base_url)}
    stats = asyncio.run(run_once(engine, senders, NOW, settings=SETTINGS))
    assert stats == SweepStats(sent=1)
    blocks = api.calls_to("chat.postMessage")[0].body["blocks"]
    elements = {e["action_id"].split("#")[0]: choices(e)[-1] for b in blocks
                if b["type"] == "actions" for e in b["elements"]}
    return task_id, {k: e for k, e in elements.items() if k.startswith("idgov.task")}


def _press(engine: Engine, element: dict[str, Any], picked: str | None = None) -> str:
    """The press as the Slack adapter translates it, applied by the task service; returns the
    private confirmation Slack would show."""
    pressed = {k: element[k] for k in ("action_id", "value", "selected_option") if k in element}
    if picked:
        pressed["selected_user"] = picked
    body = {"team": {"id": "T0001"}, "user": {"id": "U1"}, "container": {"channel_id": "D1"}}
    turn = press_turn(body, pressed)
    assert isinstance(turn.what, Pressed)
    action = turn.what.action
    new_owner = (task_service.new_owner_ref(turn.actor, picked_user=turn.what.picked_user,
                                            typed=None)
                 if action.verb is Verb.TASK_REASSIGN else None)
    reply = task_service.press(engine, turn.actor, action, new_owner=new_owner, source="slack")
    return str(render_slack(reply)["text"])


def _later_sweep(engine: Engine, api: SlackApiStandIn, days: int) -> int:
    senders = {"slack": SlackSender(token="xoxb-t", base_url=api.base_url)}
    return asyncio.run(run_once(engine, senders, NOW + timedelta(days=days),
                                settings=SETTINGS)).sent


@pytest.mark.parametrize(
    ("verb", "picked", "status", "owner"),
    [
        ("idgov.task_done", None, "done", "slack:T0001:U1"),
        ("idgov.task_snooze", None, "snoozed", "slack:T0001:U1"),
        ("idgov.task_reassign", "U7", "open", "slack:T0001:U7"),
        ("idgov.task_na", None, "not_applicable", "slack:T0001:U1"),
    ],
)
def test_each_nudge_button_changes_the_task_and_its_history(
    sqlite_engine: Engine, slack: SlackApiStandIn, verb: str, picked: str | None, status: str,
    owner: str,
) -> None:
    task_id, buttons = _nudge(sqlite_engine, slack)
    assert set(buttons) >= {"idgov.task_done", "idgov.task_snooze", "idgov.task_reassign",
                            "idgov.task_na"}
    confirmation = _press(sqlite_engine, buttons[verb], picked)
    assert "Test break-glass access" in confirmation
    with session_scope(sqlite_engine) as session:
        task = tasks.get_task(session, task_id)
        history = tasks.history(session, task_id)
    assert (task.status, task.owner) == (status, owner)
    assert (history[-1].actor, history[-1].source) == ("slack:T0001:U1", "slack")
    if status in ("done", "not_applicable"):
        assert task.next_nudge_at is None
        assert _later_sweep(sqlite_engine, slack, 30) == 0  # closed from the message: silent
        again = _press(sqlite_engine, buttons[verb], picked)  # a second press is harmless
        assert "already" in again


def test_both_snooze_lengths_are_offered(sqlite_engine: Engine, slack: SlackApiStandIn) -> None:
    _, _ = _nudge(sqlite_engine, slack)
    blocks = slack.calls_to("chat.postMessage")[0].body["blocks"]
    values = [element_value(c) or "" for b in blocks if b["type"] == "actions"
              for e in b["elements"] if e["action_id"].startswith("idgov.task_snooze")
              for c in choices(e)]
    assert [json.loads(v)["d"] for v in values] == [1, 3, 7]
