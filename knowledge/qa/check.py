"""Validate every knowledge entry, shipped and organisation (`idgov kb check`).

Collects every problem rather than stopping at the first, so one run tells an editor all that
needs fixing: schema errors, missing sources, duplicate ids, control ids the crosswalk does not
know, and (for the shipped pack, which must read well in chat) answers of two to four sentences
with at least two paraphrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.qa.loader import KnowledgeError, RawRecord, read_shipped_raw, validate

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
MIN_PARAPHRASES = 2


@dataclass(frozen=True)
class Problem:
    origin: str
    location: str
    entry_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin} {self.location}: {self.entry_id}: {self.message}"


def sentence_count(text: str) -> int:
    """Sentences ended by . ! or ? before a space or the end ("e.g." is not an end)."""
    return len(_SENTENCE_END.findall(text.replace("e.g.", "eg").replace("i.e.", "ie")))


def check_records(records: Iterable[RawRecord], known_controls: set[str]) -> list[Problem]:
    """Every problem in a set of raw records (duplicates are judged across all of them)."""
    problems: list[Problem] = []
    first_seen: dict[str, RawRecord] = {}
    for record in records:
        raw_id = record.data.get("id") if isinstance(record.data, dict) else None
        ident = str(raw_id) if raw_id else "?"

        def report(message: str, record: RawRecord = record, ident: str = ident) -> None:
            problems.append(Problem(record.origin, record.location, ident, message))

        if raw_id:
            if ident in first_seen:
                other = first_seen[ident]
                report(f"duplicate id (also in {other.origin} {other.location})")
            else:
                first_seen[ident] = record
        try:
            entry = validate(record).entry
        except KnowledgeError as exc:
            report(str(exc).split(": ", 2)[-1])
            continue
        for control in entry.controls:
            if control not in known_controls:
                report(f"control id {control!r} is not in the control catalogue")
        if record.origin == "shipped":
            n = sentence_count(entry.answer)
            if not 2 <= n <= 4:
                report(f"answer has {n} sentences; shipped answers have 2 to 4")
            if len(entry.paraphrases) < MIN_PARAPHRASES:
                report(f"needs at least {MIN_PARAPHRASES} paraphrases")
    return problems


def check_all(org: Sequence[RawRecord] | None) -> tuple[int, list[Problem]]:
    """Check the shipped pack and (when given) the organisation entries' records.

    Returns how many records were checked and the problems found.
    """
    from knowledge.catalogue import all_controls

    problems: list[Problem] = []
    try:
        records = read_shipped_raw()
    except KnowledgeError as exc:
        problems.append(Problem("shipped", "knowledge/entries", "?", str(exc)))
        records = []
    if org is not None:
        records += list(org)
    known = {c.id for c in all_controls()}  # the catalogue: every control idgov may cite
    return len(records), problems + check_records(records, known)
