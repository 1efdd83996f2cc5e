"""GitHub: ``GET /orgs/{org}/personal-access-tokens`` (fine-grained PATs with org access).

Each item has ``id``, ``owner.login``, ``repository_selection``, ``permissions``
(``organization`` / ``repository`` / ``other`` maps of permission -> read|write|admin),
``access_granted_at``, ``token_expired``, ``token_expires_at`` and ``token_last_used_at``.
A fine-grained token cannot be rotated in place; regenerating it grants access again, so
``access_granted_at`` stands for the last rotation. The owner is a GitHub login, which is
kept as ``github:LOGIN`` (an owner, though not one idgov can message).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from knowledge.inventory.dates import parse_date
from knowledge.inventory.model import IdentityRecord, ParsedRow, RowError, each_row


def is_pat_list(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "access_granted_at" in i
                               and "token_expired" in i for i in items[:20])


def _privileges(item: dict[str, Any]) -> list[str]:
    out = [f"repositories:{item.get('repository_selection', 'unknown')}"]
    perms = item.get("permissions") or {}
    for scope in ("organization", "repository", "other"):
        for name, level in sorted((perms.get(scope) or {}).items()):
            out.append(f"{scope}:{name}={level}")
    return out


def to_record(item: dict[str, Any]) -> IdentityRecord:
    token_id = item.get("id")
    if token_id is None:
        raise RowError("id is missing")
    login = str((item.get("owner") or {}).get("login") or "").strip()
    try:
        granted = parse_date(item.get("access_granted_at"))
        expires = parse_date(item.get("token_expires_at"))
        used = parse_date(item.get("token_last_used_at"))
    except ValueError as exc:
        raise RowError(str(exc)) from None
    name = str(item.get("token_name") or f"pat-{token_id}")
    return IdentityRecord(
        platform="github", name=f"{login or '?'}/{name}", native_id=f"pat:{token_id}",
        type="api_key", owner=f"github:{login}" if login else None, created=granted,
        last_rotated=granted, last_used=used, expires=expires, privileges=_privileges(item),
        has_secret=True, never_used=used is None,
    )


def parse(items: list[Any]) -> Iterator[ParsedRow]:
    return each_row(items, to_record)
