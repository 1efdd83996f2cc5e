"""What the router may ask of the surface a turn came from, in neutral terms.

Each adapter implements this for one request (it holds that request's client, trigger id
and response URL). Only what truly differs between platforms is here: where a new
assessment runs (Slack moves it to the starter's DM; Teams keeps it in the chat), opening a
team thread, who manages a channel, a form that asks for a reason, and posting somewhere
other than the turn's place (Share to channel).
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from dialogs.outbox import Out
from dialogs.replies import TaskSummary
from dialogs.turn import Actor, Place, SharedFile, Turn


class FileUnavailable(Exception):
    """A shared file could not be fetched; the message is one line, safe to show the user
    (never a URL or a token)."""


class FileDelivery(Enum):
    """What became of a file sent privately to a person (`Surface.send_file`)."""

    SENT = "sent"  # it is in their direct message with the bot (Slack)
    OFFERED = "offered"  # they must accept it first (Teams: a file consent card, here)
    UNAVAILABLE = "unavailable"  # this surface or place cannot send it (the terminal)


class Surface(Protocol):
    #: slack | teams | cli: also the ``source`` recorded in task history
    name: str

    async def assessment_place(self, turn: Turn) -> Place | None:
        """Where an assessment started by this turn runs; None when it cannot be opened."""
        ...

    async def open_thread(self, place: Place, starter: Actor) -> Place | None:
        """Post the team assessment's opening (`dialogs.handlers.THREAD_INTRO`, naming
        `starter` as this surface mentions people) in `place` and return the thread under
        it, or None when this surface has no such threads or the post failed."""
        ...

    async def can_manage_channel(self, place: Place, actor: Actor) -> bool:
        """The channel's creator or a workspace admin."""
        ...

    async def is_workspace_admin(self, actor: Actor) -> bool:
        """The platform says this person administers the workspace (Slack admins and
        owners); False where it cannot say (Teams: `IDGOV_ADMINS` names them)."""
        ...

    async def ask_reason(self, turn: Turn, task: TaskSummary) -> bool:
        """Open a form asking why `task` does not apply; False when this surface asks for
        the reason on the card itself (so the press already carries it)."""
        ...

    async def post(self, out: Out) -> bool:
        """Deliver one reply now, elsewhere than the turn's place; True when delivered."""
        ...

    async def fetch_file(self, file: SharedFile, limit: int,
                         suffixes: tuple[str, ...] = ()) -> tuple[str, bytes]:
        """The file's name and bytes, at most `limit` bytes, when its name ends with one of
        `suffixes` (checked before downloading when the name is only known from the
        platform's file record); raises `FileUnavailable` (wrong type, too big, not
        reachable, from a host this surface does not download from)."""
        ...

    async def send_file(self, actor: Actor, name: str, data: bytes,
                        comment: str) -> FileDelivery:
        """Deliver a file privately to `actor`: Slack uploads it to their DM; Teams offers it
        with a consent card in their personal chat (the upload follows their accept)."""
        ...
