"""Issue 11, ninth retrieval round (docs/knowledge.md, "Ninth round"), pinned on questions
written for these tests (none is in an evaluation, training or tuning set: a test below
checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.qa import ask
from knowledge.qa.situational import situation_entry
from knowledge.qa.text import STOPWORDS
from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS
from tests.eval.harness import NEXT_BLIND_SETS
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module


def test_the_ninth_rounds_rotation_stands() -> None:
    assert "practitioner7" in TRAINING_SETS  # measured in the seventh and eighth rounds
    assert not {"dev8", "dev9"} & set(HELD_OUT_SETS)  # read, never blind (learnt since the 13th)
    assert "practitioner11" not in NEXT_BLIND_SETS  # blind in the tenth to twelfth


# --- the scope tier: jargon the sure tier's guards refused -----------------------------


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("does our SAP RFC user count as a non-human identity?", "nhi-what"),
        ("our Kofax capture robot has its own AD login, does that count as an nhi?", "nhi-what"),
    ],
)
def test_a_message_the_scope_model_is_sure_of_is_answered_despite_its_jargon(
    monkeypatch: pytest.MonkeyPatch, question: str, entry_id: str
) -> None:
    assert ask(question).entry_ids == [entry_id]
    monkeypatch.setattr(ASK, "SCOPE_SURE", 2.0)  # the tier off: the older guards refuse
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "travel agent commission for group bookings",
        "which bank gives the best certificate of deposit rate this year",
        "best token economy system for a classroom",
    ],
)
def test_a_message_the_scope_model_rules_out_is_refused(question: str) -> None:
    assert not ask(question).answered


def test_the_veto_refuses_what_the_rankers_alone_would_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (the ninth round's example, "travel agent commission for group bookings", is refused
    # without the veto since the fourteenth round's models; this one still needs it)
    question = "real estate agent vs broker, what's the difference"
    monkeypatch.setattr(ASK, "SCOPE_VETO", 0.0)
    assert ask(question).answered  # "agent" alone reaches the AI-agents entry
    monkeypatch.setattr(ASK, "SCOPE_VETO", 0.3)
    assert not ask(question).answered


def test_the_veto_leaves_an_organisations_own_entries_to_the_refusal_rule() -> None:
    """The scope model knows only the shipped pack's subjects; an org FAQ about its own
    tools ("the travel desk") must not be vetoed for looking off-topic."""
    from knowledge.qa.ask import OrgEntries, knowledge_base
    from knowledge.qa.models import Entry, KnowledgeItem, SourceRef

    entry = Entry(
        id="org-travel-desk",
        question="Who agrees travel agent commission for group bookings?",
        paraphrases=[],
        answer="The travel desk books group travel; Finance agrees the agent's commission.",
        sources=[SourceRef(title="Travel policy", url="https://wiki.example.com/travel")],
    )
    org = OrgEntries(
        key="test-org-travel",
        fingerprint=("1",),
        items=[KnowledgeItem(entry=entry, origin="org", location="faq.md")],
    )
    assert knowledge_base(org).find("org-travel-desk") is not None
    result = ask("who agrees travel agent commission for group bookings", org=org)
    assert result.answered and result.entry_ids == ["org-travel-desk"]


# --- a programme over the whole organisation is an ISMS's --------------------------------


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        (
            "we want identity governance run the same way across the whole group, all eleven "
            "subsidiaries included - iso or soc 2?",
            "when-iso27001",
        ),
        (
            "we'd like a company-wide security programme rather than a report on one app. "
            "which framework?",
            "when-iso27001",
        ),
        (
            "not only the mobile app: every department's security has to be covered. which "
            "framework fits?",
            "when-iso27001",
        ),
        # negated: assurance over one service
        (
            "customers only care about our single billing platform, not the whole company. "
            "soc 2 or iso?",
            "when-soc2",
        ),
        (
            "we really don't want the whole company audited, just the one portal. iso or soc 2?",
            "when-soc2",
        ),
    ],
)
def test_the_situation_reads_whole_organisation_and_one_service(
    question: str, entry_id: str
) -> None:
    assert situation_entry(question) == entry_id


def test_not_only_the_app_is_not_assurance_over_one_service() -> None:
    question = "the programme must cover finance and HR as well, not just the app. iso or soc2?"
    assert situation_entry(question) == "when-iso27001"


# --- "last" carries meaning ---------------------------------------------------------------


def test_how_long_a_certificate_lasts_is_its_cycle() -> None:
    assert "last" not in STOPWORDS
    question = "how long is an iso 27001 certificate valid, and how long does it last?"
    assert ask(question).entry_ids == ["iso27001-certificate-cycle"]


# --- the code review's defects (docs/knowledge.md, "Ninth round"), each fixed before landing


@pytest.mark.parametrize(
    "question",
    [
        "we do not want to certify the whole company, only the SaaS platform. iso or soc2?",
        "rather than the entire organisation, just the payments product: iso or soc 2?",
        "we won't be including the entire company, only our one product, iso or soc 2?",
        "the whole company is out of scope, only the hosted product. soc 2 or iso?",
    ],
)
def test_a_negated_whole_organisation_is_assurance_over_one_service(question: str) -> None:
    assert situation_entry(question) == "when-soc2"


def test_a_whole_company_framework_for_something_else_is_not_an_isms() -> None:
    question = "for the whole company, which framework should we adopt for our quarterly OKRs?"
    assert situation_entry(question) != "when-iso27001"


def test_only_the_region_rule_opens_with_the_buyers_lead() -> None:
    from knowledge.qa.situational import OUTSIDE_NA_LEAD, situation_lead

    whole = "we sell one product but want the entire organisation certified, iso or soc2?"
    assert situation_entry(whole) == "when-iso27001" and situation_lead(whole) is None
    result = ask(whole)
    assert not result.answer.startswith(OUTSIDE_NA_LEAD)
    buyers = "our buyers are mostly german banks and dutch insurers, iso or soc2?"
    assert situation_lead(buyers) == OUTSIDE_NA_LEAD


@pytest.mark.parametrize(
    "question",
    [
        "which standard should we pick for my personal diet plan?",
        "whole company volleyball tournament, which standard rules apply?",
    ],
)
def test_the_veto_covers_the_situational_answer(question: str) -> None:
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "is my hamster a non-human identity",  # one known term: the tier needs two
        "nhi in rugby league stands for what",  # sports and hobbies are foreign words
        "how long is a padi open water certification valid",
        # the tier keeps a foreign-share cap: a single sentence has no separate request
        "how often should we review service account permissions for soc 2 and what would "
        "the gdpr dpo say about it",
    ],
)
def test_the_scope_tier_keeps_the_guards_that_matter(question: str) -> None:
    assert not ask(question).answered


def test_how_long_a_soc2_report_lasts_is_how_current_it_must_be() -> None:
    assert ask("how long does a soc 2 type 2 report last for customers?").entry_ids == [
        "soc2-bridge-letter"
    ]


def test_these_tests_questions_are_in_no_evaluation_or_training_set() -> None:
    assert repeated_questions(Path(__file__)) == []
