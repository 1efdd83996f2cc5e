"""Replies that carry their delivery: who should see each one and whether it replaces the
message acted on.

The router returns `Out` items; the adapters obey them instead of guessing from a reply's
text or shape. Audiences:

- ``HERE``: the place of the turn (the DM, the thread, the channel).
- ``ACTOR``: only the person who acted, next to where they acted (Slack ephemeral; in a
  Teams personal chat or the terminal that is simply the chat).
- ``CHANNEL``: another channel, named by a channel ref in `Out.to` (Share to channel).
- ``DM``: a direct message to the user named by `Out.to` (an assessment started from a
  channel goes to the starter's DM).

`replaces` asks the adapter to put the reply in place of the message the button was
pressed on (a task's outcome instead of its buttons). `key` names the conversation a
question or answered-question reply belongs to, so the adapter can remember, and later
update, the message that holds the pending question (`dialogs.question_messages`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from dialogs.keys import ConversationKey
from dialogs.replies import Reply


class Audience(StrEnum):
    HERE = "here"
    ACTOR = "actor"
    CHANNEL = "channel"
    DM = "dm"


@dataclass(frozen=True)
class Out:
    reply: Reply
    audience: Audience = Audience.HERE
    to: str | None = None  # a channel ref (CHANNEL) or user ref (DM)
    replaces: bool = False
    key: ConversationKey | None = None
    #: post into this thread instead of the turn's (a team assessment's new thread)
    thread: str | None = None
    #: extra words in front of the notification text ("Shared by <actor>")
    shared_by: str | None = field(default=None)


def here(*replies: Reply, key: ConversationKey | None = None) -> list[Out]:
    return [Out(r, Audience.HERE, key=key) for r in replies]


def private(*replies: Reply) -> list[Out]:
    return [Out(r, Audience.ACTOR) for r in replies]
