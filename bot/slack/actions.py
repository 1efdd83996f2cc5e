"""Button presses and pickers (`block_actions`) on idgov's messages and Home tab.

``action_id`` is ``idgov.<verb>`` or ``idgov.<verb>#<n>`` (the suffix keeps ids unique in
one message; for the reassign user picker it is the task id). Assessment presses go to the
advisor under the key of the place they were pressed (DM or team thread); the advisor
compares the button's step with the saved state, so a stale press changes nothing and is
answered with a note only the presser sees.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import observe_replies
from bot.slack import modals, qa, refs, task_messages, tasks
from bot.slack.assessments import shareable
from bot.slack.commands import start_in_dm
from bot.slack.delivery import call, render, send_replies, whisper
from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from dialogs.actions import Action, Verb, from_slack
from dialogs.replies import TaskListReply

log = logging.getLogger(__name__)

ACTION_ID = re.compile(r"^idgov\.")
DIALOG_VERBS = {Verb.ANSWER, Verb.UNSURE, Verb.BACK, Verb.CANCEL, Verb.RESTART}
TASK_VERBS = {Verb.TASK_DONE, Verb.TASK_SNOOZE, Verb.TASK_REASSIGN, Verb.TASK_NA}


def decode(element: dict[str, Any]) -> tuple[Action, str | None]:
    """The neutral action and, for the user picker, the picked user id."""
    action_id = str(element.get("action_id", ""))
    base, _, suffix = action_id.partition("#")
    action = from_slack(base, element.get("value"))
    picked = element.get("selected_user")
    if action.verb is Verb.TASK_REASSIGN and action.task_id is None and suffix.isdigit():
        action.task_id = int(suffix)
    return action, (str(picked) if picked else None)


async def _share(client: AsyncWebClient, deps: SlackDeps, body: dict[str, Any], team_id: str,
                 user_id: str, action: Action) -> None:
    here = str((body.get("container") or {}).get("channel_id") or "")
    found = None
    if action.assessment_id is not None:
        found = await asyncio.to_thread(shareable, deps.engine, team_id, action.assessment_id)
    if found is None:
        await whisper(client, here, user_id, "I could not find that assessment.")
        return
    card, channel = found
    if channel is None:
        await whisper(client, here, user_id, "This assessment was not started from a channel, "
                      "so there is nowhere to share it. Run `/idgov assess` in a channel.")
        return
    body_ = render(card)
    body_["text"] = f"Shared by <@{user_id}>: {body_['text']}"
    if await call(client, "chat.postMessage", channel=channel, **body_):
        await whisper(client, here, user_id, f"Shared to <#{channel}>.")
    else:
        await whisper(client, here, user_id, f"I could not post in <#{channel}>; invite me "
                      "there first (`/invite @idgov`).")


def _thread_of(body: dict[str, Any]) -> str | None:
    message = body.get("message") or {}
    thread = message.get("thread_ts") or body.get("container", {}).get("thread_ts")
    return str(thread) if thread else None


async def _suggestion(client: AsyncWebClient, deps: SlackDeps, body: dict[str, Any],
                      team_id: str, user_id: str, channel: str, entry_id: str,
                      respond: AsyncRespond) -> None:
    """A "Did you mean…?" press: answer that entry where the refusal was, in the same thread
    or DM; a refusal only its asker saw (`/idgov ask`) is answered privately the same way."""
    reply = await qa.answer_suggestion(deps.engine, team_id, user_id, entry_id)
    if (body.get("container") or {}).get("is_ephemeral") or not channel:
        observe_replies("slack", [reply])
        card = render(reply)
        try:
            await respond(text=card["text"], blocks=card.get("blocks"),
                          response_type="ephemeral", replace_original=False)
        except Exception as exc:  # the response_url expired or Slack is down: log, go on
            log.error("response_url post failed: %s: %s", type(exc).__name__, exc)
        return
    await send_replies(client, deps.engine, None, channel, [reply], thread_ts=_thread_of(body))


async def _task_button(client: AsyncWebClient, deps: SlackDeps, body: dict[str, Any],
                       team_id: str, user_id: str, action: Action, picked: str | None) -> None:
    """Apply the press, then show its outcome in place (`bot.slack.task_messages`); Not
    applicable first asks for the reason in a form (`bot.slack.modals`)."""
    origin = task_messages.origin_of(body)
    if action.verb is Verb.TASK_NA and action.task_id is not None:
        await modals.open_reason(client, deps, body, origin, team_id, user_id, action.task_id)
        return
    result = await tasks.press(deps.engine, team_id, user_id, action, picked)
    await task_messages.show(client, deps, origin, team_id, user_id, result)


async def handle_action(client: AsyncWebClient, deps: SlackDeps, body: dict[str, Any],
                        element: dict[str, Any], respond: AsyncRespond) -> None:
    team_id = str((body.get("team") or {}).get("id") or body.get("user", {}).get("team_id") or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    channel = str((body.get("container") or {}).get("channel_id")
                  or (body.get("channel") or {}).get("id") or "")
    try:
        action, picked = decode(element)
    except ValueError as exc:
        log.warning("undecodable idgov action %r: %s", element.get("action_id"), exc)
        if channel:
            await whisper(client, channel, user_id, "I could not read that button; it may be "
                          "from an older version of idgov.")
        return
    if action.verb in TASK_VERBS:
        await _task_button(client, deps, body, team_id, user_id, action, picked)
    elif action.verb is Verb.FEEDBACK and action.feedback_id is not None:
        ok = await qa.vote(deps.engine, team_id, user_id, action.feedback_id, action.value == "yes")
        await whisper(client, channel, user_id, "Thanks, noted." if ok
                      else "I could not find that answer any more.", _thread_of(body))
    elif action.verb is Verb.ASK and action.entry_id:
        await _suggestion(client, deps, body, team_id, user_id, channel, action.entry_id,
                          respond)
    elif action.verb is Verb.START or (action.verb is Verb.RESTART and not channel):
        await start_in_dm(client, deps, team_id, user_id, None)
    elif action.verb is Verb.TASKS:
        open_tasks = await tasks.open_tasks(deps.engine, team_id, user_id)
        await send_replies(client, deps.engine, None, channel or user_id,
                           [TaskListReply(tasks=open_tasks)])
    elif action.verb is Verb.SHARE:
        await _share(client, deps, body, team_id, user_id, action)
    elif action.verb in DIALOG_VERBS:
        thread = _thread_of(body)
        key = refs.key_for_message(team_id, channel, thread, user_id)
        if key is None:
            await whisper(client, channel, user_id, "That button is not part of an assessment.")
            return
        replies = await asyncio.to_thread(deps.advisor.handle_action, key,
                                          refs.user_ref(team_id, user_id), action)
        await send_replies(client, deps.engine, key, channel, replies, thread_ts=thread,
                           whisper_to=user_id)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    modals.register(app, deps)  # the Not applicable form's submission

    @app.action(ACTION_ID)
    async def on_action(ack: Any, body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        await guarded(handle_action(client, deps, body, action, respond), "action",
                      (body.get("team") or {}).get("id"))
