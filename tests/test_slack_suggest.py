""" "Did you mean…?" at the Slack wire: a refused mention shows suggestion buttons; pressing one
posts that entry's answer card in the same thread (or DM, or privately for `/idgov ask`),
stored for feedback in the presser's workspace, and Helpful yes/no works on it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dialogs.actions import Verb, from_slack
from knowledge.qa.suggest import DID_YOU_MEAN
from storage.models import Feedback
from tests.slack_payloads.harness import CHANNEL, USER, Server, button, payload, responses
from tests.standins.slack_api import Call, SlackApiStandIn

# Refused with suggestions: the index and the classifier disagree on it.
DECLINED = "auditors come back after we pass?"
THREAD = "1700000000.000500"

pytestmark = pytest.mark.usefixtures("slack_fresh")


def suggestion_buttons(call: Call) -> list[dict[str, Any]]:
    return [
        b["accessory"]
        for b in call.body.get("blocks", [])
        if b.get("accessory", {}).get("action_id", "").startswith("idgov.ask")
    ]


def test_mention_refusal_offers_suggestions_and_a_press_answers_in_the_thread(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    server.event("event_app_mention", text=f"<@UBOT> {DECLINED}", ts=THREAD)
    refusal = standin.wait_for("chat.postMessage")[0]
    assert refusal.body["thread_ts"] == THREAD
    assert DID_YOU_MEAN in json.dumps(refusal.body["blocks"])
    offered = suggestion_buttons(refusal)
    assert 1 <= len(offered) <= 3
    first = from_slack(offered[0]["action_id"], offered[0]["value"])
    assert first.verb is Verb.ASK and first.entry_id == "iso27001-certificate-cycle"
    assert refusal.response
    server.press(
        standin, offered[0], channel=CHANNEL, message_ts=refusal.response["ts"], thread_ts=THREAD
    )
    answer = standin.wait_for("chat.postMessage", 2)[1]
    assert answer.body["channel"] == CHANNEL and answer.body["thread_ts"] == THREAD
    blocks = json.dumps(answer.body["blocks"])
    assert "How long is an ISO/IEC 27001 certificate valid" in blocks and "Sources" in blocks
    assert not suggestion_buttons(answer)
    assert answer.response
    server.press(
        standin,
        button(answer, "Yes"),
        channel=CHANNEL,
        message_ts=answer.response["ts"],
        thread_ts=THREAD,
    )
    assert standin.wait_for("chat.postEphemeral")[0].body["user"] == USER
    with Session(slack_engine) as session:
        rows = session.exec(select(Feedback).where(Feedback.user_ref == f"slack:T0001:{USER}"))
        row = next(r for r in rows if r.entry_ids == ["iso27001-certificate-cycle"])
    assert row.workspace == "slack:T0001" and row.answered and row.helpful is True
    assert row.user_ref == f"slack:T0001:{USER}"


def test_press_in_a_dm_answers_in_the_dm_and_stale_ids_are_refused_politely(
    server: Server, standin: SlackApiStandIn
) -> None:
    server.event("event_message_im", channel="D0SUG", text=DECLINED)
    refusal = standin.wait_for("chat.postMessage")[0]
    assert refusal.body["channel"] == "D0SUG" and "thread_ts" not in refusal.body
    offered = suggestion_buttons(refusal)
    assert refusal.response
    server.press(standin, offered[-1], channel="D0SUG", message_ts=refusal.response["ts"])
    answer = standin.wait_for("chat.postMessage", 2)[1]
    assert answer.body["channel"] == "D0SUG" and "thread_ts" not in answer.body
    assert "Sources" in json.dumps(answer.body["blocks"])
    stale = dict(offered[0], value=json.dumps({"e": "removed-entry"}))
    server.press(standin, stale, channel="D0SUG", message_ts=refusal.response["ts"])
    gone = standin.wait_for("chat.postMessage", 3)[2]
    assert "could not find that knowledge-base entry" in json.dumps(gone.body["blocks"])


def test_private_refusal_from_the_command_is_answered_privately(
    server: Server, standin: SlackApiStandIn
) -> None:
    server.command(standin, f"ask {DECLINED}")
    card = responses(standin)[-1]
    assert card.body["response_type"] == "ephemeral"
    offered = [b["accessory"] for b in card.body["blocks"] if "accessory" in b]
    assert offered
    body = payload("block_actions_ephemeral")
    body["response_url"] = f"{standin.response_url}actions/suggest"
    body["actions"] = [{**offered[0], "block_id": "b1", "action_ts": "1700000000.1"}]
    server.post_form({"payload": json.dumps(body)})
    answer = responses(standin, 2)[-1]
    assert answer.body["response_type"] == "ephemeral"
    assert answer.body.get("replace_original") is False
    assert "Sources" in json.dumps(answer.body["blocks"])
    assert standin.calls_to("chat.postMessage") == []  # nothing public
