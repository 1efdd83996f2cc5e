"""Nudge sweeps end to end on SQLite and PostgreSQL, asserted at the Slack Web API stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.scheduler import SweepStats, run_once
from bot.slack.sender import SlackSender
from dialogs import task_ops as tasks
from dialogs.reminders import NudgeSettings
from storage import nudges
from storage.db import session_scope
from storage.models import Task
from tests.standins.slack_api import Failure, SlackApiStandIn

TEAM = "T0001"
WS = f"slack:{TEAM}"
OWNER = f"slack:{TEAM}:U1"
CHANNEL = f"slack:{TEAM}:#CSEC"
MON_10_TOKYO = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # Monday 10:00 in Tokyo
SETTINGS = NudgeSettings(IDGOV_NUDGE_LEAD_DAYS=3, IDGOV_NUDGE_OVERDUE_EVERY_DAYS=3,
                         IDGOV_NUDGE_ESCALATE_AFTER=2, IDGOV_NUDGE_LEASE_SECONDS=300)


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackApiStandIn]:
    standin = SlackApiStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def api(slack: SlackApiStandIn) -> SlackApiStandIn:
    slack.reset()
    slack.users.clear()
    slack.add_user("U1", tz="Asia/Tokyo", email="ana@example.com")
    slack.add_user("U2", tz="America/Los_Angeles", email="bo@example.com")
    return slack


def _senders(api: SlackApiStandIn) -> dict[str, SlackSender]:
    return {"slack": SlackSender(token="xoxb-standin", base_url=api.base_url)}


def _sweep(engine: Engine, api: SlackApiStandIn, now: datetime) -> SweepStats:
    import asyncio

    return asyncio.run(run_once(engine, _senders(api), now, settings=SETTINGS))


def _add(engine: Engine, *, due: date, owner: str = OWNER, now: datetime = MON_10_TOKYO,
         channel: str | None = CHANNEL) -> int:
    with session_scope(engine) as session:
        task = tasks.create_task(session, workspace=WS, kind="rotation", title="Rotate <CI> key",
                                 owner=owner, created_by=owner, due=due, channel_ref=channel,
                                 now=now, settings=SETTINGS)
        return int(task.id or 0)


def _task(engine: Engine, task_id: int) -> Task:
    with session_scope(engine) as session:
        return tasks.get_task(session, task_id)


def _posts(api: SlackApiStandIn) -> list[str]:
    return [str(c.body["channel"]) for c in api.calls_to("chat.postMessage")]


def test_dm_goes_out_in_working_hours_and_the_next_stage_is_planned(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    assert _sweep(engine, api, MON_10_TOKYO) == SweepStats(sent=1)
    posts = api.calls_to("chat.postMessage")
    assert [p.body["channel"] for p in posts] == ["DU1"]
    assert any(b.get("type") == "actions" for b in posts[0].body["blocks"])  # Done, Snooze...
    task = _task(engine, task_id)
    assert (task.nudges_sent, task.nudge_stage) == (1, "due")
    assert task.next_nudge_at == datetime(2026, 1, 7, 0, 0, tzinfo=UTC)  # Wed 9:00 Tokyo
    assert task.lease_owner is None
    assert [(d.seq, d.stage, d.status) for d in nudges.deliveries(engine, task_id)] == \
        [(1, "lead", "sent")]
    # Nothing more is due at the same instant: a second sweep sends nothing.
    assert _sweep(engine, api, MON_10_TOKYO) == SweepStats()
    assert len(_posts(api)) == 1


def test_owner_outside_working_hours_is_deferred_to_their_morning(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    # 10:00 in Tokyo is Sunday 17:00 in Los Angeles: U2 waits for Monday 9:00 there.
    task_id = _add(engine, due=date(2026, 1, 6), owner=f"slack:{TEAM}:U2")
    assert _sweep(engine, api, MON_10_TOKYO) == SweepStats(deferred=1)
    assert _posts(api) == []
    task = _task(engine, task_id)
    assert task.next_nudge_at == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
    assert _sweep(engine, api, task.next_nudge_at) == SweepStats(sent=1)
    assert _posts(api) == ["DU2"]


def test_full_schedule_with_escalation_to_the_channel(engine: Engine, api: SlackApiStandIn) -> None:
    task_id = _add(engine, due=date(2026, 1, 6))
    for _ in range(5):  # the escalation goes out in the same sweep as the 2nd overdue nudge
        at = _task(engine, task_id).next_nudge_at
        assert at is not None
        _sweep(engine, api, at)
    stages = [(d.stage, d.recipient) for d in nudges.deliveries(engine, task_id)]
    assert stages == [("lead", OWNER), ("due", OWNER), ("overdue", OWNER), ("overdue", OWNER),
                      ("escalation", CHANNEL), ("overdue", OWNER)]
    assert _posts(api)[4] == "CSEC"
    with session_scope(engine) as session:
        actions = [e.action for e in tasks.history(session, task_id)]
    assert actions.count("nudged") == 5 and actions.count("escalated") == 1


def test_rate_limited_then_success_respects_retry_after(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    api.fail("chat.postMessage", Failure(status=429, error="ratelimited", retry_after=600))
    assert _sweep(engine, api, MON_10_TOKYO) == SweepStats(deferred=1)
    task = _task(engine, task_id)
    assert task.next_nudge_at == MON_10_TOKYO + timedelta(seconds=600)
    assert (task.attempts, task.nudges_sent) == (1, 0)
    assert "429" in (task.last_error or "")
    assert _sweep(engine, api, MON_10_TOKYO + timedelta(seconds=599)) == SweepStats()
    assert _sweep(engine, api, MON_10_TOKYO + timedelta(seconds=600)) == SweepStats(sent=1)
    task = _task(engine, task_id)
    assert (task.attempts, task.nudges_sent, task.last_error) == (0, 1, None)
    assert len(_posts(api)) == 2  # the refused one and the delivered one
    assert len(nudges.deliveries(engine, task_id)) == 1


def test_server_error_backs_off_exponentially(engine: Engine, api: SlackApiStandIn) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    api.fail("chat.postMessage", Failure(status=503, error="service_unavailable"),
             Failure(status=503, error="service_unavailable"))
    _sweep(engine, api, MON_10_TOKYO)
    first = _task(engine, task_id).next_nudge_at
    assert first is not None
    _sweep(engine, api, first)
    second = _task(engine, task_id).next_nudge_at
    assert second is not None and (second - first) > (first - MON_10_TOKYO)
    assert _sweep(engine, api, second) == SweepStats(sent=1)


def test_permanent_failure_is_recorded_escalated_and_not_retried(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    api.fail("chat.postMessage", Failure(error="account_inactive"))
    stats = _sweep(engine, api, MON_10_TOKYO)
    # The owner's DM failed for good; the escalation went to the channel in the same sweep.
    assert stats == SweepStats(sent=1, failed=1)
    assert _posts(api) == ["DU1", "CSEC"]
    escalation = api.calls_to("chat.postMessage")[1].body
    assert "account_inactive" in str(escalation["blocks"])
    task = _task(engine, task_id)
    assert task.last_error is None or "account_inactive" in task.last_error
    assert task.unreachable_note and "account_inactive" in task.unreachable_note
    assert task.next_nudge_at is None  # never retried forever
    assert [(d.stage, d.status) for d in nudges.deliveries(engine, task_id)] == \
        [("lead", "failed"), ("escalation", "sent")]
    assert _sweep(engine, api, MON_10_TOKYO + timedelta(days=30)) == SweepStats()
    # Reassigning to a reachable owner restarts reminders.
    with session_scope(engine) as session:
        tasks.reassign(session, task_id, new_owner=f"slack:{TEAM}:U2", actor=OWNER,
                       source="slack", now=MON_10_TOKYO)
    assert _task(engine, task_id).next_nudge_at is not None


def test_permanent_failure_without_escalation_target_just_stops(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7), channel=None)
    api.fail("chat.postMessage", Failure(error="user_not_found"))
    assert _sweep(engine, api, MON_10_TOKYO) == SweepStats(failed=1)
    task = _task(engine, task_id)
    assert task.next_nudge_at is None and "user_not_found" in (task.unreachable_note or "")


def test_crash_after_claim_loses_nothing_and_sends_once(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    claimed = nudges.claim_due(engine, now=MON_10_TOKYO, worker="crashed", lease_seconds=300,
                               limit=10)
    assert claimed == [task_id]
    # The crashed sweeper never sends; while its lease lives nobody else may send either.
    assert _sweep(engine, api, MON_10_TOKYO + timedelta(seconds=60)) == SweepStats()
    assert _posts(api) == []
    after = MON_10_TOKYO + timedelta(seconds=301)
    assert _sweep(engine, api, after) == SweepStats(sent=1)
    assert _sweep(engine, api, after) == SweepStats()
    assert _posts(api) == ["DU1"]
    # The crashed sweeper wakes up: its lease is gone, so it cannot record a second send.
    assert not nudges.record(engine, task_id, worker="crashed", now=after,
                             outcome=nudges.Outcome(next_nudge_at=after, next_stage="lead"))
    assert len(nudges.deliveries(engine, task_id)) == 1


def test_snoozed_task_is_quiet_until_the_snooze_ends(engine: Engine, api: SlackApiStandIn) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    with session_scope(engine) as session:
        tasks.snooze(session, task_id, days=7, actor=OWNER, source="slack", now=MON_10_TOKYO)
    assert _sweep(engine, api, MON_10_TOKYO + timedelta(days=6)) == SweepStats()
    at = _task(engine, task_id).next_nudge_at
    assert at is not None and at >= MON_10_TOKYO + timedelta(days=7)
    assert _sweep(engine, api, at) == SweepStats(sent=1)
    task = _task(engine, task_id)
    assert (task.status, task.snoozed_until) == ("open", None)
    assert nudges.deliveries(engine, task_id)[0].stage == "overdue"


def test_task_closed_from_the_message_gets_no_more_nudges(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    _sweep(engine, api, MON_10_TOKYO)
    with session_scope(engine) as session:
        tasks.mark_done(session, task_id, actor=OWNER, source="slack", now=MON_10_TOKYO)
    assert _sweep(engine, api, MON_10_TOKYO + timedelta(days=10)) == SweepStats()
    assert len(_posts(api)) == 1


def test_email_owner_is_resolved_once_and_nudged_in_their_zone(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7), owner="email:ana@example.com")
    assert _sweep(engine, api, MON_10_TOKYO) == SweepStats(sent=1)
    assert _posts(api) == ["DU1"]
    assert nudges.deliveries(engine, task_id)[0].recipient == OWNER
    at = _task(engine, task_id).next_nudge_at
    assert at is not None
    _sweep(engine, api, at)
    assert len(api.calls_to("users.lookupByEmail")) == 1  # cached in user_profile
    unknown = _add(engine, due=date(2026, 1, 7), owner="email:ghost@example.com", channel=None)
    assert _sweep(engine, api, MON_10_TOKYO) == SweepStats(failed=1)
    assert "ghost@example.com" in (_task(engine, unknown).unreachable_note or "")


def test_change_by_a_person_during_a_send_is_kept_and_the_send_recorded(
    engine: Engine, api: SlackApiStandIn,
) -> None:
    task_id = _add(engine, due=date(2026, 1, 7))
    assert nudges.claim_due(engine, now=MON_10_TOKYO, worker="w1", lease_seconds=300,
                            limit=5) == [task_id]
    loaded = nudges.load_claimed(engine, task_id, "w1")
    assert loaded is not None
    # The owner presses "Snooze 1 week" while the sweeper is talking to Slack.
    with session_scope(engine) as session:
        tasks.snooze(session, task_id, days=7, actor=OWNER, source="slack", now=MON_10_TOKYO)
    snoozed_plan = _task(engine, task_id).next_nudge_at
    sent = nudges.Outcome(next_nudge_at=MON_10_TOKYO + timedelta(days=1), next_stage="due",
                          delivered_stage="lead", recipient=OWNER)
    assert nudges.record(engine, task_id, worker="w1", now=MON_10_TOKYO, outcome=sent,
                         seen=nudges.fingerprint(loaded))
    task = _task(engine, task_id)
    assert (task.status, task.next_nudge_at, task.lease_owner) == ("snoozed", snoozed_plan, None)
    assert [d.stage for d in nudges.deliveries(engine, task_id)] == ["lead"]
