"""The "Not applicable" form itself: the modal that asks why (the reason is audit evidence)
and opening it on a press. Its submission is handled in `bot.slack.modals`.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards.escaping import clip, slack_clip
from bot.slack.delivery import call
from bot.slack.task_messages import Origin, note
from dialogs.replies import TaskSummary
from dialogs.tasks import REASON_MAX

CALLBACK_ID = "idgov.task_na"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_text"


def reason_view(task: TaskSummary, metadata: str) -> dict[str, Any]:
    """The modal, built with slack_sdk's models (they enforce Slack's length limits)."""
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Not applicable",
        submit="Save",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            SectionBlock(text={"type": "mrkdwn",
                               "text": f"*{slack_clip(task.title, 2900)}*"}),
            InputBlock(
                block_id=REASON_BLOCK,
                label="Why does this task not apply?",
                hint=clip("Kept in the task's history as audit evidence, with your name.", 150),
                element=PlainTextInputElement(action_id=REASON_INPUT, multiline=True,
                                              max_length=REASON_MAX),
            ),
        ],
    ).to_dict()


async def open_reason(client: AsyncWebClient, trigger_id: str, origin: Origin, user_id: str,
                      task: TaskSummary) -> None:
    """Ask for the reason of a task that can still close (the router checked)."""
    assert task.id is not None
    opened = await call(client, "views.open", trigger_id=trigger_id,
                        view=reason_view(task, origin.metadata(task.id)))
    if opened is None:
        await note(client, origin, user_id, ":warning: I could not open the form; please "
                   "press Not applicable again.")
