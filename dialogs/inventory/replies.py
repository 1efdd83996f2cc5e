"""Neutral models for inventory: the import report and the chat summary.

`ImportReport.as_json()` is the `idgov inventory import --format json` contract (keys as the
issue names them). `InventorySummaryReply` is what `/idgov inventory` (Slack) and
``inventory`` (Teams) render: coverage, gaps by kind with the worst offenders, and the open
tasks to open with a button. Plain data; renderers escape for their target.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from dialogs.replies import TaskSummary


class RejectedRow(BaseModel):
    row: int
    error: str


class ImportReport(BaseModel):
    format: str
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    skipped: int = 0  # rows the format says are not non-human identities (console users)
    rejected: list[RejectedRow] = Field(default_factory=list)
    gaps: dict[str, int] = Field(default_factory=dict)
    coverage: dict[str, Any] = Field(default_factory=dict)
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_closed: int = 0

    def as_json(self) -> dict[str, Any]:
        """The documented JSON output: exactly these keys."""
        return {
            "imported": self.imported, "updated": self.updated,
            "rejected": [r.model_dump() for r in self.rejected], "gaps": dict(self.gaps),
            "coverage": dict(self.coverage), "tasks_created": self.tasks_created,
            "tasks_closed": self.tasks_closed,
        }


class GapOffender(BaseModel):
    label: str  # platform:name
    owner: str | None = None
    gaps: int  # how many gap kinds this identity has


class GapCount(BaseModel):
    kind: str
    label: str
    count: int
    task_kind: str
    controls: list[str] = Field(default_factory=list)
    worst: list[GapOffender] = Field(default_factory=list)


class InventorySummaryReply(BaseModel):
    kind: Literal["inventory_summary"] = "inventory_summary"
    workspace: str
    identities: int
    coverage: dict[str, Any]
    gaps: list[GapCount]
    tasks: list[TaskSummary]  # open inventory tasks: each rendered with an "Open" button
    empty_text: str = ("No inventory yet. Send a CSV or JSON export (AWS credential report, "
                       "gcloud, Azure, kubectl or GitHub) to import one.")
