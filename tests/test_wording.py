"""Wording from one place: plurals, labels, people's names, flips in the questions' words."""

from __future__ import annotations

from datetime import timedelta

from dialogs.engine import ChoiceInput
from dialogs.reasons import confidence_reason, flips, gist, sort_reasons, top_flips
from dialogs.recommendation_view import to_reply
from dialogs.replies import Rationale
from dialogs.scoping import scoping_dialog
from dialogs.wording import count_change, kind_label, person_name, plural, status_label
from knowledge.recommend import recommend
from storage.clock import utcnow


def test_plurals_labels_and_names() -> None:
    assert [plural(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]
    assert plural(3, "reminder", spell=True) == "three reminders"
    assert plural(2, "entry") == "2 entries"
    assert (kind_label("break_glass"), status_label("not_applicable")) == (
        "Break-glass access", "Not applicable")
    assert kind_label("custom_thing") == "Custom thing"
    assert person_name("teams:T1:8e1c6b2a-4d3f") == "a teammate"
    assert person_name("teams:T1:8e1c6b2a-4d3f", "Li Wei") == "Li Wei"
    assert person_name("slack:T1:U07ANAGRC", "slack:T1:U07ANAGRC") == "a teammate"
    assert person_name("cli:local:ana") == "ana"
    assert person_name("li@acme.example") == "li@acme.example"
    assert count_change(14, 13) == "Your last answer added 1 question."
    assert count_change(12, 14) == "Your last answer removed 2 questions."
    assert count_change(13, None) == ""


def test_flips_read_like_the_questions_and_group_alternatives() -> None:
    rec = recommend({"driver": "customer_procurement", "org_profile": "fast_growing_saas",
                     "scope": "single_service"})
    every = flips(rec.would_change)
    assert every and all("_" not in f.text and "(now" not in f.text for f in every)
    assert len(every) <= len(rec.would_change)
    kinds = [f for f in every if f.answer_id == "org_profile"]
    assert len({f.becomes for f in kinds}) == len(kinds), "one line per (answer, outcome)"
    assert "“Fast-growing SaaS company”" in kinds[0].text
    top = top_flips(rec.would_change)
    assert 1 <= len(top) <= 2 and len({f.answer_id for f in top}) == len(top)
    assert flips(["Something else entirely."])[0].text == "Something else entirely."


def test_reasons_sorted_by_role_and_confidence_explained() -> None:
    rec = recommend({"driver": "customer_procurement"})
    reasons = sort_reasons(rec.rationale)
    assert 1 <= len(reasons.strongest) <= 3
    assert all(r.answer_id for r in reasons.strongest)
    assert not any(r.text.startswith("Pulls the other way") for r in reasons.against)
    reply = to_reply(rec, None, [])
    if reply.confidence != "high":
        assert confidence_reason(reply)
    assert confidence_reason(reply.model_copy(update={"confidence": "high"})) == ""
    given = reply.model_validate({**reply.model_dump(), "confidence": "low"})
    object.__setattr__(given, "confidence_reason", "two deciding answers are unknown")
    assert confidence_reason(given) == "two deciding answers are unknown"
    assert gist("Enterprise procurement is the driver: start with SOC 2 " + "x " * 80) == (
        "Enterprise procurement is the driver.")
    assert sort_reasons([Rationale(text="No answer behind this one.")]).strongest == []


def test_question_count_says_when_an_answer_changes_it() -> None:
    dialog = scoping_dialog()
    now = utcnow()
    state = dialog.new_state(now, timedelta(hours=1))
    first = dialog.ask(state)
    assert first.total_was is None
    state, _ = dialog.step(state, ChoiceInput("assurance_goal", "scoped_controls", state.step),
                           now)
    state, _ = dialog.step(state, ChoiceInput("scope", "single_service", state.step), now)
    state, _ = dialog.step(state, ChoiceInput("driver", "internal_maturity", state.step), now)
    assert dialog.ask(state).question_id == "regulated"
    # "regulated: yes" makes the regime question apply (knowledge/applicability.py)
    state, replies = dialog.step(state, ChoiceInput("regulated", "yes", state.step), now)
    asked = [r for r in replies if r.kind == "question"][-1]
    assert asked.question_id == "regulatory_regime"
    assert asked.total_was is not None and asked.total == asked.total_was + 1
    state, replies = dialog.step(state, ChoiceInput(asked.question_id, asked.choices[0].value,
                                                    state.step), now)
    again = [r for r in replies if r.kind == "question"][-1]
    assert again.total == asked.total and again.total_was is None, "stable once changed"
