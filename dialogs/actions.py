"""Button/submit action contract shared by the card templates and the platform adapters.

Slack puts ``action_id`` = ``idgov.<verb>`` and ``value`` = the encoded payload on each
button; Teams puts ``{"idgov": "<verb>", **payload}`` in ``Action.Submit.data``. Both decode
to the same `Action`, so a press means the same thing on every platform.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

ACTION_PREFIX = "idgov."
ACTION_SUFFIX = "#"  # idgov.<verb>#<n>: keeps repeated action ids unique within a Slack message


class Verb(StrEnum):
    ANSWER = "answer"  # pick a choice of a question (payload: q, v, s)
    UNSURE = "unsure"  # "Not sure" (payload: q, s)
    BACK = "back"  # payload: s
    CANCEL = "cancel"  # payload: s
    START = "start"  # start an assessment
    RESTART = "restart"  # "Start over" after a recommendation
    SHARE = "share"  # share recommendation to channel (payload: a = assessment id)
    TASK_DONE = "task_done"  # payload: t = task id
    TASK_SNOOZE = "task_snooze"  # payload: t, d = days
    TASK_REASSIGN = "task_reassign"  # payload: t (+ selected user from the picker)
    TASK_NA = "task_na"  # payload: t (reason asked for or default)
    FEEDBACK = "feedback"  # payload: f = feedback id, v = "yes"|"no"
    TASKS = "tasks"  # show my tasks
    ASK = "ask"  # answer a suggested knowledge-base entry (payload: e = entry id)
    DETAILS = "details"  # a recommendation's Details view (payload: a = assessment id)
    REPORT = "report"  # the full report of an assessment (payload: a = assessment id)
    RESUME = "resume"  # carry on with the assessment in progress (after `assess` asked)
    INVENTORY_TASKS = "inventory_tasks"  # open inventory tasks of a gap kind (payload: v = kind)


#: The largest id a database integer column holds (signed 64 bits). Larger or negative
#: numbers in a payload are forged or foreign: decoding refuses them (a ValueError, so the
#: adapters answer "could not read that button") instead of failing later in the database.
ID_MAX = 2**63 - 1


class Action(BaseModel):
    """A decoded button press or card submit."""

    verb: Verb
    question_id: str | None = Field(default=None, alias="q")
    value: str | None = Field(default=None, alias="v")
    step: int | None = Field(default=None, alias="s", ge=0, le=ID_MAX)
    task_id: int | None = Field(default=None, alias="t", ge=0, le=ID_MAX)
    days: int | None = Field(default=None, alias="d", ge=0, le=ID_MAX)
    assessment_id: int | None = Field(default=None, alias="a", ge=0, le=ID_MAX)
    feedback_id: int | None = Field(default=None, alias="f", ge=0, le=ID_MAX)
    entry_id: str | None = Field(default=None, alias="e", max_length=200)

    model_config = {"populate_by_name": True, "extra": "ignore"}

    def payload(self) -> dict[str, Any]:
        """Compact payload (short aliases; Slack button values are limited to 2000 chars)."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude={"verb"})

    def slack_action_id(self) -> str:
        return ACTION_PREFIX + self.verb.value

    def slack_value(self) -> str:
        return json.dumps(self.payload(), separators=(",", ":"))

    def teams_data(self) -> dict[str, Any]:
        return {"idgov": self.verb.value, **self.payload()}


def from_slack(action_id: str, value: str | None) -> Action:
    """Decode a Slack ``block_actions`` element; raises ValueError on anything foreign.

    Slack needs action ids unique within a message, so cards append ``#<n>`` to repeated
    ones (``idgov.answer#2``); everything from ``#`` is ignored here. A reassign user picker
    carries no value, so its id names the task: ``idgov.task_reassign#<task id>``.
    """
    if not action_id.startswith(ACTION_PREFIX):
        raise ValueError(f"not an idgov action: {action_id!r}")
    base, _, suffix = action_id.partition(ACTION_SUFFIX)
    verb = Verb(base.removeprefix(ACTION_PREFIX))
    data: dict[str, Any] = json.loads(value) if value else {}
    if not isinstance(data, dict):
        raise ValueError("action value must be a JSON object")
    task_ref = suffix.partition(ACTION_SUFFIX)[0]
    if verb is Verb.TASK_REASSIGN and "t" not in data and task_ref.isascii() and task_ref.isdigit():
        data["t"] = int(task_ref)
    return Action.model_validate({"verb": verb, **data})


def from_teams(data: dict[str, Any]) -> Action:
    """Decode a Teams ``Action.Submit`` value; raises ValueError on anything foreign."""
    if "idgov" not in data:
        raise ValueError("not an idgov submit")
    fields = {k: v for k, v in data.items() if k != "idgov"}
    return Action.model_validate({"verb": Verb(str(data["idgov"])), **fields})
