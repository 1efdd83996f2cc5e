"""Slack Block Kit output, checked against Slack's own artefacts and limits.

slack_sdk's block models enforce Slack's length and count limits but silently drop unknown
keys, so every block must survive a parse/serialise round trip unchanged; Slack's TypeScript
types (@slack/types) catch what the models miss (unknown block types, header text that is not
plain_text, bad button styles). The 50-block limit and action-id uniqueness are checked here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.cards import render, render_slack, render_slack_home
from dialogs.actions import Action, Verb, from_slack
from tests.cards_fixtures import EVIL, FIXTURES, HOME_CASES, INJECTIONS, inject
from tests.cards_node import run_node

MESSAGES = {name: render_slack(reply) for name, reply in FIXTURES.items()}
HOMES = {name: render_slack_home(*case) for name, case in HOME_CASES.items()}
ALL = {**MESSAGES, **HOMES}
PING = re.compile(r"<[!@#]")  # Slack's mention / special-command syntax
OWNER_MENTION = re.compile(r"<@U1\d{3}>")  # the fixtures' task owners, mentioned on purpose


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """Every string Slack parses for mentions and links: mrkdwn objects and the fallback text.

    plain_text objects (headers, button labels) are shown literally apart from emoji codes.
    """
    found = [payload["text"]] if isinstance(payload.get("text"), str) else []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                found.append(value["text"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(payload.get("blocks", []))
    return found


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [e for b in blocks for e in b.get("elements", []) if "action_id" in e]
    found += [b["accessory"] for b in blocks if "action_id" in b.get("accessory", {})]
    return found


def skeleton(value: Any) -> Any:
    """The structure of a payload: keys, types, list lengths; text replaced by a marker."""
    if isinstance(value, dict):
        return {k: (v if k in ("type", "style") else skeleton(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [skeleton(v) for v in value]
    return type(value).__name__


@pytest.mark.parametrize("name", sorted(ALL))
def test_blocks_round_trip_through_slack_sdk(name: str) -> None:
    for block in ALL[name]["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None, f"unknown block type {block.get('type')}"
        assert parsed.to_dict() == block


@pytest.mark.parametrize("name", sorted(ALL))
def test_limits_and_action_ids(name: str) -> None:
    payload = ALL[name]
    blocks = payload["blocks"]
    limit = 100 if payload.get("type") == "home" else 50
    assert 0 < len(blocks) <= limit
    if payload.get("type") != "home":
        assert 0 < len(payload["text"]) <= 3000
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
    ids = [e["action_id"] for e in elements(blocks)]
    assert len(ids) == len(set(ids)), "action ids must be unique within a message"
    for element in elements(blocks):
        assert len(element["action_id"]) <= 255
        if element["type"] == "button":
            assert len(element["text"]["text"]) <= 75
            assert len(element["value"]) <= 2000
            assert element.get("style", "primary") in ("primary", "danger")
            action = from_slack(element["action_id"], element["value"])
            assert action.verb in set(Verb)
        elif element["type"] == "static_select":  # Snooze with its durations
            assert 1 <= len(element["options"]) <= 100
            assert len(element["placeholder"]["text"]) <= 150
            for option in element["options"]:
                assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
                action = from_slack(element["action_id"], option["value"])
                assert action.verb is Verb.TASK_SNOOZE and action.task_id is not None
                assert action.days in (1, 3, 7)
        else:
            assert element["type"] == "users_select"
            action = from_slack(element["action_id"], None)
            assert action.verb is Verb.TASK_REASSIGN and action.task_id is not None


# Not ours, deliberately wrong twice: proves the checker really checks (header text must be
# plain_text; button style must be primary or danger).
BAD = {
    "text": "x",
    "blocks": [
        {"type": "header", "text": {"type": "mrkdwn", "text": "h"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "a",
                    "style": "blue",
                    "text": {"type": "plain_text", "text": "b"},
                }
            ],
        },
    ],
}


@pytest.mark.node
def test_blocks_type_check_against_slack_types() -> None:
    """One TypeScript run over every fixture (and the known-bad payload)."""
    result = run_node("check-blockkit.js", {**ALL, "__bad__": BAD})
    assert len(result.pop("__bad__")) == 2
    failures = {name: diags for name, diags in result.items() if diags}
    assert not failures, json.dumps(failures, indent=1)[:4000]
    assert set(result) == set(ALL)


def buttons(message: dict[str, Any]) -> list[tuple[str, Action]]:
    """Buttons, and each option of a static select (Snooze's durations), in order."""
    found: list[tuple[str, Action]] = []
    for e in elements(message["blocks"]):
        if e["type"] == "button":
            found.append((e["text"]["text"], from_slack(e["action_id"], e["value"])))
        elif e["type"] == "static_select":
            found.extend((o["text"]["text"], from_slack(e["action_id"], o["value"]))
                         for o in e["options"])
    return found


def test_question_buttons_carry_choice_and_step() -> None:
    reply = FIXTURES["question"]
    pressed = buttons(render_slack(reply))
    assert [label for label, _ in pressed] == [
        "The whole organisation",
        "One service for customers",
        "Not sure",
        "Back",
        "Cancel",
    ]
    answers = [a for _, a in pressed if a.verb is Verb.ANSWER]
    assert [(a.question_id, a.value, a.step) for a in answers] == [
        ("scope", "organisation_wide", 3),
        ("scope", "single_service", 3),
    ]
    assert all(a.step == 3 for _, a in pressed)
    text = json.dumps(render_slack(reply))
    assert "Question 2 of 14" in text and "Organisation-wide scope" in text
    first = buttons(render_slack(FIXTURES["question_first"]))
    assert "Back" not in [label for label, _ in first]
    assert "Not sure" not in [
        label for label, _ in buttons(render_slack(FIXTURES["question_no_unsure"]))
    ]


def test_many_choices_split_into_actions_blocks_with_unique_ids() -> None:
    message = MESSAGES["question_many_choices"]
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5, 3]
    answers = [a for _, a in buttons(message) if a.verb is Verb.ANSWER]
    assert [a.value for a in answers] == [f"v{i}" for i in range(30)]
    ids = [e["action_id"] for e in elements(message["blocks"])]
    assert ids[:3] == ["idgov.answer", "idgov.answer#2", "idgov.answer#3"]


def test_answered_has_no_buttons() -> None:
    for name in ("answered", "answered_by", "answered_evil"):
        assert not elements(MESSAGES[name]["blocks"])
    assert "<@U777>" in json.dumps(MESSAGES["answered_by"])


def test_recommendation_content() -> None:
    """Summary first: the point, three reasons with answer and source, one or two flips;
    Details (a threaded reply) has everything else; tasks come as their own message."""
    message = MESSAGES["recommendation"]
    text = "\n".join(strings(message))
    for needle in (
        "SOC 2 first, then ISO/IEC 27001",
        "Medium confidence",
        "What drives this: Customers and procurement questionnaires",
        "AICPA TSC",
        "If you are regulated",
        "3 follow-up tasks come next",
    ):
        assert needle in text, needle
    assert message["text"] == "SOC 2 first, then ISO/IEC 27001, medium confidence"
    assert "PR.AA-05" not in text and "<@U1001>" not in text, "crosswalk, tasks: not here"
    verbs = [a.verb for _, a in buttons(message)]
    assert verbs == [Verb.DETAILS, Verb.REPORT, Verb.SHARE, Verb.RESTART]
    assert {a.assessment_id for _, a in buttons(message)[:3]} == {42}
    assert [a.verb for _, a in buttons(MESSAGES["recommendation_no_tasks"])] == [Verb.RESTART]
    details = render_slack(FIXTURES["recommendation"].model_copy(update={"view": "details"}))
    text = "\n".join(strings(details))
    for needle in ("A.5.15, A.8.2", "PR.AA-05", "NHI5", "No answer behind this one.",
                   "If customers are mostly outside North America.",
                   "<https://www.iso.org/standard/27001|"):
        assert needle in text, needle
    assert [a.verb for _, a in buttons(details)] == [Verb.REPORT]


def test_many_tasks_are_summarised_within_50_blocks() -> None:
    message = MESSAGES["task_list_many"]
    assert len(message["blocks"]) <= 50
    assert "and 40 more" in json.dumps(message)
    assert message["blocks"][-1]["type"] in ("actions", "context")
    inline = MESSAGES["recommendation_many_tasks"]  # tasks not yet sent on their own
    assert len(inline["blocks"]) <= 50 and "and 15 more" in json.dumps(inline)
    assert inline["blocks"][-1]["type"] == "actions"
    split = FIXTURES["recommendation_many_tasks"].model_copy(update={"tasks_separate": True})
    assert len(render_slack(split)["blocks"]) <= 8
    assert len(HOMES["home_many"]["blocks"]) <= 100
    assert "and 39 more" in json.dumps(HOMES["home_many"])


def test_task_buttons() -> None:
    message = MESSAGES["task_list"]
    first = buttons(message)[:5]
    assert [(label, a.verb, a.task_id, a.days) for label, a in first] == [
        ("Done", Verb.TASK_DONE, 1, None),
        ("1 day", Verb.TASK_SNOOZE, 1, 1),
        ("3 days", Verb.TASK_SNOOZE, 1, 3),
        ("1 week", Verb.TASK_SNOOZE, 1, 7),
        ("Not applicable", Verb.TASK_NA, 1, None),
    ]
    snooze = [e for e in elements(message["blocks"]) if e["type"] == "static_select"]
    assert snooze and all(e["placeholder"]["text"] == "Snooze…" for e in snooze)
    assert "You have no open tasks." in json.dumps(MESSAGES["task_list_empty"])
    assert ":red_circle: *overdue*" in json.dumps(message)


def test_answer_feedback_and_refusal() -> None:
    pressed = buttons(MESSAGES["answer"])
    assert [(a.verb, a.feedback_id, a.value) for _, a in pressed] == [
        (Verb.FEEDBACK, 7, "yes"),
        (Verb.FEEDBACK, 7, "no"),
    ]
    assert not buttons(MESSAGES["answer_no_feedback"])
    refusal = json.dumps(MESSAGES["answer_refusal"])
    assert "Sources" not in refusal and "nothing sourced" in refusal
    assert "won't guess" in json.dumps(MESSAGES["answer_refusal_blank"])
    long_sections = [b for b in MESSAGES["answer_long"]["blocks"] if b["type"] == "section"]
    assert len(long_sections) >= 4  # split, not cut to one section


@pytest.mark.parametrize(
    ("name", "wording"),
    [
        ("nudge_lead", "Due in 3 days"),
        ("nudge_due", "Due today"),
        ("nudge_overdue", "Overdue 2 days"),
        ("nudge_overdue_one", "Overdue 1 day"),
        ("nudge_escalation", "Escalated to the identity lead."),
        ("nudge_escalation_default", "well past due"),
    ],
)
def test_nudge_wording(name: str, wording: str) -> None:
    message = MESSAGES[name]
    assert wording in json.dumps(message)
    assert [a.verb for _, a in buttons(message)] == [
        Verb.TASK_DONE,
        Verb.TASK_SNOOZE,
        Verb.TASK_SNOOZE,
        Verb.TASK_SNOOZE,
        Verb.TASK_NA,
    ]


def test_nudge_says_what_to_do_and_links_the_report() -> None:
    message = MESSAGES["nudge_escalation_parts"]
    text = json.dumps(message)
    assert "after 3 reminders to <@U1000>" in text
    assert "*What to do:*" in text and "*Done when you have:*" in text
    assert message["text"] == "Escalated, overdue 9 days: Task 0: inventory every service account"
    assert [a.verb for _, a in buttons(message)][-1] is Verb.REPORT
    assert len([b for b in message["blocks"] if b["type"] == "actions"]) == 1


def test_home_view() -> None:
    home = HOMES["home"]
    assert home["type"] == "home"
    assert buttons(home)[0][1].verb is Verb.START
    text = json.dumps(home)
    assert "Task 4" in text and "SOC 2 first, then ISO/IEC 27001" in text
    assert "not run an assessment yet" in json.dumps(HOMES["home_empty"])


def test_user_text_never_pings_or_breaks_out() -> None:
    for name in [n for n in ALL if "evil" in n]:
        payload = ALL[name]
        for text in mrkdwn_texts(payload):
            assert not PING.search(OWNER_MENTION.sub("", text)), (name, text[:200])
        assert "&lt;!channel&gt;" in json.dumps(payload), name


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_keeps_structure(name: str, payload: str) -> None:
    baseline = render(inject(FIXTURES[name], "plain words"), "slack")
    injected = render(inject(FIXTURES[name], payload), "slack")
    assert skeleton(injected) == skeleton(baseline)
    for text in mrkdwn_texts(injected):
        assert not PING.search(text), text[:200]
    for element in elements(injected["blocks"]):
        if element["type"] == "button":
            action = from_slack(element["action_id"], element["value"])
            assert action.question_id in (None, payload)
            assert action.value in (None, payload, "yes", "no")


def test_evil_choice_value_survives_the_codec() -> None:
    answer = next(a for _, a in buttons(MESSAGES["question_evil"]) if a.verb is Verb.ANSWER)
    assert answer.value == EVIL
