"""Time helpers. Every datetime stored is timezone-aware UTC (SQLModel's UTCDateTime refuses
naive values, which catches local-time bugs at the write instead of in an audit).

Code that needs "now" takes it as a parameter (tests and `--now` pin the clock); these
helpers only convert at the edges.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware -> UTC; a naive value is taken to be UTC already (e.g. `--now 2026-01-05T09:00`)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
