"""Gather what an evidence pack shows, as plain data computed only from stored rows.

Nothing here reads the clock: the pack is "as of" the period end, or else the newest stored
inventory or task change, so the same data always gives the same figures (and bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from dialogs.evidence.assessment import AssessmentSection, latest_assessment
from dialogs.inventory.summary import RECORD_COLUMNS, record_of
from knowledge.crosswalk import Framework, load_crosswalk
from knowledge.inventory.gaps import Coverage, holds_secret
from knowledge.inventory.rules import GapRules
from storage.clock import as_utc
from storage.inventory import iter_columns, links
from storage.models import Task, TaskEvent

ACTIVE = ("open", "snoozed")
CLOSING = ("done", "not_applicable", "cancelled")
IDENTITY_COLUMNS = ("platform", "native_key", "name", "type", "owner", "environment",
                    "created", "last_rotated", "last_used", "expires", "privileges",
                    "used_by_humans", "shared_with", "has_secret", "source_format", "gaps")


@dataclass
class OutcomeStatus:
    outcome: str
    label: str
    status: str  # met | gaps open | no data
    controls: list[tuple[str, str, str]]  # (id, title, confidence)
    identities_with_gaps: int
    open_tasks: int


@dataclass
class TaskRecord:
    task: Task
    events: list[TaskEvent]


@dataclass
class EvidenceData:
    framework: str
    framework_name: str
    workspace: str
    as_of: date | None
    period: tuple[date | None, date | None]
    coverage: dict[str, Any]
    gaps: dict[str, int]
    gap_labels: dict[str, str]
    identities: list[dict[str, Any]]
    by_platform: dict[str, dict[str, int]]
    outcomes: list[OutcomeStatus]
    tasks: list[TaskRecord]
    weekly: list[tuple[str, int, int]]  # (ISO week, opened, closed)
    assessment: AssessmentSection | None
    notes: list[str] = field(default_factory=list)


def _date(value: datetime | None) -> str:
    return as_utc(value).isoformat() if value else ""


def _identity_row(identity: dict[str, Any]) -> dict[str, Any]:
    row = {c: identity[c] for c in IDENTITY_COLUMNS}
    for c in ("created", "last_rotated", "last_used", "expires"):
        row[c] = _date(row[c])
    for c in ("privileges", "shared_with", "gaps"):
        row[c] = "; ".join(row[c] or [])
    for c in ("used_by_humans", "has_secret"):
        row[c] = "" if row[c] is None else ("yes" if row[c] else "no")
    return row


def _tasks(session: Session, workspace: str, start: date | None, end: date | None,
           ) -> list[TaskRecord]:
    linked = {task.id for _, task in links(session, workspace, active_only=False)}
    query = select(Task).where(or_(col(Task.workspace) == workspace,
                                   col(Task.id).in_(linked or {-1})))
    out: list[TaskRecord] = []
    for task in session.exec(query.order_by(col(Task.id))).all():
        events = list(session.exec(select(TaskEvent).where(TaskEvent.task_id == task.id)
                                   .order_by(col(TaskEvent.at), col(TaskEvent.id))).all())
        created = as_utc(task.created_at).date()
        last = max((as_utc(e.at).date() for e in events), default=created)
        if end is not None and created > end:
            continue
        if start is not None and task.status not in ACTIVE and last < start:
            continue
        out.append(TaskRecord(task, events))
    return out


def _weekly(tasks: list[TaskRecord], start: date | None, end: date | None,
            ) -> list[tuple[str, int, int]]:
    counts: dict[str, list[int]] = {}
    for record in tasks:
        for event in record.events:
            day = as_utc(event.at).date()
            if (start and day < start) or (end and day > end):
                continue
            slot = 0 if event.action == "created" else 1 if event.action in CLOSING else None
            if slot is not None:
                year, week, _ = day.isocalendar()
                counts.setdefault(f"{year}-W{week:02d}", [0, 0])[slot] += 1
    return [(w, o, c) for w, (o, c) in sorted(counts.items())][-52:]


def collect(session: Session, *, workspace: str, framework: Framework, rules: GapRules,
            start: date | None = None, end: date | None = None) -> EvidenceData:
    identities = list(iter_columns(session, workspace,
                                   (*IDENTITY_COLUMNS, *RECORD_COLUMNS, "evaluated_at")))
    tasks = _tasks(session, workspace, start, end)
    stamps = [as_utc(i["evaluated_at"]).date() for i in identities]
    stamps += [as_utc(e.at).date() for t in tasks for e in t.events]
    as_of = end or (max(stamps) if stamps else None)
    now = datetime.combine(as_of or date(1970, 1, 1), time(23, 59, 59), UTC)
    coverage = Coverage(unused_days=rules.thresholds.unused_days)
    by_platform: dict[str, dict[str, int]] = {}
    for identity in identities:
        record = record_of(identity)
        gaps = set(identity["gaps"] or [])
        coverage.add(record, sorted(gaps), rules, now)
        p = by_platform.setdefault(identity["platform"], {"total": 0, "with_owner": 0,
                                                          "with_secret": 0, "rotated_ok": 0})
        p["total"] += 1
        p["with_owner"] += bool(identity["owner"])
        if holds_secret(record, rules):
            p["with_secret"] += 1
            p["rotated_ok"] += not {"never_rotated", "rotation_overdue"} & gaps
    crosswalk = load_crosswalk()
    outcomes = []
    for name, outcome in crosswalk.outcomes.items():
        kinds = {k for k, r in rules.gaps.items() if r.task_kind == name}
        with_gaps = sum(1 for i in identities if kinds & set(i["gaps"] or []))
        open_tasks = sum(1 for t in tasks if t.task.kind == name and t.task.status in ACTIVE)
        if open_tasks or with_gaps:
            status = "gaps open"
        elif identities and (kinds or name == "inventory"):
            status = "met"
        else:
            status = "no data"
        controls = [(m.id, crosswalk.controls[framework][m.id].title, str(m.confidence))
                    for m in outcome.mapped(framework)]
        outcomes.append(OutcomeStatus(name, outcome.label, status, controls, with_gaps,
                                      open_tasks))
    return EvidenceData(
        framework=framework, framework_name=crosswalk.frameworks[framework].name,
        workspace=workspace, as_of=as_of, period=(start, end), coverage=coverage.as_dict(),
        gaps=dict(coverage.gaps), gap_labels={k: r.label for k, r in rules.gaps.items()},
        identities=[_identity_row(i) for i in identities], by_platform=by_platform,
        outcomes=outcomes, tasks=tasks, weekly=_weekly(tasks, start, end),
        assessment=latest_assessment(session, sorted({workspace} | {
            t.task.workspace for t in tasks})),
    )


def parse_period(text: str | None) -> tuple[date | None, date | None]:
    """``FROM..TO`` (either side may be empty); ValueError with a one-line reason."""
    if not text:
        return None, None
    start_text, sep, end_text = text.partition("..")
    if not sep:
        raise ValueError(f"period {text!r} is not FROM..TO (e.g. 2026-01-01..2026-06-30)")
    try:
        start = date.fromisoformat(start_text) if start_text else None
        end = date.fromisoformat(end_text) if end_text else None
    except ValueError:
        raise ValueError(f"period {text!r}: dates must be YYYY-MM-DD") from None
    if start and end and start > end:
        raise ValueError(f"period {text!r} ends before it starts")
    return start, end



