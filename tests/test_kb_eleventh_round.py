"""Issue 11, eleventh retrieval round (docs/knowledge.md, "Eleventh round"), pinned on questions
written for these tests (none is in an evaluation, training or tuning set: a test below
checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.catalogue import control_ids_in
from knowledge.qa import ask
from knowledge.qa.controls import CATEGORY_ENTRIES, is_category, lookup
from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS
from tests.eval.harness import NEXT_BLIND_SETS
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module
#: The classifier is sure of the long-lived-secrets entry, the scope model that the message is
#: ours, yet the message shares no domain term with the entry ("robots", "passwords").
UNANCHORED = "passwords for the robots never expire and never change, is that an issue"
#: A control named with the same kind of wording: the control's record still answers it.
NAMED_CONTROL = "A.5.18 how often do they look"
#: The classifier leans 0.26 to the NHI-visibility entry and second to a framework-choice one
#: (the thirteenth round's models; the twelfth's example, "would knowing all our robots count
#: for iso or soc2 assessments", now leans 0.43 to the first, which then answers).
SECOND_CHOICE = "knowing all our robots: does iso or soc2 care more"


def test_practitioner9_is_learnt_and_the_development_sets_are_never_blind() -> None:
    assert "practitioner9" in TRAINING_SETS  # measured in the eighth, ninth and tenth rounds
    assert not {"dev8", "dev9", "dev10", "dev11"} & set(HELD_OUT_SETS)  # learnt since the 13th
    # practitioner13: blind in the twelfth to fourteenth rounds, learnt since the fifteenth
    assert "practitioner13" not in NEXT_BLIND_SETS


def _classifier_entry_shares_no_term(question: str) -> tuple[str, bool]:
    base = ASK.shipped_base()
    query, _ = base.index.search(question, ASK.MAX_SUGGESTIONS)
    entry_id, _ = ASK.shipped_model().ranked(ASK.query_tokens(query), 1)[0]
    position = base.position(entry_id)
    assert position is not None
    return entry_id, not base.index.hit(query, position).anchored


def test_the_scope_tier_answers_an_entry_that_shares_no_term_with_the_message() -> None:
    entry_id, unanchored = _classifier_entry_shares_no_term(UNANCHORED)
    assert unanchored and entry_id == "owasp-nhi7"
    result = ask(UNANCHORED)
    assert result.answered and result.entry_ids == ["owasp-nhi7"]


def test_the_scope_tier_still_needs_the_scope_model_to_be_sure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ASK, "SCOPE_SURE", 1.01)
    assert not ask(UNANCHORED).answered


def test_where_the_scope_model_is_certain_the_classifiers_own_floor_is_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lifted above the classifier's 0.99, the scope tier's own probability no longer admits
    the entry; the scope model's near-certainty (`SCOPE_CERTAIN`) still does, and without it
    the message is refused."""
    monkeypatch.setattr(ASK, "SCOPE_SURE_PROBABILITY", 1.0)
    monkeypatch.setattr(ASK, "SCOPE_CERTAIN", 0.99)  # the message scores 0.995: not pinned on it
    assert ask(UNANCHORED).entry_ids == ["owasp-nhi7"]
    monkeypatch.setattr(ASK, "SCOPE_CERTAIN", 1.01)
    assert not ask(UNANCHORED).answered


def test_an_entry_sharing_no_term_does_not_take_a_named_control_from_its_record() -> None:
    entry_id, unanchored = _classifier_entry_shares_no_term(NAMED_CONTROL)
    assert unanchored and entry_id == "access-reviews-nhi"
    assert ask(NAMED_CONTROL).entry_ids == ["control:A.5.18"]


@pytest.mark.parametrize(
    "question",
    [
        # The eleventh round's "robots that never change passwords, best pizza in naples?" is
        # answered (OWASP NHI7) since the fourteenth round's models: its first clause is a
        # fair question about automation credentials, and no clause-level rule was shipped
        # (an asked-sentence check cost far more than it saved; docs/knowledge.md)
        "the kitchen robot never changes its oil, best pizza in naples?",
        "my robot vacuum keeps its wifi password forever, is that an issue",
        "the garden robots mow every day, how often should the blades change",
    ],
)
def test_messages_about_other_robots_stay_refused(question: str) -> None:
    assert not ask(question).answered


@pytest.mark.parametrize(
    ("question", "control_id"),
    [
        ("what is GV.SC", "GV.SC"),
        ("GV.OC?", "GV.OC"),
        ("what does DE.CM cover", "DE.CM"),
        ("GV.SC in plain english pls", "GV.SC"),  # a look-up with chat framing
    ],
)
def test_a_category_no_entry_explains_is_answered_from_its_record(
    question: str, control_id: str
) -> None:
    """These were refused: categories were always left to the entries, and none explains
    them."""
    assert is_category(control_id) and control_id not in CATEGORY_ENTRIES
    result = ask(question)
    assert result.answered and result.entry_ids == [f"control:{control_id}"]


@pytest.mark.parametrize(("control_id", "entry_id"), sorted(CATEGORY_ENTRIES.items()))
def test_a_category_an_entry_explains_is_left_to_that_entry(control_id: str, entry_id: str) -> None:
    assert lookup(f"what is {control_id}") is None
    assert control_ids_in(f"what is {control_id}") == [control_id]
    assert ask(f"what is {control_id}").entry_ids == [entry_id]


def test_the_category_records_now_answered_follow_csf_2_0() -> None:
    """Checked against NIST's OSCAL copy of CSF 2.0 by a second reviewer (docs/knowledge.md,
    "Eleventh round"): GV.SC is about the C-SCRM *processes* ("identified, established,
    managed, monitored, and improved by organizational stakeholders"), not CSF 1.1's "identify,
    assess and manage" the risk; DE.CM has five current subcategories, not four."""
    from knowledge.catalogue import control

    supply_chain = control("GV.SC").asks.lower()
    assert "assess" not in supply_chain
    assert all(word in supply_chain for word in ("establish", "monitor", "improve", "stakeholders"))
    assert "DE.CM-02" in control("DE.CM").evidence


@pytest.mark.parametrize(
    "question",
    ["GV.OC file extension, which app opens those", "DE.CM file type, which program opens it"],
)
def test_a_category_named_in_a_longer_message_is_no_look_up(question: str) -> None:
    assert not ask(question).answered


def test_the_framework_choice_second_leads_only_when_the_first_is_unsure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ASK, "SITUATIONAL_RIVAL_P", 0.5)  # 0.26 is unsure: the choice leads
    assert ask(SECOND_CHOICE).entry_ids == ["choose-iso-or-soc2"]
    monkeypatch.setattr(ASK, "SITUATIONAL_RIVAL_P", 0.2)  # 0.26 leads: no situational answer
    refused = ask(SECOND_CHOICE)
    assert not refused.answered
    assert refused.suggestions[0].id == "nhi-visibility-why"


def test_these_tests_questions_are_in_no_evaluation_or_training_set() -> None:
    assert repeated_questions(Path(__file__)) == []
