"""Gap rules are data: every control id they cite exists in the crosswalk, every task kind is a
task kind, and a malformed rules file is a one-line error."""

from __future__ import annotations

import pytest

from knowledge.crosswalk import load_crosswalk
from knowledge.inventory.rules import GAP_KINDS, RulesError, load_rules, parse_rules
from knowledge.schema import TASK_KINDS


def test_every_cited_control_is_declared_in_the_crosswalk() -> None:
    # The lead switches this to the control catalogue when merging (issue 13 / catalogue work).
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
