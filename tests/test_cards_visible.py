"""What a person sees, on every surface: no internal values, and cards sized to be read.

Every reply kind in tests/cards_fixtures.py is rendered for Slack, Teams and the terminal;
the visible text (what the client shows: text objects, TextBlocks, facts, button titles,
choices; not action ids, payloads or link targets) must carry no snake_case value, no raw
``platform:workspace:user`` ref, no bare Slack member id and no Teams object id. Size budgets
per reply kind keep the first screen short (the recommendation summary was 5,900 to 7,800
characters before; the budget is 900).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.cards import render
from dialogs.recommendation_view import task_summaries, to_reply
from tests.cards_fixtures import FIXTURES, HOME_CASES

#: fixtures whose free text is attacker- or filler-text by design
SKIP_TEXT_CHECKS = ("evil", "long", "huge")
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9]+(?:_[a-z0-9]+)*\b")
RAW_REF = re.compile(r"\b(?:slack|teams|cli):[^\s:]+:\S+")
SLACK_ID = re.compile(r"\b[UW][A-Z0-9]{6,}\b")
OBJECT_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}\b")
URL = re.compile(r"<?https?://[^\s>)]+>?")

_SLACK_VISIBLE = ("text", "fields")


def slack_visible(message: dict[str, Any]) -> str:
    """Text a Slack client shows for a message: mentions read as names, links as titles."""
    out: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str):
                out.append(value["text"])
            for k, v in value.items():
                if k not in ("action_id", "value", "url", "block_id", "text") or not isinstance(
                    v, str
                ):
                    walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(message["blocks"])
    text = "\n".join(out)
    text = re.sub(r"<@[UW][A-Z0-9]+>", "@someone", text)  # Slack shows the member's name
    text = re.sub(r":[a-z0-9_+-]+:", "◆", text)  # emoji shortcodes show as one emoji
    text = re.sub(r"<(https?://[^|>]+)\|([^>]*)>", r"\2", text)
    return text


def teams_visible(card: dict[str, Any]) -> str:
    out: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            if value.get("type") == "TextBlock":
                out.append(value["text"])
            if key == "facts" or ("title" in value and "value" in value and "type" not in value):
                out.append(str(value.get("title", "")))
                out.append(str(value.get("value", "")))
            if str(value.get("type", "")).startswith("Action."):
                out.append(value.get("title", ""))
            for k, v in value.items():
                if k not in ("data", "msteams", "id"):
                    walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk({k: v for k, v in card.items() if k != "msteams"})
    text = "\n".join(out)
    text = re.sub(r"<at>[^<]*</at>", "@someone", text)  # a mention entity names the user
    text = re.sub(r"\[([^\]]*)\]\((https?://[^)]+)\)", r"\1", text)
    return text


def visible(name: str, target: str) -> str:
    rendered = render(FIXTURES[name], target)
    if target == "slack":
        assert isinstance(rendered, dict)
        return slack_visible(rendered)
    if target == "teams":
        assert isinstance(rendered, dict)
        return teams_visible(rendered)
    assert isinstance(rendered, str)
    return rendered


CLEAN = [n for n in sorted(FIXTURES) if not any(s in n for s in SKIP_TEXT_CHECKS)]


@pytest.mark.parametrize("target", ["slack", "teams", "text"])
@pytest.mark.parametrize("name", CLEAN)
def test_no_internal_values_in_visible_text(name: str, target: str) -> None:
    text = URL.sub("", visible(name, target))
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert not RAW_REF.findall(text), RAW_REF.findall(text)
    assert not SLACK_ID.findall(text), SLACK_ID.findall(text)
    assert not OBJECT_ID.findall(text), OBJECT_ID.findall(text)
    assert "(s)" not in text, "plural from the helper, not 'reminder(s)'"


def test_every_reply_kind_is_covered() -> None:
    kinds = {r.kind for r in FIXTURES.values()}
    assert kinds == {"question", "answered", "recommendation", "task_list", "answer", "nudge",
                     "help", "text", "task_changed", "report", "digest"}
    assert HOME_CASES


#: visible characters per reply kind on the first screen (Slack, Teams, terminal)
BUDGETS = {
    "recommendation": 900,
    "question": 700,
    "nudge": 900,
    "answered": 200,
}


@pytest.mark.parametrize("target", ["slack", "teams", "text"])
@pytest.mark.parametrize("name", [n for n in CLEAN if FIXTURES[n].kind in BUDGETS
                                  and "details" not in n and "many" not in n
                                  and "inline" not in n])
def test_first_screen_fits_its_budget(name: str, target: str) -> None:
    kind = FIXTURES[name].kind
    rendered = render(FIXTURES[name], target)
    if target == "teams":
        assert isinstance(rendered, dict)
        # Teams shows the body and the button row; a ShowCard's card opens on a press
        shown = {**rendered, "actions": [{k: v for k, v in a.items() if k != "card"}
                                         for a in rendered.get("actions", [])]}
        text = teams_visible(shown)
    else:
        text = visible(name, target)
    assert len(text) <= BUDGETS[kind], (len(text), text)


def test_real_recommendations_fit_the_first_screen() -> None:
    """The engine's own wording, on the answers that give the longest summaries."""
    from knowledge.recommend import recommend
    from knowledge.schema import ANSWER_VALUES

    longest = 0
    for driver in ANSWER_VALUES["driver"]:
        for profile in ANSWER_VALUES["org_profile"]:
            for scope in ANSWER_VALUES["scope"]:
                rec = recommend({"driver": driver, "org_profile": profile, "scope": scope})
                reply = to_reply(rec, 7, task_summaries(rec)).model_copy(
                    update={"tasks_separate": True})
                slack = slack_visible(render(reply, "slack"))
                card = render(reply, "teams")
                card["actions"] = [{k: v for k, v in a.items() if k != "card"}
                                   for a in card["actions"]]
                teams = teams_visible(card)
                longest = max(longest, len(slack), len(teams), len(render(reply, "text")))
                for shown in (slack, teams):
                    assert not SNAKE.findall(URL.sub("", shown)), SNAKE.findall(shown)
    assert longest <= 1000, longest


@pytest.mark.parametrize("name", CLEAN)
def test_slack_block_and_teams_byte_budgets(name: str) -> None:
    slack = render(FIXTURES[name], "slack")
    teams = render(FIXTURES[name], "teams")
    assert isinstance(slack, dict) and isinstance(teams, dict)
    kind = FIXTURES[name].kind
    separate = getattr(FIXTURES[name], "tasks_separate", False)
    blocks = {"recommendation": 8 if separate else 50,
              "question": 12, "nudge": 8, "answered": 4}.get(kind, 50)
    assert len(slack["blocks"]) <= blocks, (len(slack["blocks"]), blocks)
    size = len(json.dumps(teams).encode())
    limit = {"question": 8_000, "nudge": 8_000, "answered": 2_000}.get(kind, 24 * 1024)
    assert size <= limit, (size, limit)
