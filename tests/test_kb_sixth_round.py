"""Issue 11, sixth retrieval round (docs/knowledge.md, "Sixth round"): definition questions,
regimes by name, messages that change the subject, requests to write something, the request
sentence of long messages, toss-ups between two entries and the buyers' half of the region
rule, pinned on questions written for these tests (none is in an evaluation, training or
tuning set: a test below checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from knowledge.qa import ask
from knowledge.qa.ask import shipped_base
from knowledge.qa.concepts import definition_entry
from knowledge.qa.intent import IntentModel, Vectoriser
from knowledge.qa.loader import load_shipped
from knowledge.qa.pivot import request_after_pivot
from knowledge.qa.regimes import REGULATED_ENTRY, regime_words
from knowledge.qa.request import request_sentence
from knowledge.qa.situational import (
    NORTH_AMERICA_LEAD,
    OUTSIDE_NA_LEAD,
    situation_entry,
    situation_lead,
)
from knowledge.qa.training_data import HELD_OUT_SETS
from knowledge.qa.writing import is_writing_task
from knowledge.safe_yaml import load_packaged
from tests.eval.harness import NEXT_BLIND_SETS
from tests.eval.unseen import own_questions, repeated_questions

EVAL = Path(__file__).parent / "eval"
ASK = sys.modules["knowledge.qa.ask"]


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("what is soc 2, in two sentences for our ceo", "soc2-what"),
        ("iso 27001 explained for a new board member", "iso27001-what"),
        ("explain machine identities to our cfo, very briefly", "nhi-what"),
        ("emergency access account: what is that, for a glossary", "break-glass-what"),
        ("statement of applicability explained for a junior colleague", "iso27001-soa"),
    ],
)
def test_a_definition_question_gets_the_definition(question: str, entry: str) -> None:
    """Only the concept and who is asking. Before the round the first and third were refused
    and the second got no-framework-better; the last two pin what already worked."""
    assert ask(question).entry_ids == [entry]


@pytest.mark.parametrize(
    "question",
    [
        "what is soc 2 and iso 27001, for our ceo",  # two concepts: not one definition
        "what is soc 2 readiness software, for our cfo",  # another subject words
        "soc 2 for our ceo",  # no definitional cue
    ],
)
def test_the_definition_rule_needs_one_concept_and_a_cue(question: str) -> None:
    query, _ = shipped_base().index.search(question)
    assert definition_entry(question, query) is None


def test_every_concept_names_an_entry_that_exists() -> None:
    data = yaml.safe_load(
        (Path(__file__).parents[1] / "knowledge/qa/concepts.yaml").read_text("utf-8")
    )
    ids = {item.entry.id for item in load_shipped()}
    assert set(data["concepts"]) <= ids


@pytest.mark.parametrize(
    "question",
    [
        "does DORA make ISO 27001 certification mandatory for us?",
        "our bank is supervised by BaFin, does that push us to iso 27001 over soc 2?",
        "under NIS2, do we need iso 27001 or is soc 2 enough?",
    ],
)
def test_whether_a_regime_calls_for_a_framework_is_answered(question: str) -> None:
    """Before the round the regime's name (a foreign word) refused the first, and the third got
    the general rule (choose-iso-or-soc2); the second pins what already worked. Not yet
    answered, and left as a known gap: a regime question the classifier does not give to
    this entry ("we fall under NIS2 as an essential entity, does that mean iso 27001?")."""
    assert ask(question).entry_ids == [REGULATED_ENTRY]


@pytest.mark.parametrize(
    "question",
    [
        "what are the DORA major incident reporting timelines",
        "how big are HIPAA fines for a breach of patient records",
        "which FCA rules apply to consumer credit firms",
    ],
)
def test_a_regime_s_own_rules_are_still_refused(question: str) -> None:
    assert not ask(question).answered


def test_regime_words_are_foreign() -> None:
    """They are refused unless the regime rule applies, so they must stay foreign words."""
    assert {"dora", "nis2", "fca", "hipaa", "finma"} <= regime_words()
    assert {"dora", "nis2", "fca", "hipaa", "finma"} <= shipped_base().index.foreign


@pytest.mark.parametrize(
    "question",
    [
        "We keep our service account inventory in a CMDB for ISO 27001. Unrelated, what's a "
        "good recipe for sourdough starter?",
        "Break-glass accounts are sealed and reviewed quarterly for SOC 2. On another note, "
        "which cyclist do you think wins the tour de france next summer?",
        "Our SOC 2 auditor liked our key rotation evidence. Separately, can you recommend a "
        "hotel near the Lisbon conference centre?",
    ],
)
def test_a_change_of_subject_is_refused(question: str) -> None:
    assert request_after_pivot(question) is not None
    assert not ask(question).answered


def test_a_change_of_subject_back_into_the_domain_is_answered() -> None:
    question = (
        "Our laptops are managed by Intune. Separately, which SOC 2 criteria cover monitoring "
        "and incident response for service accounts?"
    )
    assert ask(question).entry_ids == ["soc2-cc7-monitoring"]


@pytest.mark.parametrize(
    "question",
    [
        "write me an access review reminder email for our managers",
        "We rotate keys for ISO 27001. Can you write a python script that lists stale IAM keys?",
        "what's the exact aws cli command to deactivate an access key",
        "draft a service account policy document for us",
    ],
)
def test_a_request_to_write_something_is_refused(question: str) -> None:
    assert is_writing_task(question)
    assert not ask(question).answered


def _turns_away(question: str, labels: list[str]) -> bool:
    """Whether the change-of-subject rule would refuse the question for its first entry label:
    a marker ("Meanwhile marketing wants a SOC 3 badge. How do SOC 1, 2 and 3 differ?") is
    harmless when what follows it is in the entry's words (fifteenth round, dev15)."""
    if request_after_pivot(question) is None:
        return False
    base = ASK.shipped_base()
    item = next((base.find(label) for label in labels if base.find(label)), None)
    return item is None or ASK._changes_subject(base, question, item)


def test_no_labelled_in_scope_question_reads_as_a_writing_task_or_a_change_of_subject() -> None:
    """Both rules were checked against every labelled in-scope question of the tuned and
    training sets (the blind sets, and those written for a later round, are left out: their
    questions are never shown); a change-of-subject marker counts only where the rule would
    refuse the question for its label."""
    blind = {*HELD_OUT_SETS, *NEXT_BLIND_SETS}
    flagged = []
    for path in EVAL.glob("*.yaml"):
        if path.stem in blind:
            continue
        data = load_packaged(path.read_text(encoding="utf-8"))
        cases = data if isinstance(data, list) else data.get("in_scope", [])
        for case in (c for c in cases if isinstance(c, dict)):
            if is_writing_task(case["q"]) or _turns_away(case["q"], case["ids"]):
                flagged.append(case["q"])
    assert flagged == []


def test_these_questions_are_in_no_evaluation_or_training_set() -> None:
    assert len(own_questions(Path(__file__))) >= 20
    assert repeated_questions(Path(__file__)) == []


@pytest.mark.parametrize(
    ("question", "entry", "lead"),
    [
        (
            "our buyers are dutch and belgian utilities, iso or soc 2 first?",
            "when-iso27001",
            OUTSIDE_NA_LEAD,
        ),
        (
            "we sell to credit unions in the midwest usa, soc 2 or iso?",
            "when-soc2",
            NORTH_AMERICA_LEAD,
        ),
        (
            "we sell to retailers in canada and france, iso or soc 2?",
            "enterprise-procurement",
            None,
        ),
    ],
)
def test_a_region_answer_says_who_asks_for_that_framework(
    question: str, entry: str, lead: str | None
) -> None:
    """The region entries explain why a framework fits, not that the buyers ask for it; the
    answer now opens with the buyers' half of the rule."""
    result = ask(question)
    assert result.entry_ids == [entry]
    assert situation_entry(question) == entry and situation_lead(question) == lead
    if lead is None:
        assert not result.answer.startswith((OUTSIDE_NA_LEAD, NORTH_AMERICA_LEAD))
    else:
        assert result.answer.startswith(lead)


def test_the_request_sentence_of_a_long_message_must_name_no_foreign_subject() -> None:
    """The sure tier answers on little of the question, so a long message whose request names
    another subject ("... What would a PAM licence cost?") is refused there."""
    question = (
        "We keep a register of service accounts and review it for SOC 2 every quarter. "
        "What would a PAM licence cost for 300 admins?"
    )
    assert request_sentence(question) == "What would a PAM licence cost for 300 admins?"
    assert not ask(question).answered


def test_a_long_message_whose_request_is_ours_is_answered() -> None:
    question = (
        "We run a few hundred service accounts in Azure and the SOC 2 audit starts in May. "
        "Which evidence shows least privilege for them?"
    )
    assert ask(question).entry_ids == ["evidence-least-privilege"]


def test_a_single_sentence_is_all_request() -> None:
    assert request_sentence("what evidence shows our service account keys are rotated?") is None


def _two_sided(first: str, second: str, gap: float) -> IntentModel:
    """A real model that prefers `first` and `second` over every other entry, `first` by `gap`
    logits over `second`, whatever is asked."""
    classes = [item.entry.id for item in load_shipped()]
    logit = {first: 20.0 + gap, second: 20.0}
    return IntentModel(
        classes, [logit.get(c, 0.0) for c in classes], {}, Vectoriser([{}, {}]), digest="test"
    )


ROTATION_EVIDENCE = "what evidence shows that our service account secrets are rotated"


def test_a_toss_up_between_two_entries_is_refused_offering_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The classifier's two likeliest entries within `MIN_INTENT_MARGIN`: neither is answered,
    and both are offered first, the likelier one on top."""
    model = _two_sided("evidence-rotation", "rotation-interval", gap=0.2)  # p 0.55 vs 0.45
    monkeypatch.setattr(ASK, "shipped_model", lambda: model)
    ranked = model.ranked([], 2)
    assert ranked[0][1] - ranked[1][1] < ASK.MIN_INTENT_MARGIN
    result = ask(ROTATION_EVIDENCE)
    assert not result.answered
    assert [s.id for s in result.suggestions][:2] == ["evidence-rotation", "rotation-interval"]


def test_a_clear_lead_is_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _two_sided("evidence-rotation", "rotation-interval", gap=1.0)  # p 0.73 vs 0.27
    monkeypatch.setattr(ASK, "shipped_model", lambda: model)
    ranked = model.ranked([], 2)
    assert ranked[0][1] - ranked[1][1] >= ASK.MIN_INTENT_MARGIN
    assert ask(ROTATION_EVIDENCE).entry_ids == ["evidence-rotation"]


# --- the second review's findings (questions written by the reviewer) -------------------


@pytest.mark.parametrize(
    "question",
    ["what is pam in cooking", "what is soc 2 for my cat", "what is break glass in a fire alarm"],
)
def test_a_definition_with_a_word_of_another_subject_is_not_a_definition(question: str) -> None:
    query, _ = shipped_base().index.search(question)
    assert definition_entry(question, query) is None
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "do we need to write a password policy for iso 27001?",
        "we generate a json export of access reviews, is that valid soc 2 evidence?",
        "give me the soc 2 bridge letter requirements",
        "what's the chain of command for approving break-glass access?",
    ],
)
def test_governance_questions_that_mention_writing_are_not_writing_tasks(question: str) -> None:
    assert not is_writing_task(question)


def test_a_regime_s_own_rules_with_a_framework_named_are_still_refused() -> None:
    assert not ask(
        "what does HIPAA say about encryption at rest, we are iso 27001 certified"
    ).answered


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("should service accounts be reviewed and separately approved?", "access-reviews-nhi"),
        (
            "we have a break-glass account for azure. side question: how often should it be "
            "tested?",
            "break-glass-what",
        ),
    ],
)
def test_a_follow_up_in_our_words_is_not_a_change_of_subject(question: str, entry: str) -> None:
    assert ask(question).entry_ids == [entry]


def test_abbreviations_end_no_sentence() -> None:
    question = (
        "Should the service accounts our U.S. payroll team uses have a named owner for SOC 2?"
    )
    assert request_sentence(question) is None
