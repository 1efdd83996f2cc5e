"""The control crosswalk and source catalogue: integrity, the facts corrections, validation."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.crosswalk import (
    FRAMEWORKS,
    DataError,
    control_title,
    known_control_ids,
    load_crosswalk,
    parse_crosswalk,
    read_yaml,
)
from knowledge.rules import load_knowledge

# Verified identifiers, each checked against its publisher's primary source (the pages
# listed in knowledge/data/sources.yaml).
OWASP_2025 = {
    "NHI1": "Improper Offboarding",
    "NHI2": "Secret Leakage",
    "NHI3": "Vulnerable Third-Party NHI",
    "NHI4": "Insecure Authentication",
    "NHI5": "Overprivileged NHI",
    "NHI6": "Insecure Cloud Deployment Configurations",
    "NHI7": "Long-Lived Secrets",
    "NHI8": "Environment Isolation",
    "NHI9": "NHI Reuse",
    "NHI10": "Human Use of NHI",
}
ISO_TITLES = {
    "A.5.9": "Inventory of information and other associated assets",
    "A.5.15": "Access control",
    "A.5.16": "Identity management",
    "A.5.17": "Authentication information",
    "A.5.18": "Access rights",
    "A.8.2": "Privileged access rights",
    "A.8.5": "Secure authentication",
    "A.8.15": "Logging",
    "A.8.16": "Monitoring activities",
    "A.8.24": "Use of cryptography",
    "A.6.5": "Responsibilities after termination or change of employment",
}
ID_PATTERNS = {
    "iso27001": r"A\.[5-8]\.\d{1,2}|\d+(\.\d+)+",
    "soc2": r"CC[1-9]\.\d",
    "nist_csf": r"(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}",
    "owasp_nhi": r"NHI([1-9]|10)",
}


def test_lookup_api_for_other_parts() -> None:
    ids = known_control_ids()
    assert {"A.5.16", "CC6.1", "PR.AA-01", "NHI7", "GV.RM-01", "ID.AM-02"} <= ids
    assert control_title("A.5.16") == "Identity management"
    assert control_title("NHI7") == "Long-Lived Secrets"
    assert control_title("PR.AA-05").startswith("Access permissions, entitlements")
    with pytest.raises(KeyError):
        control_title("A.9.9")
    assert load_crosswalk() is load_crosswalk()  # cached


def test_ids_are_spelled_per_framework_and_titles_match_the_facts() -> None:
    cw = load_crosswalk()
    for fw in FRAMEWORKS:
        for cid, info in cw.controls[fw].items():
            assert re.fullmatch(ID_PATTERNS[fw], cid), (fw, cid)
            assert info.title.strip(), cid
    assert {k: v.title for k, v in cw.controls["owasp_nhi"].items()} == OWASP_2025
    for cid, title in ISO_TITLES.items():
        assert cw.controls["iso27001"][cid].title == title


def test_facts_corrections_are_present() -> None:
    cw = load_crosswalk()
    ids = known_control_ids()
    assert not any(cid.startswith("PR.AC") for cid in ids), "PR.AC is the CSF 1.1 name"
    assert "NHI-01" not in ids
    assert control_title("NHI1") == "Improper Offboarding"
    assert not any("inventory" in t.lower() for t in OWASP_2025.values())
    notes = {n.id: n.text for n in cw.notes}
    assert "PR.AC" in notes["csf_pr_ac"] and "PR.AA" in notes["csf_pr_ac"]
    assert "NHI-01" in notes["owasp_nhi_01"] and "Improper Offboarding" in notes["owasp_nhi_01"]
    assert "ID.AM-06" not in ids  # does not exist in CSF 2.0


def test_one_pivot_pairings_are_marked_commonly_mapped() -> None:
    cw = load_crosswalk()
    for name, outcome in cw.outcomes.items():
        soc2 = {e.id for e in outcome.soc2}
        for entry in outcome.iso27001:
            # CC6.x <-> A.8.2 is only "commonly mapped" (framework-facts.md section 5).
            if entry.id == "A.8.2" and soc2 & {"CC6.1", "CC6.2", "CC6.3"}:
                assert entry.confidence == "commonly_mapped", name
            if entry.confidence == "commonly_mapped":
                assert entry.note, (name, entry.id)
    assert "(commonly mapped)" in " ".join(cw.row("least_privilege").iso27001)


def test_every_control_cited_by_rules_and_tasks_exists() -> None:
    ks = load_knowledge()
    ids = known_control_ids()
    for kind, spec in ks.tasks.templates.items():
        assert spec.controls is None or set(spec.controls) <= ids, kind
    for outcome in ks.crosswalk.outcomes:
        assert set(ks.crosswalk.outcome_control_ids(outcome)) <= ids
    for rule in ks.ruleset.rules:
        assert set(rule.outcomes) <= set(ks.crosswalk.outcomes), rule.id
    # Each task kind has an outcome row of the same name.
    assert set(ks.tasks.templates) <= set(ks.crosswalk.outcomes)


def test_sources_are_real_public_pages_and_all_used() -> None:
    cw = load_crosswalk()
    ks = load_knowledge()
    for sid, src in cw.sources.items():
        assert src.url.startswith("https://"), sid
    assert cw.sources["nhimg_faq"].url.startswith("https://nhimg.org/faq/")
    assert "iso.org" in cw.sources["iso27001"].url
    assert "NIST.CSWP.29" in cw.sources["nist_csf2"].url
    assert "owasp.org" in cw.sources["owasp_nhi"].url
    used = {sid for note in cw.notes for sid in note.source_ids}
    used |= {fw.source for fw in cw.frameworks.values()}
    used |= {sid for rule in ks.ruleset.rules for sid in rule.sources}
    used |= {sid for spec in ks.tasks.templates.values() for sid in spec.sources}
    # The knowledge entries cite the same catalogue by id.
    entries = Path(__file__).resolve().parent.parent / "knowledge" / "entries"
    for path in entries.glob("*.yaml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            used |= {s for s in entry.get("sources", []) if isinstance(s, str)}
    from knowledge.catalogue import all_controls  # the control catalogue cites them too

    used |= {c.source for c in all_controls()}
    assert set(cw.sources) == used, set(cw.sources) ^ used


def _raw() -> tuple[dict[str, Any], dict[str, Any]]:
    return copy.deepcopy(read_yaml("crosswalk.yaml")), copy.deepcopy(read_yaml("sources.yaml"))


def test_outcome_citing_unknown_control_fails_loudly() -> None:
    cw, src = _raw()
    cw["outcomes"]["inventory"]["nist_csf"].append("PR.AC-01")
    with pytest.raises(DataError, match=r"unknown nist_csf control 'PR.AC-01'"):
        parse_crosswalk(cw, src)


def test_control_under_wrong_framework_fails_loudly() -> None:
    cw, src = _raw()
    cw["outcomes"]["rotation"]["iso27001"].append("CC6.1")
    with pytest.raises(DataError, match=r"unknown iso27001 control 'CC6.1'"):
        parse_crosswalk(cw, src)


def test_unknown_source_and_bad_url_fail_loudly() -> None:
    cw, src = _raw()
    cw["notes"][0]["source_ids"].append("wikipedia")
    with pytest.raises(DataError, match=r"unknown source id 'wikipedia'"):
        parse_crosswalk(cw, src)
    cw, src = _raw()
    src["iso27001"]["url"] = "http://example.com"
    with pytest.raises(DataError, match="https"):
        parse_crosswalk(cw, src)


def test_duplicate_id_across_frameworks_fails_loudly() -> None:
    cw, src = _raw()
    cw["controls"]["soc2"]["A.5.16"] = "duplicate"
    with pytest.raises(DataError, match=r"'A.5.16' declared under"):
        parse_crosswalk(cw, src)


def test_rule_and_task_texts_never_cite_the_faq_misnomers() -> None:
    ks = load_knowledge()
    texts = [r.text for r in ks.ruleset.rules] + [c.text for c in ks.ruleset.conflicts]
    texts += [f"{s.title} {s.why}" for s in ks.tasks.templates.values()]
    for text in texts:
        assert "PR.AC" not in text and "NHI-01" not in text, text
