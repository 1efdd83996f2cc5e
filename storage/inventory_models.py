"""Inventory tables: imported non-human identities, and the tasks that chase their gaps.

`NhiIdentity` holds what an export said about an identity (never a secret: the parsers refuse
those before a row exists) plus the gap kinds found at its last import. `NhiTaskLink` ties one
follow-up task to the (owner, gap kind) group it chases and the identities it lists, so a
re-import can update that list or close the task when the group is empty.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from storage.clock import utcnow


class NhiIdentity(SQLModel, table=True):
    __tablename__ = "nhi_identity"
    __table_args__ = (
        # Re-import key: the same identity from the same platform updates its row.
        UniqueConstraint("workspace", "platform", "native_key", name="uq_nhi_identity_key"),
        Index("ix_nhi_identity_ws_key", "workspace", "native_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(max_length=255)  # the importer's workspace
    platform: str = Field(max_length=16)
    native_key: str = Field(max_length=512)  # native id, else the name
    name: str = Field(max_length=500)
    type: str = Field(max_length=32)
    owner: str | None = Field(default=None, max_length=255)  # as the export wrote it
    environment: str | None = Field(default=None, max_length=16)
    created: datetime | None = None
    last_rotated: datetime | None = None
    last_used: datetime | None = None
    expires: datetime | None = None
    privileges: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    used_by_humans: bool | None = None
    shared_with: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    has_secret: bool | None = None
    #: the export said the credential was never used (AWS ``N/A``): kept so the scheduled
    #: re-evaluation (`dialogs.inventory.reevaluate`) judges "unused" as the import did
    never_used: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    source_format: str = Field(max_length=64)
    gaps: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evaluated_at: datetime = Field(default_factory=utcnow)
    first_seen_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    imported_by: str = Field(max_length=255)


class NhiTaskLink(SQLModel, table=True):
    __tablename__ = "nhi_task_link"
    __table_args__ = (Index("ix_nhi_task_link_group", "workspace", "owner", "gap_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace: str = Field(max_length=255)  # the inventory's workspace
    owner: str = Field(max_length=255)  # the task owner ref
    gap_kind: str = Field(max_length=32)
    task_id: int = Field(foreign_key="task.id", index=True)
    identities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
