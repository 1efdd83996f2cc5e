"""Weekly channel digests: one row per channel per ISO week, so it is posted once a week.

The primary key is the claim: the sweeper that inserts the row posts the digest; any other
replica's insert fails and it moves on. A row left ``sending`` by a crashed sweeper is taken
over once ``claimed_at`` is older than the nudge lease.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.clock import utcnow


class DigestRun(SQLModel, table=True):
    __tablename__ = "digest_run"

    platform: str = Field(primary_key=True, max_length=16)
    workspace: str = Field(primary_key=True, max_length=255)
    channel: str = Field(primary_key=True, max_length=255)
    week: str = Field(primary_key=True, max_length=10)  # ISO week, e.g. 2026-W02
    status: str = Field(default="sending", max_length=16)  # sending | sent | failed
    worker: str = Field(max_length=128)
    claimed_at: datetime = Field(default_factory=utcnow)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
