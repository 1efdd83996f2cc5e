"""The Slack sender at the wire: DMs, channels, failure classes, time zones and email lookups."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.senders import Recipient
from bot.slack.sender import SlackSender
from dialogs.replies import NudgeReply, TaskSummary, TextReply
from tests.standins.slack_api import Failure, SlackApiStandIn

REPLY = NudgeReply(stage="due", task=TaskSummary(id=7, kind="rotation", title="Rotate <keys>",
                                                 owner="slack:T0001:U1", due=date(2026, 1, 5)))


@pytest.fixture
async def api() -> AsyncIterator[SlackApiStandIn]:
    standin = SlackApiStandIn()
    await standin.async_start()
    standin.add_user("U1", tz="Asia/Tokyo", email="ana@example.com")
    standin.add_user("U2", tz="America/Los_Angeles", email="gone@example.com", deleted=True)
    yield standin
    await standin.async_stop()


@pytest.fixture
async def sender(api: SlackApiStandIn) -> AsyncIterator[SlackSender]:
    s = SlackSender(token="xoxb-standin", base_url=api.base_url)
    yield s
    await s.aclose()


async def test_dm_opens_the_conversation_once_and_posts_the_card(
    api: SlackApiStandIn, sender: SlackSender,
) -> None:
    first = await sender.send(Recipient("slack:T0001:U1"), REPLY)
    second = await sender.send(Recipient("slack:T0001:U1"), TextReply(text="hi"))
    assert first.ok and second.ok and first.message_ref and first.message_ref.startswith("DU1:")
    assert len(api.calls_to("conversations.open")) == 1
    posts = api.calls_to("chat.postMessage")
    assert [p.body["channel"] for p in posts] == ["DU1", "DU1"]
    assert posts[0].headers["Authorization"] == "Bearer xoxb-standin"
    buttons = [e["action_id"] for b in posts[0].body["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert "idgov.task_done" in buttons and "idgov.task_snooze" in buttons


async def test_channel_refs_post_straight_to_the_channel(
    api: SlackApiStandIn, sender: SlackSender,
) -> None:
    result = await sender.send(Recipient("slack:T0001:#CSEC", is_channel=True), REPLY)
    assert result.ok
    assert api.calls_to("conversations.open") == []
    assert api.calls_to("chat.postMessage")[0].body["channel"] == "CSEC"


@pytest.mark.parametrize(
    ("failure", "transient", "retry_after"),
    [
        (Failure(status=429, error="ratelimited", retry_after=42), True, 42.0),
        (Failure(status=503, error="service_unavailable"), True, 30.0),
        (Failure(status=500, error="internal_error", retry_after=5), True, 5.0),
        (Failure(error="user_not_found"), False, None),
        (Failure(error="account_inactive"), False, None),
        (Failure(error="channel_not_found"), False, None),
        (Failure(error="is_archived"), False, None),
        (Failure(error="cannot_dm_bot"), False, None),
    ],
)
async def test_failures_are_classified_and_never_retried_inside_the_sender(
    api: SlackApiStandIn, sender: SlackSender, failure: Failure, transient: bool,
    retry_after: float | None,
) -> None:
    api.fail("chat.postMessage", failure)
    result = await sender.send(Recipient("slack:T0001:U1"), REPLY)
    assert not result.ok
    assert result.transient is transient and result.permanent is not transient
    assert result.retry_after == retry_after
    assert failure.error and failure.error in (result.error or "")
    assert len(api.calls_to("chat.postMessage")) == 1  # slack_sdk did not retry the 429


async def test_unreachable_api_is_transient() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sender = SlackSender(token="xoxb-x", base_url=f"http://127.0.0.1:{port}/api/", timeout=2)
    result = await sender.send(Recipient("slack:T0001:U1"), REPLY)
    await sender.aclose()
    assert result.transient and result.retry_after


async def test_installation_lookup_per_team(api: SlackApiStandIn) -> None:
    async def token_for(team: str) -> str | None:
        return "xoxb-team-1" if team == "T0001" else None

    sender = SlackSender(token_for_team=token_for, base_url=api.base_url)
    ok = await sender.send(Recipient("slack:T0001:U1"), REPLY)
    missing = await sender.send(Recipient("slack:T9999:U1"), REPLY)
    bad_ref = await sender.send(Recipient("teams:x:y"), REPLY)
    await sender.aclose()
    assert ok.ok and api.calls_to("chat.postMessage")[0].headers["Authorization"].endswith(
        "xoxb-team-1")
    assert missing.permanent and missing.error == "not_installed"
    assert bad_ref.permanent


async def test_timezone_and_email_lookup(api: SlackApiStandIn, sender: SlackSender) -> None:
    assert await sender.user_timezone("slack:T0001:U1") == "Asia/Tokyo"
    assert await sender.user_timezone("slack:T0001:UNKNOWN") is None
    assert await sender.resolve_email("ana@example.com", "slack:T0001") == "slack:T0001:U1"
    assert await sender.resolve_email("gone@example.com", "slack:T0001") is None  # deactivated
    assert await sender.resolve_email("nobody@example.com", "slack:T0001") is None
    # A CLI task (workspace cli:local) uses the installed workspace of the bot token.
    assert await sender.resolve_email("ana@example.com", "cli:local") == "slack:T0001:U1"
