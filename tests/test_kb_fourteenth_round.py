"""Issue 11, fourteenth round: practitioner12, dev12 and dev13 learnt, practitioner16 blind,
the short-message scope rule and one region's entry not kept for buyers on both sides
(docs/knowledge.md, "Fourteenth round").

The questions here are this module's own; none is in an evaluation set (checked below)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.qa import ask
from knowledge.qa.situational import buyers_on_both_sides, situation
from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS
from tests.eval.harness import NEXT_BLIND_SETS, _held_out, ask_ranker, score
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module


def test_the_rotation_learns_practitioner12_and_two_development_sets() -> None:
    # practitioner13 was blind until this round, practitioner16 blind since it (the
    # fifteenth round's rotation is tests/test_kb_fifteenth_round.py)
    assert {"practitioner14", "practitioner16"} <= set(HELD_OUT_SETS)
    assert {"practitioner12", "dev12", "dev13"} <= set(TRAINING_SETS)
    assert {f"training_{letter}" for letter in "stuvw"} <= set(TRAINING_SETS)
    # training_y was written and measured: it did not help the development sets, so it is
    # committed and not learnt; practitioner15 (read by an earlier session's diagnostics) and
    # dev14 were this round's development sets, learnt since the fifteenth
    assert "training_y" not in {*TRAINING_SETS, *HELD_OUT_SETS, *NEXT_BLIND_SETS}
    for name in ("practitioner15", "dev14"):
        assert name not in {*HELD_OUT_SETS, *NEXT_BLIND_SETS}, name


#: The development sets learnt this round still answer as the classifier learnt them (a
#: regression guard: measured 95.9% / 0.6% and 95.9% / 1.2% on 2026-12-05 after the round).
LEARNT_DEV_FLOORS = {"dev12": 0.94, "dev13": 0.94}


@pytest.mark.parametrize("name", sorted(LEARNT_DEV_FLOORS))
def test_the_learnt_development_sets_do_not_regress(name: str) -> None:
    got = score(ask_ranker, *_held_out(name))
    assert got.top1 >= LEARNT_DEV_FLOORS[name] and got.wrong <= 0.02, (
        f"{got.top1:.1%} / {got.wrong:.1%}"
    )


# --- the short-message scope rule -----------------------------------------------------------

SHORT_OTHER_SENSE = "break glass in case of fire"  # two words the base knows, "fire" unseen


def test_a_short_message_with_an_unseen_word_is_not_judged_by_the_scope_tier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not ask(SHORT_OTHER_SENSE).answered
    # the rule off: the fourteenth round's models answered it (break-glass-what); since the
    # fifteenth round's the scope tier refuses it by itself, and the rule is kept for the
    # wrong answers it saves on the folds (docs/knowledge.md, "Fifteenth round")
    monkeypatch.setattr(ASK, "SCOPE_SHORT_KNOWN_TERMS", 0)
    assert not ask(SHORT_OTHER_SENSE).answered


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what do you mean by a break glass account", "break-glass-what"),
        ("how often rotate api keys", "rotation-interval"),
    ],
)
def test_short_questions_in_our_words_are_still_answered(question: str, entry_id: str) -> None:
    assert ask(question).entry_ids == [entry_id]


@pytest.mark.parametrize(
    "question",
    [
        "emergency break glass box near the lift",
        "key rotation for the piano",
        "secret santa rotation for the office",
        "least privilege parenting tips",
        "offboarding checklist hamster",
        "the api key of my toaster",
        "service accounts at the dentist",
    ],
)
def test_other_senses_of_our_words_stay_refused(question: str) -> None:
    assert not ask(question).answered


# --- buyers on both sides -------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "our clients are in the UK, the US and Canada; iso 27001 or soc 2?",
    ],
)
def test_buyers_on_both_sides_never_get_one_regions_entry(
    question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert buyers_on_both_sides(question)
    assert situation(question)[1] is None  # no region's lead
    assert ask(question).entry_ids[0] not in {"when-iso27001", "when-soc2"}
    monkeypatch.setattr(ASK, "buyers_on_both_sides", lambda question: False)  # the rule off
    assert ask(question).entry_ids[0] in {"when-iso27001", "when-soc2"}


def test_buyers_on_both_sides_in_another_wording_get_no_regions_entry() -> None:
    # the rule-off half no longer applies: the fifteenth round's models lean to the
    # procurement entry here even without it
    question = "we sell to hospitals in the US and clinics in France, which first, soc2 or iso?"
    assert buyers_on_both_sides(question)
    assert ask(question).entry_ids[0] not in {"when-iso27001", "when-soc2"}


@pytest.mark.parametrize(
    "question",
    [
        "we sell mainly to US banks, a couple in Ireland, iso or soc2?",  # one side dominates
        "our clients are all in Germany, iso or soc2?",
        "iso or soc2 for a 40 person startup?",  # no buyers named
    ],
)
def test_one_sided_or_no_buyers_are_not_both_sides(question: str) -> None:
    assert not buyers_on_both_sides(question)


def test_these_tests_questions_are_in_no_evaluation_or_training_set() -> None:
    assert repeated_questions(Path(__file__)) == []
