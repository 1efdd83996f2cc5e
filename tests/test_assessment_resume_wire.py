"""Answers already given are never lost silently, at the wire on Slack and Teams.

- `/idgov assess` (Slack) or `assess` (Teams) during an assessment asks whether to resume
  or start over (`dialogs.handlers_assessment`) instead of discarding the answers.
- After a crash between saving a step and posting the next question (simulated: the step
  saved, no question message recorded for it), pressing the old button or typing re-posts
  the pending question (`dialogs.handlers.unseen_question`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.models import Conversation
from storage.slack_models import SlackQuestionMessage
from storage.teams_models import TeamsQuestionCard
from tests.slack_payloads.harness import USER, Server, buttons, wait_until
from tests.standins.connector import ConnectorStandIn
from tests.standins.slack_api import Call, SlackApiStandIn
from tests.teams_helpers import APP_ENV, payload, post, running_server, submits
from tests.test_slack_assessment import is_question, posts, press_first_choice, wait_posts

DM = f"D{USER}"


def _answers(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        rows = session.exec(select(Conversation)).all()
        return [dict(json.loads(json.dumps(r.state)).get("answers", {})) for r in rows
                if isinstance(r.state, dict)]


def _recorded(engine: Engine, call: Call) -> bool:
    """True once the adapter has recorded where ``call``'s question message lives: it does so
    after Slack answers ``chat.postMessage``, so the stand-in can see the post first."""
    ts = str(call.response["ts"])  # type: ignore[index]
    with Session(engine) as session:
        return session.exec(select(SlackQuestionMessage).where(
            SlackQuestionMessage.ts == ts)).first() is not None


def _next_question(standin: SlackApiStandIn, seen: int) -> Call:
    """The first question posted after the first `seen` posts: a resume posts a note
    ("Picking up your assessment...") and then the question, so the newest post alone may
    be the note."""
    def found() -> Call | None:
        return next((c for c in posts(standin, DM)[seen:] if c.response and is_question(c)),
                    None)
    wait_until(lambda: found() is not None)
    call = found()
    assert call is not None
    return call


def _labels(call: Call) -> list[str]:
    return [b["text"]["text"] for b in buttons(call)]


@pytest.mark.usefixtures("slack_fresh")
def test_slack_assess_again_asks_resume_or_start_over(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine,
) -> None:
    server.command(standin, "assess")
    first = wait_posts(standin, DM, 1)[0]
    press_first_choice(server, standin, first)
    second = wait_posts(standin, DM, 2)[-1]
    assert is_question(second)
    answered = _answers(slack_engine)
    assert any(answered)
    server.command(standin, "assess")
    prompt = wait_posts(standin, DM, 3)[-1]
    assert _labels(prompt) == ["Resume", "Start over"]
    assert "in progress" in prompt.body["text"]
    assert _answers(slack_engine) == answered  # nothing discarded
    resume = next(b for b in buttons(prompt) if b["text"]["text"] == "Resume")
    server.press(standin, resume, channel=DM, message_ts=str(prompt.response["ts"]))  # type: ignore[index]
    again = _next_question(standin, 3)
    assert again.body["text"] == second.body["text"]
    assert _answers(slack_engine) == answered
    restart = next(b for b in buttons(prompt) if b["text"]["text"] == "Start over")
    seen = len(posts(standin, DM))
    server.press(standin, restart, channel=DM, message_ts=str(prompt.response["ts"]))  # type: ignore[index]
    fresh = _next_question(standin, seen)
    assert fresh.body["text"] == first.body["text"]
    wait_until(lambda: not any(_answers(slack_engine)))


@pytest.mark.usefixtures("slack_fresh")
def test_slack_crash_before_the_next_question_is_posted_reposts_it(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine,
) -> None:
    server.command(standin, "assess")
    first = wait_posts(standin, DM, 1)[-1]
    if not is_question(first):  # an earlier test's assessment is in progress: start over
        restart = next(b for b in buttons(first) if b["text"]["text"] == "Start over")
        server.press(standin, restart, channel=DM, message_ts=str(first.response["ts"]))  # type: ignore[index]
        first = _next_question(standin, 1)
    seen = len(posts(standin, DM))
    press_first_choice(server, standin, first)
    second = wait_posts(standin, DM, seen + 1)[-1]
    assert is_question(second)
    wait_until(lambda: _recorded(slack_engine, second))  # else the delete below races the record
    answered = _answers(slack_engine)
    with Session(slack_engine) as session:  # the crash: the question message went unrecorded
        session.execute(delete(SlackQuestionMessage))
        session.commit()
    seen = len(posts(standin, DM))
    press_first_choice(server, standin, first)  # the old button again
    reposted = wait_posts(standin, DM, seen + 1)[-1]
    assert is_question(reposted) and reposted.body["text"] == second.body["text"]
    assert _answers(slack_engine) == answered
    wait_until(lambda: _recorded(slack_engine, reposted))
    # typed text while the question is unrecorded re-posts it too (and is not an answer)
    with Session(slack_engine) as session:
        session.execute(delete(SlackQuestionMessage))
        session.commit()
    seen = len(posts(standin, DM))
    server.event("event_message_im", channel=DM, user=USER, text="1")
    wait_until(lambda: len(posts(standin, DM)) > seen)
    assert any(is_question(c) and c.body["text"] == second.body["text"]
               for c in posts(standin, DM)[seen:])
    assert _answers(slack_engine) == answered


# --- Teams -----------------------------------------------------------------------------
@pytest.fixture
def _no_app_id(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)


def _last_card(conn: ConnectorStandIn) -> dict[str, Any] | None:
    return conn.calls_of("send", "reply")[-1].card


async def _say(url: str, conn: ConnectorStandIn, text: str) -> None:
    status, _ = await post(url, payload("personal_message", conn.service_url, text=text))
    assert status == 201


async def _submit(url: str, conn: ConnectorStandIn, value: dict[str, Any]) -> None:
    status, _ = await post(url, payload("personal_card_submit", conn.service_url, value=value))
    assert status == 201


@pytest.mark.usefixtures("_no_app_id")
async def test_teams_assess_again_asks_and_a_lost_question_is_reposted(
    sqlite_engine: Engine,
) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await _say(url, conn, "assess")
        first = _last_card(conn)
        choice = next(s for s in submits(first) if s.get("idgov") == "answer")
        await _submit(url, conn, choice)
        second = _last_card(conn)
        assert any(s.get("idgov") == "answer" for s in submits(second)) and second != first
        answered = _answers(sqlite_engine)
        await _say(url, conn, "assess")
        prompt = _last_card(conn)
        assert [s["idgov"] for s in submits(prompt)] == ["resume", "restart"]
        assert _answers(sqlite_engine) == answered
        await _submit(url, conn, {"idgov": "resume"})
        assert _last_card(conn) == second
        # crash: step saved, the question card never recorded
        with Session(sqlite_engine) as session:
            session.execute(delete(TeamsQuestionCard))
            session.commit()
        before = len(conn.calls_of("send", "reply"))
        await _submit(url, conn, choice)  # the first question's old button
        sent = [c.card for c in conn.calls_of("send", "reply")[before:]]
        assert second in sent
        assert _answers(sqlite_engine) == answered
        with Session(sqlite_engine) as session:
            session.execute(delete(TeamsQuestionCard))
            session.commit()
        before = len(conn.calls_of("send", "reply"))
        await _say(url, conn, "1")
        sent = [c.card for c in conn.calls_of("send", "reply")[before:]]
        assert second in sent and _answers(sqlite_engine) == answered
