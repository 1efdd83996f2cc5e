"""Platform limits, and the two rules enforced after templating.

Slack rejects a whole message over its limits (``invalid_blocks``), so the templates clip
text and cap lists, and this module makes the final guarantees: at most 50 blocks (100 in a
Home tab) with a closing note saying what was left out, and action ids unique in a message.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from dialogs.actions import ACTION_SUFFIX

# Slack Block Kit (https://docs.slack.dev/reference/block-kit)
SLACK_MESSAGE_BLOCKS = 50
SLACK_HOME_BLOCKS = 100
SLACK_SECTION_TEXT = 3000
SLACK_FIELD_TEXT = 2000
SLACK_CONTEXT_TEXT = 3000
SLACK_HEADER_TEXT = 150
SLACK_BUTTON_TEXT = 75
SLACK_BUTTON_VALUE = 2000
SLACK_ACTIONS_ELEMENTS = 25
SLACK_CONTEXT_ELEMENTS = 10
SLACK_PLAIN = 150
SLACK_FALLBACK_TEXT = 3000
SLACK_OPTION_TEXT = 75
SLACK_PLACEHOLDER = 150

# Adaptive Cards: no hard per-field limit, but Teams refuses activities over ~28 KB, and the
# Teams host shows at most 6 actions per action set.
TEAMS_TEXT = 2000
TEAMS_LONG_TEXT = 6000
TEAMS_BUTTON_TEXT = 60
TEAMS_MAX_ACTIONS = 6
TEAMS_CHOICES_PER_ROW = 3
TEAMS_VISIBLE_ACTIONS = 3  # per row; the rest go to the overflow menu (mode: secondary)
TEAMS_SHORT_LABEL = 20  # a label longer than this gets a row of its own, so it shows whole
TEAMS_MAX_CHOICE_BUTTONS = 6  # more choices than this: an expanded ChoiceSet + one Submit
TEAMS_CHOICE_TEXT = 200
TEAMS_CARD_BYTES = 24 * 1024  # leaves room for the activity envelope under Teams' ~28 KB
COMPACT_TASKS = 5

MAX_TASKS_DEFAULT = 10
MAX_TASKS: dict[str, dict[str, int]] = {
    # Slack: a task is 2 blocks in lists/home, 1 in a recommendation (picker as accessory).
    "slack": {"task_list": 20, "recommendation": 25, "home": 40},
    "teams": {"task_list": 10, "recommendation": 8},
    "text": {"task_list": 100, "recommendation": 100},
}


def _note(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def fit_slack_blocks(blocks: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Blocks cut to `limit`, the last one replaced by a note of how many were left out.

    Trailing actions blocks (Share, Start over, ...) are kept: they matter more than the
    middle of a long list.
    """
    if len(blocks) <= limit:
        return blocks
    tail: list[dict[str, Any]] = []
    while blocks and blocks[-1].get("type") == "actions" and len(tail) < 2:
        tail.insert(0, blocks.pop())
    keep = limit - len(tail) - 1
    left_out = len(blocks) - keep
    return [*blocks[:keep], _note(f"_{left_out} more blocks not shown._"), *tail]


def _elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        for element in block.get("elements", []):
            if isinstance(element, dict) and "action_id" in element:
                found.append(element)
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and "action_id" in accessory:
            found.append(accessory)
    return found


def unique_action_ids(blocks: list[dict[str, Any]]) -> None:
    """Make action ids unique within the message by appending ``#<n>`` (n = 2, 3, ...).

    Slack refuses repeated action ids; adapters strip everything from ``#`` before decoding
    (`dialogs.actions.from_slack` does), so ``idgov.answer#2`` still means ``idgov.answer``.
    """
    elements = _elements(blocks)
    counts = Counter(e["action_id"] for e in elements)
    seen: Counter[str] = Counter()
    taken = set(counts)
    for element in elements:
        base = element["action_id"]
        if counts[base] == 1:
            continue
        seen[base] += 1
        if seen[base] == 1:
            continue
        n = seen[base]
        candidate = f"{base}{ACTION_SUFFIX}{n}"
        while candidate in taken:
            n += 1
            candidate = f"{base}{ACTION_SUFFIX}{n}"
        taken.add(candidate)
        element["action_id"] = candidate
