"""Issue 11, thirteenth round: more practitioners' wording learnt (four development sets
and practitioner11), the certain tier, where most
of the buyers are, and the region's own entry kept (docs/knowledge.md, "Thirteenth round").

The questions here are this module's own; none is in an evaluation set (checked below)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.qa.ask import REFUSAL, ask
from knowledge.qa.situational import (
    CUSTOMER_ENTRY,
    NORTH_AMERICA_LEAD,
    OUTSIDE_NA_LEAD,
    names_buyers,
    situation,
)
from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS
from tests.eval.harness import NEXT_BLIND_SETS, _held_out, ask_ranker, score
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module


def test_the_rotation_learns_practitioner11_and_four_development_sets() -> None:
    # practitioner11 was measured in the tenth to twelfth rounds; dev8 to dev11 were read
    # (the fourteenth round's rotation is tests/test_kb_fourteenth_round.py)
    assert {"practitioner11", "dev8", "dev9", "dev10", "dev11"} <= set(TRAINING_SETS)
    assert "practitioner14" in HELD_OUT_SETS  # blind since then (practitioner13 to the 14th)
    # practitioner15: a development set in the fourteenth round, learnt since the fifteenth
    assert "practitioner15" not in {*HELD_OUT_SETS, *NEXT_BLIND_SETS}


#: The development sets learnt this round still answer as the classifier learnt them: measured
#: 2026-12-03 after the round; floors a little below, a regression guard.
LEARNT_DEV_FLOORS = {"dev8": 0.93, "dev9": 0.93, "dev10": 0.93, "dev11": 0.93}


@pytest.mark.parametrize("name", sorted(LEARNT_DEV_FLOORS))
def test_the_learnt_development_sets_do_not_regress(name: str) -> None:
    got = score(ask_ranker, *_held_out(name))
    assert got.top1 >= LEARNT_DEV_FLOORS[name] and got.wrong <= 0.02, (
        f"{got.top1:.1%} / {got.wrong:.1%}"
    )


# --- the certain tier ----------------------------------------------------------------------

CERTAIN = [
    # a foreign word (a number read as a standard's id) is the asker's context; the request
    # is ours
    (
        "tisax auditor here: how does iso 27001 classify major and minor nonconformities?",
        "iso27001-nonconformities",
    ),
    (
        "api key plus ip allowlist instead of mfa, acceptable for integrations?",
        "nhi-mfa-equivalent",
    ),
    (
        "why should visibility of all our NHIs matter to an ISO auditor? roughly 2500 service "
        "accounts here",
        "nhi-visibility-why",
    ),
]


@pytest.mark.parametrize(("question", "entry_id"), CERTAIN)
def test_a_certain_classifier_answers_through_a_context_word(
    question: str, entry_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ask(question).entry_ids == [entry_id]
    monkeypatch.setattr(ASK, "CERTAIN_PROBABILITY", 2.0)  # without the tier: refused
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "what are the TISAX assessment levels?",  # the foreign subject is what is asked
        "TISAX label levels explained",
        "type 2 diabetes vs type 1, which is worse",
        "is a soc 2 type 2 cheaper than an iso 27001 certificate, and by how much in dollars?",
    ],
)
def test_the_certain_tier_does_not_answer_a_foreign_subject(question: str) -> None:
    result = ask(question)
    assert not result.answered and result.answer.startswith(REFUSAL)


def test_the_certain_tier_needs_the_scope_classifier_too(monkeypatch: pytest.MonkeyPatch) -> None:
    question = CERTAIN[0][0]
    assert ask(question).answered
    monkeypatch.setattr(ASK, "CERTAIN_SCOPE", 1.01)
    assert not ask(question).answered


# --- where most of the buyers are -------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "entry_id", "lead"),
    [
        (
            "we sell mainly to US hospitals, with a handful of UK customers. iso or soc2 first?",
            "when-soc2",
            NORTH_AMERICA_LEAD,
        ),
        (
            "our customers are mostly german manufacturers, a few are in the US. which first, "
            "soc2 or iso?",
            "when-iso27001",
            OUTSIDE_NA_LEAD,
        ),
        # both in one breath after "mostly": neither dominates, the rule in full
        (
            "we sell mostly to US and EU customers, which comes first, iso or soc2?",
            CUSTOMER_ENTRY,
            None,
        ),
        # no word says where most of them are
        ("we sell to US and UK banks, iso or soc2 first?", CUSTOMER_ENTRY, None),
    ],
)
def test_the_region_most_buyers_are_in_decides(question: str, entry_id: str, lead: str) -> None:
    assert situation(question) == (entry_id, lead)


def test_customers_all_in_one_region_name_the_buyers() -> None:
    question = "iso or soc2 first? customers all canadian."
    assert names_buyers(question)
    result = ask(question)
    assert result.entry_ids == ["when-soc2"] and result.answer.startswith(NORTH_AMERICA_LEAD)
    assert not names_buyers("our customers trust us. iso or soc2?")


# --- the region's own entry, chosen by the rankers, is kept -----------------------------


def test_the_rankers_region_entry_stands_beside_a_procurement_demand() -> None:
    question = (
        "our buyers are mostly US software companies who ask for SOC 2 in every security "
        "review. when is soc 2 the better choice for us?"
    )
    assert situation(question) == (CUSTOMER_ENTRY, NORTH_AMERICA_LEAD)  # a demand is named
    assert ask(question).entry_ids == ["when-soc2"]  # but the rankers chose the region's entry


def test_this_modules_questions_are_in_no_evaluation_set() -> None:
    assert repeated_questions(Path(__file__)) == []

