"""Plain value types knowledge hands upward: a cited source, a rationale bullet, a crosswalk row.

They live on the ground floor so that knowledge never needs the reply models above it
(docs/architecture.md, "floors"); `dialogs.replies` embeds these same types in its replies, so
a recommendation or an answer becomes a card without copying field by field.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Source(BaseModel):
    """A source cited in a result: catalogue or entry id, title, link, short citation label."""

    id: str = ""
    title: str
    url: str = ""
    label: str = ""  # a short name for inline citations ("NIST CSF 2.0"); title when empty


class Rationale(BaseModel):
    """One reason behind a recommendation, tied to the answer that triggered it."""

    text: str
    answer_id: str | None = None
    answer_value: str | None = None
    source_ids: list[str] = Field(default_factory=list)


class ControlRow(BaseModel):
    """One identity outcome mapped across the four frameworks."""

    outcome: str
    iso27001: list[str] = Field(default_factory=list)
    soc2: list[str] = Field(default_factory=list)
    nist_csf: list[str] = Field(default_factory=list)
    owasp_nhi: list[str] = Field(default_factory=list)
