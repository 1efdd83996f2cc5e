"""Every button idgov draws is routed: render every reply type on Slack and Teams, collect
every action on every card, and prove the router has a handler for each (no "not part of
the assessment" for a button we drew). See docs/architecture.md, "How to add a verb"."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cards.render import render_slack, render_slack_home, render_teams
from dialogs import router
from dialogs.actions import Verb, from_slack, from_teams
from dialogs.handlers import unknown_button
from tests.cards_fixtures import FIXTURES, HOME_CASES
from tests.teams_helpers import submits


def _slack_elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found.append(element)
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and "action_id" in accessory:
            found.append(accessory)
    return [e for e in found if str(e.get("action_id", "")).startswith("idgov.")]


def _drawn_verbs() -> set[Verb]:
    verbs: set[Verb] = set()
    for reply in FIXTURES.values():
        for element in _slack_elements(render_slack(reply)["blocks"]):
            verbs.add(from_slack(element["action_id"], element.get("value")).verb)
        for data in submits(render_teams(reply)):
            verbs.add(from_teams(data).verb)
    for tasks, last in HOME_CASES.values():
        for element in _slack_elements(render_slack_home(tasks, last)["blocks"]):
            verbs.add(from_slack(element["action_id"], element.get("value")).verb)
    return verbs


def test_the_fixtures_draw_the_buttons_people_press() -> None:
    drawn = _drawn_verbs()
    assert {Verb.ANSWER, Verb.UNSURE, Verb.SHARE, Verb.RESTART, Verb.TASK_DONE,
            Verb.TASK_SNOOZE, Verb.TASK_NA, Verb.FEEDBACK, Verb.START, Verb.TASKS} <= drawn


@pytest.mark.parametrize("verb", sorted(_drawn_verbs(), key=str))
def test_every_drawn_verb_has_a_handler(verb: Verb) -> None:
    handler = router.VERBS.get(verb)
    assert handler is not None and handler is not unknown_button, f"{verb} is drawn, not routed"


def test_every_verb_is_routed() -> None:
    """A verb added to the enum without a row in the table fails here, not in production."""
    assert set(router.VERBS) == set(Verb)
