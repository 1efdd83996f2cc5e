"""Teams at the wire: the real aiohttp app on 127.0.0.1, Teams-shaped activities posted to
/api/messages, and the replies asserted where Teams' connector would receive them."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.models import Assessment, Conversation, ConversationRef, ProcessedEvent, UserProfile
from tests.standins.connector import ConnectorStandIn, Failure
from tests.teams_helpers import (
    APP_ENV,
    BOT_ID,
    OTHER_TENANT,
    TENANT,
    USER_AAD,
    payload,
    post,
    running_server,
    submits,
    texts,
    with_tenant,
)

USER_REF = f"teams:{TENANT}:{USER_AAD}"


@pytest.fixture(autouse=True)
def _no_app_id(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)


def _answers(card: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [s for s in submits(card) if s.get("idgov") == "answer"]


async def _run_by_submits(url: str, conn: ConnectorStandIn) -> None:
    """Press the first choice of every question card until none is left."""
    status, _ = await post(url, payload("personal_message", conn.service_url, text="assess"))
    assert status == 201
    prompt = [s.get("idgov") for s in submits(conn.calls_of("send", "reply")[-1].card)]
    if "resume" in prompt:  # one is in progress: `assess` asks first (answers are kept)
        await post(url, payload("personal_card_submit", conn.service_url,
                                value={"idgov": "restart"}))
    for _ in range(30):
        last = conn.calls_of("send", "reply")[-1]
        choices = _answers(last.card)
        if not choices:
            break
        before = len(conn.calls)
        question_card = conn.sent_ids[-1]
        status, _ = await post(url, payload("personal_card_submit", conn.service_url,
                                            value=choices[0], replyToId=question_card))
        assert status == 201
        new = conn.calls[before:]
        update = [c for c in new if c.op == "update"]
        assert [c.activity_id for c in update] == [question_card], "card updated in place"
        assert submits(update[0].body["attachments"][0]["content"]) == [], "no buttons left"


async def test_whole_assessment_by_card_submits(sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await _run_by_submits(url, conn)
        final = conn.calls_of("send", "reply")[-1]
    assert "Recommended" in texts(final.card)
    assert final.op == "reply" and final.activity_id, "replies thread onto the pressed card"
    with Session(sqlite_engine) as s:
        done = s.exec(select(Assessment)).all()
    assert len(done) == 1 and done[0].workspace == f"teams:{TENANT}"
    assert done[0].user_ref == USER_REF


async def test_whole_assessment_by_typed_answers(sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await post(url, payload("personal_message", conn.service_url, text="assess"))
        for _ in range(30):
            card = conn.calls_of("send", "reply")[-1].card
            if not _answers(card):
                break
            question_card = conn.sent_ids[-1]
            before = len(conn.calls)
            status, _ = await post(url, payload("personal_message", conn.service_url, text="1"))
            assert status == 201
            updates = [c for c in conn.calls[before:] if c.op == "update"]
            assert [c.activity_id for c in updates] == [question_card]
        final = conn.calls_of("send", "reply")[-1]
    assert "Recommended" in texts(final.card)


async def test_stale_submit_is_answered_politely_and_not_reapplied(sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await post(url, payload("personal_message", conn.service_url, text="assess"))
        first = _answers(conn.calls[-1].card)[0]
        card_id = conn.sent_ids[-1]
        await post(url, payload("personal_card_submit", conn.service_url, value=first,
                                replyToId=card_id))
        with Session(sqlite_engine) as s:
            state_before = s.exec(select(Conversation)).one().state
        before = len(conn.calls)
        status, _ = await post(url, payload("personal_card_submit", conn.service_url,
                                            value=first, replyToId=card_id))
        assert status == 201
        new = conn.calls[before:]
    assert [c.op for c in new] == ["reply"], "one polite reply, no card update"
    assert not _answers(new[0].card)
    assert "already" in texts(new[0].card).lower() or "older" in texts(new[0].card).lower()
    with Session(sqlite_engine) as s:
        assert s.exec(select(Conversation)).one().state == state_before


async def test_channel_message_with_mention_strips_it(sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        data = payload("channel_message_with_mention", conn.service_url)
        status, _ = await post(url, data)
        assert status == 201
        [reply] = conn.calls_of("reply")
        assert reply.conversation_id == data["conversation"]["id"]  # in the thread
        assert reply.activity_id == data["id"]
        assert "assess" in texts(reply.card)  # the help card, not an answer to "<at>idgov</at>"
        # Without a mention of the bot (e.g. an RSC-delivered message) nothing is said.
        quiet = payload("channel_message_with_mention", conn.service_url,
                        text="just chatting", entities=[])
        assert (await post(url, quiet))[0] == 201
        assert len(conn.calls) == 1
        # "assess" after a mention starts an assessment keyed to this user in this thread.
        start = payload("channel_message_with_mention", conn.service_url,
                        text="<at>idgov</at> assess")
        await post(url, start)
        assert _answers(conn.calls[-1].card)
    with Session(sqlite_engine) as s:
        keys = [c.key for c in s.exec(select(Conversation)).all()]
        channel = s.get(ConversationRef, f"teams:{TENANT}:#19:d2a1c5a2f5b34b3f9b8e2a8c8e3c1f7b"
                                          "@thread.skype")
    assert keys == [f"teams:{TENANT}:19%3Ad2a1c5a2f5b34b3f9b8e2a8c8e3c1f7b@thread.skype;"
                    f"messageid=1480124433027:-:a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d"]
    assert channel is not None
    assert channel.reference["conversation"]["id"].endswith("@thread.skype")


@pytest.mark.parametrize("name", ["conversation_update_bot_added_to_team",
                                  "conversation_update_personal_install"])
async def test_welcome_card_on_install(sqlite_engine: Engine, name: str) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        data = payload(name, conn.service_url)
        assert (await post(url, data))[0] == 201
        sent = conn.calls_of("send", "reply")
    assert len(sent) == 1 and sent[0].conversation_id == data["conversation"]["id"]
    assert "Welcome" in texts(sent[0].card) or "welcome" in texts(sent[0].card)


async def test_reference_and_time_zone_are_stored(sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await post(url, payload("personal_message", conn.service_url, text="help"))
    with Session(sqlite_engine) as s:
        ref = s.get(ConversationRef, USER_REF)
        profile = s.get(UserProfile, USER_REF)
    assert ref is not None and ref.workspace == f"teams:{TENANT}"
    assert ref.reference["serviceUrl"] == conn.service_url
    assert ref.reference["bot"]["id"] == BOT_ID
    assert profile is not None and profile.tz == "America/Los_Angeles"
    assert profile.display_name == "Megan Bowen"


@pytest.mark.parametrize(("raw", "ctype", "status"), [
    (b"{not json", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b'{"type": "message"}', "application/json", 400),
    (b'{"type": "message", "serviceUrl": "file:///etc/passwd", "channelId": "msteams", '
     b'"conversation": {"id": "a"}, "from": {"id": "u"}, "recipient": {"id": "b"}}',
     "application/json", 400),
    (b'{"type": 5, "serviceUrl": "http://x/", "channelId": "msteams", '
     b'"conversation": {"id": "a"}, "from": {"id": "u"}, "recipient": {"id": "b"}}',
     "application/json", 400),
    (b"type=message", "application/x-www-form-urlencoded", 415),
])
async def test_malformed_activities_are_refused_and_the_server_stays_up(
        sqlite_engine: Engine, raw: bytes, ctype: str, status: int) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        got, body = await post(url, None, headers={"Content-Type": ctype}, raw=raw)
        assert got == status
        assert "Traceback" not in body and len(json.loads(body)["error"].splitlines()) == 1
        assert (await post(url, payload("personal_message", conn.service_url)))[0] == 201
        assert len(conn.calls) == 1


async def test_duplicate_activity_is_processed_once(engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        data = payload("personal_message", conn.service_url, text="assess")
        assert (await post(url, data))[0] == 201
        assert (await post(url, data))[0] == 201
        assert len(conn.calls) == 1
    with Session(engine) as s:
        assert len(s.exec(select(ProcessedEvent)).all()) == 1


async def test_two_tenants_never_see_each_others_tasks(engine: Engine) -> None:
    from dialogs import task_ops as tasks
    from storage.clock import utcnow
    from storage.db import session_scope

    with session_scope(engine) as s:
        task = tasks.create_task(s, workspace=f"teams:{TENANT}", kind="rotation",
                                 title="Rotate the CI deploy key", owner=USER_REF,
                                 created_by=USER_REF, due=utcnow().date() + timedelta(days=7),
                                 now=utcnow())
        task_id = task.id
    async with running_server(engine) as (url, conn):
        other = with_tenant(payload("personal_message", conn.service_url, text="tasks"),
                            OTHER_TENANT, conversation_id="a:other-tenant-chat")
        await post(url, other)
        assert "Rotate the CI deploy key" not in texts(conn.calls[-1].card)
        press = with_tenant(payload("personal_card_submit", conn.service_url,
                                    value={"idgov": "task_done", "t": task_id}),
                            OTHER_TENANT, conversation_id="a:other-tenant-chat")
        await post(url, press)
        assert "no task" in texts(conn.calls[-1].card).lower()
        await post(url, payload("personal_message", conn.service_url, text="tasks"))
        assert "Rotate the CI deploy key" in texts(conn.calls[-1].card)
    with session_scope(engine) as s:
        assert tasks.get_task(s, task_id).status == "open"


async def test_connector_429_then_success_is_retried_and_logged(
        sqlite_engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.teams")
    async with running_server(sqlite_engine) as (url, conn):
        conn.fail("reply", Failure(429, retry_after=0))
        assert (await post(url, payload("personal_message", conn.service_url)))[0] == 201
        attempts = conn.calls_of("reply")
    assert len(attempts) == 2 and attempts[0].body == attempts[1].body
    assert any("429" in r.getMessage() and "retry 1/3" in r.getMessage()
               for r in caplog.records)


async def test_connector_failing_for_good_is_logged_not_dropped(
        sqlite_engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.teams")
    async with running_server(sqlite_engine) as (url, conn):
        conn.fail("reply", *[Failure(503, retry_after=0)] * 4)
        data = payload("personal_message", conn.service_url)
        status, _ = await post(url, data)
        assert status == 201  # Teams must not redeliver forever; the failure is in the log
        assert len(conn.calls_of("reply")) == 4  # no apology: it would fail the same way
        with Session(sqlite_engine) as s:  # the failed turn released its claim on the id...
            assert s.exec(select(ProcessedEvent)).all() == []
        assert (await post(url, data))[0] == 201  # ...so a redelivery is answered
        assert len(conn.calls_of("reply")) == 5
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("failed for good after 4 attempt(s): 503" in m for m in errors)
    assert any("turn failed" in m for m in errors)


@pytest.mark.node
async def test_every_card_sent_on_the_wire_is_valid_and_renders(sqlite_engine: Engine) -> None:
    """Collect every Adaptive Card a session sent (and every update), then check each against
    Microsoft's Adaptive Card 1.5 schema and its JavaScript renderer with the Teams config."""
    from importlib import resources

    import jsonschema

    from tests.cards_node import run_node

    async with running_server(sqlite_engine) as (url, conn):
        await post(url, payload("conversation_update_personal_install", conn.service_url))
        await post(url, payload("personal_message", conn.service_url, text="tasks"))
        await post(url, payload("personal_message", conn.service_url,
                                text="ask what is a non-human identity?"))
        await post(url, payload("personal_message", conn.service_url, text="ask zzz qqq"))
        await post(url, payload("personal_message", conn.service_url, text="assess"))
        await post(url, payload("personal_message", conn.service_url, text="maybe later"))
        await _run_by_submits(url, conn)
        cards = {f"{i}-{c.op}": c.card for i, c in enumerate(conn.calls)}
    assert all(cards.values()) and len(cards) > 20
    schema = json.loads(resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json")
                        .read_text("utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    invalid = {n: e.message for n, c in cards.items() for e in validator.iter_errors(c)}
    assert not invalid, invalid
    result = run_node("render-adaptive.js", cards)
    failures = {name: r["events"] for name, r in result.items() if r["events"]}
    assert not failures, json.dumps(failures, indent=1)[:3000]


async def test_invokes_are_refused_with_a_4xx(sqlite_engine: Engine) -> None:
    """Our cards never use Action.Execute; an invoke gets a JSON 400, not the SDK's 501/500."""
    async with running_server(sqlite_engine) as (url, conn):
        data = payload("personal_card_submit", conn.service_url, type="invoke",
                       name="adaptiveCard/action",
                       value={"action": {"type": "Action.Execute", "verb": "x"}})
        status, body = await post(url, data)
        assert conn.calls == []
    assert status == 400 and "adaptiveCard/action" in json.loads(body)["error"]


@pytest.mark.parametrize("failure", [Failure(503), Failure(429, retry_after=0)])
async def test_card_update_failure_is_retried_by_us_once_not_by_the_sdk(
        sqlite_engine: Engine, caplog: pytest.LogCaptureFixture, failure: Failure) -> None:
    """msrest/urllib3 would silently retry a PUT; ours is the only retry, and it is logged."""
    caplog.set_level(logging.WARNING, logger="bot.teams")
    async with running_server(sqlite_engine) as (url, conn):
        await post(url, payload("personal_message", conn.service_url, text="assess"))
        conn.fail("update", failure)
        card_id = conn.sent_ids[-1]
        await post(url, payload("personal_card_submit", conn.service_url,
                                value=_answers(conn.calls[-1].card)[0], replyToId=card_id))
        updates = conn.calls_of("update")
    assert [u.activity_id for u in updates] == [card_id, card_id]
    assert any(f"got {failure.status}" in r.getMessage() for r in caplog.records)
