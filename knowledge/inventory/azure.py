"""Azure / Microsoft Graph application objects (``GET /applications``, ``az ad app list``).

Credentials are ``passwordCredentials`` (client secrets) and ``keyCredentials``
(certificates), each with ``keyId``, ``displayName``, ``startDateTime``, ``endDateTime``.
Graph never returns a stored secret (``secretText`` is only set in the response that
creates one), so a listing carrying ``secretText`` is refused. ``owners`` is read when the
export expanded it (``$expand=owners``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from knowledge.inventory.dates import parse_date
from knowledge.inventory.model import IdentityRecord, ParsedRow, RowError, each_row


def is_application_list(items: list[Any]) -> bool:
    return bool(items) and all(
        isinstance(i, dict) and ("passwordCredentials" in i or "keyCredentials" in i)
        for i in items[:20])


def _owner(item: dict[str, Any]) -> str | None:
    for owner in item.get("owners") or []:
        if isinstance(owner, dict):
            found = owner.get("mail") or owner.get("userPrincipalName")
            if found:
                return str(found)[:255]
    return None


def to_record(item: dict[str, Any]) -> IdentityRecord:
    app_id = str(item.get("appId") or item.get("id") or "").strip()
    name = str(item.get("displayName") or app_id).strip()
    if not app_id:
        raise RowError("appId is missing")
    starts: list[datetime] = []
    ends: list[datetime] = []
    creds = list(item.get("passwordCredentials") or []) + list(item.get("keyCredentials") or [])
    for cred in creds:
        if not isinstance(cred, dict):
            raise RowError("a credential entry is not an object")
        if cred.get("secretText"):
            raise RowError("passwordCredentials holds a secretText value; row refused, "
                           "value not stored")
        try:
            start, end = parse_date(cred.get("startDateTime")), parse_date(cred.get("endDateTime"))
        except ValueError as exc:
            raise RowError(f"credential dates: {exc}") from None
        if start:
            starts.append(start)
        if end:
            ends.append(end)
    try:
        created = parse_date(item.get("createdDateTime"))
    except ValueError as exc:
        raise RowError(f"createdDateTime: {exc}") from None
    return IdentityRecord(
        platform="azure", name=name, native_id=app_id, type="oauth_app", owner=_owner(item),
        created=created, has_secret=bool(creds),
        last_rotated=max(starts) if starts else None,  # the newest credential was added then
        expires=min(ends) if ends else None,  # the first credential to lapse
    )


def parse(items: list[Any]) -> Iterator[ParsedRow]:
    return each_row(items, to_record)
