"""The one identity shape every export format is mapped onto.

A field is ``None`` when the source does not say: gap rules then stay silent instead of
guessing, and a later import of another source for the same identity may fill it in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

IDENTITY_TYPES: Final = ("service_account", "api_key", "oauth_app", "bot_token",
                         "workload_identity", "ssh_key", "certificate", "other")
PLATFORMS: Final = ("aws", "gcp", "azure", "github", "slack", "okta", "kubernetes", "other")
ENVIRONMENTS: Final = ("prod", "staging", "dev", "corporate")
MAX_NAME = 500
MAX_KEY = 512


class InventoryFileError(ValueError):
    """The whole file is refused (unreadable, unknown shape, a credential column); one line."""


class RowError(ValueError):
    """One row is refused; the message never contains the offending value if it is secret."""


@dataclass(slots=True)
class IdentityRecord:
    platform: str
    name: str
    type: str = "other"
    native_id: str | None = None
    owner: str | None = None
    environment: str | None = None
    created: datetime | None = None
    last_rotated: datetime | None = None
    last_used: datetime | None = None
    expires: datetime | None = None
    privileges: list[str] = field(default_factory=list)
    used_by_humans: bool | None = None
    shared_with: list[str] = field(default_factory=list)
    #: does the identity hold a long-lived secret to rotate? None: decide from its type
    has_secret: bool | None = None
    #: the export says the credential was never used (AWS ``N/A``, GitHub ``null``); an
    #: empty last_used elsewhere only means "not known"
    never_used: bool = False

    @property
    def key(self) -> str:
        """Re-import update key within a platform: the native id, else the name."""
        return (self.native_id or self.name)[:MAX_KEY]


@dataclass(slots=True)
class ParsedRow:
    """One source row: a record, the reason it was refused, or neither (skipped: not an NHI).

    Row numbers are 1-based as a spreadsheet shows them (a CSV header is row 1).
    """

    row: int
    record: IdentityRecord | None = None
    error: str | None = None


def each_row(items: list[Any], to_record: Callable[[Any], IdentityRecord]) -> Iterator[ParsedRow]:
    """One `ParsedRow` per item of a JSON listing: its record, or the `RowError` that refused
    it (1-based row numbers). The loop every one-record-per-item export shares."""
    for number, item in enumerate(items, start=1):
        try:
            yield ParsedRow(number, record=to_record(item))
        except RowError as exc:
            yield ParsedRow(number, error=str(exc))
