"""A whole scoping assessment in Slack, at the wire: slash command, button presses, typed
answers in a DM and in a team thread, back/cancel, stale buttons, and a server restart."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy.engine import Engine

from tests.slack_payloads.harness import (
    CHANNEL,
    SENT,
    USER,
    Server,
    button,
    buttons,
    check_block_kit,
    responses,
    settings,
    type_check_sent,
    wait_until,
)
from tests.standins.slack_api import Call, SlackApiStandIn

DM = f"D{USER}"  # the stand-in's conversations.open answers D<user id>

pytestmark = pytest.mark.usefixtures("slack_fresh")


def posts(standin: SlackApiStandIn, channel: str) -> list[Call]:
    return [c for c in standin.calls_to("chat.postMessage") if c.body.get("channel") == channel]


def wait_posts(standin: SlackApiStandIn, channel: str, n: int) -> list[Call]:
    wait_until(lambda: len(posts(standin, channel)) >= n
               and all(c.response for c in posts(standin, channel)))
    return posts(standin, channel)


def is_question(call: Call) -> bool:
    return any(b.get("action_id", "").startswith("idgov.answer") for b in buttons(call))


def press_first_choice(server: Server, standin: SlackApiStandIn, call: Call,
                       thread: str | None = None) -> None:
    assert call.response is not None
    choice = next(b for b in buttons(call) if b["action_id"].startswith("idgov.answer"))
    status, _ = server.press(standin, choice, channel=call.body["channel"],
                             message_ts=call.response["ts"], thread_ts=thread)
    assert status == 200


def run_by_buttons(server: Server, standin: SlackApiStandIn, channel: str,
                   thread: str | None = None) -> Call:
    """Press the first choice of every question until the recommendation arrives."""
    for _ in range(30):
        wait_until(lambda: bool(posts(standin, channel))
                   and all(c.response for c in posts(standin, channel)))
        last = posts(standin, channel)[-1]
        if not is_question(last):
            return last
        seen = len(posts(standin, channel))
        press_first_choice(server, standin, last, thread)
        wait_until(lambda seen=seen: len(posts(standin, channel)) > seen)
    raise AssertionError("assessment did not finish in 30 presses")


def test_assess_from_channel_runs_in_dm_by_buttons(server: Server,
                                                    standin: SlackApiStandIn) -> None:
    started = time.monotonic()
    status, body = server.command(standin, "assess")
    assert status == 200 and body == ""
    assert time.monotonic() - started < 1.5  # acknowledged before the work
    first = wait_posts(standin, DM, 1)[0]
    assert is_question(first)
    note = responses(standin)[-1]
    assert "direct message" in note.body["text"]
    card = run_by_buttons(server, standin, DM)
    text = json.dumps(card.body["blocks"])
    assert "Share to channel" in text and "Start over" in text
    updates = standin.calls_to("chat.update")
    questions = [c for c in posts(standin, DM) if is_question(c)]
    assert len(updates) == len(questions)
    for q, upd in zip(questions, updates, strict=True):
        assert q.response and upd.body["ts"] == q.response["ts"]
        assert buttons(upd) == []  # an answered question loses its buttons


def test_share_and_start_over_from_the_recommendation(server: Server,
                                                       standin: SlackApiStandIn) -> None:
    server.command(standin, "assess")
    card = run_by_buttons(server, standin, DM)
    assert card.response
    share = button(card, "Share to channel")
    server.press(standin, share, channel=DM, message_ts=card.response["ts"])
    shared = wait_posts(standin, CHANNEL, 1)[0]
    assert "Shared by <@" in shared.body["text"]
    assert "Share to channel" not in json.dumps(shared.body["blocks"])
    before = len(posts(standin, DM))
    server.press(standin, button(card, "Start over"), channel=DM, message_ts=card.response["ts"])
    again = wait_posts(standin, DM, before + 1)[-1]
    assert is_question(again) and "Question 1 of" in again.body["text"]


def test_typed_answers_in_the_dm_with_back_and_cancel(server: Server,
                                                       standin: SlackApiStandIn) -> None:
    server.command(standin, "assess", channel=DM)  # run from the DM itself: no note
    wait_posts(standin, DM, 1)
    server.event("event_message_im", channel=DM, text="2")
    wait_posts(standin, DM, 2)
    server.event("event_message_im", channel=DM, text="back")
    third = wait_posts(standin, DM, 3)[-1]
    assert "Question 1 of" in third.body["text"]
    server.event("event_message_im", channel=DM, text="what is this <!channel>")
    retry = wait_posts(standin, DM, 4)[-1]
    assert "<!channel>" not in json.dumps(retry.body)  # echoed text is escaped
    assert "&lt;!channel&gt;" in json.dumps(retry.body)
    server.event("event_message_im", channel=DM, text="cancel")
    cancelled = wait_posts(standin, DM, 5)[-1]
    assert "cancelled" in cancelled.body["text"].lower()
    assert not [c for c in standin.calls if c.method.startswith("response_url:")]


def test_whole_assessment_by_typed_answers(server: Server, standin: SlackApiStandIn) -> None:
    server.command(standin, "assess", channel=DM)
    for _ in range(30):
        last = wait_posts(standin, DM, 1)[-1]
        if not is_question(last):
            break
        seen = len(posts(standin, DM))
        server.event("event_message_im", channel=DM, text="1")
        wait_posts(standin, DM, seen + 1)
    assert "Share to channel" in json.dumps(last.body["blocks"])
    updates = standin.calls_to("chat.update")
    assert updates and all(buttons(u) == [] for u in updates)


def test_stale_button_is_answered_privately_and_not_applied(server: Server,
                                                            standin: SlackApiStandIn) -> None:
    server.command(standin, "assess", channel=DM)
    first = wait_posts(standin, DM, 1)[0]
    press_first_choice(server, standin, first)
    wait_posts(standin, DM, 2)
    wait_until(lambda: len(standin.calls_to("chat.update")) == 1)
    press_first_choice(server, standin, first)  # the same (now stale) button again
    note = standin.wait_for("chat.postEphemeral")[0]
    assert note.body["user"] == USER and "already answered" in note.body["text"]
    time.sleep(0.2)
    assert len(posts(standin, DM)) == 2 and len(standin.calls_to("chat.update")) == 1


def test_team_assessment_in_a_thread(server: Server, standin: SlackApiStandIn) -> None:
    server.command(standin, "assess here")
    starter = wait_posts(standin, CHANNEL, 2)[0]
    assert starter.response and "team scoping assessment" in starter.body["text"]
    thread = starter.response["ts"]
    first = posts(standin, CHANNEL)[1]
    assert first.body["thread_ts"] == thread and is_question(first)
    assert first.response
    choice = next(b for b in buttons(first) if b["action_id"].startswith("idgov.answer"))
    server.press(standin, choice, channel=CHANNEL, message_ts=first.response["ts"],
                 thread_ts=thread, user="U0TEAMMATE")  # anyone in the thread may answer
    update = standin.wait_for("chat.update")[0]
    assert "U0TEAMMATE" in json.dumps(update.body)
    second = wait_posts(standin, CHANNEL, 3)[-1]
    assert second.body["thread_ts"] == thread
    # Team chatter in the thread is no answer: only its author hears so, privately.
    server.event("event_message_channel_thread", channel=CHANNEL, thread_ts=thread,
                 text="brb, grabbing a coffee")
    hint = standin.wait_for("chat.postEphemeral")[0]
    assert hint.body["thread_ts"] == thread and "not an answer" in hint.body["text"]
    assert len(posts(standin, CHANNEL)) == 3  # nothing re-posted to the whole thread
    server.event("event_message_channel_thread", channel=CHANNEL, thread_ts=thread, text="1")
    third = wait_posts(standin, CHANNEL, 4)[-1]
    assert third.body["thread_ts"] == thread and is_question(third)
    server.event("event_message_channel_thread", channel=CHANNEL, thread_ts=thread,
                 text="cancel")
    wait_posts(standin, CHANNEL, 5)


def test_restart_mid_assessment_continues_on_a_new_server(
    engine: Engine, standin: SlackApiStandIn
) -> None:
    """Stop the server after two answers; a new app on the same database carries on."""
    first_server = Server(engine, settings(standin)).start()
    try:
        first_server.command(standin, "assess", channel=DM)
        first = wait_posts(standin, DM, 1)[0]
        press_first_choice(first_server, standin, first)
        second = wait_posts(standin, DM, 2)[-1]
    finally:
        first_server.stop()
    restarted = Server(engine, settings(standin)).start()
    try:
        press_first_choice(restarted, standin, second)
        third = wait_posts(standin, DM, 3)[-1]
        assert is_question(third) and "Question 3 of" in third.body["text"]
        updated = standin.wait_for("chat.update", 2)[-1]
        assert second.response and updated.body["ts"] == second.response["ts"]
        press_first_choice(restarted, standin, first)  # stale after the restart too
        assert "already answered" in standin.wait_for("chat.postEphemeral")[0].body["text"]
    finally:
        restarted.stop()


def test_every_payload_sent_type_checks_against_slacks_typescript_types(
    server: Server, standin: SlackApiStandIn
) -> None:
    """Runs last in this module: what idgov sent above (plus a Home tab) through @slack/types."""
    from tests.cards_node import require_node

    require_node()
    server.command(standin, "help")
    server.event("event_app_home_opened")
    responses(standin)
    standin.wait_for("views.publish")
    check_block_kit(standin.calls)
    kinds = {name.split("#")[0] for name in SENT}
    assert {"chat.postMessage", "chat.update", "views.publish"} <= kinds
    assert type_check_sent() == {}
