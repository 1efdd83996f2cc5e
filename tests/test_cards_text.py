"""Plain-text rendering (the terminal and notification fallbacks): readable, complete, and free
of JSON, Block Kit or Markdown escapes leaking through."""

from __future__ import annotations

import re

import pytest

from bot.cards import render, render_text
from tests.cards_fixtures import EVIL, FIXTURES

TEXTS = {name: render_text(reply) for name, reply in FIXTURES.items()}
LEAKS = re.compile(
    r'\{\{|\{%|"type"|plain_text|mrkdwn|TextBlock|Action\.Submit|idgov\.|'
    r"&amp;|&lt;|&gt;|\\[*_\[\]#>-]|\bNone\b|:red_circle:"
)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_text_is_readable(name: str) -> None:
    text = TEXTS[name]
    assert isinstance(text, str) and text.strip()
    assert text.endswith("\n") and "\n\n\n" not in text
    # User text is shown as typed, markup and all: judge only the lines that are ours.
    readable = "\n".join(
        line
        for line in text.splitlines()
        if "evil.example" not in line and "second line" not in line
    )
    assert not LEAKS.search(readable), LEAKS.search(readable)
    assert render(FIXTURES[name], "text") == text


def test_question_lists_numbered_choices() -> None:
    assert TEXTS["question"].splitlines() == [
        "Question 2 of 14: What will the audit cover?",
        "  Organisation-wide scope favours ISO/IEC 27001; one service favours SOC 2.",
        "  1. The whole organisation",
        "  2. One service for customers",
        'Type a number or an answer, "skip" if not sure, "back", "help" or "cancel".',
    ]
    many = TEXTS["question_many_choices"]
    assert "  30. Choice number 29" in many
    assert '"back"' not in TEXTS["question_first"]
    assert '! "maybe" is not one of the choices.' in TEXTS["question_error_help"]
    assert "? Pick 1 or 2, or type skip." in TEXTS["question_error_help"]


def test_recommendation_text() -> None:
    text = TEXTS["recommendation"]
    for needle in (
        "Recommended: SOC 2 first, then ISO/IEC 27001",
        "Start with SOC 2 · medium confidence",
        "(What drives this: Customers and procurement questionnaires) [AICPA TSC]",
        "What would change it:",
        "3 follow-up tasks come next",
    ):
        assert needle in text, needle
    assert "Least privilege: A.5.15" not in text, "the crosswalk is in the details"
    details = TEXTS["recommendation_details"]
    for needle in (
        "Least privilege: A.5.15, A.8.2 | CC6.3 | PR.AA-05 | NHI5",
        "1. Task 1: inventory every service account [#1]",
        "overdue",
        "owner Owner 1",
        "ISO/IEC 27001:2022 Annex A <https://www.iso.org/standard/27001>",
        "No answer behind this one.",
    ):
        assert needle in details, needle
    assert "javascript:" not in details
    assert "follow-up task" not in TEXTS["recommendation_no_tasks"]
    assert "...and 0 more" not in details


def test_text_wraps_at_words_to_the_given_width() -> None:
    reply = FIXTURES["recommendation_details"]
    for width in (40, 60, 100):
        text = render(reply, "text", width=width)
        lines = text.splitlines()
        words = {w for line in render(reply, "text").splitlines() for w in line.split()}
        # no line longer than the width unless it is a single unbreakable word (a URL)
        assert all(len(line) <= width or len(line.split()) <= 2 for line in lines), width
        assert {w for line in lines for w in line.split()} == words, "no word broken"


def test_question_count_change_is_explained() -> None:
    assert "Question 4 of 14 (Your last answer added 1 question.)" in TEXTS[
        "question_count_changed"]


def test_task_lists_and_nudges() -> None:
    assert TEXTS["task_list_empty"].splitlines() == [
        "Your open identity tasks",
        "You have no open tasks.",
    ]
    assert "60. Task 60" in TEXTS["task_list_many"]
    assert "Reminder: due in 3 days." in TEXTS["nudge_lead"]
    assert "Reminder: due today." in TEXTS["nudge_due"]
    assert "Reminder: 2 days overdue." in TEXTS["nudge_overdue"]
    assert "Done when you have:" in TEXTS["nudge_overdue"]
    assert "after 3 reminders to Owner 0." in TEXTS["nudge_escalation_parts"]
    assert "Reminder: 1 day overdue." in TEXTS["nudge_overdue_one"]
    assert (
        "Escalation: 9 days overdue.\nEscalated to the identity lead." in TEXTS["nudge_escalation"]
    )


def test_answers_and_refusals() -> None:
    assert "Sources:" in TEXTS["answer"]
    # A terminal has no buttons and its next line is read as an answer: no vote prompt.
    assert "Was this helpful" not in TEXTS["answer"]
    assert "Sources:" not in TEXTS["answer_refusal"]
    assert "won't guess" in TEXTS["answer_refusal_blank"]
    assert "Was this helpful" not in TEXTS["answer_no_feedback"]


def test_help_and_text_tones() -> None:
    assert TEXTS["help_welcome"].startswith("Welcome! ")
    assert "  ask QUESTION  Answer from the knowledge base" in TEXTS["help"]
    assert TEXTS["text_info"] == "Assessment cancelled.\n"
    assert TEXTS["text_warning"].startswith("Warning: ")
    assert TEXTS["text_error"].startswith("Error: ")


def test_user_text_is_shown_as_typed() -> None:
    assert EVIL.splitlines()[0] in TEXTS["question_evil"]
    assert "&lt;" not in TEXTS["answer_evil"] and "<!channel>" in TEXTS["answer_evil"]


def test_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown render target 'email'"):
        render(FIXTURES["text_info"], "email")
