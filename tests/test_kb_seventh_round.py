"""Issue 11, seventh retrieval round (docs/knowledge.md, "Seventh round"), pinned on questions
written for these tests (none is in an evaluation, training or tuning set: a test below
checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.qa import ask
from knowledge.qa.controls import lookup_in_message
from knowledge.qa.request import sentences
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]


@pytest.mark.parametrize(
    ("question", "control_id"),
    [
        ("a.5.17 in plain english pls, does it cover api keys too?", "A.5.17"),
        ("cc 6.1 in simple terms please", "CC6.1"),
        ("What does IA-5 ask for? The prime contractor quoted it in their flow-down.", "IA-5"),
        ("Our SoA lists it as applicable. What is A.8.2 exactly?", "A.8.2"),
        ("hey, quick one: what's nhi7, does it apply to our service accounts", "NHI7"),
    ],
)
def test_a_longer_message_that_looks_up_one_control_gets_the_catalogue(
    question: str, control_id: str
) -> None:
    result = ask(question)
    assert result.answered and result.entry_ids == [f"control:{control_id}"]


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


def test_this_modules_questions_are_in_no_evaluation_training_or_tuning_set() -> None:
    assert repeated_questions(Path(__file__)) == []
