"""Slack payloads -> neutral `Turn`s. The only place Slack payload fields are read.

Slash commands become `Command`s; ``block_actions`` become `Pressed` (decoded by
`dialogs.actions.from_slack`); messages and @mentions become `Said`; the Not-applicable
modal's submission becomes `Submitted`. Where matters as much as what: a DM, a team
thread (anyone in it may answer), or a channel message whose answer goes in a thread under it.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.actions import Verb, from_slack
from dialogs.handlers import NA_FORM, REASON_FIELD
from dialogs.turn import Actor, Command, Place, Pressed, Said, SharedFile, Submitted, Turn

PLATFORM = "slack"
MAX_FILES = 10  # files read from one message (Slack allows up to 10 per share)
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def strip_mentions(text: str) -> str:
    return MENTION.sub(" ", text).strip()


def is_dm(channel_id: str) -> bool:
    return channel_id.startswith("D")


def _str(value: Any) -> str:
    return str(value) if isinstance(value, str | int) and value != "" else ""


def actor(team_id: str, user_id: str, name: str | None = None) -> Actor:
    return Actor(platform=PLATFORM, workspace_id=team_id, user_id=user_id,
                 display_name=name or None)


def place(team_id: str, channel: str, thread: str | None = None, *,
          shared: bool | None = None) -> Place:
    """A place in a workspace; a thread outside a DM is shared (a team assessment) unless
    said otherwise (a reply thread under a channel question)."""
    dm = is_dm(channel)
    return Place(platform=PLATFORM, workspace_id=team_id, channel=channel,
                 thread=thread or None, is_dm=dm,
                 shared=(bool(thread) and not dm) if shared is None else shared)


def command_turn(command: dict[str, Any]) -> Turn:
    team, user = _str(command.get("team_id")), _str(command.get("user_id"))
    text = " ".join(str(command.get("text") or "").split())
    name, _, args = text.partition(" ")
    return Turn(actor=actor(team, user, _str(command.get("user_name"))),
                place=place(team, _str(command.get("channel_id"))),
                what=Command(name=name.lower() or "assess", args=args))


def team_of(body: dict[str, Any]) -> str:
    return _str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id"))


def thread_of(body: dict[str, Any]) -> str | None:
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    thread = (message or {}).get("thread_ts") or (body.get("container") or {}).get("thread_ts")
    return str(thread) if thread else None


def element_value(element: dict[str, Any]) -> str | None:
    """A button's ``value``, or the chosen option's of a select (Snooze's durations)."""
    value = element.get("value")
    if value is None:
        chosen = element.get("selected_option")
        value = chosen.get("value") if isinstance(chosen, dict) else None
    return str(value) if isinstance(value, str) else None


def press_turn(body: dict[str, Any], element: dict[str, Any]) -> Turn:
    """A button or picker press; raises ValueError when the element is not idgov's."""
    team = team_of(body)
    user = body.get("user") or {}
    container = body.get("container") or {}
    channel = _str(container.get("channel_id") or (body.get("channel") or {}).get("id"))
    action_id = str(element.get("action_id", ""))
    action = from_slack(action_id, element_value(element))
    suffix = action_id.partition("#")[2]
    if action.verb is Verb.TASK_REASSIGN and action.task_id is None and suffix.isdigit():
        action.task_id = int(suffix)
    picked = element.get("selected_user")
    message_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return Turn(actor=actor(team, _str(user.get("id")), _str(user.get("name"))),
                place=place(team, channel, thread_of(body)),
                what=Pressed(action=action, message=_str(message_ts) or None,
                             private_message=bool(container.get("is_ephemeral")),
                             picked_user=str(picked) if picked else None))


def message_turn(team_id: str, event: dict[str, Any], *, addressed: bool) -> Turn:
    """A message or @mention. Outside a thread the answer goes in a thread under it."""
    channel = _str(event.get("channel"))
    thread = _str(event.get("thread_ts")) or None
    text = str(event.get("text") or "")
    if addressed:
        text = strip_mentions(text)
    where = (place(team_id, channel) if is_dm(channel) or event.get("channel_type") == "im"
             else place(team_id, channel, thread or _str(event.get("ts")) or None,
                        shared=bool(thread)))
    return Turn(actor=actor(team_id, _str(event.get("user"))), place=where,
                what=Said(text=text.strip(), addressed=addressed, files=files_of(event)))


def files_of(event: dict[str, Any]) -> list[SharedFile]:
    """A ``file_share`` message's ``files[]``: id (resolved with files.info), name, size."""
    found: list[SharedFile] = []
    raw = event.get("files")
    for item in raw[:MAX_FILES] if isinstance(raw, list) else []:
        file_id = _str(item.get("id")) if isinstance(item, dict) else ""
        if not file_id or len(file_id) > 100:
            continue
        size = item.get("size")
        found.append(SharedFile(name=_str(item.get("name"))[:255], handle=file_id,
                                size=size if isinstance(size, int) and size >= 0 else None))
    return found


def assistant_turn(team_id: str, event: dict[str, Any]) -> Turn:
    """A user's message in an assistant thread (Slack's AI-app view): said to the bot, and
    its place is that thread of the DM, so whatever it starts runs there."""
    channel = _str(event.get("channel"))
    thread = _str(event.get("thread_ts")) or _str(event.get("ts")) or None
    return Turn(actor=actor(team_id, _str(event.get("user"))),
                place=place(team_id, channel, thread, shared=False),
                what=Said(text=strip_mentions(str(event.get("text") or "")), addressed=True))


def reason_of(view: dict[str, Any], block: str, field: str) -> str:
    values = (view.get("state") or {}).get("values") or {}
    element = (values.get(block) or {}).get(field) or {}
    value = element.get("value") if isinstance(element, dict) else None
    return value.strip() if isinstance(value, str) else ""


def form_turn(body: dict[str, Any], task_id: int, reason: str) -> Turn:
    team = team_of(body)
    user = body.get("user") or {}
    return Turn(actor=actor(team, _str(user.get("id")), _str(user.get("name"))),
                place=place(team, ""),
                what=Submitted(form=NA_FORM, task_id=task_id, values={REASON_FIELD: reason}))
