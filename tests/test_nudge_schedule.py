"""The reminder schedule policy: stages, cadence, escalation, working hours in the owner's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from dialogs.reminders import (
    NudgeSettings,
    first_slot,
    in_working_hours,
    plan_next,
    stage_on,
    zone,
)

S = NudgeSettings(IDGOV_NUDGE_LEAD_DAYS=3, IDGOV_NUDGE_OVERDUE_EVERY_DAYS=3,
                  IDGOV_NUDGE_ESCALATE_AFTER=2)
UTCZ = zone("UTC")
# Monday 5 January 2026.
MON = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_fresh_task_gets_a_lead_reminder_lead_days_before_due() -> None:
    plan = plan_next(due=date(2026, 1, 22), now=MON, settings=S, tz=UTCZ)  # Thursday
    assert (plan.stage, plan.at) == ("lead", datetime(2026, 1, 19, 9, 0, tzinfo=UTC))


def test_task_created_inside_the_lead_window_is_reminded_at_the_next_working_slot() -> None:
    plan = plan_next(due=date(2026, 1, 7), now=MON, settings=S, tz=UTCZ)
    assert (plan.stage, plan.at) == ("lead", datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    during = plan_next(due=date(2026, 1, 7), now=MON.replace(hour=11), settings=S, tz=UTCZ)
    assert during.at == MON.replace(hour=11)  # already within working hours: now


def test_lead_then_due_then_overdue_every_n_days_then_escalation() -> None:
    due = date(2026, 1, 8)  # Thursday
    lead = plan_next(due=due, now=MON, settings=S, tz=UTCZ)
    assert (lead.stage, lead.at.date()) == ("lead", date(2026, 1, 5))
    on_due = plan_next(due=due, now=lead.at, settings=S, tz=UTCZ, last_stage="lead",
                       last_sent_at=lead.at)
    assert (on_due.stage, on_due.at) == ("due", datetime(2026, 1, 8, 9, tzinfo=UTC))
    first = plan_next(due=due, now=on_due.at, settings=S, tz=UTCZ, last_stage="due",
                      last_sent_at=on_due.at)
    # 8 Jan + 3 days is Sunday 11 Jan: the reminder waits for Monday morning.
    assert (first.stage, first.at) == ("overdue", datetime(2026, 1, 12, 9, tzinfo=UTC))
    second = plan_next(due=due, now=first.at, settings=S, tz=UTCZ, last_stage="overdue",
                       last_sent_at=first.at, overdue_nudges=1)
    assert (second.stage, second.at) == ("overdue", datetime(2026, 1, 15, 9, tzinfo=UTC))
    escalation = plan_next(due=due, now=second.at, settings=S, tz=UTCZ, last_stage="overdue",
                           last_sent_at=second.at, overdue_nudges=2)
    assert (escalation.stage, escalation.at) == ("escalation", second.at)
    after = plan_next(due=due, now=second.at, settings=S, tz=UTCZ, last_stage="escalation",
                      last_sent_at=second.at, overdue_nudges=2)
    assert (after.stage, after.at) == ("overdue", datetime(2026, 1, 19, 9, tzinfo=UTC))
    later = plan_next(due=due, now=after.at, settings=S, tz=UTCZ, last_stage="overdue",
                      last_sent_at=after.at, overdue_nudges=3)
    assert later.stage == "overdue"  # escalation happens once


def test_escalation_can_be_switched_off() -> None:
    off = S.model_copy(update={"escalate_after": 0})
    plan = plan_next(due=date(2026, 1, 1), now=MON, settings=off, tz=UTCZ, last_stage="overdue",
                     last_sent_at=MON, overdue_nudges=2)
    assert plan.stage == "overdue"


def test_task_already_overdue_when_created_is_nudged_as_overdue() -> None:
    plan = plan_next(due=date(2025, 12, 1), now=MON, settings=S, tz=UTCZ)
    assert (plan.stage, plan.at) == ("overdue", datetime(2026, 1, 5, 9, tzinfo=UTC))


def test_snooze_moves_the_next_reminder_and_keeps_working_hours() -> None:
    until = datetime(2026, 1, 10, 8, tzinfo=UTC)  # Saturday
    plan = plan_next(due=date(2026, 1, 6), now=MON, settings=S, tz=UTCZ, not_before=until)
    assert (plan.stage, plan.at) == ("overdue", datetime(2026, 1, 12, 9, tzinfo=UTC))


@pytest.mark.parametrize(
    ("tz", "expected_utc"),
    [
        # Monday 9:00 in Tokyo (UTC+9) is Monday 00:00 UTC.
        ("Asia/Tokyo", datetime(2026, 1, 5, 0, 0, tzinfo=UTC)),
        # Monday 9:00 in Los Angeles (UTC-8 in January) is Monday 17:00 UTC.
        ("America/Los_Angeles", datetime(2026, 1, 5, 17, 0, tzinfo=UTC)),
    ],
)
def test_reminders_land_at_nine_in_the_owners_own_zone(tz: str, expected_utc: datetime) -> None:
    # Planned on Saturday 3 Jan for a task due Monday 5 Jan with no lead reminder.
    settings = S.model_copy(update={"lead_days": 0})
    sat = datetime(2026, 1, 3, 12, tzinfo=UTC)
    plan = plan_next(due=date(2026, 1, 5), now=sat, settings=settings, tz=zone(tz))
    assert (plan.stage, plan.at) == ("due", expected_utc)
    assert in_working_hours(plan.at, zone(tz), settings)


def test_same_instant_is_working_time_in_one_zone_and_night_or_weekend_in_another() -> None:
    instant = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)  # Mon 10:30 Tokyo, Sun 17:30 Los Angeles
    assert in_working_hours(instant, zone("Asia/Tokyo"), S)
    assert not in_working_hours(instant, zone("America/Los_Angeles"), S)
    nxt = first_slot(date(2026, 1, 4), instant, zone("America/Los_Angeles"), S)
    assert nxt == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)  # Monday 9:00 in Los Angeles
    friday_evening = datetime(2026, 1, 9, 18, 0, tzinfo=UTC)  # Fri 18:00 London
    assert first_slot(friday_evening.date(), friday_evening, zone("Europe/London"), S) == \
        datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def test_working_days_hours_and_off_switch_are_configurable() -> None:
    gulf = NudgeSettings(IDGOV_NUDGE_WORK_DAYS="7,1,2,3,4", IDGOV_NUDGE_WORK_START="08:00",
                         IDGOV_NUDGE_WORK_END="16:00")
    sunday = datetime(2026, 1, 4, 6, 0, tzinfo=UTC)  # 10:00 in Dubai (UTC+4)
    assert in_working_hours(sunday, zone("Asia/Dubai"), gulf)
    assert gulf.work_start == time(8)
    anytime = NudgeSettings(IDGOV_NUDGE_WORKING_HOURS_ONLY=False)
    assert in_working_hours(datetime(2026, 1, 4, 3, tzinfo=UTC), UTCZ, anytime)
    plan = plan_next(due=date(2026, 1, 4), now=datetime(2026, 1, 4, 3, tzinfo=UTC),
                     settings=anytime, tz=UTCZ)
    assert plan.at == datetime(2026, 1, 4, 3, tzinfo=UTC)


def test_settings_come_from_the_environment_and_bad_values_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IDGOV_NUDGE_INTERVAL_SECONDS", "30")
    monkeypatch.setenv("IDGOV_NUDGE_DISABLED", "true")
    monkeypatch.setenv("IDGOV_NUDGE_ESCALATION_CONTACT", "slack:T1:#CSEC")
    settings = NudgeSettings()
    assert (settings.interval_seconds, settings.disabled) == (30, True)
    assert settings.escalation_contact == "slack:T1:#CSEC"
    with pytest.raises(ValidationError):
        NudgeSettings(IDGOV_NUDGE_WORK_DAYS="0,8")
    with pytest.raises(ValidationError):
        NudgeSettings(IDGOV_NUDGE_WORK_START="18:00", IDGOV_NUDGE_WORK_END="09:00")
    with pytest.raises(ValidationError):
        NudgeSettings(IDGOV_NUDGE_DEFAULT_TZ="Mars/Olympus")


def test_stage_follows_the_owners_calendar() -> None:
    assert [stage_on(date(2026, 1, d), date(2026, 1, 5)) for d in (4, 5, 6)] == \
        ["lead", "due", "overdue"]
