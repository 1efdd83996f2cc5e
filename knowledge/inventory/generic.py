"""The generic inventory: a CSV, or a JSON list of objects, with forgiving column names.

Headers are matched after normalising case and punctuation and through synonyms
(``Owner Email``, ``last_rotated_at``, ``Expiry Date`` ...). Unknown columns are ignored,
except a column whose name says it holds secrets: that refuses the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping

from knowledge.inventory import values as v
from knowledge.inventory.dates import parse_date
from knowledge.inventory.model import (
    MAX_NAME,
    IdentityRecord,
    InventoryFileError,
    ParsedRow,
    RowError,
)
from knowledge.inventory.secrets import first_secret, secret_column

MAX_COLUMNS = 200
MAX_ROWS = 500_000

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "identity", "identity_name", "display_name", "displayname", "account",
             "account_name", "service_account", "principal", "principal_name", "user",
             "username", "app_name", "application", "client_name", "key_name", "token_name"),
    "native_id": ("native_id", "id", "identifier", "arn", "uid", "unique_id", "client_id",
                  "app_id", "appid", "key_id", "resource_id", "object_id", "email"),
    "type": ("type", "identity_type", "kind", "nhi_type", "credential_type", "category"),
    "platform": ("platform", "provider", "cloud", "system", "source", "vendor"),
    "owner": ("owner", "owner_email", "owner_ref", "owned_by", "responsible", "contact",
              "owner_name", "team_owner", "accountable", "steward"),
    "environment": ("environment", "env", "stage", "tier"),
    "created": ("created", "created_at", "creation_date", "created_on", "creation_time",
                "create_date", "created_date", "issued", "issued_at"),
    "last_rotated": ("last_rotated", "last_rotated_at", "rotated", "rotated_at",
                     "last_rotation", "last_rotation_date", "secret_last_rotated",
                     "rotation_date", "key_last_rotated", "last_rotated_date"),
    "last_used": ("last_used", "last_used_at", "last_activity", "last_seen", "last_login",
                  "last_used_date", "last_seen_at", "last_access", "last_accessed"),
    "expires": ("expires", "expires_at", "expiry", "expiration", "expiration_date",
                "expiry_date", "valid_until", "not_after", "expires_on"),
    "privileges": ("privileges", "permissions", "scopes", "scope", "roles", "role", "access",
                   "entitlements", "policies", "grants"),
    "used_by_humans": ("used_by_humans", "human_use", "used_by_human", "interactive",
                       "humans", "human_access", "shared_with_humans"),
    "shared_with": ("shared_with", "shared", "used_by", "consumers", "also_used_in",
                    "used_in", "reused_by"),
    "has_secret": ("has_secret", "long_lived_secret"),
}
_LOOKUP = {alias: field for field, aliases in SYNONYMS.items() for alias in aliases}


def map_columns(headers: list[str]) -> dict[str, str]:
    """source header -> model field; refuses a credential column by name (whole file)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        if secret_column(header):
            raise InventoryFileError(
                f"column {header.strip()[:60]!r} looks like it holds credentials; remove it and "
                "import again (idgov stores identities, never their secrets)")
        field = _LOOKUP.get(v.norm(header))
        if field and field not in taken:
            mapping[header] = field
            taken.add(field)
    if "name" not in taken and "native_id" not in taken:
        raise InventoryFileError("no name column (expected one of: name, identity, "
                                 "display_name, account, id)")
    return mapping


def to_record(raw: Mapping[str, object], mapping: Mapping[str, str]) -> IdentityRecord:
    leaked = first_secret(raw.items())
    if leaked:
        raise RowError(f"column {str(leaked[0])[:60]!r} holds what looks like {leaked[1]}; "
                       "row refused, value not stored")
    got = {field: raw.get(header) for header, field in mapping.items()}
    name = str(got.get("name") or got.get("native_id") or "").strip()[:MAX_NAME]
    if not name:
        raise RowError("name is empty")
    dates = {}
    for field in ("created", "last_rotated", "last_used", "expires"):
        try:
            dates[field] = parse_date(got.get(field))
        except ValueError as exc:
            raise RowError(f"{field}: {exc}") from None
    native = str(got.get("native_id") or "").strip() or None
    return IdentityRecord(
        platform=v.platform(got.get("platform")), name=name,
        type=v.identity_type(got.get("type")), native_id=native,
        owner=v.owner(got.get("owner")), environment=v.environment(got.get("environment")),
        privileges=v.text_list(got.get("privileges")),
        used_by_humans=v.boolean(got.get("used_by_humans"), "used_by_humans"),
        shared_with=v.text_list(got.get("shared_with")),
        has_secret=v.boolean(got.get("has_secret"), "has_secret"),
        created=dates["created"], last_rotated=dates["last_rotated"],
        last_used=dates["last_used"], expires=dates["expires"],
    )


def parse_csv(text: str) -> Iterator[ParsedRow]:
    """Rows of a generic CSV; the header is row 1, so the first identity is row 2."""
    reader = csv.reader(io.StringIO(text))
    try:
        headers = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise InventoryFileError(f"not a readable CSV: {exc or 'empty file'}") from None
    if len(headers) > MAX_COLUMNS:
        raise InventoryFileError(f"{len(headers)} columns; at most {MAX_COLUMNS} are read")
    headers = [h.strip() for h in headers]
    mapping = map_columns(headers)
    yield from csv_rows(reader, headers, lambda raw: to_record(raw, mapping))


def csv_rows(
    reader: Iterator[list[str]], headers: list[str],
    build: Callable[[dict[str, str]], IdentityRecord | None],
) -> Iterator[ParsedRow]:
    """Shared CSV row loop: a malformed or over-long row is a row error, never a crash."""
    number = 1
    while True:
        number += 1
        if number > MAX_ROWS + 1:
            yield ParsedRow(number, error=f"more than {MAX_ROWS} rows; the rest was not read")
            return
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ParsedRow(number, error=f"unreadable CSV row: {str(exc)[:80]}")
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(headers):
            yield ParsedRow(number, error=f"{len(cells)} fields but the header has {len(headers)}")
            continue
        raw = {h: c.strip() for h, c in zip(headers, cells, strict=False)}
        try:
            record = build(raw)
        except RowError as exc:
            yield ParsedRow(number, error=str(exc))
            continue
        # None: a row the format says is not a non-human identity (reported as skipped)
        yield ParsedRow(number, record=record)


def parse_json_list(items: list[object]) -> Iterator[ParsedRow]:
    """A JSON list of identity objects; item 1 is row 1."""
    headers: list[str] = []
    for item in items[:50]:
        if isinstance(item, dict):
            headers.extend(k for k in item if k not in headers)
    mapping = map_columns(headers)
    for number, item in enumerate(items[:MAX_ROWS], start=1):
        if not isinstance(item, dict):
            yield ParsedRow(number, error="not an object")
            continue
        extra = [k for k in item if k not in mapping and secret_column(str(k))]
        if extra:
            yield ParsedRow(number, error=f"key {str(extra[0])[:60]!r} looks like it holds "
                            "credentials; row refused, value not stored")
            continue
        try:
            yield ParsedRow(number, record=to_record(item, mapping))
        except RowError as exc:
            yield ParsedRow(number, error=str(exc))
