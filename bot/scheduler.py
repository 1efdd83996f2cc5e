"""The nudge sweep: claim due reminders, send each through its platform's sender, record it.

One sweep (`run_once`) is what ``idgov nudge --once`` runs from cron and what `idgov serve`
runs every ``IDGOV_NUDGE_INTERVAL_SECONDS`` (`start_background`). Exactly-once across replicas
comes from `storage.nudges` (lease per task); this module decides, per claimed task, whether
to send now (working hours in the owner's zone), to whom (owner, resolved ``email:`` owner,
escalation channel or contact), and what happens next (next stage, backoff after a 429/5xx,
escalation after a permanent failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.housekeeping import Housekeeping
from bot.metrics import bind, metrics_of, observe_sweep
from bot.nudge_profiles import Profiles
from bot.senders import DeliveryResult, Recipient, Sender
from dialogs.reminders import (
    NudgePlan,
    NudgeSettings,
    Stage,
    first_slot,
    in_working_hours,
    plan_next,
    stage_on,
)
from dialogs.replies import NudgeReply
from dialogs.task_view import task_summary
from storage import nudges
from storage.clock import as_utc, utcnow
from storage.models import Task
from storage.nudges import Outcome

log = logging.getLogger(__name__)

MAX_ROUNDS = 50  # claim batches per sweep; escalations claimed in the same sweep need > 1
CONCURRENCY = 8  # messages in flight per sweeper
NO_SENDER_RETRY = timedelta(hours=1)


@dataclass
class Problem:
    """Why one task's nudge was not delivered this sweep, for `idgov nudge --once`."""

    task_id: int
    title: str
    outcome: Literal["deferred", "failed"]
    reason: str


@dataclass
class SweepStats:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    digests: int = 0  # weekly channel digests posted by this sweep
    problems: list[Problem] = field(default_factory=list, compare=False)  # not a count


#: the stored unreachable note (see `Sweep.permanent`), read back into its reason
_UNREACHABLE = re.compile(r" could not be reached on \d{4}-\d{2}-\d{2}: (?P<reason>.+)$", re.S)


def unreachable_reason(note: str | None) -> str | None:
    """The reason part of a stored unreachable note, without the raw recipient ref."""
    if not note:
        return None
    match = _UNREACHABLE.search(note)
    return match["reason"].strip() if match else "delivery failed"


def _stage(value: str | None) -> Stage:
    return value if value in ("lead", "due", "overdue", "escalation") else "lead"  # type: ignore[return-value]


class Sweep:
    """One sweep's state: who we are (lease owner), the clock, the senders and the counts."""

    def __init__(self, engine: Engine, senders: Mapping[str, Sender], now: datetime,
                 settings: NudgeSettings) -> None:
        self.engine = engine
        self.senders = senders
        self.now = as_utc(now)
        self.settings = settings
        self.worker = f"sweep-{uuid.uuid4().hex[:16]}"
        self.stats = SweepStats()
        self.profiles = Profiles(engine, senders, now=self.now, settings=settings)

    async def run(self) -> SweepStats:
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(task_id: int) -> None:
            async with limit:
                try:
                    await self.handle(task_id)
                except Exception:  # one bad task must not stop the sweep; its lease expires
                    log.exception("nudge for task %s failed unexpectedly", task_id)
                    self.stats.failed += 1
                    self.stats.problems.append(Problem(task_id, "", "failed",
                                                       "unexpected error (see the log)"))

        for _ in range(MAX_ROUNDS):
            ids = await asyncio.to_thread(
                nudges.claim_due, self.engine, now=self.now, worker=self.worker,
                lease_seconds=self.settings.lease_seconds, limit=self.settings.batch_size)
            if not ids:
                break
            await asyncio.gather(*(one(i) for i in ids))
        from bot.digest import send_digests

        self.stats.digests = await send_digests(self.engine, self.senders, self.now,
                                                settings=self.settings, worker=self.worker)
        return self.stats

    async def handle(self, task_id: int) -> None:
        task = await asyncio.to_thread(nudges.load_claimed, self.engine, task_id, self.worker)
        if task is None:
            return
        stage = _stage(task.nudge_stage)
        outcome = await self.decide(task, stage)
        recorded = await asyncio.to_thread(nudges.record, self.engine, task_id,
                                           worker=self.worker, now=self.now, outcome=outcome,
                                           seen=nudges.fingerprint(task))
        if not recorded:
            log.warning("lease on task %s expired before its nudge was recorded", task_id)

    def _later(self, task: Task, stage: Stage, at: datetime, error: str | None = None,
               why: str | None = None) -> Outcome:
        self.stats.deferred += 1
        reason = why or error or "deferred"
        self.stats.problems.append(Problem(task.id or 0, task.title, "deferred",
                                           f"{reason}; next try {at:%Y-%m-%d %H:%M} UTC"))
        return Outcome(next_nudge_at=at, next_stage=stage, ok=error is None, error=error)

    def _escalation_ref(self, task: Task) -> str | None:
        return task.channel_ref or self.settings.escalation_contact

    async def decide(self, task: Task, stage: Stage) -> Outcome:
        if stage == "escalation":
            ref = self._escalation_ref(task)
            if ref is None:  # nobody to escalate to: carry on with the owner's cadence
                plan = self._plan(task, "escalation")
                return Outcome(next_nudge_at=plan.at, next_stage=plan.stage)
            owner_tz = None
            if task.owner.startswith(("slack:", "teams:")):  # keeps the cadence in their zone
                owner_tz = await self.profiles.timezone(task.owner)
            return await self.deliver(task, stage, Recipient(ref, is_channel=":#" in ref),
                                      owner_tz)
        owner, error = await self.profiles.resolve_owner(task)
        if owner is None:
            return self.permanent(task, stage, task.owner, error or "owner cannot be reached")
        tz = await self.profiles.timezone(owner)
        if not in_working_hours(self.now, tz, self.settings):
            slot = first_slot(self.now.astimezone(tz).date(), self.now, tz, self.settings)
            return self._later(task, stage_on(slot.astimezone(tz).date(), task.due), slot,
                               why="outside the owner's working hours")
        # The owner's own calendar decides what the reminder says (a plan made before we
        # knew their zone, or a nudge delayed by a weekend, may have guessed the day wrong).
        stage = stage_on(self.now.astimezone(tz).date(), task.due)
        return await self.deliver(task, stage, Recipient(owner), tz)

    def _plan(self, task: Task, sent: Stage, tz: ZoneInfo | None = None) -> NudgePlan:
        overdue = task.overdue_nudges + (1 if sent == "overdue" else 0)
        tz = tz or self.profiles.cached_tz(task.owner)
        return plan_next(due=task.due, now=self.now, settings=self.settings, tz=tz,
                         last_stage=sent, last_sent_at=self.now, overdue_nudges=overdue)

    async def deliver(self, task: Task, stage: Stage, recipient: Recipient,
                      tz: ZoneInfo | None = None) -> Outcome:
        sender = self.senders.get(recipient.ref.partition(":")[0])
        if sender is None:
            return self._later(task, stage, self.now + NO_SENDER_RETRY,
                               f"no sender configured for {recipient.ref.partition(':')[0]}")
        reply = self.reply(task, stage, tz)
        try:
            result = await sender.send(recipient, reply)
        except Exception as exc:  # senders should not raise; treat as transient if they do
            log.exception("sender %s raised", sender.platform)
            result = DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
        if result.ok:
            self.stats.sent += 1
            if stage == "escalation" and task.unreachable_note:
                nxt_at, nxt_stage = None, None  # owner unreachable: wait for a reassign
            else:
                plan = self._plan(task, stage, tz)
                nxt_at, nxt_stage = plan.at, plan.stage
            return Outcome(next_nudge_at=nxt_at, next_stage=nxt_stage, delivered_stage=stage,
                           recipient=recipient.ref, message_ref=result.message_ref,
                           reopen=True)
        if result.permanent or task.attempts + 1 >= self.settings.max_attempts:
            return self.permanent(task, stage, recipient.ref, result.error or "delivery failed")
        backoff = min(60.0 * 2 ** task.attempts, 3600.0)
        delay = max(result.retry_after or 0.0, backoff)
        return self._later(task, stage, self.now + timedelta(seconds=delay),
                           result.error or "transient delivery failure")

    def permanent(self, task: Task, stage: Stage, recipient: str, error: str) -> Outcome:
        """Record the failure on the task and escalate once; never retry it forever."""
        self.stats.failed += 1
        self.stats.problems.append(Problem(task.id or 0, task.title, "failed", error))
        note = f"{recipient} could not be reached on {self.now.date().isoformat()}: {error}"
        escalate = stage != "escalation" and self._escalation_ref(task) is not None
        return Outcome(next_nudge_at=self.now if escalate else None,
                       next_stage="escalation" if escalate else None, delivered_stage=stage,
                       recipient=recipient, ok=False, permanent=True, error=error,
                       unreachable_note=note if stage != "escalation" else None)

    def reply(self, task: Task, stage: Stage, tz: ZoneInfo | None = None) -> NudgeReply:
        today = self.now.astimezone(tz).date() if tz else self.now.date()
        days_overdue = max((today - task.due).days, 0)
        # The escalation note is built by the cards from these parts, so the owner shows
        # as a mention or a name, never as a raw ref.
        escalation = stage == "escalation"
        return NudgeReply(stage=stage, task=task_summary(task, today=today),
                          days_overdue=days_overdue,
                          reminders_sent=task.overdue_nudges if escalation else None,
                          unreachable_reason=unreachable_reason(task.unreachable_note)
                          if escalation else None)


async def run_once(engine: Engine, senders: Mapping[str, Sender], now: datetime | None = None,
                   *, settings: NudgeSettings | None = None) -> SweepStats:
    """One sweep at `now` (default: the real clock); safe to run on many replicas at once."""
    sweep = Sweep(engine, senders, now or utcnow(), settings or NudgeSettings())
    try:
        return await sweep.run()
    finally:
        for sender in senders.values():
            close = getattr(sender, "aclose", None)
            if close is not None:
                await close()


def build_senders(engine: Engine) -> dict[str, Sender]:
    """The senders this process can use, from the platform settings in the environment.

    Slack: the single-workspace bot token, or each team's token from the OAuth installation
    store. Teams: the Bot Framework connector (proactive messages from stored references).
    A configuration error is raised as one line (`SlackSettingsError` / `TeamsConfigError`).
    """
    from bot.platforms import teams_wanted
    from bot.slack.sender import SlackSender
    from bot.slack.settings import load_slack_settings

    senders: dict[str, Sender] = {}
    slack = load_slack_settings()
    if slack is not None and slack.bot_token:
        senders["slack"] = SlackSender(token=slack.bot_token, base_url=slack.api_url)
    elif slack is not None and slack.client_id:
        from bot.slack.oauth import installation_store

        store = installation_store(slack, engine)

        async def token_for_team(team: str) -> str | None:
            bot = await asyncio.to_thread(store.find_bot, enterprise_id=None, team_id=team)
            return bot.bot_token if bot is not None else None

        senders["slack"] = SlackSender(token_for_team=token_for_team, base_url=slack.api_url)
    if teams_wanted(slack):  # the same rule `idgov serve` uses to open /api/messages
        from bot.teams.sender import TeamsSender

        senders["teams"] = TeamsSender(engine)
    return senders


SCHEDULER_KEY = web.AppKey("idgov.scheduler", asyncio.Task)


def start_background(app: web.Application, engine: Engine, *,
                     senders: Mapping[str, Sender] | None = None,
                     settings: NudgeSettings | None = None) -> None:
    """Run a sweep every ``IDGOV_NUDGE_INTERVAL_SECONDS`` while `app` runs (unless disabled)."""
    cfg = settings or NudgeSettings()
    if cfg.disabled:
        log.info("nudge scheduler disabled (IDGOV_NUDGE_DISABLED)")
        return

    async def loop(active: Mapping[str, Sender]) -> None:
        metrics = metrics_of(app)
        bind(metrics)  # sender API errors during sweeps count on this app's /metrics
        chores = Housekeeping(engine)
        while True:
            started = time.perf_counter()
            stats: SweepStats | None = None
            try:
                stats = await run_once(engine, active, settings=cfg)
                if stats.sent or stats.failed or stats.deferred:
                    log.info("nudges: sent %s, deferred %s, failed %s",
                             stats.sent, stats.deferred, stats.failed)
            except Exception:  # keep the loop alive; the next sweep retries
                log.exception("nudge sweep failed")
            observe_sweep(metrics, stats, time.perf_counter() - started)
            try:
                await chores.run_due()
            except Exception:  # the next hour retries
                log.exception("housekeeping failed")
            await asyncio.sleep(cfg.interval_seconds)

    async def context(app: web.Application) -> AsyncIterator[None]:
        active = senders if senders is not None else build_senders(engine)
        app[SCHEDULER_KEY] = asyncio.create_task(loop(active), name="idgov-nudges")
        yield
        app[SCHEDULER_KEY].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app[SCHEDULER_KEY]

    app.cleanup_ctx.append(context)
