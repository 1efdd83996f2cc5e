"""One Slack request as the router's `Surface`, and delivery of its replies by audience.

`SlackSurface` holds what this request brought (the Web API client, the response URL, the
trigger id for a modal, where a button was pressed) and does two jobs: answer the router's
questions about Slack (`dialogs.surface.Surface`), and deliver the router's `Out` items as
their audience says: ``HERE`` posts in the channel or thread, ``ACTOR`` is ephemeral (the
command's or press's response URL, else ``chat.postEphemeral``), ``DM`` goes to the user's
direct message with the bot, ``CHANNEL`` to the channel named. A question is posted and
its address recorded (`dialogs.question_messages`); when that step is answered, the same
message is updated to show the answer without buttons. A task's outcome replaces its
buttons in the message it was pressed on (`bot.slack.task_messages`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import observe_replies
from bot.slack import files, reason_form, task_messages
from bot.slack.delivery import call, open_dm, render
from bot.slack.deps import SlackDeps
from bot.slack.report_file import upload_report
from bot.slack.task_messages import Origin
from bot.slack.translate import place as slack_place
from dialogs.handlers import THREAD_INTRO
from dialogs.keys import ConversationKey
from dialogs.outbox import Audience, Out
from dialogs.replies import (
    AnsweredReply,
    QuestionReply,
    Reply,
    ReportReply,
    TaskChangedReply,
    TaskSummary,
)
from dialogs.surface import FileDelivery
from dialogs.turn import Actor, Command, Place, Pressed, SharedFile, Turn

log = logging.getLogger(__name__)


def channel_id_of(ref: str | None, team_id: str) -> str | None:
    """Channel id of a ``slack:TEAM:#C`` ref, only if it belongs to `team_id`."""
    prefix = f"slack:{team_id}:#"
    if ref and ref.startswith(prefix):
        return ref.removeprefix(prefix)
    return None


class SlackSurface:
    name = "slack"

    def __init__(self, client: AsyncWebClient, deps: SlackDeps, turn: Turn, *,
                 response_url: str | None = None, trigger_id: str | None = None,
                 origin: Origin | None = None) -> None:
        self.client, self.deps, self.turn = client, deps, turn
        self.response_url, self.trigger_id, self.origin = response_url, trigger_id, origin
        self._dm: str | None = turn.place.channel if turn.place.is_dm else None

    # --- the router's questions ----------------------------------------------------------
    async def assessment_place(self, turn: Turn) -> Place | None:
        """A Slack assessment runs in the starter's DM (from a channel, the DM is opened);
        asked in a thread of that DM (the assistant view's thread), it runs in that thread."""
        if turn.place.is_dm and turn.place.thread:
            return turn.place
        dm = await self._dm_channel()
        return slack_place(turn.actor.workspace_id, dm) if dm else None

    async def open_thread(self, place: Place, starter: Actor) -> Place | None:
        text = THREAD_INTRO.format(who=f"<@{starter.user_id}>")
        posted = await call(self.client, "chat.postMessage", channel=place.channel, text=text)
        if not posted:
            return None
        return slack_place(place.workspace_id, place.channel, str(posted["ts"]), shared=True)

    async def can_manage_channel(self, place: Place, actor: Actor) -> bool:
        """The channel's creator, or a workspace admin/owner."""
        info = await call(self.client, "conversations.info", channel=place.channel)
        if info and info.get("channel", {}).get("creator") == actor.user_id:
            return True
        return await self.is_workspace_admin(actor)

    async def is_workspace_admin(self, actor: Actor) -> bool:
        """Slack's own word (``users.info``): workspace admins, owners, the primary owner."""
        user = await call(self.client, "users.info", user=actor.user_id)
        u = (user or {}).get("user", {})
        return bool(u.get("is_admin") or u.get("is_owner") or u.get("is_primary_owner"))

    async def ask_reason(self, turn: Turn, task: TaskSummary) -> bool:
        if self.origin is None or task.id is None:
            return False
        await reason_form.open_reason(self.client, self.trigger_id or "", self.origin,
                                 turn.actor.user_id, task)
        return True

    async def post(self, out: Out) -> bool:
        team = self.turn.actor.workspace_id
        channel = channel_id_of(out.to, team) if out.audience is Audience.CHANNEL else None
        if channel is None:
            return False
        body = render(out.reply)
        if out.shared_by:
            body["text"] = f"Shared by <@{out.shared_by.rsplit(':', 1)[-1]}>: {body['text']}"
        return await call(self.client, "chat.postMessage", channel=channel, **body) is not None

    async def fetch_file(self, file: SharedFile, limit: int,
                         suffixes: tuple[str, ...] = ()) -> tuple[str, bytes]:
        return await files.fetch(self.client, file, limit, suffixes)

    async def send_file(self, actor: Actor, name: str, data: bytes,
                        comment: str) -> FileDelivery:
        """Uploaded to the actor's DM with the bot (only the actor of this turn)."""
        if actor != self.turn.actor:
            return FileDelivery.UNAVAILABLE
        dm = await self._dm_channel()
        sent = bool(dm) and await files.upload_to_dm(self.client, dm or "", name, data, comment)
        return FileDelivery.SENT if sent else FileDelivery.UNAVAILABLE

    async def _dm_channel(self) -> str | None:
        if self._dm is None:
            self._dm = await open_dm(self.client, self.turn.actor.user_id)
        return self._dm

    # --- delivery ------------------------------------------------------------------------
    async def deliver(self, outs: list[Out]) -> None:
        """Deliver in order. The database is touched at most twice per call (issue 7): one
        read for every answered step's message, one upsert for every question posted."""
        observe_replies("slack", [o.reply for o in outs])
        store = self.deps.questions
        answered: dict[ConversationKey, list[int]] = defaultdict(list)
        for out in outs:
            if isinstance(out.reply, AnsweredReply) and out.key is not None:
                answered[out.key].append(out.reply.step)
        found: dict[ConversationKey, dict[int, str]] = {}
        for key, steps in answered.items():
            found[key] = await asyncio.to_thread(store.find, key, steps)
        for out in outs:
            reply = out.reply
            if isinstance(reply, AnsweredReply) and out.key is not None:
                await self._update_answered(out.key, reply, found.get(out.key, {}))
                continue
            if isinstance(reply, TaskChangedReply) and out.replaces and self.origin:
                await task_messages.show(self.client, self.deps, self.origin, self.turn.actor,
                                         reply)
                continue
            where = await self._send(out)
            if where and isinstance(reply, QuestionReply) and out.key is not None:
                # recorded at once: a quick press on it must find it (one upsert per turn)
                await asyncio.to_thread(store.remember, out.key,
                                        [(reply.step, reply.question_id, where)])

    async def _update_answered(self, key: ConversationKey, reply: AnsweredReply,
                               found: dict[int, str]) -> None:
        where = found.get(reply.step) or self._pressed_message()
        if where is None:
            log.warning("no question message recorded for %s step %s", key, reply.step)
            return
        channel, _, ts = where.partition(" ")
        await call(self.client, "chat.update", channel=channel, ts=ts, **render(reply))

    def _pressed_message(self) -> str | None:
        """The message a button was pressed on, as ``"<channel> <ts>"``: the question it
        answers when the record of it is missing (a press racing the record)."""
        what = self.turn.what
        if isinstance(what, Pressed) and what.message and self.turn.place.channel:
            return f"{self.turn.place.channel} {what.message}"
        return None

    async def _send(self, out: Out) -> str | None:
        """Post one reply by its audience; the posted message's ``"<channel> <ts>"``."""
        if out.audience is Audience.ACTOR:
            await self.private(out.reply)
            return None
        if out.audience is Audience.CHANNEL:
            await self.post(out)
            return None
        place = self.turn.place
        if out.audience is Audience.DM:
            channel, thread = await self._dm_channel(), None
        else:
            channel = place.channel or self.turn.actor.user_id
            thread = out.thread or place.thread
        if not channel:
            return None
        body = render(out.reply)
        if thread:
            body["thread_ts"] = thread
        sent = await call(self.client, "chat.postMessage", channel=channel, **body)
        if not sent:
            return None
        posted = str(sent.get("channel") or channel)
        if isinstance(out.reply, ReportReply):  # the HTML file beside the report message
            await upload_report(self.client, posted, thread or str(sent["ts"]), out.reply)
        return f"{posted} {sent['ts']}"

    async def private(self, reply: Reply) -> None:
        """Only the actor sees it: the response URL of a command or of a press on a message
        only they see, else an ephemeral message beside where they acted."""
        what, place = self.turn.what, self.turn.place
        via_url = isinstance(what, Command) or (
            isinstance(what, Pressed) and (what.private_message or not place.channel))
        body = render(reply)
        if via_url and self.response_url:
            await task_messages.via_response_url(self.response_url, response_type="ephemeral",
                                                 replace_original=False, **body)
        elif place.channel:
            await call(self.client, "chat.postEphemeral", channel=place.channel,
                       user=self.turn.actor.user_id, thread_ts=place.thread, **body)
        else:
            await call(self.client, "chat.postMessage", channel=self.turn.actor.user_id, **body)

