"""Slack's AI-app surface at the wire: signed events shaped like Slack's documented
``assistant_thread_started`` and user messages in the assistant thread, through Bolt's
`AsyncAssistant` middleware, into the same router; what Slack receives is asserted at the
Web API stand-in (assistant.threads.setSuggestedPrompts / setStatus, replies in the thread)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.slack.assistant import PROMPTS
from storage.models import Conversation
from tests.slack_payloads.harness import USER, Server, buttons, wait_until
from tests.standins.slack_api import Failure, SlackApiStandIn

pytestmark = pytest.mark.usefixtures("slack_fresh")

DM, THREAD = "D0001", "1729999327.187299"


def _in_thread(standin: SlackApiStandIn, count: int = 1) -> list[dict[str, object]]:
    wait_until(lambda: len([c for c in standin.calls_to("chat.postMessage")
                            if c.body.get("thread_ts") == THREAD]) >= count)
    return [c.body for c in standin.calls_to("chat.postMessage")
            if c.body.get("thread_ts") == THREAD]


def test_thread_started_greets_and_offers_the_three_prompts(
    server: Server, standin: SlackApiStandIn
) -> None:
    status, _ = server.event("event_assistant_thread_started")
    assert status == 200
    prompts = standin.wait_for("assistant.threads.setSuggestedPrompts")[0].body
    assert (prompts["channel_id"], prompts["thread_ts"]) == (DM, THREAD)
    sent = json.loads(prompts["prompts"]) if isinstance(prompts["prompts"], str) else (
        prompts["prompts"])
    assert sent == PROMPTS
    assert [p["title"] for p in sent] == ["Run the assessment", "Ask a question",
                                          "My open tasks"]
    assert "idgov" in str(_in_thread(standin)[0]["text"])


def test_a_message_shows_a_status_and_is_answered_in_the_thread(
    server: Server, standin: SlackApiStandIn
) -> None:
    server.event("event_message_assistant_thread", text="tasks")
    set_status = standin.wait_for("assistant.threads.setStatus")[0].body
    assert (set_status["channel_id"], set_status["thread_ts"]) == (DM, THREAD)
    assert set_status["status"]
    reply = _in_thread(standin)[0]
    assert reply["channel"] == DM and "You have no open tasks." in json.dumps(reply["blocks"])
    time.sleep(0.5)
    assert len(_in_thread(standin)) == 1  # answered once (Bolt's assistant claims the event)
    calls = [c.method for c in standin.calls]
    assert calls.index("assistant.threads.setStatus") < calls.index("chat.postMessage")


def test_the_assessment_runs_in_the_assistant_thread(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    server.event("event_message_assistant_thread", text="assess")
    question = _in_thread(standin)[0]
    assert buttons(type("C", (), {"body": question})())  # the first question, with buttons
    assert not standin.calls_to("conversations.open")  # not moved to a new DM message
    with Session(slack_engine) as s:
        keys = [c.key for c in s.exec(select(Conversation)).all()]
    assert keys and all(f":{DM}:{THREAD}:{USER}" in k for k in keys)
    server.event("event_message_assistant_thread", text="1", ts="1729999500.000200")
    assert len(_in_thread(standin, 2)) >= 2  # the answer went to the same assessment


def test_a_refused_status_does_not_lose_the_answer(
    server: Server, standin: SlackApiStandIn
) -> None:
    standin.fail("assistant.threads.setStatus", Failure(error="missing_scope"))
    server.event("event_message_assistant_thread", text="tasks")
    assert "You have no open tasks." in json.dumps(_in_thread(standin)[0]["blocks"])
