"""Neutral models for inventory: the import report and the chat summary.

`ImportReport.as_json()` is the `idgov inventory import --format json` contract (keys as the
issue names them). `InventorySummaryReply` is what `/idgov inventory` (Slack) and
``inventory`` (Teams, the terminal) render: coverage, gaps by kind with the worst offenders,
a button per gap kind to open its tasks, and the report of a file just imported in chat.
The models live in `dialogs.replies` (the summary is a member of its `Reply` union); this
module names them for the inventory code.
"""

from __future__ import annotations

from dialogs.replies import (
    GapCount,
    GapOffender,
    ImportReport,
    InventorySummaryReply,
    RejectedRow,
)

__all__ = ["GapCount", "GapOffender", "ImportReport", "InventorySummaryReply", "RejectedRow"]
