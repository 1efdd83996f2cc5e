"""Gap rules are data: every control id they cite exists in the control catalogue (under the
framework it is cited for) and in the crosswalk, every task kind is a task kind, and a malformed
rules file is a one-line error."""

from __future__ import annotations

import pytest

from knowledge.catalogue import all_controls
from knowledge.crosswalk import load_crosswalk
from knowledge.inventory.rules import (
    GAP_KINDS,
    GapRules,
    RulesError,
    load_rules,
    parse_rules,
)
from knowledge.schema import TASK_KINDS


def uncatalogued(rules: GapRules) -> list[str]:
    """Problems with the control ids `rules` cite: not in the catalogue, or catalogued under
    another framework than the one they are cited for."""
    catalogued = {c.id: c.framework for c in all_controls()}
    problems = []
    for kind, rule in rules.gaps.items():
        for framework, ids in rule.controls.items():
            for cid in ids:
                if cid not in catalogued:
                    problems.append(f"{kind} cites {cid}, not in the control catalogue")
                elif catalogued[cid] != framework:
                    problems.append(f"{kind} cites {cid} as {framework}; the catalogue has "
                                    f"it as {catalogued[cid]}")
    return problems


def test_every_cited_control_is_in_the_catalogue_under_its_framework() -> None:
    """knowledge/data/controls.yaml describes every control idgov cites; a gap rule citing
    an id it does not hold (or holds under another framework) would send an auditor to
    nothing."""
    rules = load_rules()
    assert sum(len(ids) for r in rules.gaps.values() for ids in r.controls.values()) >= 40
    assert uncatalogued(rules) == []


def test_a_rule_citing_an_uncatalogued_id_is_caught() -> None:
    raw = load_rules().model_dump()
    raw["gaps"]["unowned"]["controls"]["iso27001"].append("A.9.99")
    raw["gaps"]["expired"]["controls"]["soc2"].append("A.5.16")
    assert uncatalogued(parse_rules(raw)) == [
        "unowned cites A.9.99, not in the control catalogue",
        "expired cites A.5.16 as soc2; the catalogue has it as iso27001"]


def test_every_cited_control_is_declared_in_the_crosswalk() -> None:
    declared = load_crosswalk().controls
    for kind, rule in load_rules().gaps.items():
        for framework, ids in rule.controls.items():
            unknown = set(ids) - set(declared[framework])  # type: ignore[index]
            assert not unknown, f"{kind} cites unknown {framework} ids {sorted(unknown)}"


def test_issue_mappings() -> None:
    gaps = load_rules().gaps
    assert list(gaps) == list(GAP_KINDS)
    assert {"A.5.16"} <= set(gaps["unowned"].controls["iso27001"])
    assert "CC6.2" in gaps["unowned"].controls["soc2"]
    assert gaps["unowned"].task_kind == "ownership"
    assert gaps["rotation_overdue"].controls["owasp_nhi"] == ["NHI7"]
    assert gaps["never_rotated"].controls["owasp_nhi"] == ["NHI7"]
    assert gaps["unused"].controls["owasp_nhi"] == ["NHI1"]
    assert gaps["privileged"].controls["owasp_nhi"] == ["NHI5"]
    assert gaps["human_use"].controls["owasp_nhi"] == ["NHI10"]
    assert gaps["shared_environments"].controls["owasp_nhi"] == ["NHI8"]
    assert gaps["shared_apps"].controls["owasp_nhi"] == ["NHI9"]
    assert all(rule.task_kind in TASK_KINDS for rule in gaps.values())
    t = load_rules().thresholds
    assert (t.rotation_days.default, t.unused_days, t.expiring_days) == (90, 90, 30)
    assert t.rotation_days.for_type("certificate") == 365


def test_a_broken_rules_file_names_the_entry() -> None:
    raw = load_rules().model_dump()
    raw["gaps"]["unowned"]["task_kind"] = "paperwork"
    with pytest.raises(RulesError, match=r"gaps\.unowned\.task_kind"):
        parse_rules(raw)
    raw = load_rules().model_dump()
    del raw["gaps"]["expired"]
    with pytest.raises(RulesError, match="exactly"):
        parse_rules(raw)
