"""The recommendation engine: FAQ and practitioner rules, confidence, what-ifs, tasks, data."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from dialogs.recommendation_view import task_summaries, to_reply
from dialogs.replies import RecommendationReply, TaskSummary
from knowledge.applicability import applies
from knowledge.crosswalk import DataError, known_control_ids, load_crosswalk, read_yaml
from knowledge.recommend import evaluate, recommend
from knowledge.rules import TASK_KINDS, load_knowledge, parse_knowledge
from knowledge.schema import (
    ANSWER_VALUES,
    DEFAULT_VALUES,
    UNKNOWN_VALUES,
    AnswerError,
    answer_name,
    validate_answers,
    value_name,
)

# Identity practice with no gaps at all.
NO_GAPS = {
    "nhi_inventory": "complete",
    "secret_rotation": "automated",
    "least_privilege": "enforced",
    "break_glass": "documented",
    "offboarding": "timely",
    "nhi_ownership": "central",
    "shared_nhi_boundary": "no",
}

# (name, answers, recommendation, primary, the answer a rationale bullet must name)
SCENARIOS: list[tuple[str, dict[str, str], str, str, str]] = [
    (
        "faq: lasting management system",
        {
            "assurance_goal": "management_system",
            "scope": "organisation_wide",
            "driver": "internal_maturity",
            "customer_regions": "international",
        },
        "iso27001",
        "iso27001",
        "assurance_goal",
    ),
    (
        "faq: scoped control effectiveness",
        {
            "assurance_goal": "scoped_controls",
            "scope": "single_service",
            "customer_regions": "north_america",
        },
        "soc2",
        "soc2",
        "assurance_goal",
    ),
    (
        "faq: organisation-wide across departments and subsidiaries",
        {
            "scope": "organisation_wide",
            "org_profile": "established_enterprise",
            "driver": "internal_maturity",
        },
        "iso27001",
        "iso27001",
        "scope",
    ),
    (
        "faq: a specific service for customers",
        {
            "scope": "single_service",
            "assurance_goal": "scoped_controls",
            "driver": "customer_procurement",
            "customer_regions": "north_america",
        },
        "soc2",
        "soc2",
        "scope",
    ),
    (
        "faq: enterprise procurement, then expand",
        {
            "driver": "customer_procurement",
            "assurance_goal": "management_system",
            "scope": "organisation_wide",
            "customer_regions": "north_america",
        },
        "soc2_then_iso27001",
        "soc2",
        "driver",
    ),
    (
        "faq: regulated organisation",
        {"regulated": "yes", "driver": "regulation", "scope": "organisation_wide"},
        "iso27001",
        "iso27001",
        "regulated",
    ),
    (
        "faq: fast-growing SaaS keeps SOC 2 customer-facing",
        {
            "org_profile": "fast_growing_saas",
            "driver": "customer_procurement",
            "customer_regions": "north_america",
            "assurance_goal": "scoped_controls",
            "scope": "single_service",
        },
        "soc2_with_iso27001_practices",
        "soc2",
        "org_profile",
    ),
    (
        "practitioner: North American customers ask for SOC 2",
        {
            "customer_regions": "north_america",
            "driver": "customer_procurement",
            "scope": "single_service",
        },
        "soc2",
        "soc2",
        "customer_regions",
    ),
    (
        "practitioner: international customers expect ISO 27001",
        {"customer_regions": "international", "driver": "customer_procurement"},
        "iso27001",
        "iso27001",
        "customer_regions",
    ),
    (
        "practitioner: customers on both sides",
        {"customer_regions": "both", "driver": "customer_procurement", "scope": "single_service"},
        "both",
        "soc2",
        "customer_regions",
    ),
    (
        "practitioner: existing SOC 2 adds ISO 27001",
        {
            "existing_assurance": "soc2",
            "customer_regions": "international",
            "assurance_goal": "management_system",
            "scope": "organisation_wide",
        },
        "both",
        "iso27001",
        "existing_assurance",
    ),
    (
        "practitioner: existing ISO 27001 and US customers add SOC 2",
        {
            "existing_assurance": "iso27001",
            "customer_regions": "north_america",
            "driver": "customer_procurement",
        },
        "both",
        "soc2",
        "existing_assurance",
    ),
    (
        "practitioner: early stage with procurement pressure",
        {"org_profile": "early_stage", "driver": "customer_procurement"},
        "soc2_then_iso27001",
        "soc2",
        "org_profile",
    ),
]


@pytest.mark.parametrize(
    ("answers", "expected", "primary", "driver_answer"),
    [pytest.param(a, r, p, d, id=name) for name, a, r, p, d in SCENARIOS],
)
def test_rule_table(
    answers: dict[str, str], expected: str, primary: str, driver_answer: str
) -> None:
    rec = recommend(answers)
    assert rec.recommendation == expected, rec.scores
    assert rec.primary == primary
    named = [r for r in rec.rationale if r.answer_id == driver_answer]
    assert named and named[0].answer_value == answers[driver_answer]
    assert all(r.source_ids for r in named)
    known = {s.id for s in rec.sources}
    assert {sid for r in rec.rationale for sid in r.source_ids} <= known


def test_early_stage_explains_type_1_then_type_2() -> None:
    rec = recommend({"org_profile": "early_stage", "driver": "customer_procurement"})
    text = " ".join(r.text for r in rec.rationale)
    assert "Type 1" in text and "6 to 12 months" in text and "no minimum" in text


def test_narrow_scope_warns_and_creates_scope_boundary_task() -> None:
    rec = recommend(
        {
            "scope": "single_service",
            "shared_nhi_boundary": "yes",
            "assurance_goal": "scoped_controls",
            "customer_regions": "north_america",
        }
    )
    warning = [r for r in rec.rationale if r.answer_id == "shared_nhi_boundary"]
    assert warning and "outside that boundary" in warning[0].text
    assert "scope_boundary" in [t.kind for t in rec.tasks]
    assert "Scope boundary" in [row.outcome for row in rec.control_rows]


@pytest.mark.parametrize(
    ("answers", "confidence"),
    [
        pytest.param(
            {
                "assurance_goal": "scoped_controls",
                "scope": "single_service",
                "driver": "customer_procurement",
                "customer_regions": "north_america",
            },
            "high",
            id="all-deciding-answers-agree",
        ),
        pytest.param(
            {
                "assurance_goal": "scoped_controls",
                "scope": "single_service",
                "customer_regions": "north_america",
            },
            "medium",
            id="one-deciding-answer-unknown",
        ),
        pytest.param(
            {
                "assurance_goal": "management_system",
                "scope": "single_service",
                "driver": "internal_maturity",
                "customer_regions": "international",
            },
            "low",
            id="conflict-management-system-but-single-service",
        ),
        pytest.param(
            {
                "assurance_goal": "scoped_controls",
                "scope": "organisation_wide",
                "driver": "customer_procurement",
                "customer_regions": "north_america",
            },
            "low",
            id="conflict-scoped-controls-but-organisation-wide",
        ),
        pytest.param({"regulated": "yes", "driver": "regulation"}, "low", id="mostly-unknown"),
        pytest.param({}, "low", id="nothing-known-default"),
    ],
)
def test_confidence(answers: dict[str, str], confidence: str) -> None:
    assert recommend(answers).confidence == confidence


def test_conflict_is_explained() -> None:
    rec = recommend({"assurance_goal": "management_system", "scope": "single_service"})
    assert any(r.text.startswith("Conflicting answers") for r in rec.rationale)


def test_nothing_known_gives_cautious_default_with_every_gap_task() -> None:
    rec = recommend({})
    assert rec.recommendation == "soc2_then_iso27001"
    assert "cautious default" in rec.rationale[0].text
    # Every identity answer is unknown: a task for every gap kind except scope_boundary
    # (scope is unsure, so there is no narrow boundary to leave gaps outside of).
    assert sorted(t.kind for t in rec.tasks) == sorted(
        k for k in TASK_KINDS if k != "scope_boundary"
    )


WOULD_CHANGE = re.compile(
    r"^If (?P<answer>[A-Za-z ]+?) were (?P<value>[a-z0-9 ]+) \(now (?P<now>[a-z0-9 ]+)\), "
    r"the recommendation would be (?P<label>.+)\.$"
)
ANSWER_BY_NAME = {answer_name(a): a for a in ANSWER_VALUES}
REC_BY_LABEL = {info.label: rec for rec, info in load_knowledge().ruleset.recommendations.items()}


@pytest.mark.parametrize("answers", [pytest.param(a, id=name) for name, a, *_ in SCENARIOS] + [{}])
def test_would_change_is_true_and_complete(answers: dict[str, str]) -> None:
    rec = recommend(answers)
    full = validate_answers(answers)
    claimed: set[tuple[str, str]] = set()
    for sentence in rec.would_change:
        m = WOULD_CHANGE.match(sentence)
        assert m, sentence
        answer = ANSWER_BY_NAME[m["answer"]]
        value = {value_name(v): v for v in ANSWER_VALUES[answer]}[m["value"]]
        assert value_name(full[answer]) == m["now"]
        flipped = recommend({**full, answer: value})
        assert flipped.recommendation == REC_BY_LABEL[m["label"]] != rec.recommendation
        claimed.add((answer, value))
    # And nothing is left out: every other concrete single-answer change keeps the result
    # ("unsure" is never offered as a change; a question that does not apply is never asked,
    # so changing it is not offered either).
    for answer_id, values in ANSWER_VALUES.items():
        if not applies(answer_id, full):
            continue
        for value in values:
            if value in UNKNOWN_VALUES:
                assert (answer_id, value) not in claimed
            elif value != full[answer_id] and (answer_id, value) not in claimed:
                same = recommend({**full, answer_id: value})
                assert same.recommendation == rec.recommendation, (answer_id, value)


GAPS: list[tuple[str, str, str]] = (
    [("nhi_inventory", v, "inventory") for v in ("partial", "none", "unknown")]
    + [("secret_rotation", v, "rotation") for v in ("manual", "none", "unknown")]
    + [("least_privilege", v, "least_privilege") for v in ("partial", "none", "unknown")]
    + [("break_glass", v, "break_glass") for v in ("ad_hoc", "none", "unknown")]
    + [("offboarding", v, "offboarding") for v in ("delayed", "none", "unknown")]
    + [("nhi_ownership", v, "ownership") for v in ("distributed", "unknown")]
)


@pytest.mark.parametrize(("answer_id", "value", "kind"), GAPS)
def test_each_gap_gives_exactly_its_task(answer_id: str, value: str, kind: str) -> None:
    rec = recommend({**NO_GAPS, answer_id: value})
    assert [t.kind for t in rec.tasks] == [kind]
    task = rec.tasks[0]
    assert task.title and task.why and task.due_in_days > 0
    assert task.priority in ("high", "medium", "low")
    assert task.controls and set(task.controls) <= known_control_ids()


@pytest.mark.parametrize("boundary", ["yes", "unknown"])
def test_scope_boundary_gap(boundary: str) -> None:
    rec = recommend({**NO_GAPS, "scope": "single_service", "shared_nhi_boundary": boundary})
    assert [t.kind for t in rec.tasks] == ["scope_boundary"]


@pytest.mark.parametrize(
    "answers",
    [
        NO_GAPS,
        {**NO_GAPS, "scope": "single_service", "shared_nhi_boundary": "no"},
        {**NO_GAPS, "scope": "organisation_wide", "shared_nhi_boundary": "yes"},
        {**NO_GAPS, "scope": "unsure", "shared_nhi_boundary": "unknown"},
    ],
)
def test_no_task_without_a_gap(answers: dict[str, str]) -> None:
    assert recommend(answers).tasks == []


def test_tasks_urgent_first_and_priority_follows_severity() -> None:
    """Inventory first (nothing can be rotated that nobody has listed): a prerequisite is as
    urgent and as soon as the most urgent task waiting on it (see knowledge/task_plan.py)."""
    tasks = recommend({**DEFAULT_VALUES, "nhi_inventory": "partial",
                       "secret_rotation": "none"}).tasks  # planned: knowledge/task_plan.py
    assert tasks[0].kind == "inventory"
    by_kind = {t.kind: t for t in tasks}
    assert by_kind["rotation"].priority == "high" and by_kind["rotation"].due_in_days == 44
    assert by_kind["inventory"].priority == "high" and by_kind["inventory"].due_in_days == 30


def test_controls_and_rows_cover_all_four_frameworks() -> None:
    rec = recommend({"nhi_inventory": "none"})
    frameworks = {c.framework for c in rec.controls}
    assert frameworks == {"iso27001", "soc2", "nist_csf", "owasp_nhi"}
    assert {c.id for c in rec.controls} <= known_control_ids()
    assert rec.control_rows[0].outcome == load_crosswalk().outcomes["inventory"].label
    ids = [c.id for c in rec.controls]
    assert len(ids) == len(set(ids))


def test_to_reply_carries_everything_and_the_stored_tasks() -> None:
    rec = recommend({"customer_regions": "both", "nhi_ownership": "distributed"})
    stored = [TaskSummary(id=7, kind="ownership", title="Assign owners", owner="slack:T1:U1")]
    reply = to_reply(rec, 42, stored)
    assert isinstance(reply, RecommendationReply)
    assert reply.assessment_id == 42 and reply.tasks == stored
    assert reply.recommendation == "both" and reply.primary == rec.primary
    assert reply.rationale == rec.rationale and reply.controls == rec.control_rows
    assert "both" in rec.summary.lower() or "Pursue both" in rec.summary
    summaries = task_summaries(rec)
    assert [s.kind for s in summaries] == [t.kind for t in rec.tasks]
    assert all(s.due is not None and s.id is None for s in summaries)


def test_deterministic() -> None:
    answers = {"org_profile": "fast_growing_saas", "customer_regions": "international"}
    assert recommend(answers) == recommend(dict(reversed(list(answers.items()))))


def test_bad_answers_raise_answer_error() -> None:
    with pytest.raises(AnswerError, match="allowed values"):
        recommend({"scope": "galaxy"})
    with pytest.raises(AnswerError, match="unknown answer key"):
        recommend({"colour": "blue"})


# --- data validation ------------------------------------------------------------------------


def _raw() -> tuple[dict[str, Any], dict[str, Any]]:
    return copy.deepcopy(read_yaml("rules.yaml")), copy.deepcopy(read_yaml("task_templates.yaml"))


def _parse(rules: dict[str, Any], tasks: dict[str, Any]) -> None:
    parse_knowledge(rules, tasks, load_crosswalk())


def test_packaged_data_is_valid() -> None:
    rules, tasks = _raw()
    _parse(rules, tasks)
    assert load_knowledge().ruleset.rules


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(
            lambda r, t: r["rules"][0]["when"].update({"budget": "big"}),
            r"unknown answer id 'budget'",
            id="unknown-answer-id",
        ),
        pytest.param(
            lambda r, t: r["rules"][0]["when"].update({"scope": "galaxy"}),
            r"answer 'scope' has no value 'galaxy'",
            id="unknown-answer-value",
        ),
        pytest.param(
            lambda r, t: r["rules"][0]["sources"].append("blog"),
            r"unknown source id 'blog'",
            id="unknown-source-in-rule",
        ),
        pytest.param(
            lambda r, t: t["templates"]["inventory"]["controls"].append("NHI-01"),
            r"unknown control id 'NHI-01'",
            id="unknown-control-in-task",
        ),
        pytest.param(
            lambda r, t: t["templates"]["rotation"]["gap_when"].update({"rotation": "none"}),
            r"unknown answer id 'rotation'",
            id="unknown-answer-in-task",
        ),
        pytest.param(
            lambda r, t: r["rules"][0]["evidence"].update({"pci_dss": 3}),
            r"pci_dss",
            id="unknown-recommendation",
        ),
        pytest.param(
            lambda r, t: r.update({"tie_break": ["soc2", "iso27001"]}),
            r"tie_break",
            id="incomplete-tie-break",
        ),
        pytest.param(
            lambda r, t: r["rules"][1].update({"id": r["rules"][0]["id"]}),
            r"duplicate id",
            id="duplicate-rule-id",
        ),
        pytest.param(
            lambda r, t: t["templates"].update({"audit": t["templates"]["inventory"]}),
            r"templates\.audit",
            id="unknown-task-kind",
        ),
    ],
)
def test_bad_data_fails_loudly(mutate: Any, message: str) -> None:
    rules, tasks = _raw()
    mutate(rules, tasks)
    with pytest.raises(DataError, match=message):
        _parse(rules, tasks)


def test_ties_break_in_data_order() -> None:
    rules, tasks = _raw()
    rules["rules"] = [
        {
            "id": "a",
            "when": {"scope": "unsure"},
            "evidence": {"soc2": 2, "iso27001": 2},
            "text": "tie",
            "sources": [],
        },
    ]
    rules["conflicts"] = []
    ks = parse_knowledge(rules, tasks, load_crosswalk())
    answers = validate_answers({})
    assert evaluate(answers, ks).recommendation == "iso27001"
    assert evaluate(answers, ks).confidence == "low"
    rules["tie_break"] = [
        "soc2",
        "iso27001",
        "both",
        "soc2_then_iso27001",
        "soc2_with_iso27001_practices",
    ]
    ks = parse_knowledge(rules, tasks, load_crosswalk())
    assert evaluate(answers, ks).recommendation == "soc2"


def test_stored_result_round_trips() -> None:
    """The dialog stores `model_dump(mode="json")` and rebuilds cards from it later."""
    from knowledge.recommend import Recommendation

    rec = recommend({"existing_assurance": "soc2", "nhi_inventory": "none"})
    again = Recommendation.model_validate(rec.model_dump(mode="json"))
    assert again == rec
    assert to_reply(again, 1, []) == to_reply(rec, 1, [])
