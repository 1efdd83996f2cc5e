"""Load the shipped knowledge pack (package data) and validate the organisation's own entries.

Raw records are kept apart from validated ones: `ask` needs only valid entries and must never
fail on an operator's edit, while `idgov kb check` needs every record, valid or not, to say
exactly what is wrong with which one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.crosswalk import load_sources
from knowledge.qa.models import Entry, KnowledgeItem
from knowledge.safe_yaml import load_packaged


class KnowledgeError(ValueError):
    """The knowledge pack itself is broken; the message is one line naming file and entry."""


@dataclass(frozen=True)
class RawRecord:
    """One entry as stored, before validation."""

    data: Any
    origin: str  # shipped | org
    location: str


def first_error(exc: ValidationError) -> str:
    """A pydantic error condensed to one line: `field: message`."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "entry"
    return f"{where}: {err['msg']}"


def _read_yaml(item: Any) -> Any:
    try:
        return load_packaged(item.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{item.name}: not valid YAML: {exc}".splitlines()[0]) from exc


def _resolve_sources(data: Any, catalogue: dict[str, Any], where: str) -> Any:
    """Replace source ids (strings) by their catalogue record; unknown ids fail loudly."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return data
    resolved = []
    for source in data["sources"]:
        if isinstance(source, str):
            if source not in catalogue:
                raise KnowledgeError(
                    f"{where}: entry {data.get('id', '?')}: unknown source id {source!r}"
                )
            source = catalogue[source]
        resolved.append(source)
    return {**data, "sources": resolved}


def read_shipped_raw() -> list[RawRecord]:
    """Every record of knowledge/entries/*.yaml, in file then list order.

    Entries may cite sources by id from the one source catalogue,
    knowledge/data/sources.yaml (so one URL is written once, for rules, crosswalk and
    entries alike); the ids are resolved here, before validation.
    """
    folder = resources.files("knowledge.entries")
    catalogue = {sid: {"title": src.title, "url": src.url} for sid, src in load_sources().items()}
    records: list[RawRecord] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith((".yaml", ".yml")):
            continue
        data = _read_yaml(item)
        if not isinstance(data, list):
            raise KnowledgeError(f"{item.name}: expected a list of entries")
        records.extend(
            RawRecord(_resolve_sources(d, catalogue, item.name), "shipped", item.name) for d in data
        )
    return records


def org_record(data: Any, source_file: str) -> RawRecord:
    """One organisation entry as stored by `idgov kb add` (its data and imported file)."""
    return RawRecord(data, "org", source_file)


def validate(record: RawRecord) -> KnowledgeItem:
    """Validate one record; raises KnowledgeError with a one-line reason."""
    ident = record.data.get("id", "?") if isinstance(record.data, dict) else "?"
    try:
        entry = Entry.model_validate(record.data)
    except ValidationError as exc:
        raise KnowledgeError(f"{record.location}: entry {ident}: {first_error(exc)}") from exc
    origin = "org" if record.origin == "org" else "shipped"
    return KnowledgeItem(entry=entry, origin=origin, location=record.location)


@lru_cache(maxsize=1)
def load_shipped() -> tuple[KnowledgeItem, ...]:
    """The shipped entries, validated once per process; a broken pack fails loudly."""
    items = tuple(validate(r) for r in read_shipped_raw())
    seen: set[str] = set()
    for item in items:
        if item.entry.id in seen:
            raise KnowledgeError(f"{item.location}: duplicate entry id {item.entry.id}")
        seen.add(item.entry.id)
    return items


def load_org(records: Iterable[RawRecord]) -> list[KnowledgeItem]:
    """Valid organisation entries; invalid ones are skipped here and reported by kb check."""
    items: list[KnowledgeItem] = []
    for record in records:
        try:
            items.append(validate(record))
        except KnowledgeError:
            continue
    return items
