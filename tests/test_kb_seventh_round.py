"""Issue 11, seventh retrieval round (docs/knowledge.md, "Seventh round"), pinned on questions
written for these tests (none is in an evaluation, training or tuning set: a test below
checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.qa import ask
from knowledge.qa.controls import lookup_in_message
from knowledge.qa.howto import is_tool_howto
from knowledge.qa.request import sentences
from knowledge.qa.situational import cued_entry, situation_entry
from knowledge.qa.writing import is_writing_task
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]


def _assert_catalogue_answer(question: str, control_id: str) -> None:
    result = ask(question)
    assert result.answered and result.entry_ids == [f"control:{control_id}"]


@pytest.mark.parametrize(
    ("question", "control_id"),
    [
        ("a.5.17 in plain english pls, does it cover api keys too?", "A.5.17"),
        ("cc 6.1 in simple terms please", "CC6.1"),
        ("What does IA-5 ask for? Our auditor quoted it in the findings.", "IA-5"),
        ("Our SoA lists it as applicable. What is A.8.2 exactly?", "A.8.2"),
        ("hey, quick one: what's nhi7, does it apply to our service accounts", "NHI7"),
    ],
)
def test_a_longer_message_that_looks_up_one_control_gets_the_catalogue(
    question: str, control_id: str
) -> None:
    _assert_catalogue_answer(question, control_id)


@pytest.mark.parametrize(
    "question",
    [
        "is A.8.2 a good name for my new puppy",  # another subject in the naming sentence
        "What is A.8.2? And how do we rotate the keys of our service accounts?",  # two asks
        "what is a.8.2, and how does it map to cc6.3 and pr.aa-05",  # several controls
        "what does gv.rm mean",  # a CSF category: its entry walks through the subcategories
    ],
)
def test_a_message_that_asks_more_than_one_look_up_is_not_a_look_up(question: str) -> None:
    assert lookup_in_message(question) is None


def test_the_context_of_a_look_up_must_name_no_foreign_subject() -> None:
    looked_up = lookup_in_message("What is A.8.2? We need it for our PCI DSS gap list.")
    assert looked_up is not None  # the look-up itself is plain ...
    result = ask("What is A.8.2? We need it for our PCI DSS gap list.")
    assert "control:A.8.2" not in result.entry_ids  # ... but the context is another framework


def test_sentences_split_at_sentence_ends_but_not_inside_control_ids_or_abbreviations() -> None:
    assert sentences("What is A.8.2 in ISO 27001? Our U.S. team asks.") == [
        "What is A.8.2 in ISO 27001?",
        "Our U.S. team asks.",
    ]


@pytest.mark.parametrize(
    ("question", "control_id"),
    [
        ("CIS 5.3 dormant accounts, after how many days of inactivity?", "CIS 5.3"),
        ("IA-5 for our CI runners' tokens - what evidence?", "IA-5"),
    ],
)
def test_a_question_about_one_control_that_no_entry_claims_gets_the_catalogue(
    question: str, control_id: str
) -> None:
    _assert_catalogue_answer(question, control_id)


@pytest.mark.parametrize(
    "question",
    [
        "cc6.3 lasagne recipe for sunday",  # only the id is ours
        "Per SOC 2 CC6.1 we moved the app to its own DB user. Now the JDBC driver throws "
        "'FATAL: password authentication failed'. Why?",  # the control is only context
    ],
)
def test_a_control_in_passing_or_beside_other_words_only_is_not_a_catalogue_answer(
    question: str,
) -> None:
    assert not any(e.startswith("control:") for e in ask(question).entry_ids)


@pytest.mark.parametrize(
    "question",
    [
        # platforms where the identities live are context, not another subject
        "the backup service account on our linux hosts has had the same password since "
        "2019, what do auditors expect for rotating it?",
        "our postgres and redis service users share one password in a vault folder, how do "
        "we show least privilege for them in soc 2?",
    ],
)
def test_platform_words_do_not_name_another_subject(question: str) -> None:
    """The parse only: whether `ask` then answers is up to the rankers (the next test)."""
    assert ASK.shipped_base().index.parse(question).foreign == ()


def test_an_identity_question_about_a_platform_is_answered() -> None:
    result = ask("what evidence of least privilege do auditors want for our linux service accounts")
    assert result.entry_ids == ["evidence-least-privilege"]


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("most of our merchants are US. is iso or soc 2 the natural pick?", "when-soc2"),
        (
            "iso or soc2? clients only want assurance over our booking platform, not the "
            "entire company",
            "when-soc2",
        ),
        ("is iso 27001 objectively better than soc 2?", "no-framework-better"),
    ],
)
def test_the_situational_rule_reads_more_situations(question: str, entry: str) -> None:
    assert situation_entry(question) == entry


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("iso or soc 2, which one should we pick", "choose-iso-or-soc2"),
        ("when would soc 2 make more sense than iso 27001 for us", "when-soc2"),
        ("when is an iso certificate the wiser anchor over a soc2 report", "when-iso27001"),
        ("soc 2 a lesser standard than iso, or vice versa?", "no-framework-better"),
        ("we sell to hospitals; iso or soc 2?", None),  # the situation decides, not a cue
    ],
)
def test_a_choice_cue_in_the_message_settles_between_framework_choice_neighbours(
    question: str, entry: str | None
) -> None:
    assert cued_entry(question) == entry


def test_the_situational_answer_needs_a_request_the_base_covers() -> None:
    question = (
        "We hold SOC 2 and are working towards ISO 27001. Our acquirer now asks which PCI "
        "DSS self-assessment questionnaire fits our hosted checkout?"
    )
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "Our ISO 27001 surveillance audit went fine. Could you write the HTML for a badge?",
        "we passed soc 2! can you draft a press release for the website",
        "Our SOC 2 access review lists the svc_sql account. Can you help me debug its "
        "login failures?",
        "We need a break-glass procedure for ISO 27001 and a runbook for it. Can you write it?",
        "what is A.8.2? please write me a policy for it",
    ],
)
def test_more_requests_to_write_or_debug_are_refused(question: str) -> None:
    assert is_writing_task(question)
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "Our Okta break-glass admin is documented for SOC 2. What's the toggle in the admin "
        "console to skip MFA enrollment for one user?",
        "Our quarterly ISO access review includes svc_print. How do I find which host keeps "
        "locking it out?",
    ],
)
def test_a_product_support_request_after_our_context_is_a_tool_howto(question: str) -> None:
    assert is_tool_howto(question)
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "we have 5.3 million users and 900 service accounts, how often should we review them?",
        "What is A.8.2? Also, tell me a joke.",
        "CIS 5.3 dormant accounts in my World of Warcraft guild, how many days?",
        "when is iso better: before breakfast or after?",
        "iso or soc 2, which one is cheaper",
    ],
)
def test_the_code_reviews_off_topic_and_misread_questions_get_no_catalogue_or_choice_answer(
    question: str,
) -> None:
    result = ask(question)
    assert not any(
        e.startswith("control:") or e in {"choose-iso-or-soc2", "when-iso27001"}
        for e in result.entry_ids
    )


@pytest.mark.parametrize(
    "question",
    [
        "would you implement just-in-time PAM before our soc 2 audit or after?",
        "is gMSA better than a domain service account with a static password for iso 27001?",
    ],
)
def test_the_code_reviews_in_scope_questions_are_not_read_as_a_task_or_a_comparison(
    question: str,
) -> None:
    assert not is_writing_task(question)
    assert "no-framework-better" not in ask(question).entry_ids


def test_a_choice_cue_that_agrees_with_the_classifier_is_answered_not_a_toss_up() -> None:
    assert ask("when does iso 27001 make more sense for us than soc 2?").entry_ids == [
        "when-iso27001"
    ]


def test_this_modules_questions_are_in_no_evaluation_training_or_tuning_set() -> None:
    assert repeated_questions(Path(__file__)) == []
