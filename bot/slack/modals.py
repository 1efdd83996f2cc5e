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
from bot.slack import tasks
from bot.slack.delivery import call
from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.task_messages import Origin, note, show
from dialogs.actions import Action, Verb
from dialogs.replies import TaskSummary

log = logging.getLogger(__name__)

CALLBACK_ID = "idgov.task_na"
REASON_BLOCK = "reason"
REASON_INPUT = "reason_text"
REASON_MAX = tasks.REASON_MAX
EMPTY = "Please say why this task does not apply to you."
TOO_LONG = f"Please keep the reason under {REASON_MAX} characters."
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


async def open_reason(client: AsyncWebClient, deps: SlackDeps, body: dict[str, Any],
                      origin: Origin, team_id: str, user_id: str, task_id: int) -> None:
    """Ask for the reason, unless the task cannot be closed any more (then say so)."""
    check = await tasks.still_open(deps.engine, team_id, task_id)
    if check.problem is not None or check.task is None:
        await show(client, deps, origin, team_id, user_id, check)
        return
    opened = await call(client, "views.open", trigger_id=str(body.get("trigger_id") or ""),
                        view=reason_view(check.task, origin.metadata(task_id)))
    if opened is None:
        await note(client, origin, user_id, ":warning: I could not open the form; please "
                   "press Not applicable again.")


def _reason(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}
    value = field.get("value") if isinstance(field, dict) else None
    return value.strip() if isinstance(value, str) else ""


async def handle_submission(ack: Any, body: dict[str, Any], client: AsyncWebClient,
                            deps: SlackDeps) -> None:
    team_id = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
                  or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    view = body.get("view") or {}
    reason = _reason(view)
    if not reason or len(reason) > REASON_MAX:
        await ack(response_action="errors", errors={REASON_BLOCK: TOO_LONG if reason else EMPTY})
        return
    try:
        task_id, origin = Origin.from_metadata(view.get("private_metadata"))
    except (ValueError, TypeError):
        await ack(response_action="errors", errors={REASON_BLOCK: STALE_FORM})
        return
    try:
        result = await tasks.press(deps.engine, team_id, user_id,
                                   Action(verb=Verb.TASK_NA, t=task_id), reason=reason)
    except Exception:  # the database is unreachable: keep the form and its text, say so
        log.exception("recording a not-applicable reason failed (team=%s)", team_id)
        await ack(response_action="errors", errors={REASON_BLOCK: UNAVAILABLE})
        return
    if not result.applied:
        await ack(response_action="errors", errors={REASON_BLOCK: result.problem or STALE_FORM})
        if result.task is not None:  # closed meanwhile: drop its stale buttons all the same
            await show(client, deps, origin, team_id, user_id, result, quiet=True)
        return
    await ack()
    await show(client, deps, origin, team_id, user_id, result)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(CALLBACK_ID)
    async def on_reason(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await guarded(handle_submission(ack, body, client, deps), "view_submission",
                      (body.get("team") or {}).get("id"))
