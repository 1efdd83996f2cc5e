"""Recognise an export by its shape and hand it to the right parser.

Bytes in, rows out: no file system here (the caller reads the bytes, size-capped). JSON is
sniffed for the native shapes first; anything else that is a list of objects is read as the
generic model. A CSV with the credential report's columns is the AWS report.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from knowledge.inventory import aws, azure, gcp, generic, github, kubernetes
from knowledge.inventory.model import InventoryFileError, ParsedRow
from knowledge.inventory.secrets import first_secret

FORMATS = ("generic_csv", "generic_json", "aws_credential_report", "gcp_service_accounts",
           "gcp_service_account_keys", "azure_applications", "kubernetes_service_accounts",
           "github_fine_grained_pats")


@dataclass
class ParsedFile:
    format: str
    rows: Iterator[ParsedRow]


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InventoryFileError("not UTF-8 text (save the export as UTF-8 CSV or JSON)") from None
    if "\0" in text:
        raise InventoryFileError("binary data, not a CSV or JSON export")
    return text


def _unwrap(data: Any) -> list[Any] | None:
    """A list of objects, also from Graph's ``{"value": [...]}`` or ``{"items": [...]}``."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("value", "items", "identities", "accounts"):
            if isinstance(data.get(key), list):
                return list(data[key])
    return None


def parse_bytes(data: bytes, filename: str = "") -> ParsedFile:
    """Detect the format and return a lazy row iterator; raises InventoryFileError."""
    text = _text(data)
    stripped = text.lstrip()
    if not stripped:
        raise InventoryFileError("the file is empty")
    if stripped[0] in "[{" or filename.lower().endswith(".json"):
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise InventoryFileError(f"not valid JSON: {str(exc)[:80]}") from None
        return _parse_json(loaded)
    try:
        headers = next(csv.reader(io.StringIO(stripped.split("\n", 1)[0])))
    except (StopIteration, csv.Error) as exc:
        raise InventoryFileError(f"not a readable CSV: {exc}") from None
    if aws.matches(headers):
        return ParsedFile("aws_credential_report", aws.parse(text))
    return ParsedFile("generic_csv", generic.parse_csv(text))


#: Public, non-secret fields that look random: certificate bodies and thumbprints (Graph).
_PUBLIC_KEYS = frozenset({"key", "customKeyIdentifier", "etag", "resourceVersion", "uid"})


def _scrub(item: Any) -> Any:
    if isinstance(item, dict):
        return {k: _scrub(x) for k, x in item.items() if k not in _PUBLIC_KEYS}
    if isinstance(item, list):
        return [_scrub(x) for x in item]
    return item


def _screened(items: list[Any], rows: Iterator[ParsedRow]) -> Iterator[ParsedRow]:
    """Native JSON rows, with any item carrying credential-like values refused by number."""
    bad: dict[int, str] = {}
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            leaked = first_secret(_scrub(item).items())
            if leaked:
                bad[number] = (f"field {str(leaked[0])[:60]!r} holds what looks like "
                               f"{leaked[1]}; row refused, value not stored")
    for row in rows:
        if row.row in bad:
            yield ParsedRow(row.row, error=bad.pop(row.row))
        else:
            yield row
    for number, message in sorted(bad.items()):  # rows a parser folded or skipped
        yield ParsedRow(number, error=message)


def _parse_json(loaded: Any) -> ParsedFile:
    if kubernetes.is_list(loaded):
        return ParsedFile("kubernetes_service_accounts",
                          _screened(loaded["items"], kubernetes.parse(loaded)))
    items = _unwrap(loaded)
    if items is None:
        raise InventoryFileError("JSON must be a list of identities (or a known export shape)")
    if not items:
        raise InventoryFileError("the JSON list is empty")
    if gcp.is_key_list(items):
        return ParsedFile("gcp_service_account_keys", _screened(items, gcp.parse_keys(items)))
    if gcp.is_account_list(items):
        return ParsedFile("gcp_service_accounts", _screened(items, gcp.parse_accounts(items)))
    if azure.is_application_list(items):
        return ParsedFile("azure_applications", _screened(items, azure.parse(items)))
    if github.is_pat_list(items):
        return ParsedFile("github_fine_grained_pats", _screened(items, github.parse(items)))
    return ParsedFile("generic_json", generic.parse_json_list(items))
