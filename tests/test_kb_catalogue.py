"""The control catalogue: complete for what idgov cites, consistent, and answering look-ups."""

from __future__ import annotations

import pytest

from knowledge.catalogue import (
    CatalogueError,
    all_controls,
    control,
    control_ids_in,
    parse_catalogue,
)
from knowledge.crosswalk import load_crosswalk, load_sources
from knowledge.qa.ask import ask
from knowledge.qa.loader import load_shipped
from knowledge.rules import load_knowledge

REQUIRED = [
    "4.3", "6.1.3", "8.2", "8.3",
    "A.5.15", "A.5.16", "A.5.17", "A.5.18", "A.8.2", "A.8.5", "A.5.9", "A.8.15", "A.8.16",
    "CC3.1", "CC3.2", "CC3.3", "CC3.4", *[f"CC6.{n}" for n in range(1, 9)],
    "CC7.1", "CC7.2", "CC7.3", "CC8.1", "CC9.1", "CC9.2",
    "GV.RM", "ID.AM", "DE.CM", *[f"PR.AA-0{n}" for n in range(1, 7)],
    *[f"NHI{n}" for n in range(1, 11)],
    "AC-2", "AC-6", "IA-5", "CIS 5", "CIS 6",
]
OWASP_TITLES = {
    "NHI1": "Improper Offboarding", "NHI2": "Secret Leakage", "NHI3": "Vulnerable Third-Party NHI",
    "NHI4": "Insecure Authentication", "NHI5": "Overprivileged NHI",
    "NHI6": "Insecure Cloud Deployment Configurations", "NHI7": "Long-Lived Secrets",
    "NHI8": "Environment Isolation", "NHI9": "NHI Reuse", "NHI10": "Human Use of NHI",
}


def test_every_required_control_is_catalogued_with_evidence_and_a_source() -> None:
    sources = load_sources()
    for cid in REQUIRED:
        c = control(cid)
        assert c.title and c.asks and c.evidence, cid
        assert c.source in sources, cid


def test_owasp_titles_are_the_official_2025_names() -> None:
    assert {cid: control(cid).title for cid in OWASP_TITLES} == OWASP_TITLES


def test_every_control_the_product_cites_is_catalogued() -> None:
    known = {c.id for c in all_controls()}
    cw = load_crosswalk()
    cited = {cid for entries in cw.controls.values() for cid in entries}
    templates = load_knowledge().tasks.templates.values()
    cited |= {cid for spec in templates for cid in spec.controls or []}
    cited |= {cid for item in load_shipped() for cid in item.entry.controls}
    assert cited - known == set()


def test_crosswalk_titles_come_from_the_catalogue() -> None:
    cw = load_crosswalk()
    for entries in cw.controls.values():
        for cid, info in entries.items():
            assert info.title == control(cid).title


def test_one_crosswalk_pairs_of_800_53_and_cis_are_marked_commonly_mapped() -> None:
    for c in all_controls():
        if c.framework in {"nist_800_53", "cis_v8"}:
            assert c.related and all(r.commonly_mapped for r in c.related), c.id


def test_unknown_related_id_fails_loudly() -> None:
    with pytest.raises(CatalogueError, match=r"unknown 'A\.9\.99'"):
        parse_catalogue({"iso27001": {"A.5.15": {
            "title": "t", "asks": "a", "evidence": "e", "related": ["A.9.99"], "source": "s"}}})


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("what is A.8.2", ["A.8.2"]), ("cc6.3?", ["CC6.3"]), ("NHI7", ["NHI7"]),
        ("NHI-01 inventory", ["NHI1"]), ("pr.aa-05", ["PR.AA-05"]), ("PR.AA 1", ["PR.AA-01"]),
        ("clause 8.2", ["8.2"]), ("annex a 5.16", ["A.5.16"]), ("ac-2 vs cc6.2", ["AC-2", "CC6.2"]),
        ("cis 5.5", ["CIS 5.5"]), ("only 5.7% have visibility", []), ("iso 9001", []),
    ],
)
def test_control_ids_are_recognised_as_people_type_them(text: str, ids: list[str]) -> None:
    assert control_ids_in(text) == ids


@pytest.mark.parametrize(
    ("question", "cid"),
    [("what is A.8.2", "A.8.2"), ("cc6.3?", "CC6.3"), ("NHI7", "NHI7"),
     ("what does clause 6.1.3 require", "6.1.3"), ("explain AC-2", "AC-2")],
)
def test_ask_answers_control_lookups_from_the_catalogue(question: str, cid: str) -> None:
    result = ask(question)
    assert result.answered and result.entry_ids == [f"control:{cid}"]
    c = control(cid)
    assert result.answer.startswith(f"{cid} {c.title}") and "Identity evidence:" in result.answer
    assert result.sources and result.sources[0].url == load_sources()[c.source].url


def test_longer_questions_about_controls_go_to_the_entries() -> None:
    result = ask("does cc6 line up with a.8.2 privileged access")
    assert result.answered and not result.entry_ids[0].startswith("control:")
