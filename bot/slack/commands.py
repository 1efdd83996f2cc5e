"""`/idgov`: assess | assess here | ask QUESTION | tasks | help | autoanswer on|off.

Acknowledged at once with an empty 200 (Slack's 3-second limit); Bolt runs the rest of the
listener after the acknowledgement. Answers meant for the caller alone go through the
command's ``response_url`` (ephemeral), which works even where the bot is not a member.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import observe_replies
from bot.slack import qa, refs, tasks
from bot.slack.delivery import call, open_dm, render, send_replies
from bot.slack.deps import SlackDeps
from bot.slack.guard import guarded
from dialogs.replies import HelpReply, Reply, TaskListReply

log = logging.getLogger(__name__)

HELP_COMMANDS: list[tuple[str, str]] = [
    ("/idgov assess", "scoping assessment in a DM: ISO/IEC 27001, SOC 2, or both"),
    ("/idgov assess here", "the same assessment in a thread here, answered as a team"),
    ("/idgov ask QUESTION", "an answer from the knowledge base, with sources"),
    ("/idgov tasks", "your open identity follow-up tasks"),
    ("/idgov autoanswer on|off", "answer questions in this channel without a mention "
                                 "(channel managers)"),
    ("/idgov help", "this card"),
]
HELP_INTRO = (
    "I help your team choose between ISO/IEC 27001 and SOC 2 for your identity and "
    "non-human-identity programme, turn the gaps into owned tasks, remind owners until they "
    "are done, and answer questions with sources. Mention me in a channel to ask a question."
)


def help_reply(welcome: bool = False) -> HelpReply:
    return HelpReply(intro=HELP_INTRO, commands=HELP_COMMANDS, welcome=welcome)


async def _respond(respond: AsyncRespond, reply: Reply, *, public: bool = False) -> None:
    observe_replies("slack", [reply])
    body = render(reply)
    try:
        await respond(text=body["text"], blocks=body.get("blocks"),
                      response_type="in_channel" if public else "ephemeral")
    except Exception as exc:
        log.error("response_url post failed: %s: %s", type(exc).__name__, exc)


async def _note(respond: AsyncRespond, text: str) -> None:
    try:
        await respond(text=text, response_type="ephemeral")
    except Exception as exc:
        log.error("response_url post failed: %s: %s", type(exc).__name__, exc)


async def start_in_dm(client: AsyncWebClient, deps: SlackDeps, team_id: str, user_id: str,
                      origin_channel: str | None) -> str | None:
    """Start (or resume) the user's assessment in their DM; returns the DM channel id."""
    dm = await open_dm(client, user_id)
    if dm is None:
        return None
    key = refs.dm_key(team_id, dm, user_id)
    channel_ref = (refs.channel_ref(team_id, origin_channel)
                   if origin_channel and not refs.is_dm(origin_channel) else None)
    replies = await asyncio.to_thread(
        partial(deps.advisor.start, key, refs.user_ref(team_id, user_id), channel_ref=channel_ref)
    )
    await send_replies(client, deps.engine, key, dm, replies)
    return dm


async def _assess_here(client: AsyncWebClient, deps: SlackDeps, respond: AsyncRespond,
                       team_id: str, user_id: str, channel_id: str) -> None:
    text = (f"<@{user_id}> started a team scoping assessment: ISO/IEC 27001 or SOC 2 for our "
            "identity programme. Answer with the buttons or by replying in this thread.")
    posted = await call(client, "chat.postMessage", channel=channel_id, text=text)
    if not posted:
        await _note(respond, "I could not post in this channel. Invite me first "
                             "(`/invite @idgov`), or use `/idgov assess` for a DM.")
        return
    thread_ts = str(posted["ts"])
    key = refs.thread_key(team_id, channel_id, thread_ts)
    replies = await asyncio.to_thread(partial(
        deps.advisor.start, key, refs.user_ref(team_id, user_id),
        channel_ref=refs.channel_ref(team_id, channel_id)))
    await send_replies(client, deps.engine, key, channel_id, replies, thread_ts=thread_ts,
                       whisper_to=user_id)


async def is_channel_manager(client: AsyncWebClient, channel_id: str, user_id: str) -> bool:
    """The channel's creator, or a workspace admin/owner."""
    info = await call(client, "conversations.info", channel=channel_id)
    if info and info.get("channel", {}).get("creator") == user_id:
        return True
    user = await call(client, "users.info", user=user_id)
    u = (user or {}).get("user", {})
    return bool(u.get("is_admin") or u.get("is_owner") or u.get("is_primary_owner"))


async def _autoanswer(client: AsyncWebClient, deps: SlackDeps, respond: AsyncRespond,
                      team_id: str, user_id: str, channel_id: str, arg: str) -> None:
    if arg not in {"on", "off"}:
        await _note(respond, "Usage: `/idgov autoanswer on` or `/idgov autoanswer off`.")
        return
    if refs.is_dm(channel_id):
        await _note(respond, "Auto-answer is a channel setting; run it in the channel.")
        return
    if not await is_channel_manager(client, channel_id, user_id):
        await _note(respond, "Only the channel's creator or a workspace admin can change "
                             "auto-answer here.")
        return
    await qa.set_autoanswer(deps.engine, team_id, channel_id, arg == "on", user_id)
    if arg == "on":
        await _note(respond, "Auto-answer is on: I will answer questions in this channel "
                             "without a mention when I am confident. Invite me if I am not "
                             "a member yet.")
    else:
        await _note(respond, "Auto-answer is off: mention me to ask a question here.")


async def handle_command(client: AsyncWebClient, deps: SlackDeps, respond: AsyncRespond,
                         command: dict[str, Any]) -> None:
    team_id = str(command.get("team_id") or "")
    user_id = str(command.get("user_id") or "")
    channel_id = str(command.get("channel_id") or "")
    text = " ".join(str(command.get("text") or "").split())
    verb, _, rest = text.partition(" ")
    verb = verb.lower()
    if verb in {"", "assess", "start"} and rest.lower() != "here":
        dm = await start_in_dm(client, deps, team_id, user_id, channel_id)
        if dm is None:
            await _note(respond, "I could not open a direct message with you; please try "
                                 "again in a minute.")
        elif dm != channel_id:
            await _note(respond, "I have sent you the first question in a direct message "
                                 "(Apps > idgov).")
    elif verb == "assess":
        if refs.is_dm(channel_id):
            await start_in_dm(client, deps, team_id, user_id, None)
        else:
            await _assess_here(client, deps, respond, team_id, user_id, channel_id)
    elif verb == "ask" and rest:
        reply = await qa.answer(deps.engine, team_id, user_id, rest)
        assert reply is not None
        await _respond(respond, reply)
    elif verb == "tasks":
        open_tasks = await tasks.open_tasks(deps.engine, team_id, user_id)
        await _respond(respond, TaskListReply(tasks=open_tasks))
    elif verb == "autoanswer":
        await _autoanswer(client, deps, respond, team_id, user_id, channel_id, rest.lower())
    else:
        await _respond(respond, help_reply())


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command("/idgov")
    async def on_idgov(ack: Any, command: dict[str, Any], client: AsyncWebClient,
                       respond: AsyncRespond) -> None:
        await ack()
        await guarded(handle_command(client, deps, respond, command), "command",
                      command.get("team_id"))
