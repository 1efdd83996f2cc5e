"""The pure step function: every dialog command, moot questions, stale presses and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogs.engine import (
    STALE_TEXT,
    ChoiceInput,
    Command,
    CommandInput,
    DialogState,
    TextInput,
)
from dialogs.replies import AnsweredReply, QuestionReply, TextReply
from dialogs.scoping import scoping_dialog
from knowledge.schema import validate_answers

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TTL = timedelta(hours=24)
D = scoping_dialog()


def fresh() -> DialogState:
    return D.new_state(T0, TTL, context={"user_ref": "cli:local:ann"})


def say(state: DialogState, text: str, at: datetime = T0) -> tuple[DialogState, list]:
    return D.step(state, TextInput(text), at)


def question(replies: list) -> QuestionReply:
    q = replies[-1]
    assert isinstance(q, QuestionReply), replies
    return q


def test_first_question_and_number_choice() -> None:
    state = fresh()
    first = D.ask(state)
    assert (first.question_id, first.number, first.step, first.can_go_back) == (
        "assurance_goal", 1, 1, False)
    assert [c.value for c in first.choices] == ["management_system", "scoped_controls"]
    new, replies = say(state, "2")
    assert new.answers == {"assurance_goal": "scoped_controls"}
    answered, nxt = replies
    assert isinstance(answered, AnsweredReply)
    assert (answered.question_id, answered.step) == ("assurance_goal", 1)
    assert answered.answer_label == D.by_id["assurance_goal"].choices[1][1]
    assert (nxt.question_id, nxt.number, nxt.step, nxt.can_go_back) == ("scope", 2, 2, True)
    assert state.answers == {}  # the input state is never mutated


def test_choice_by_value_and_label() -> None:
    new, _ = say(fresh(), "management_system")
    assert new.answers["assurance_goal"] == "management_system"
    label = D.by_id["assurance_goal"].choices[1][1]
    new, _ = say(fresh(), label.upper())
    assert new.answers["assurance_goal"] == "scoped_controls"


@pytest.mark.parametrize("text", ["purple", "7", "0", "", "   "])
def test_invalid_input_is_re_asked_with_error_and_help(text: str) -> None:
    state = fresh()
    new, replies = say(state, text)
    q = question(replies)
    assert len(replies) == 1 and q.question_id == "assurance_goal"
    assert q.error and q.help == D.by_id["assurance_goal"].help
    assert new.answers == {} and new.step == state.step  # old buttons stay valid


def test_ambiguous_input_is_re_asked_naming_the_choices() -> None:
    state, _ = say(fresh(), "2")
    state, _ = say(state, "1")
    state, _ = say(state, "3")  # driver internal_maturity -> regulated is asked
    assert state.current == "regulated"
    new, replies = say(state, "no, we are regulated")
    q = question(replies)
    assert "regulated" not in new.answers
    assert q.error and "Yes, we are regulated" in q.error and "'No'" in q.error


def test_help_re_asks_with_help_text_only() -> None:
    new, replies = say(fresh(), "help")
    q = question(replies)
    assert q.help == D.by_id["assurance_goal"].help and q.error is None
    assert new.answers == {}


@pytest.mark.parametrize(
    ("qid", "expected"),
    [("assurance_goal", "unsure"), ("org_profile", "other"), ("existing_assurance", "none"),
     ("nhi_inventory", "unknown")],
)
def test_skip_records_the_unknown_or_default_value(qid: str, expected: str) -> None:
    state = fresh()
    state.current = qid
    new, replies = say(state, "skip")
    assert new.answers[qid] == expected
    assert isinstance(replies[0], AnsweredReply)
    # the "Not sure" button does the same
    new2, _ = D.step(state, ChoiceInput(qid, None, state.step), T0)
    assert new2.answers[qid] == expected


def test_back_reopens_the_previous_question_and_forgets_its_answer() -> None:
    s1, _ = say(fresh(), "1")
    s2, _ = say(s1, "one product")
    assert s2.current == "driver"
    s3, replies = say(s2, "back")
    q = question(replies)
    assert q.question_id == "scope" and q.number == 2
    assert s3.answers == {"assurance_goal": "management_system"}
    assert s3.step == s2.step + 1
    s4, replies = D.step(s3, CommandInput(Command.BACK, s3.step), T0)
    assert question(replies).question_id == "assurance_goal" and s4.answers == {}
    s5, replies = say(s4, "back")
    assert isinstance(replies[0], TextReply) and "first question" in replies[0].text
    assert s5.current == "assurance_goal"


@pytest.mark.parametrize("word", ["restart", "start over", "Start again!"])
def test_restart_clears_answers_and_makes_old_buttons_stale(word: str) -> None:
    s1, _ = say(fresh(), "1")
    s2, replies = say(s1, word)
    assert s2.answers == {} and s2.history == [] and s2.current == "assurance_goal"
    assert s2.step > s1.step and s2.context == s1.context
    assert isinstance(replies[0], TextReply) and question(replies).number == 1
    same, stale = D.step(s2, ChoiceInput("scope", "organisation_wide", s1.step), T0)
    assert same is s2 and stale == [TextReply(text=STALE_TEXT, private=True)]


@pytest.mark.parametrize("word", ["cancel", "Stop", "quit"])
def test_cancel_ends_the_dialog(word: str) -> None:
    s1, _ = say(fresh(), "1")
    s2, replies = say(s1, word)
    assert s2.status == "cancelled" and s2.current is None
    assert isinstance(replies[0], TextReply) and "cancelled" in replies[0].text
    s3, replies = say(s2, "1")
    assert s3 is s2 and isinstance(replies[0], TextReply)


def test_stale_press_changes_nothing() -> None:
    state = fresh()
    s1, _ = D.step(state, ChoiceInput("assurance_goal", "scoped_controls", state.step), T0)
    again, replies = D.step(s1, ChoiceInput("assurance_goal", "management_system", state.step), T0)
    assert again is s1 and replies == [TextReply(text=STALE_TEXT, private=True)]
    # right step, wrong question (a forged or mixed-up payload) is stale too
    again, replies = D.step(s1, ChoiceInput("regulated", "yes", s1.step), T0)
    assert again is s1 and replies == [TextReply(text=STALE_TEXT, private=True)]
    # a value that is not a choice is re-asked, not recorded
    bad, replies = D.step(s1, ChoiceInput("scope", "galaxy_wide", s1.step), T0)
    assert "scope" not in bad.answers and question(replies).error


def test_expiry_starts_over_with_a_note() -> None:
    s1, _ = say(fresh(), "1")
    assert s1.expires_at == T0 + TTL  # refreshed at each step
    later = T0 + TTL + timedelta(seconds=1)
    assert s1.expired(later) and not s1.expired(T0 + TTL - timedelta(seconds=1))
    s2, replies = say(s1, "one product", later)
    assert isinstance(replies[0], TextReply) and "expired after 24 hours" in replies[0].text
    assert question(replies).question_id == "assurance_goal"
    assert s2.answers == {} and s2.step > s1.step and s2.expires_at == later + TTL
    s3, replies = say(s1, "cancel", later)
    assert s3.status == "cancelled" and "already expired" in replies[0].text


def test_moot_questions_are_skipped_and_recorded() -> None:
    s, _ = say(fresh(), "1")
    s, _ = say(s, "whole company")
    total_before = D.ask(s).total
    s, replies = say(s, "the regulator")  # driver=regulation: 'regulated' is moot
    # ...and the organisation is regulated, so the regime follow-up is asked (issue 11)
    assert question(replies).question_id == "regulatory_regime"
    assert question(replies).total < total_before + 1
    s, replies = say(s, "we are under DORA")
    assert question(replies).question_id == "org_profile"
    s, replies = say(s, "established enterprise")
    # not customer-driven and not SaaS: customer_regions is moot
    assert question(replies).question_id == "existing_assurance"
    for text in ("none", "partial", "manual", "partial", "ad hoc", "delayed"):
        s, replies = say(s, text)
    s, replies = say(s, "central")
    # organisation-wide scope: shared_nhi_boundary is moot, so that was the last question
    assert s.status == "completed" and isinstance(replies[-1], AnsweredReply)
    final = D.final_answers(s.answers)
    assert final["regulated"] == "yes"
    assert final["regulatory_regime"] == "eu_uk_financial"
    assert final["customer_regions"] == "unsure"
    assert final["shared_nhi_boundary"] == "no"
    assert validate_answers(final) == final


def test_customer_regions_and_boundary_asked_when_they_matter() -> None:
    s, _ = say(fresh(), "2")
    s, _ = say(s, "one product")
    s, _ = say(s, "procurement questionnaires")
    s, _ = say(s, "no")
    s, replies = say(s, "early stage")
    assert question(replies).question_id == "customer_regions"
    assert D.by_id["shared_nhi_boundary"].asked(s.answers)


def test_back_over_a_moot_question_goes_to_the_last_asked_one() -> None:
    s, _ = say(fresh(), "1")
    s, _ = say(s, "1")
    s, _ = say(s, "regulation")
    s, replies = say(s, "back")
    assert question(replies).question_id == "driver"
    s, replies = say(s, "our own maturity")
    assert question(replies).question_id == "regulated"  # no longer moot


def test_full_run_completes_and_state_round_trips_as_json() -> None:
    s = fresh()
    answers = ["2", "one product", "customers", "no", "saas", "both", "none", "partial",
               "manual", "partial", "ad hoc", "delayed", "distributed", "yes"]
    for i, text in enumerate(answers, start=1):
        s, replies = say(s, text)
        restored = DialogState.model_validate(s.model_dump(mode="json"))
        assert restored == s
        if i < len(answers):
            assert question(replies).number == i + 1
    assert s.status == "completed" and len(s.answers) == 14 and s.current is None
    assert validate_answers(D.final_answers(s.answers))["customer_regions"] == "both"
