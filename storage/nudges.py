"""Claiming due nudges and recording their delivery, so each is sent exactly once.

Why this shape: several replicas (and a cron ``idgov nudge --once``) sweep the same table.
A sweep first *claims* due tasks by writing a lease (``lease_owner``/``lease_until``) in one
short transaction, sends outside any transaction, then *records* the outcome while still
holding the lease. On PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` inside an
``UPDATE``, so concurrent sweepers split the due rows instead of waiting on each other; on
SQLite the same conditional ``UPDATE`` is atomic because SQLite has a single writer. A sweeper
that dies after claiming leaves a lease that simply expires; the next sweep claims the task
again. `NudgeDelivery` (unique ``(task_id, seq)``) is the record of what went out.

The claim query filters on ``status`` and ``next_nudge_at``, matching the index
``ix_task_due_nudges``, so its cost follows the number of due tasks, not all tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.clock import as_utc
from storage.models import ChannelSetting, NudgeDelivery, Task, TaskEvent, UserProfile
from storage.nudge_models import DigestRun
from storage.tasks import ACTIVE


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to write after a claimed task was handled."""

    next_nudge_at: datetime | None
    next_stage: str | None
    delivered_stage: str | None = None  # set when a message went out (or failed for good)
    recipient: str | None = None
    ok: bool = True
    permanent: bool = False
    error: str | None = None
    message_ref: str | None = None
    reopen: bool = False  # a snoozed task whose snooze ended becomes open again
    unreachable_note: str | None = None


def due_condition(now: datetime) -> Any:
    """Due, active and not leased by a live sweeper (the index covers the first two)."""
    return and_(
        col(Task.status).in_(ACTIVE),
        col(Task.next_nudge_at) <= now,
        or_(col(Task.lease_until).is_(None), col(Task.lease_until) < now),
    )


def claim_due(engine: Engine, *, now: datetime, worker: str, lease_seconds: float,
              limit: int) -> list[int]:
    """Lease up to `limit` due tasks to `worker`; returns their ids (oldest due first)."""
    now = as_utc(now)
    until = now + timedelta(seconds=lease_seconds)
    pick = (
        select(col(Task.id))
        .where(due_condition(now))
        .order_by(col(Task.next_nudge_at))
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(Task)
        .where(col(Task.id).in_(pick.scalar_subquery()))
        .values(lease_owner=worker, lease_until=until)
        .returning(col(Task.id))
    )
    with Session(engine) as session, session.begin():
        ids = [int(row) for row in session.execute(stmt).scalars()]
    return sorted(ids)


def load_claimed(engine: Engine, task_id: int, worker: str) -> Task | None:
    """The task if `worker` still holds its lease (a detached copy, safe to read anywhere)."""
    with Session(engine, expire_on_commit=False) as session:
        task = session.get(Task, task_id)
        if task is None or task.lease_owner != worker:
            return None
        session.expunge(task)
        return task


def fingerprint(task: Task) -> tuple[Any, ...]:
    """What a person's change (done, snooze, reassign...) alters and a claim does not."""
    return (task.status, task.owner, task.due, task.snoozed_until, task.next_nudge_at,
            task.nudge_stage)


def record(engine: Engine, task_id: int, *, worker: str, now: datetime, outcome: Outcome,
           seen: tuple[Any, ...] | None = None) -> bool:
    """Write the outcome and release the lease; False if the lease was lost meanwhile.

    `seen` is the task's `fingerprint` when the sweeper loaded it: if a person changed the
    task since (done, snooze, reassign from a button), the delivery is still recorded but
    their new plan is kept.
    """
    now = as_utc(now)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        task = session.execute(
            select(Task).where(col(Task.id) == task_id).with_for_update()
        ).scalar_one_or_none()
        if task is None or task.lease_owner != worker:
            return False
        changed = seen is not None and fingerprint(task) != seen
        task.lease_owner = None
        task.lease_until = None
        task.updated_at = now
        if outcome.delivered_stage is not None:
            _record_delivery(session, task, now, outcome)
        elif not outcome.ok:
            task.attempts += 1
            task.last_error = (outcome.error or "transient delivery failure")[:2000]
        if task.status in ACTIVE and not changed:  # else closed or re-planned by a person
            task.next_nudge_at = outcome.next_nudge_at
            task.nudge_stage = outcome.next_stage
            if outcome.reopen and task.status == "snoozed":
                task.status = "open"
                task.snoozed_until = None
        session.add(task)
    return True


def _record_delivery(session: Session, task: Task, now: datetime, outcome: Outcome) -> None:
    assert task.id is not None and outcome.delivered_stage is not None
    task.nudges_sent += 1
    status = "sent" if outcome.ok else "failed"
    detail = {k: v for k, v in {"error": outcome.error, "message_ref": outcome.message_ref,
                                "attempts": task.attempts + 1}.items() if v is not None}
    session.add(NudgeDelivery(task_id=task.id, seq=task.nudges_sent, stage=outcome.delivered_stage,
                              recipient=outcome.recipient or "", status=status, detail=detail,
                              at=now))
    if outcome.ok:
        if outcome.delivered_stage == "overdue":
            task.overdue_nudges += 1
        task.attempts = 0
        task.last_error = None
        action = "escalated" if outcome.delivered_stage == "escalation" else "nudged"
    else:
        task.last_error = (outcome.error or "delivery failed")[:2000]
        task.attempts = 0
        action = "nudge_failed"
    if outcome.unreachable_note:
        task.unreachable_note = outcome.unreachable_note[:1000]
    session.add(TaskEvent(task_id=task.id, at=now, actor="idgov", source="scheduler",
                          action=action, detail={"stage": outcome.delivered_stage,
                                                 "recipient": outcome.recipient, **detail}))


def deliveries(engine: Engine, task_id: int) -> list[NudgeDelivery]:
    with Session(engine) as session:
        query = select(NudgeDelivery).where(col(NudgeDelivery.task_id) == task_id)
        return list(session.execute(query.order_by(col(NudgeDelivery.seq))).scalars())


def load_profile(engine: Engine, ref: str) -> UserProfile | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(UserProfile, ref)


def profile_by_email(engine: Engine, email: str) -> UserProfile | None:
    """A chat user already matched to `email` (so users.lookupByEmail runs once per person)."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(UserProfile).where(col(UserProfile.email) == email)
        return session.execute(query.order_by(col(UserProfile.ref))).scalars().first()


def save_profile(engine: Engine, ref: str, *, now: datetime, tz: str | None,
                 email: str | None = None) -> None:
    """Upsert what we learnt about a user; a concurrent sweeper writing the same row wins."""
    try:
        with Session(engine) as session, session.begin():
            profile = session.get(UserProfile, ref) or UserProfile(ref=ref)
            profile.tz = tz or profile.tz
            profile.email = email or profile.email
            profile.updated_at = as_utc(now)
            session.add(profile)
    except IntegrityError:
        pass


def digest_channels(engine: Engine) -> list[ChannelSetting]:
    """Channels that asked for the weekly digest."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(ChannelSetting).where(col(ChannelSetting.digest).is_(True))
        return list(session.execute(query).scalars())


def claim_digest(engine: Engine, channel: ChannelSetting, *, week: str, worker: str,
                 now: datetime, lease_seconds: float) -> bool:
    """True if `worker` may post this channel's digest for `week` (once across replicas)."""
    now = as_utc(now)
    key: dict[str, Any] = {"platform": channel.platform, "workspace": channel.workspace,
           "channel": channel.channel, "week": week}
    try:
        with Session(engine) as session, session.begin():
            session.add(DigestRun(**key, worker=worker, claimed_at=now))
        return True
    except IntegrityError:
        pass
    stale = now - timedelta(seconds=lease_seconds)
    takeover = (
        update(DigestRun)
        .where(*(getattr(DigestRun, k) == v for k, v in key.items()))
        .where(col(DigestRun.status) == "sending", col(DigestRun.claimed_at) < stale)
        .values(worker=worker, claimed_at=now)
    )
    with Session(engine) as session, session.begin():
        return bool(session.execute(takeover).rowcount)  # type: ignore[attr-defined]


def finish_digest(engine: Engine, channel: ChannelSetting, *, week: str, worker: str,
                  ok: bool, detail: dict[str, Any]) -> None:
    with Session(engine) as session, session.begin():
        run = session.get(DigestRun, (channel.platform, channel.workspace, channel.channel, week))
        if run is not None and run.worker == worker:
            run.status = "sent" if ok else "failed"
            run.detail = detail
            session.add(run)


def active_tasks(engine: Engine, workspace: str) -> list[Task]:
    """Open and snoozed tasks of a workspace, by owner then due date (the digest's order)."""
    with Session(engine, expire_on_commit=False) as session:
        query = (select(Task).where(col(Task.workspace) == workspace,
                                    col(Task.status).in_(ACTIVE))
                 .order_by(col(Task.owner), col(Task.due), col(Task.id)))
        return list(session.execute(query).scalars())
