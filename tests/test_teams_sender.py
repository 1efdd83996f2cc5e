"""Proactive Teams delivery through the connector stand-in (continue_conversation), the
permanent failure for a user Teams will not let us reach, and the scheduler's fallback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.senders import Recipient
from bot.teams.sender import TeamsSender
from bot.teams.settings import TeamsSettings
from dialogs.replies import NudgeReply, TaskSummary, TextReply
from storage.models import ConversationRef
from tests.standins.connector import ConnectorStandIn, Failure
from tests.teams_helpers import APP_ENV, TENANT, USER_AAD, payload, post, running_server, submits

USER_REF = f"teams:{TENANT}:{USER_AAD}"
STRANGER = "5e5e5e5e-0000-4000-8000-00000000abcd"
CHANNEL_REF = f"teams:{TENANT}:#19:d2a1c5a2f5b34b3f9b8e2a8c8e3c1f7b@thread.skype"


@pytest.fixture(autouse=True)
def _no_app_id(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)


def _nudge(task_id: int = 7) -> NudgeReply:
    task = TaskSummary(id=task_id, kind="rotation", title="Rotate the CI deploy key",
                       owner=USER_REF, due=date(2026, 12, 2))
    return NudgeReply(stage="due", task=task)


async def _seen(url: str, conn: ConnectorStandIn, *names: str) -> None:
    for name in names:
        assert (await post(url, payload(name, conn.service_url)))[0] == 201
    conn.reset()


async def test_nudge_reaches_a_known_user_proactively(sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await _seen(url, conn, "personal_message")
        sender = TeamsSender(sqlite_engine, TeamsSettings())
        result = await sender.send(Recipient(USER_REF), _nudge())
        [call] = conn.calls
    assert result.ok and result.message_ref == conn.sent_ids[-1]
    assert call.op == "send"  # a new message, not a reply to an old activity
    assert call.conversation_id.startswith("a:17I0kl8E")
    verbs = {s["idgov"] for s in submits(call.card)}
    assert {"task_done", "task_snooze"} <= verbs
    assert await sender.user_timezone(USER_REF) == "America/Los_Angeles"


async def test_channel_message_goes_to_the_channel_not_a_thread(sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await _seen(url, conn, "channel_message_with_mention")
        result = await TeamsSender(sqlite_engine, TeamsSettings()).send(
            Recipient(CHANNEL_REF, is_channel=True), TextReply(text="Weekly digest"))
        [call] = conn.calls
    assert result.ok
    assert call.conversation_id == "19:d2a1c5a2f5b34b3f9b8e2a8c8e3c1f7b@thread.skype"


async def test_a_user_never_seen_in_an_unknown_tenant_is_a_permanent_failure(
        sqlite_engine: Engine) -> None:
    result = await TeamsSender(sqlite_engine, TeamsSettings()).send(
        Recipient(f"teams:other-tenant:{STRANGER}"), _nudge())
    assert not result.ok and result.permanent and not result.transient
    assert result.error and "never talked to the idgov bot" in result.error


async def test_a_user_without_the_app_is_refused_by_teams_permanently(
        sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await _seen(url, conn, "personal_message")
        result = await TeamsSender(sqlite_engine, TeamsSettings()).send(
            Recipient(f"teams:{TENANT}:{STRANGER}"), _nudge())
        [create] = conn.calls
    assert create.op == "create" and create.body["members"] == [{"id": STRANGER}]
    assert create.body["channelData"]["tenant"]["id"] == TENANT
    assert not result.ok and result.permanent
    assert result.error and "never talked" in result.error


async def test_a_user_with_the_app_gets_a_new_chat_and_is_remembered(
        sqlite_engine: Engine) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await _seen(url, conn, "personal_message")
        conn.installed.add(STRANGER)
        result = await TeamsSender(sqlite_engine, TeamsSettings()).send(
            Recipient(f"teams:{TENANT}:{STRANGER}"), _nudge())
        ops = [(c.op, c.conversation_id) for c in conn.calls]
    assert result.ok
    assert ops == [("create", ""), ("send", f"a:new-{STRANGER}")]
    with Session(sqlite_engine) as s:
        assert s.get(ConversationRef, f"teams:{TENANT}:{STRANGER}") is not None


@pytest.mark.parametrize(("failure", "permanent"), [
    (Failure(429, retry_after=7), False),
    (Failure(502), False),
    (Failure(403, code="Forbidden"), True),
])
async def test_connector_failures_map_to_delivery_results(
        sqlite_engine: Engine, failure: Failure, permanent: bool) -> None:
    async with running_server(sqlite_engine) as (url, conn):
        await _seen(url, conn, "personal_message")
        conn.fail("send", failure)
        result = await TeamsSender(sqlite_engine, TeamsSettings()).send(
            Recipient(USER_REF), _nudge())
        assert len(conn.calls) == 1  # one attempt: the scheduler owns the backoff
    assert not result.ok and result.permanent is permanent
    if failure.status == 429:
        assert result.retry_after == 7
    if not permanent:
        assert result.retry_after and result.error and str(failure.status) in result.error


async def test_scheduler_records_the_unreachable_owner_and_escalates_to_the_channel(
        sqlite_engine: Engine) -> None:
    from bot.scheduler import run_once
    from dialogs import task_ops as tasks
    from storage.db import session_scope

    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday afternoon
    async with running_server(sqlite_engine) as (url, conn):
        await _seen(url, conn, "channel_message_with_mention")
        with session_scope(sqlite_engine) as s:
            task_id = tasks.create_task(
                s, workspace=f"teams:{TENANT}", kind="offboarding", title="Close leaver access",
                owner=f"teams:{TENANT}:{STRANGER}", created_by=USER_REF, due=now.date(),
                channel_ref=CHANNEL_REF, now=now - timedelta(days=10)).id
        senders = {"teams": TeamsSender(sqlite_engine, TeamsSettings())}
        for minute in range(3):
            await run_once(sqlite_engine, senders, now + timedelta(minutes=minute))
        posts = conn.calls_of("send")
    with session_scope(sqlite_engine) as s:
        task = tasks.get_task(s, task_id)
        assert task.unreachable_note and "never talked" in task.unreachable_note
    assert [p.conversation_id for p in posts] == ["19:d2a1c5a2f5b34b3f9b8e2a8c8e3c1f7b"
                                                  "@thread.skype"]
