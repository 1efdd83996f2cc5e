"""Issue 11, tenth retrieval round (docs/knowledge.md, "Tenth round"), pinned on questions
written for these tests (none is in an evaluation, training or tuning set: a test below
checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.qa import ask
from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS
from tests.eval.harness import NEXT_BLIND_SETS
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module
#: A toss-up between CSF entries that BM25F and the classifier both settle on one. (The tenth
#: round's example, "which CSF 2.0 category took over from PR.AC and what do its subcategories
#: cover", is no toss-up since practitioner9 was learnt: 0.56 to 0.25; the eleventh's, "PR.AC
#: was replaced by which category in csf 2.0 and what do the subcategories cover", none since
#: the thirteenth round learnt four development sets: 0.55 to 0.22; the thirteenth's, "csf 2.0
#: dropped PR.AC, what took its place and what do its subcategories say", none since the
#: fourteenth learnt practitioner12, dev12 and dev13.)
AGREED = "which category replaced PR.AC in csf 2.0 and what do its subcategories say"


def test_the_tenth_rounds_rotation_stands() -> None:
    assert "practitioner8" in TRAINING_SETS  # measured in the eighth and ninth rounds
    assert not {"dev8", "dev9", "dev10"} & set(HELD_OUT_SETS)  # read; learnt since the 13th
    # practitioner12 was blind from the eleventh round to the thirteenth; the fourteenth learnt it
    assert "practitioner12" not in {*HELD_OUT_SETS, *NEXT_BLIND_SETS}


#: The classifier's margin on `AGREED` since the fifteenth round's models is about 0.5, no
#: toss-up; the tests below widen the toss-up margin to this so that it is one again, and the
#: rule under test is the same (each round's models had found its example no toss-up).
WIDER_TOSS_UP = 0.6


@pytest.fixture
def agreed_is_a_toss_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ASK, "MIN_INTENT_MARGIN", WIDER_TOSS_UP)


@pytest.mark.usefixtures("agreed_is_a_toss_up")
def test_a_toss_up_both_rankers_agree_on_is_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ask(AGREED).entry_ids[0] in {"csf-pr-aa", "csf-pr-ac-renamed"}
    monkeypatch.setattr(ASK, "AGREED_TOSS_UP_MARGIN", 1.0)  # the rule off: a toss-up again
    refused = ask(AGREED)
    assert not refused.answered
    assert {s.id for s in refused.suggestions} >= {"csf-pr-ac-renamed"}


@pytest.mark.usefixtures("agreed_is_a_toss_up")
def test_an_agreed_toss_up_still_needs_the_scope_model_to_be_sure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ASK, "AGREED_TOSS_UP_SCOPE", 1.01)
    assert not ask(AGREED).answered


@pytest.mark.parametrize(
    "question",
    [
        "which bank has the best certificate of deposit for a toss-up between two offers",
        "coin toss rules for the cricket captains before the match",
    ],
)
def test_out_of_scope_messages_stay_refused(question: str) -> None:
    assert not ask(question).answered


def test_these_tests_questions_are_in_no_evaluation_or_training_set() -> None:
    assert repeated_questions(Path(__file__)) == []
