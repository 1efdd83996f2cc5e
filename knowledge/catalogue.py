"""The control catalogue: every control idgov cites, with what it asks and the identity evidence.

One structured record per control (``knowledge/data/controls.yaml``): `ask` answers "what is
A.8.2" or "NHI7" from it, the crosswalk takes its titles from it, and other modules (the
inventory engineer's gap rules) refer to controls through the small pure API below rather than
by copying titles. Related ids ending in "~" in the data are *commonly mapped*: only one public
crosswalk supports the pair, and cards and answers say so.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ValidationError

from knowledge.safe_yaml import load_packaged

CatalogueFramework = Literal["iso27001", "soc2", "nist_csf", "owasp_nhi", "nist_800_53", "cis_v8"]
DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "controls.yaml"

FRAMEWORK_NAMES: Final[dict[str, str]] = {
    "iso27001": "ISO/IEC 27001:2022",
    "soc2": "SOC 2 (2017 TSC, rev. 2022)",
    "nist_csf": "NIST CSF 2.0",
    "owasp_nhi": "OWASP NHI Top 10 (2025)",
    "nist_800_53": "NIST SP 800-53 Rev. 5",
    "cis_v8": "CIS Controls v8",
}


class CatalogueError(ValueError):
    """controls.yaml is malformed or cites an unknown id; the message names the control."""


class Related(BaseModel):
    id: str
    commonly_mapped: bool = False


class Control(BaseModel):
    """One control: id as idgov spells it ("A.5.16", "CC6.1", "PR.AA-01", "NHI7", "AC-2")."""

    id: str
    framework: CatalogueFramework
    title: str
    asks: str
    evidence: str
    related: list[Related]
    source: str

    @property
    def framework_name(self) -> str:
        return FRAMEWORK_NAMES[self.framework]

    def related_text(self) -> str:
        return ", ".join(
            r.id + (" (commonly mapped)" if r.commonly_mapped else "") for r in self.related
        )


def parse_catalogue(data: object) -> dict[str, Control]:
    """Validate the raw catalogue; every related id must itself be in the catalogue."""
    if not isinstance(data, dict):
        raise CatalogueError("controls.yaml: must map frameworks to controls")
    out: dict[str, Control] = {}
    for fw, entries in data.items():
        for cid, raw in (entries or {}).items():
            cid = str(cid)
            if cid in out:
                raise CatalogueError(f"controls.yaml: {cid} declared twice")
            related = [
                Related(id=str(r).rstrip("~"), commonly_mapped=str(r).endswith("~"))
                for r in raw.get("related", [])
            ]
            try:
                out[cid] = Control(id=cid, framework=fw, **{**raw, "related": related})
            except ValidationError as exc:
                raise CatalogueError(f"controls.yaml: {cid}: {exc.errors()[0]['msg']}") from exc
    for control in out.values():
        for rel in control.related:
            if rel.id not in out:
                raise CatalogueError(f"controls.yaml: {control.id} relates to unknown {rel.id!r}")
    return out


@cache
def _catalogue() -> dict[str, Control]:
    return parse_catalogue(load_packaged(DATA_FILE.read_text(encoding="utf-8")))


def control(control_id: str) -> Control:
    """The control with this id (as idgov spells it); KeyError when it is not catalogued."""
    return _catalogue()[control_id]


def all_controls() -> tuple[Control, ...]:
    """Every catalogued control, in file order (framework by framework)."""
    return tuple(_catalogue().values())


def title(control_id: str) -> str:
    return control(control_id).title


# --- recognising control ids in text -------------------------------------------------------

#: What follows a bare decimal that counts something rather than naming a control ("8.3
#: non-human identities per employee", "6.5 million secrets", "8.2 months", "6.5 out of 10").
_QUANTITY: Final = (
    r"\s*(?:percent|per cent|%|million|thousand|billion|bn|[mk]\b|months?|years?|weeks?|days?|"
    r"hours?|minutes?|times|x\b|out of|per\b|non-human|nhis?\b|machine|service accounts?|"
    r"accounts?|identities|secrets|keys|tokens|employees|people|users|seconds?)"
)
_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(
            r"\bcis(?: controls?)?(?: v8)?(?: control| safeguard)?\s*(\d{1,2}(?:\.\d{1,2})?)\b"
        ),
        "CIS {0}",
    ),
    (re.compile(r"\bclause\s*(\d{1,2}(?:\.\d{1,2}){0,2})\b"), "{0}"),
    (re.compile(r"(?<![\w.])(6\.1\.[23])\b"), "{0}"),
    (re.compile(r"\b(?:annex\s*)?a\s?\.?\s?([5-8]\.\d{1,2})\b"), "A.{0}"),
    (re.compile(r"\bcc\s?(\d)\s?\.\s?(\d)\b"), "CC{0}.{1}"),
    (
        re.compile(r"\b(gv|id|pr|de)\s?\.?\s?(rm|aa|am|cm|rr|oc|sc|ae)(?:\s?-\s?|\s)?(\d{1,2})?\b"),
        "csf",
    ),
    (re.compile(r"\bnhi\s?-?\s?(\d{1,2})\b"), "NHI{0}"),
    (re.compile(r"\b(ac|ia|au)-(\d{1,2})\b"), "{0}-{1}"),
    (re.compile(r"(?<![\w.])([5-8]\.\d{1,2})(?![\w.%])(?!" + _QUANTITY + r")"), "A.{0}"),
)


def _spell(template: str, groups: tuple[str | None, ...]) -> str:
    if template == "csf":
        fn, cat, num = groups
        base = f"{(fn or '').upper()}.{(cat or '').upper()}"
        return f"{base}-{int(num):02d}" if num else base
    if template.startswith("NHI"):
        return f"NHI{int(groups[0] or 0)}"
    return template.format(*[(g or "").upper() for g in groups])


def control_ids_in(text: str) -> list[str]:
    """Catalogued control ids named in `text`, in order of appearance, without duplicates.

    Accepts the ways people type them: "a.8.2", "A 5.16", "annex a 8.2", "cc6.3", "pr.aa-01",
    "PR.AA 5", "nhi7", "NHI-07", "ac-2", "cis 5.5", "clause 8.2". A bare "8.2" is read as the
    Annex A control, unless a unit or a count follows it ("8.2 months", "6.5 million secrets");
    "clause 8.2" as the ISO clause.
    """
    return list(dict.fromkeys(cid for _, cid in control_mentions(text)))


def control_mentions(text: str) -> list[tuple[int, str]]:
    """Where `text` names catalogued controls: (character offset in `text.lower()`, id) in
    order of appearance, read as `control_ids_in` reads them (a control named twice appears
    twice). The offsets are the text's own unless lower-casing changes a character's length
    ("İ" becomes two), which no id or framing word has."""
    low = text.lower()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for regex, template in _PATTERNS:
        for m in regex.finditer(low):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            cid = _spell(template, m.groups())
            if cid in _catalogue():
                found.append((m.start(), cid))
                taken.append((m.start(), m.end()))
    return sorted(found)
