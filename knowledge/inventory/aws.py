"""AWS IAM credential report (``aws iam get-credential-report``, decoded CSV).

One row per IAM user with documented columns: ``user, arn, user_creation_time,
password_enabled, password_last_used, ..., access_key_1_active, access_key_1_last_rotated,
access_key_1_last_used_date, ..., access_key_2_*, cert_1_active, cert_1_last_rotated, cert_2_*``
and the markers ``N/A``, ``no_information`` and ``not_supported``. A user with no active key
or certificate is a person signing in to the console, not a non-human identity: skipped.
A person's console password next to active keys is recorded as human use of those keys.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from knowledge.inventory.dates import parse_date
from knowledge.inventory.generic import MAX_COLUMNS, csv_rows
from knowledge.inventory.model import IdentityRecord, InventoryFileError, ParsedRow, RowError

SIGNATURE = frozenset({"user", "arn", "access_key_1_active", "access_key_1_last_rotated"})
ROOT = "<root_account>"


def matches(headers: list[str]) -> bool:
    return {h.strip() for h in headers} >= SIGNATURE


def _date(raw: dict[str, str], column: str) -> datetime | None:
    try:
        return parse_date(raw.get(column))
    except ValueError as exc:
        raise RowError(f"{column}: {exc}") from None


def _true(raw: dict[str, str], column: str) -> bool:
    return raw.get(column, "").strip().lower() == "true"


def to_record(raw: dict[str, str]) -> IdentityRecord | None:
    user, arn = raw.get("user", "").strip(), raw.get("arn", "").strip()
    if not user or not arn.startswith("arn:"):
        raise RowError("user or arn is missing")
    keys = [n for n in (1, 2) if _true(raw, f"access_key_{n}_active")]
    certs = [n for n in (1, 2) if _true(raw, f"cert_{n}_active")]
    if not keys and not certs:
        return None  # a console-only user: a person, not a non-human identity
    rotated = [d for n in keys if (d := _date(raw, f"access_key_{n}_last_rotated"))]
    rotated += [d for n in certs if (d := _date(raw, f"cert_{n}_last_rotated"))]
    used = [d for n in keys if (d := _date(raw, f"access_key_{n}_last_used_date"))]
    if (pw_used := _date(raw, "password_last_used")) is not None:
        used.append(pw_used)
    return IdentityRecord(
        platform="aws", name=user, native_id=arn,
        type="api_key" if keys else "certificate",
        created=_date(raw, "user_creation_time"),
        last_rotated=min(rotated) if rotated else None,  # the oldest active secret decides
        last_used=max(used) if used else None,
        privileges=["root:*"] if user == ROOT else [],
        used_by_humans=_true(raw, "password_enabled") or user == ROOT, has_secret=True,
        never_used=not used,
    )


def parse(text: str) -> Iterator[ParsedRow]:
    reader = csv.reader(io.StringIO(text))
    headers = [h.strip() for h in next(reader)]
    if len(headers) > MAX_COLUMNS:
        raise InventoryFileError(f"{len(headers)} columns; at most {MAX_COLUMNS} are read")
    yield from csv_rows(reader, headers, to_record)
