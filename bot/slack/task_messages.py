"""After a task button: show the outcome where it was pressed, so no stale button stays live.

A nudge DM or a posted task list is edited with ``chat.update``: that task's summary and
action blocks are swapped for its summary and an outcome line ("Done by @ana on ..."),
everything else in the message (other tasks and their buttons, the nudge headline) is kept.
An ephemeral ``/idgov tasks`` answer cannot be fetched or edited through the Web API, so it
is re-rendered from the database and replaced through the press's ``response_url``. The App
Home tab is re-published. The N/A form's submission has no message in its payload, so the
`Origin` travels in the modal's ``private_metadata`` and the message is read back with
``conversations.history`` before it is edited.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.cards.render import render_slack_task
from bot.slack.delivery import call, render
from bot.slack.deps import SlackDeps
from bot.slack.home import publish_home
from dialogs import tasks as task_service
from dialogs.replies import TaskChangedReply, TaskListReply, TaskSummary
from dialogs.turn import Actor

log = logging.getLogger(__name__)

Surface = Literal["message", "ephemeral", "home"]
_CODES: dict[str, Surface] = {"m": "message", "e": "ephemeral", "h": "home"}


@dataclass(frozen=True)
class Origin:
    """Where a task button was pressed; enough to update that place now or after a form."""

    surface: Surface
    channel: str | None = None
    ts: str | None = None
    response_url: str | None = None
    #: the message as the payload carried it (never put in private_metadata: too large)
    blocks: list[dict[str, Any]] | None = field(default=None, compare=False)
    text: str | None = None

    def metadata(self, task_id: int) -> str:
        """``private_metadata`` for the N/A form (Slack allows 3000 characters)."""
        data = {"t": task_id, "s": self.surface[0], "c": self.channel, "ts": self.ts,
                "r": self.response_url}
        return json.dumps({k: v for k, v in data.items() if v is not None},
                          separators=(",", ":"))

    @classmethod
    def from_metadata(cls, text: str | None) -> tuple[int, Origin]:
        """The task id and origin saved by `metadata`; ValueError if it is not ours."""
        data = json.loads(text or "")
        if not isinstance(data, dict) or not isinstance(data.get("t"), int) \
                or data.get("s") not in _CODES:
            raise ValueError("not idgov task-form metadata")
        strings = {k: data.get(k) if isinstance(data.get(k), str) else None
                   for k in ("c", "ts", "r")}
        return data["t"], cls(_CODES[data["s"]], strings["c"], strings["ts"], strings["r"])


def origin_of(body: dict[str, Any]) -> Origin:
    """The origin of a ``block_actions`` payload (message, ephemeral message or Home tab)."""
    container = body.get("container") or {}
    response_url = body.get("response_url") if isinstance(body.get("response_url"), str) else None
    if container.get("type") == "view":
        return Origin("home", response_url=response_url)
    raw = body.get("message")
    message: dict[str, Any] = raw if isinstance(raw, dict) else {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or message.get("ts")
    blocks = message.get("blocks") if isinstance(message.get("blocks"), list) else None
    surface: Surface = "ephemeral" if container.get("is_ephemeral") else "message"
    return Origin(surface, str(channel) if channel else None, str(ts) if ts else None,
                  response_url, blocks, message.get("text"))


def _names_task(element: dict[str, Any], task_id: int) -> bool:
    action_id = str(element.get("action_id", ""))
    if not action_id.startswith("idgov.task_"):
        return False
    if action_id.partition("#")[2] == str(task_id) and "reassign" in action_id:
        return True
    try:
        value = json.loads(element.get("value") or "{}")
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("t") == task_id


def splice(blocks: list[dict[str, Any]], text: str | None,
           task: TaskSummary) -> dict[str, Any] | None:
    """The message with `task`'s section + buttons replaced by its outcome; None if the
    message does not offer buttons for that task (already updated, or not ours)."""
    assert task.id is not None
    at = next((i for i, b in enumerate(blocks) if b.get("type") == "actions" and any(
        isinstance(e, dict) and _names_task(e, task.id) for e in b.get("elements") or [])), None)
    if at is None:
        return None
    start = at - 1 if at > 0 and blocks[at - 1].get("type") == "section" else at
    update = render_slack_task(task)
    new_blocks = [*blocks[:start], *update["blocks"], *blocks[at + 1:]]
    single = not any(b.get("type") == "header" for b in blocks)  # a nudge, not a list
    return {"text": update["text"] if single or not text else text, "blocks": new_blocks}


async def fetch_message(client: AsyncWebClient, channel: str,
                        ts: str) -> dict[str, Any] | None:
    """The message at (channel, ts) as Slack stores it now, or None."""
    found = await call(client, "conversations.history", channel=channel, latest=ts,
                       oldest=ts, inclusive="true", limit="1")
    for message in (found or {}).get("messages") or []:
        if isinstance(message, dict) and message.get("ts") == ts:
            return message
    return None


async def via_response_url(url: str, **body: Any) -> bool:
    try:
        response = await AsyncWebhookClient(url).send_dict(body)
    except Exception as exc:
        log.error("response_url post failed: %s: %s", type(exc).__name__, exc)
        return False
    if response.status_code != 200:
        log.error("response_url post failed: HTTP %s %s", response.status_code, response.body)
    return response.status_code == 200


async def note(client: AsyncWebClient, origin: Origin, user_id: str, text: str) -> None:
    """A private one-liner to the presser, next to the message they pressed."""
    if origin.response_url:
        await via_response_url(origin.response_url, text=text, response_type="ephemeral",
                                replace_original=False)
    elif origin.channel:
        await call(client, "chat.postEphemeral", channel=origin.channel, user=user_id, text=text)


async def _update_message(client: AsyncWebClient, deps: SlackDeps, origin: Origin, who: Actor,
                          task: TaskSummary) -> bool:
    blocks, text = origin.blocks, origin.text
    if blocks is None and origin.surface == "message" and origin.channel and origin.ts:
        found = await fetch_message(client, origin.channel, origin.ts)
        if found and isinstance(found.get("blocks"), list):
            blocks, text = found["blocks"], found.get("text")
    body = splice(blocks, text, task) if blocks else None
    if origin.surface == "ephemeral":
        if body is None:
            listing = await asyncio.to_thread(task_service.listing_after, deps.engine, who, task)
            body = render(TaskListReply(tasks=listing))
        return bool(origin.response_url) and await via_response_url(
            str(origin.response_url), replace_original=True, **body)
    if body is None or not origin.channel or not origin.ts:
        return False
    return await call(client, "chat.update", channel=origin.channel, ts=origin.ts,
                      **body) is not None


async def show(client: AsyncWebClient, deps: SlackDeps, origin: Origin, who: Actor,
               result: TaskChangedReply, *, quiet: bool = False) -> None:
    """Reflect `result` where the press came from; confirm privately only when the place
    itself could not be updated, or to say why nothing changed (unless `quiet`)."""
    updated = False
    applied = result.result == "applied"
    if origin.surface == "home":  # shows the truth whatever happened, so always refresh
        await publish_home(client, deps, who.workspace_id, who.user_id)
        updated = True
    elif result.task is not None:
        updated = await _update_message(client, deps, origin, who, result.task)
    if applied and result.task is not None:
        await _refresh_homes(client, deps, origin, who, result.task)
    if not quiet and (not applied or not updated):
        await note(client, origin, who.user_id, render(result)["text"])


async def _refresh_homes(client: AsyncWebClient, deps: SlackDeps, origin: Origin, who: Actor,
                         task: TaskSummary) -> None:
    """Home tabs that listed (or should now list) the task: the presser's, the new owner's."""
    if origin.surface != "home":
        await publish_home(client, deps, who.workspace_id, who.user_id)
    prefix = f"{who.workspace}:"
    owner = task.owner or ""
    new_owner = owner.removeprefix(prefix) if owner.startswith(prefix) else None
    if (task.outcome and task.outcome.action == "reassigned" and new_owner
            and new_owner != who.user_id):
        await publish_home(client, deps, who.workspace_id, new_owner)
