"""Channel Q&A at the wire: @mentions, DM questions, /idgov ask|help, Helpful feedback stored,
and auto-answer channels (managers only; confident answers only)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.models import ChannelSetting, Feedback
from tests.slack_payloads.harness import (
    CHANNEL,
    USER,
    Server,
    button,
    responses,
)
from tests.standins.slack_api import SlackApiStandIn

CONFIDENT = "what is SOC 2 Type II?"
SMALL_TALK = "good morning everyone"

pytestmark = pytest.mark.usefixtures("slack_fresh")


def test_mention_gets_a_threaded_sourced_answer_and_feedback_is_stored(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    server.event("event_app_mention", text=f"<@UBOT> {CONFIDENT}", ts="1700000000.000100")
    post = standin.wait_for("chat.postMessage")[0]
    assert post.body["channel"] == CHANNEL and post.body["thread_ts"] == "1700000000.000100"
    blocks = json.dumps(post.body["blocks"])
    assert "AICPA" in blocks  # its sources
    helpful = button(post, "Yes")
    assert post.response
    server.press(standin, helpful, channel=CHANNEL, message_ts=post.response["ts"],
                 thread_ts="1700000000.000100")
    thanks = standin.wait_for("chat.postEphemeral")[0]
    assert thanks.body["user"] == USER
    with Session(slack_engine) as session:
        row = session.exec(select(Feedback).where(Feedback.question == CONFIDENT)).one()
        assert row.workspace == "slack:T0001" and row.helpful is True
        assert row.voted_by == f"slack:T0001:{USER}"


def test_dm_question_outside_an_assessment_is_answered(server: Server,
                                                       standin: SlackApiStandIn) -> None:
    server.event("event_message_im", channel="D0QA", text=CONFIDENT)
    post = standin.wait_for("chat.postMessage")[0]
    assert post.body["channel"] == "D0QA" and "thread_ts" not in post.body
    assert "Type II" in json.dumps(post.body["blocks"])


def test_bare_mention_gets_the_help_card(server: Server, standin: SlackApiStandIn) -> None:
    server.event("event_app_mention", text="<@UBOT>")
    post = standin.wait_for("chat.postMessage")[0]
    assert "/idgov assess" in json.dumps(post.body["blocks"])


@pytest.mark.parametrize("text", ["help", "what is this", "HELP me"])
def test_help_and_unknown_text_get_the_help_card(server: Server, standin: SlackApiStandIn,
                                                 text: str) -> None:
    status, body = server.command(standin, text)
    assert status == 200 and body == ""
    card = responses(standin)[-1]
    assert card.body["response_type"] == "ephemeral"
    assert "/idgov ask" in json.dumps(card.body["blocks"])


def test_ask_command_answers_privately(server: Server, standin: SlackApiStandIn) -> None:
    server.command(standin, f"ask {CONFIDENT}")
    card = responses(standin)[-1]
    assert card.body["response_type"] == "ephemeral"
    assert "Type II" in json.dumps(card.body["blocks"])


def test_autoanswer_is_for_channel_managers_and_answers_only_when_confident(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    channel = "C0AUTO"
    server.command(standin, "autoanswer on", channel=channel)  # USER is not the creator
    assert "Only the channel" in responses(standin, 1)[-1].body["text"]
    with Session(slack_engine) as session:
        assert session.get(ChannelSetting, ("slack", "slack:T0001", channel)) is None
    server.event("event_message_channel_thread", channel=channel, thread_ts=None,
                 text=CONFIDENT)
    time.sleep(0.3)
    assert standin.calls_to("chat.postMessage") == []  # off: no answer without a mention

    server.command(standin, "autoanswer on", channel=channel, user="UADMIN")  # the creator
    assert "Auto-answer is on" in responses(standin, 2)[-1].body["text"]
    server.event("event_message_channel_thread", channel=channel, thread_ts=None,
                 text=SMALL_TALK)
    server.event("event_message_channel_thread", channel=channel, thread_ts=None,
                 text=CONFIDENT, ts="1700000001.000200")
    post = standin.wait_for("chat.postMessage")[0]
    assert post.body["thread_ts"] == "1700000001.000200"
    time.sleep(0.3)
    assert len(standin.calls_to("chat.postMessage")) == 1  # small talk was not answered

    server.event("event_message_channel_thread", channel=channel, thread_ts=None,
                 text=f"<@UBOT> {CONFIDENT}")  # the app_mention listener answers this one
    standin.users["U0BOSS"] = {"id": "U0BOSS", "is_admin": True}
    server.command(standin, "autoanswer off", channel=channel, user="U0BOSS")  # an admin
    assert "off" in responses(standin, 3)[-1].body["text"]
    server.event("event_message_channel_thread", channel=channel, thread_ts=None,
                 text=CONFIDENT)
    time.sleep(0.3)
    assert len(standin.calls_to("chat.postMessage")) == 1
