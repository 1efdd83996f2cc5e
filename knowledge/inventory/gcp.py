"""GCP: ``gcloud iam service-accounts list --format json`` and ``... keys list --format json``.

Both map to the service account (key: its email), so importing the account list and then
each key list fills in one identity. Only USER_MANAGED keys are long-lived secrets; Google
rotates SYSTEM_MANAGED keys itself. The key material is never in these listings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from knowledge.inventory import values as v
from knowledge.inventory.dates import parse_date
from knowledge.inventory.model import IdentityRecord, ParsedRow, RowError


def is_account_list(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "email" in i and "uniqueId" in i
                               for i in items[:20])


def is_key_list(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "keyType" in i and "validAfterTime" in i
                               for i in items[:20])


def parse_accounts(items: list[Any]) -> Iterator[ParsedRow]:
    for number, item in enumerate(items, start=1):
        email = str(item.get("email") or "").strip()
        if not email:
            yield ParsedRow(number, error="email is missing")
            continue
        yield ParsedRow(number, record=IdentityRecord(
            platform="gcp", name=email, native_id=email, type="service_account",
            owner=v.owner((item.get("labels") or {}).get("owner")) if isinstance(
                item.get("labels"), dict) else None,
        ))


def _sa_email(key_name: str) -> str:
    # projects/PROJECT/serviceAccounts/EMAIL/keys/KEY_ID
    parts = key_name.split("/")
    if len(parts) >= 6 and parts[2] == "serviceAccounts" and parts[4] == "keys":
        return parts[3]
    raise RowError("name is not projects/P/serviceAccounts/EMAIL/keys/ID")


def parse_keys(items: list[Any]) -> Iterator[ParsedRow]:
    """One record per service account, from its newest and soonest-expiring user key."""
    by_account: dict[str, list[tuple[datetime | None, datetime | None]]] = {}
    first_row: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        try:
            email = _sa_email(str(item.get("name") or ""))
            after = parse_date(item.get("validAfterTime"))
            before = parse_date(item.get("validBeforeTime"))
        except (RowError, ValueError) as exc:
            yield ParsedRow(number, error=str(exc))
            continue
        first_row.setdefault(email, number)
        keys = by_account.setdefault(email, [])
        if item.get("keyType") == "USER_MANAGED" and not item.get("disabled"):
            keys.append((after, before))
    for email, keys in by_account.items():
        starts = [a for a, _ in keys if a]
        ends = [b for _, b in keys if b and b.year < 9999]
        yield ParsedRow(first_row[email], record=IdentityRecord(
            platform="gcp", name=email, native_id=email, type="service_account",
            has_secret=bool(keys), last_rotated=max(starts) if starts else None,
            created=min(starts) if starts else None, expires=min(ends) if ends else None,
        ))
