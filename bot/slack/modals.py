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
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from bot.slack.reason_form import CALLBACK_ID, REASON_BLOCK, REASON_INPUT
from bot.slack.surface import SlackSurface
from bot.slack.task_messages import Origin, show
from bot.slack.translate import form_turn, reason_of
from dialogs.replies import TaskChangedReply

log = logging.getLogger(__name__)

STALE_FORM = "This form is out of date; press Not applicable on the task again."
UNAVAILABLE = "I could not save this just now; please press Save again in a minute."


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
