"""The identity-outcome control crosswalk and the source catalogue, loaded from YAML.

The mapping itself lives in ``knowledge/data/crosswalk.yaml`` so a compliance lead can
review it without reading Python; this module only loads it, checks it hangs together
(every id an outcome cites is declared, every source exists) and answers look-ups. A
broken data file fails loudly on load rather than producing a card citing a control
that does not exist.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from knowledge.results import ControlRow, Source
from knowledge.safe_yaml import load_packaged

Framework = Literal["iso27001", "soc2", "nist_csf", "owasp_nhi"]
#: Packaged data files (shipped as package data, so an installed copy finds them too).
DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORKS: tuple[Framework, ...] = ("iso27001", "soc2", "nist_csf", "owasp_nhi")


class DataError(ValueError):
    """A knowledge data file is malformed or inconsistent; the message names file and entry."""


class SourceEntry(BaseModel):
    title: str
    short: str
    url: str

    @field_validator("url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"source url must be an https URL, got {value!r}")
        return value

    def to_source(self, source_id: str) -> Source:
        return Source(id=source_id, title=self.title, url=self.url, label=self.short)


class FrameworkInfo(BaseModel):
    name: str
    source: str


class ControlInfo(BaseModel):
    title: str
    note: str = ""


class MappedControl(BaseModel):
    """One control cited for an outcome; `commonly_mapped` marks a one-pivot pairing."""

    id: str
    confidence: Literal["verified", "commonly_mapped"] = "verified"
    note: str = ""


class Outcome(BaseModel):
    label: str
    description: str
    iso27001: list[MappedControl] = Field(default_factory=list)
    soc2: list[MappedControl] = Field(default_factory=list)
    nist_csf: list[MappedControl] = Field(default_factory=list)
    owasp_nhi: list[MappedControl] = Field(default_factory=list)

    @field_validator("iso27001", "soc2", "nist_csf", "owasp_nhi", mode="before")
    @classmethod
    def _plain_ids(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"id": item} if isinstance(item, str) else item for item in value]
        return value

    def mapped(self, framework: Framework) -> list[MappedControl]:
        return list(getattr(self, framework))


class CorrectionNote(BaseModel):
    id: str
    text: str
    source_ids: list[str]


class ControlRef(BaseModel):
    """A control as it appears in a recommendation: framework, id and title."""

    framework: Framework
    id: str
    title: str


class Crosswalk(BaseModel):
    sources: dict[str, SourceEntry]
    frameworks: dict[Framework, FrameworkInfo]
    controls: dict[Framework, dict[str, ControlInfo]]
    outcomes: dict[str, Outcome]
    notes: list[CorrectionNote]

    @field_validator("controls", mode="before")
    @classmethod
    def _plain_titles(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                fw: {
                    cid: {"title": info} if isinstance(info, str) else info
                    for cid, info in (entries or {}).items()
                }
                for fw, entries in value.items()
            }
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Crosswalk:
        seen: dict[str, str] = {}
        for fw, entries in self.controls.items():
            for cid in entries:
                if cid in seen:
                    raise ValueError(f"control id {cid!r} declared under {seen[cid]} and {fw}")
                seen[cid] = fw
        for fw, info in self.frameworks.items():
            self._check_source(info.source, f"framework {fw}")
        for name, outcome in self.outcomes.items():
            for fw in FRAMEWORKS:
                for entry in outcome.mapped(fw):
                    if entry.id not in self.controls.get(fw, {}):
                        raise ValueError(
                            f"outcome {name!r} cites unknown {fw} control {entry.id!r}"
                        )
        for note in self.notes:
            for sid in note.source_ids:
                self._check_source(sid, f"note {note.id}")
        return self

    def _check_source(self, source_id: str, where: str) -> None:
        if source_id not in self.sources:
            raise ValueError(f"{where} cites unknown source id {source_id!r}")

    # -- look-ups -----------------------------------------------------------------------

    def framework_of(self, control_id: str) -> Framework:
        for fw, entries in self.controls.items():
            if control_id in entries:
                return fw
        raise KeyError(control_id)

    def ref(self, control_id: str) -> ControlRef:
        fw = self.framework_of(control_id)
        return ControlRef(framework=fw, id=control_id, title=self.controls[fw][control_id].title)

    def row(self, outcome: str) -> ControlRow:
        """The outcome as one card row; one-pivot pairings carry a "(commonly mapped)" suffix."""
        data = self.outcomes[outcome]

        def label(entry: MappedControl) -> str:
            suffix = " (commonly mapped)" if entry.confidence == "commonly_mapped" else ""
            return entry.id + suffix

        return ControlRow(
            outcome=data.label,
            iso27001=[label(e) for e in data.iso27001],
            soc2=[label(e) for e in data.soc2],
            nist_csf=[label(e) for e in data.nist_csf],
            owasp_nhi=[label(e) for e in data.owasp_nhi],
        )

    def outcome_control_ids(self, outcome: str) -> list[str]:
        data = self.outcomes[outcome]
        return [e.id for fw in FRAMEWORKS for e in data.mapped(fw)]

    def source(self, source_id: str) -> Source:
        return self.sources[source_id].to_source(source_id)


def read_yaml(name: str) -> Any:
    """Read a packaged data file (knowledge/data/<name>) so an installed copy works too."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    try:
        return load_packaged(text)
    except yaml.YAMLError as exc:
        raise DataError(f"knowledge/data/{name}: not valid YAML: {exc}") from exc


def parse_crosswalk(crosswalk: Any, sources: Any) -> Crosswalk:
    """Validate raw crosswalk and source data; raise DataError with a readable message."""
    if not isinstance(crosswalk, dict):
        raise DataError("crosswalk.yaml: must be a mapping")
    try:
        return Crosswalk.model_validate({**crosswalk, "sources": sources})
    except ValidationError as exc:
        raise DataError(f"crosswalk.yaml/sources.yaml: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def with_catalogue_titles(cw: Crosswalk) -> Crosswalk:
    """Titles come from the control catalogue (knowledge/catalogue.py), the one place a
    control is described; a crosswalk id the catalogue lacks fails loudly."""
    from knowledge.catalogue import _catalogue

    catalogue = _catalogue()
    controls: dict[Framework, dict[str, ControlInfo]] = {}
    for fw, entries in cw.controls.items():
        controls[fw] = {}
        for cid, info in entries.items():
            if cid not in catalogue:
                raise DataError(f"crosswalk.yaml: control {cid!r} is not in controls.yaml")
            controls[fw][cid] = info.model_copy(update={"title": catalogue[cid].title})
    return cw.model_copy(update={"controls": controls})


@cache
def load_crosswalk() -> Crosswalk:
    """The packaged crosswalk, validated once per process, with catalogue titles."""
    cw = parse_crosswalk(read_yaml("crosswalk.yaml"), read_yaml("sources.yaml"))
    return with_catalogue_titles(cw)


def load_sources() -> dict[str, SourceEntry]:
    """The packaged source catalogue (id -> title, url)."""
    return dict(load_crosswalk().sources)


def known_control_ids() -> set[str]:
    """Every control id idgov may cite, spelled as in the crosswalk ("A.5.16", "CC6.1", ...)."""
    return {cid for entries in load_crosswalk().controls.values() for cid in entries}


def control_title(control_id: str) -> str:
    """The title of a known control; KeyError for an id the crosswalk does not declare."""
    return load_crosswalk().ref(control_id).title
