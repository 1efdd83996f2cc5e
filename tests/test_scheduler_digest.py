"""Weekly channel digest: opt-in per channel, once per ISO week across sweepers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.digest import digest_text, digest_week
from bot.scheduler import run_once
from bot.slack.sender import SlackSender
from dialogs import task_ops as tasks
from dialogs.reminders import NudgeSettings
from storage import nudges
from storage.db import session_scope
from storage.models import ChannelSetting, Task
from tests.standins.slack_api import SlackApiStandIn

SETTINGS = NudgeSettings(IDGOV_NUDGE_DEFAULT_TZ="Europe/London")
MONDAY_0930 = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)


@pytest.fixture
def api() -> Iterator[SlackApiStandIn]:
    standin = SlackApiStandIn().start()
    yield standin
    standin.stop()


def _setup(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(ChannelSetting(platform="slack", workspace="slack:T0001", channel="CGOV",
                                   digest=True))
        session.add(ChannelSetting(platform="slack", workspace="slack:T0001", channel="CQUIET",
                                   digest=False))
        for owner, title, due in (("cli:local:ana", "Rotate keys", date(2026, 1, 2)),
                                  ("cli:local:ana", "Review bots", date(2026, 2, 1)),
                                  ("cli:local:bo", "Break-glass test", date(2026, 3, 1))):
            tasks.create_task(session, workspace="slack:T0001", kind="rotation", title=title,
                              owner=owner, created_by=owner, due=due, now=MONDAY_0930)
        tasks.create_task(session, workspace="slack:T0002", kind="inventory", title="Other team",
                          owner="cli:local:cy", created_by="cli:local:cy", due=date(2026, 1, 2),
                          now=MONDAY_0930)


def _sweep(engine: Engine, api: SlackApiStandIn, now: datetime) -> int:
    senders = {"slack": SlackSender(token="xoxb-t", base_url=api.base_url)}
    return asyncio.run(run_once(engine, senders, now, settings=SETTINGS)).digests


def test_digest_goes_to_opted_in_channels_once_a_week(engine: Engine, api: SlackApiStandIn) -> None:
    _setup(engine)
    assert _sweep(engine, api, MONDAY_0930 - timedelta(hours=1)) == 0  # before 9:00 London
    assert _sweep(engine, api, MONDAY_0930) == 1
    assert _sweep(engine, api, MONDAY_0930 + timedelta(days=2)) == 0  # same week
    posts = api.calls_to("chat.postMessage")
    assert [p.body["channel"] for p in posts] == ["CGOV"]
    text = str(posts[0].body)
    assert "3 open, 1 overdue" in text and "Other team" not in text
    assert text.index("*ana*") < text.index("*bo*") and "cli:local" not in text
    assert _sweep(engine, api, MONDAY_0930 + timedelta(days=7)) == 1  # next week
    assert len(api.calls_to("chat.postMessage")) == 2


def test_two_sweepers_claim_a_digest_once_and_a_crashed_claim_is_taken_over(
    engine: Engine,
) -> None:
    channel = ChannelSetting(platform="slack", workspace="slack:T0001", channel="CGOV",
                             digest=True)
    claims = [nudges.claim_digest(engine, channel, week="2026-W03", worker=w, now=MONDAY_0930,
                                  lease_seconds=300) for w in ("a", "b")]
    assert claims == [True, False]
    later = MONDAY_0930 + timedelta(seconds=301)  # "a" never finished: its claim went stale
    assert nudges.claim_digest(engine, channel, week="2026-W03", worker="b", now=later,
                               lease_seconds=300)
    nudges.finish_digest(engine, channel, week="2026-W03", worker="b", ok=True, detail={})
    assert not nudges.claim_digest(engine, channel, week="2026-W03", worker="c",
                                   now=later + timedelta(hours=1), lease_seconds=300)


def test_digest_week_and_text() -> None:
    sunday = datetime(2026, 1, 11, 12, tzinfo=UTC)
    assert digest_week(sunday, SETTINGS) == "2026-W02"  # not sent on Monday: catch up
    assert digest_week(MONDAY_0930, SETTINGS) == "2026-W03"
    friday = NudgeSettings(IDGOV_DIGEST_WEEKDAY=5)
    assert digest_week(MONDAY_0930, friday) is None
    empty = digest_text([], week="2026-W03", today=date(2026, 1, 12))
    assert "0 open" in empty and "Nothing open" in empty
    many = [Task(id=i, workspace="w", kind="inventory", title=f"t{i}", owner="cli:local:a",
                 created_by="x", due=date(2026, 1, 1)) for i in range(60)]
    text = digest_text(many, week="2026-W03", today=date(2026, 1, 12))
    assert "60 open, 60 overdue" in text and "20 more" in text


def test_digest_names_people_and_labels_task_kinds_on_every_surface() -> None:
    """Owners by mention or kept display name, kinds by label; never a raw ref or `[kind]`."""
    from bot.cards.render import render
    from bot.digest import digest_reply

    teams_owner = "teams:tenant-1:8e1c6b2a-4d3f-4a5b-9c1d-2e3f4a5b6c7d"
    rows = [Task(id=1, workspace="w", kind="inventory", title="List every service account",
                 owner="slack:T0001:U0ANA", created_by="x", due=date(2026, 1, 1)),
            Task(id=2, workspace="w", kind="rotation", title="Rotate the CI deploy key",
                 owner=teams_owner, created_by="x", due=date(2026, 2, 1))]
    reply = digest_reply(rows, week="2026-W03", today=date(2026, 1, 12),
                         names={teams_owner: "Li Wei"})
    slack = json.dumps(render(reply, "slack"))
    teams_card = render(reply, "teams")
    text = render(reply, "text")
    assert "<@U0ANA>" in slack and "Inventory" in slack and "[inventory]" not in slack
    assert "<at>Li Wei</at>" in json.dumps(teams_card)
    assert teams_card["msteams"]["entities"][0]["mentioned"]["id"] == teams_owner.rsplit(":", 1)[1]
    assert "Li Wei: 1 open task" in text and "overdue 11 days" in text
    assert "overdue 11 days" in slack and "overdue 11 days" in json.dumps(teams_card)
    for shown in (slack, json.dumps(teams_card["body"]), text):
        assert "teams:tenant-1" not in shown and "8e1c6b2a" not in shown.replace(
            '"id": "8e1c6b2a', "")
        assert "[rotation]" not in shown
