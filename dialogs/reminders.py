"""The reminder schedule as a pure policy: (task facts, settings, now) -> when and which nudge.

Why pure: the schedule is what owners feel (a nudge at 3 a.m. or on a Sunday is a bug), so it
must be testable with a pinned clock and any time zone, with no database and no platform.

The stages, in order: ``lead`` (``lead_days`` before the due date), ``due`` (on the due date),
``overdue`` (every ``overdue_every_days`` while overdue) and one ``escalation`` right after the
``escalate_after``-th overdue nudge, to the task's channel or a configured contact. Every nudge
lands inside the owner's working hours, in the owner's own time zone, on a working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Stage = Literal["lead", "due", "overdue", "escalation"]


class NudgeSettings(BaseSettings):
    """Reminder and scheduler settings, from ``IDGOV_NUDGE_*`` environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    interval_seconds: float = Field(default=300.0, gt=0, alias="IDGOV_NUDGE_INTERVAL_SECONDS")
    disabled: bool = Field(default=False, alias="IDGOV_NUDGE_DISABLED")
    lead_days: int = Field(default=3, ge=0, alias="IDGOV_NUDGE_LEAD_DAYS")
    overdue_every_days: int = Field(default=3, ge=1, alias="IDGOV_NUDGE_OVERDUE_EVERY_DAYS")
    #: Escalate after this many overdue nudges (0 disables escalation).
    escalate_after: int = Field(default=2, ge=0, alias="IDGOV_NUDGE_ESCALATE_AFTER")
    #: Channel or user ref that receives escalations when the task has no channel.
    escalation_contact: str | None = Field(default=None, alias="IDGOV_NUDGE_ESCALATION_CONTACT")
    work_start: time = Field(default=time(9, 0), alias="IDGOV_NUDGE_WORK_START")
    work_end: time = Field(default=time(17, 0), alias="IDGOV_NUDGE_WORK_END")
    #: ISO weekday numbers, Monday = 1; e.g. "1,2,3,4,5" or "7,1,2,3,4".
    work_days: frozenset[int] = Field(
        default=frozenset({1, 2, 3, 4, 5}), alias="IDGOV_NUDGE_WORK_DAYS"
    )
    #: False: nudge at any hour and on any day.
    working_hours_only: bool = Field(default=True, alias="IDGOV_NUDGE_WORKING_HOURS_ONLY")
    default_tz: str = Field(default="UTC", alias="IDGOV_NUDGE_DEFAULT_TZ")
    lease_seconds: float = Field(default=300.0, gt=0, alias="IDGOV_NUDGE_LEASE_SECONDS")
    batch_size: int = Field(default=200, ge=1, alias="IDGOV_NUDGE_BATCH_SIZE")
    #: ISO weekday of the weekly channel digest (channels opt in), sent from work start.
    digest_weekday: int = Field(default=1, ge=1, le=7, alias="IDGOV_DIGEST_WEEKDAY")
    #: A transient failure (429, 5xx) this many times in a row counts as permanent.
    max_attempts: int = Field(default=8, ge=1, alias="IDGOV_NUDGE_MAX_ATTEMPTS")

    @field_validator("work_days", mode="before")
    @classmethod
    def _parse_days(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(p) for p in value.replace(" ", "").split(",") if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("work_days")
    @classmethod
    def _check_days(cls, value: frozenset[int]) -> frozenset[int]:
        if not value or not value <= set(range(1, 8)):
            raise ValueError("work days must be ISO weekday numbers 1 (Monday) to 7 (Sunday)")
        return value

    @field_validator("default_tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        zone(value)
        return value

    @model_validator(mode="after")
    def _check_hours(self) -> NudgeSettings:
        if self.work_end <= self.work_start:
            raise ValueError("IDGOV_NUDGE_WORK_END must be later than IDGOV_NUDGE_WORK_START")
        return self


@dataclass(frozen=True, slots=True)
class NudgePlan:
    at: datetime  # aware UTC instant inside the owner's working hours
    stage: Stage


def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The IANA zone `name`, or `default` when missing; ValueError for an unknown name."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def safe_zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """Like `zone`, but a bad stored value falls back to `default` (platform data is messy)."""
    try:
        return zone(name, default)
    except ValueError:
        return zone(default)


def in_working_hours(at: datetime, tz: ZoneInfo, settings: NudgeSettings) -> bool:
    if not settings.working_hours_only:
        return True
    local = at.astimezone(tz)
    return (
        local.isoweekday() in settings.work_days
        and settings.work_start <= local.time() < settings.work_end
    )


def first_slot(day: date, not_before: datetime, tz: ZoneInfo, settings: NudgeSettings) -> datetime:
    """The earliest instant on or after local `day` (and `not_before`) a nudge may be sent."""
    if not settings.working_hours_only:
        start = datetime.combine(day, time(0), tz).astimezone(not_before.tzinfo)
        return max(start, not_before)
    local_floor = not_before.astimezone(tz)
    day = max(day, local_floor.date())
    for _ in range(8 + 366):  # at most a week of non-working days, plus safety
        if day.isoweekday() in settings.work_days:
            start = datetime.combine(day, settings.work_start, tz)
            end = datetime.combine(day, settings.work_end, tz)
            candidate = max(start, local_floor)
            if candidate < end:
                return candidate.astimezone(not_before.tzinfo)
        day += timedelta(days=1)
    raise ValueError("no working day configured")  # pragma: no cover (validated settings)


def stage_on(day: date, due: date) -> Stage:
    """What an owner reminder is on local `day`: before, on or after the due date."""
    if day < due:
        return "lead"
    return "due" if day == due else "overdue"


def plan_next(
    *,
    due: date,
    now: datetime,
    settings: NudgeSettings,
    tz: ZoneInfo,
    last_stage: Stage | None = None,
    last_sent_at: datetime | None = None,
    overdue_nudges: int = 0,
    not_before: datetime | None = None,
) -> NudgePlan:
    """When the next nudge goes out, and which stage it is.

    `last_stage`/`last_sent_at` describe the nudge just sent (None for a fresh plan: a new,
    snoozed or reassigned task); `not_before` is a snooze. A fresh plan inside the lead
    window reminds now rather than skipping straight to the due date.
    """
    floor = max(now, not_before) if not_before else now
    today = floor.astimezone(tz).date()
    lead_day = due - timedelta(days=settings.lead_days)
    stage: Stage
    if (
        last_stage == "overdue"
        and settings.escalate_after
        and overdue_nudges == settings.escalate_after
    ):
        return NudgePlan(first_slot(today, floor, tz, settings), "escalation")
    if last_stage is None:
        if settings.lead_days and today < due:
            stage, day = "lead", max(lead_day, today)
        elif today <= due:
            stage, day = "due", due
        else:
            stage, day = "overdue", today
    else:
        last_day = (last_sent_at or floor).astimezone(tz).date()
        one = timedelta(days=1)
        every = timedelta(days=settings.overdue_every_days)
        if last_stage == "lead" and due > last_day:
            stage, day = "due", due
        elif last_stage == "lead":  # the lead nudge itself slipped to the due date or later
            stage, day = "overdue", max(due + one, last_day + one)
        elif last_stage == "due":
            stage, day = "overdue", max(due + one, last_day + every)
        else:
            stage, day = "overdue", last_day + every
    return NudgePlan(first_slot(day, floor, tz, settings), stage)
