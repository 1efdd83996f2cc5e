"""The platform-neutral inventory service the CLI and the chat adapters call.

`import_file` validates and imports one file (bytes, so a Slack or Teams upload and a local
file take the same path) and then syncs the follow-up tasks; `inventory_summary` is the
chat view. Both are synchronous; async callers use ``asyncio.to_thread``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from dialogs.inventory import summary as summary_module
from dialogs.inventory.importer import import_rows
from dialogs.inventory.replies import ImportReport, InventorySummaryReply
from dialogs.inventory.summary import build_summary
from dialogs.inventory.tasks_sync import sync_tasks
from dialogs.replies import TaskSummary
from knowledge.inventory.model import InventoryFileError
from knowledge.inventory.rules import GapRules, load_rules
from storage.clock import as_utc, utcnow
from storage.db import session_scope

MAX_BYTES = 64 * 1024 * 1024

__all__ = ["MAX_BYTES", "InventoryFileError", "gap_tasks", "import_file", "inventory_summary"]


def import_file(
    engine: Engine, data: bytes, filename: str, *, importer_ref: str, workspace: str,
    dry_run: bool = False, now: datetime | None = None, rules: GapRules | None = None,
) -> ImportReport:
    """Import `data` into `workspace`'s inventory and sync its tasks.

    Raises `InventoryFileError` (one-line message, nothing written) when the file as a whole
    is refused: too big, not CSV/JSON, no name column, a credential column.
    """
    if len(data) > MAX_BYTES:
        raise InventoryFileError(f"file is {len(data) // (1024 * 1024)} MB; the limit is "
                                 f"{MAX_BYTES // (1024 * 1024)} MB")
    rules = rules or load_rules()
    now = as_utc(now or utcnow())
    report = import_rows(engine, data, filename, workspace=workspace, actor=importer_ref,
                         dry_run=dry_run, rules=rules, now=now)
    if not dry_run:
        with session_scope(engine) as session:
            synced = sync_tasks(session, workspace=workspace, importer=importer_ref,
                                rules=rules, now=now)
        report.tasks_created, report.tasks_updated = synced.created, synced.updated
        report.tasks_closed = synced.closed
    return report


def inventory_summary(engine: Engine, workspace: str, *, now: datetime | None = None,
                      worst: int = 3) -> InventorySummaryReply:
    """Coverage, gaps by kind with the worst offenders, and the open inventory tasks."""
    with session_scope(engine) as session:
        return build_summary(session, workspace, rules=load_rules(),
                             now=as_utc(now or utcnow()), worst=worst)


def gap_tasks(engine: Engine, workspace: str, gap_kind: str, *,
              now: datetime | None = None) -> list[TaskSummary]:
    """Open inventory tasks of one gap kind in `workspace`."""
    with session_scope(engine) as session:
        return summary_module.gap_tasks(session, workspace, gap_kind,
                                        now=as_utc(now or utcnow()))
