"""The "Not applicable" form: a modal that asks why, because the reason is audit evidence.

Pressing Not applicable opens the form (``views.open`` with the press's ``trigger_id``); the
task id and where to show the outcome travel in ``private_metadata``. The submission is
validated and recorded before it is acknowledged, so an empty reason, a task closed in the
meantime or a task of another workspace keeps the form open with the reason under the field
(``response_action: errors``); a good one closes it and updates the originating message.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards.escaping import clip, slack_clip
from bot.slack.delivery import call
from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.task_messages import Origin, note, show
from bot.slack.translate import form_turn, reason_of
from dialogs.replies import TaskChangedReply, TaskSummary
from dialogs.tasks import REASON_MAX

log = logging.getLogger(__name__)

CALLBACK_ID = "idgov.task_na"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_text"
STALE_FORM = "This form is out of date; press Not applicable on the task again."
UNAVAILABLE = "I could not save this just now; please press Save again in a minute."


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


async def handle_submission(ack: Any, body: dict[str, Any], client: AsyncWebClient,
                            deps: SlackDeps) -> None:
    """Validated and recorded before the acknowledgement, so a refusal keeps the form open
    with the reason under the field; a good one closes it and updates the message."""
    view = body.get("view") or {}
    try:
        task_id, origin = Origin.from_metadata(view.get("private_metadata"))
    except (ValueError, TypeError):
        await ack(response_action="errors", errors={REASON_BLOCK: STALE_FORM})
        return
    from bot.slack.surface import SlackSurface

    turn = form_turn(body, task_id, reason_of(view, REASON_BLOCK, REASON_INPUT))
    surface = SlackSurface(client, deps, turn, origin=origin)
    try:
        outs = await deps.router.handle(turn, surface)
    except Exception:  # the database is unreachable: keep the form and its text, say so
        log.exception("recording a not-applicable reason failed (team=%s)",
                      turn.actor.workspace_id)
        await ack(response_action="errors", errors={REASON_BLOCK: UNAVAILABLE})
        return
    result = next((o.reply for o in outs if isinstance(o.reply, TaskChangedReply)), None)
    if result is None or result.result != "applied":
        problem = _problem(result)
        await ack(response_action="errors", errors={REASON_BLOCK: problem})
        if result is not None and result.task is not None:  # closed meanwhile: drop its
            await show(client, deps, origin, turn.actor, result, quiet=True)  # stale buttons
        return
    await ack()
    await show(client, deps, origin, turn.actor, result)


def _problem(result: TaskChangedReply | None) -> str:
    if result is None:
        return STALE_FORM
    if result.result == "closed" and result.task is not None:
        return f"This task is already {result.task.status.replace('_', ' ')}; nothing was changed."
    if result.result == "not_found":
        return "I could not find that task in this workspace; nothing was changed."
    return result.problem or STALE_FORM


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(CALLBACK_ID)
    async def on_reason(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await guarded(handle_submission(ack, body, client, deps), "view_submission",
                      (body.get("team") or {}).get("id"))
