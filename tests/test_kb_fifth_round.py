"""Issue 11, fifth retrieval round (docs/knowledge.md, "Fifth round"): behaviour that the
evaluation figures summarise, pinned on questions written for these tests (none is in an
evaluation, training or tuning set: a test below checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.qa import ask
from knowledge.qa import control_question as CONTROL_QUESTION
from knowledge.qa.situational import is_choice, situation_entry
from tests.eval.unseen import own_questions, repeated_questions

ASK_MODULE = sys.modules["knowledge.qa.ask"]


def test_a_chosen_entry_is_not_replaced_by_the_framework_choice_rule() -> None:
    """The message names both frameworks and "or", so it reads as a choice, but it asks who may
    sign the report: the classifier's entry stands (before, the general rule replaced it)."""
    question = "can our iso auditor sign our soc 2 report or does it have to be a cpa firm?"
    assert is_choice(question)
    assert ask(question).entry_ids == ["soc2-who-issues"]


def test_the_choice_rule_still_answers_when_the_buyers_are_named() -> None:
    assert ask("we sell to banks in the uae and saudi, iso or soc 2 first?").entry_ids == [
        "when-iso27001"
    ]


@pytest.mark.parametrize(
    "question",
    [
        "our customers are in korea and taiwan, iso or soc2?",
        "buyers are mostly swiss and irish insurers: iso or soc 2?",
        "we sell to new zealand councils, which framework, iso or soc2?",
    ],
)
def test_more_regions_outside_north_america_read_as_such(question: str) -> None:
    assert situation_entry(question) == "when-iso27001"


def test_a_short_question_naming_one_control_gets_its_catalogue_record() -> None:
    result = ask("a.5.17 and our api tokens")
    assert result.answered and result.entry_ids == ["control:A.5.17"]
    assert "Identity evidence:" in result.answer


def test_a_long_message_mentioning_a_control_in_passing_is_not_a_look_up() -> None:
    question = (
        "As part of least privilege for our service accounts (SOC 2 CC6.3) we're moving a "
        "legacy app off a shared DB account and the DBA wants the migration script reviewed "
        "by Friday, can you write it?"
    )
    assert len(question.split()) > CONTROL_QUESTION.MAX_CONTROL_QUESTION_WORDS
    assert not ask(question).answered


def test_a_control_named_beside_a_foreign_subject_is_not_answered_from_the_catalogue() -> None:
    assert not ask("cc6.1 and hipaa for payroll").answered


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("explain soc 2 in a paragraph", "soc2-what"),
        ("sorry, dumb question: what is an isms", "iso27001-what"),
    ],
)
def test_chat_framing_words_do_not_stop_an_answer(question: str, entry: str) -> None:
    assert ask(question).entry_ids == [entry]


@pytest.mark.parametrize(
    "question",
    [
        "what's the difference between type 1 and type 2 diabetes",
        "the irs sent us an audit notice, what now",
        "tax audit next month, what records do they want",
    ],
)
def test_other_subjects_that_share_a_word_are_refused(question: str) -> None:
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "our break glass accounts are documented, now what's the weather in london",
        "we just finished our iso 27001 certification audit, what's a good restaurant to celebrate",
        "is A.8.2 a good name for my cat",
        "what happened in 8.2 of the bible",
        "ac-2 chords on guitar",
        "cc6.1 banana bread recipe",
        "how often do the tyres on the van need rotating",
    ],
)
def test_review_found_off_topic_questions_are_refused(question: str) -> None:
    """Found in review: our context with another request, a control id in another sense."""
    assert not ask(question).answered


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("how often should service account credentials be rotated", "rotation-interval"),
        ("who can issue a soc 2 report", "soc2-who-issues"),
    ],
)
def test_core_questions_whose_key_words_were_stop_words(question: str, entry: str) -> None:
    """ "how often" and "who can issue" carry the question; alone, each word is a stop word."""
    assert ask(question).entry_ids == [entry]


def test_these_questions_are_in_no_evaluation_or_training_set() -> None:
    assert len(own_questions(Path(__file__))) >= 20
    assert repeated_questions(Path(__file__)) == []
