"""The inventory as chat shows it: coverage, gaps by kind with worst offenders, open tasks."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from dialogs.inventory.replies import GapCount, GapOffender, InventorySummaryReply
from dialogs.replies import TaskSummary
from dialogs.task_view import task_summary
from knowledge.inventory.gaps import Coverage
from knowledge.inventory.model import IdentityRecord
from knowledge.inventory.rules import GapRules
from storage.clock import as_utc
from storage.inventory import iter_columns, links

#: Stored columns that make up an `IdentityRecord` (plus the stored gaps).
RECORD_COLUMNS = ("name", "type", "owner", "environment", "created", "last_rotated",
                  "last_used", "expires", "privileges", "used_by_humans", "shared_with",
                  "has_secret", "never_used", "gaps")


def record_of(row: Mapping[str, Any]) -> IdentityRecord:
    """A stored identity (a row of `iter_columns` or `identity_rows`) back in the pure
    model, as the import last merged it (the summary, the evidence pack and the daily
    re-evaluation judge it from here)."""
    def aware(value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None
    return IdentityRecord(
        platform=row["platform"], name=row["name"], type=row["type"],
        native_id=row["native_key"], owner=row["owner"], environment=row["environment"],
        created=aware(row["created"]), last_rotated=aware(row["last_rotated"]),
        last_used=aware(row["last_used"]), expires=aware(row["expires"]),
        privileges=list(row["privileges"] or []), used_by_humans=row["used_by_humans"],
        shared_with=list(row["shared_with"] or []), has_secret=row["has_secret"],
        never_used=bool(row["never_used"]))


def build_summary(session: Session, workspace: str, *, rules: GapRules, now: datetime,
                  worst: int = 3) -> InventorySummaryReply:
    coverage = Coverage(unused_days=rules.thresholds.unused_days)
    offenders: dict[str, list[tuple[int, tuple[int, ...], str, str | None]]] = {
        k: [] for k in rules.gaps}
    for row in iter_columns(session, workspace, RECORD_COLUMNS):
        gaps = list(row["gaps"] or [])
        coverage.add(record_of(row), gaps, rules, now)
        label = f"{row['platform']}:{row['name']}"
        for kind in gaps:
            # a min-heap of the `worst` identities with the most gaps (ties: name order)
            entry = (len(gaps), _desc(label), label, row["owner"])
            heap: list[tuple[int, tuple[int, ...], str, str | None]] = offenders.setdefault(
                kind, [])
            if len(heap) < worst:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
    open_links = links(session, workspace)
    tasks_open = Counter(link.gap_kind for link, _ in open_links)
    gaps = [
        GapCount(kind=kind, label=rule.label, count=coverage.gaps.get(kind, 0),
                 task_kind=rule.task_kind, controls=rule.control_ids(),
                 worst=[GapOffender(label=label, owner=owner, gaps=n) for n, _, label, owner
                        in sorted(offenders.get(kind, []), reverse=True)],
                 tasks_open=tasks_open.get(kind, 0))
        for kind, rule in rules.gaps.items()
    ]
    tasks = [task_summary(task, today=now.date()) for _, task in open_links]
    return InventorySummaryReply(workspace=workspace, identities=coverage.total,
                                 coverage=coverage.as_dict(), gaps=gaps, tasks=tasks)


def _desc(text: str) -> tuple[int, ...]:
    """Sort key that orders strings in reverse, so heap ties keep the alphabetically first."""
    return tuple(-ord(c) for c in text)


def gap_tasks(session: Session, workspace: str, gap_kind: str, *, now: datetime
              ) -> list[TaskSummary]:
    """The open inventory tasks chasing one gap kind (the summary's "Open tasks" button)."""
    return [task_summary(task, today=now.date()) for link, task in links(session, workspace)
            if link.gap_kind == gap_kind]
