"""Re-judge an inventory's gaps at today's date, without a new import.

A secret rotated 80 days ago is within a 90-day policy today and overdue in eleven days; a
key that expires next month is "expiring" in a week. An import judges gaps at its own date,
so between imports those tasks would not appear, and a team that imports once a quarter would
be told about an overdue key months late. The scheduler (`bot.housekeeping`) runs this daily
for every workspace with an inventory, and `idgov inventory reevaluate` runs it on demand:
each identity is judged again from what is stored (`knowledge.inventory.gaps.evaluate`, the
import's own rules), changed gap lists are written in chunks, and the task sync opens,
relists and closes tasks as after an import, recorded with source ``scheduler``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy.engine import Engine

from dialogs.inventory.summary import record_of
from dialogs.inventory.tasks_sync import sync_tasks
from knowledge.inventory.gaps import evaluate
from knowledge.inventory.rules import GapRules, load_rules
from storage.clock import as_utc, utcnow
from storage.db import session_scope
from storage.inventory import identity_rows, inventory_workspaces, last_importer, set_gaps

ACTOR: Final = "idgov"
SOURCE: Final = "scheduler"
CHUNK: Final = 1000  # changed rows per transaction, so the server keeps answering


@dataclass
class Reevaluation:
    workspace: str
    identities: int = 0
    changed: int = 0
    gaps: dict[str, int] = field(default_factory=dict)
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_closed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"workspace": self.workspace, "identities": self.identities,
                "changed": self.changed, "gaps": dict(sorted(self.gaps.items())),
                "tasks_created": self.tasks_created, "tasks_updated": self.tasks_updated,
                "tasks_closed": self.tasks_closed}


def reevaluate(engine: Engine, workspace: str, *, now: datetime | None = None,
               rules: GapRules | None = None) -> Reevaluation:
    """Judge every identity of `workspace` again at `now` and sync its tasks."""
    rules = rules or load_rules()
    at = as_utc(now or utcnow())
    report = Reevaluation(workspace=workspace)
    changes: list[tuple[int, list[str]]] = []
    with session_scope(engine) as session:
        importer = last_importer(session, workspace)
        for row in identity_rows(session, workspace):
            report.identities += 1
            gaps = evaluate(record_of(row), rules, at)
            for kind in gaps:
                report.gaps[kind] = report.gaps.get(kind, 0) + 1
            if gaps != list(row["gaps"] or []):
                changes.append((row["id"], gaps))
    if importer is None:
        return report  # no inventory here
    report.changed = len(changes)
    for start in range(0, len(changes), CHUNK):
        with session_scope(engine) as session:
            set_gaps(session, changes[start:start + CHUNK], now=at)
    if changes:
        with session_scope(engine) as session:
            synced = sync_tasks(session, workspace=workspace, importer=importer, rules=rules,
                                now=at, actor=ACTOR, source=SOURCE)
        report.tasks_created, report.tasks_updated = synced.created, synced.updated
        report.tasks_closed = synced.closed
    return report


def reevaluate_all(engine: Engine, *, now: datetime | None = None) -> list[Reevaluation]:
    """`reevaluate` for every workspace with an inventory."""
    with session_scope(engine) as session:
        workspaces = inventory_workspaces(session)
    rules = load_rules()
    return [reevaluate(engine, ws, now=now, rules=rules) for ws in workspaces]
