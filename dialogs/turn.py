"""The neutral inbound turn: everything a person does on any surface, in one typed model.

Slack (`bot/slack/translate.py`), Teams (`bot/teams/translate.py`) and the terminal
(`bot/cli/chat.py`) each turn their payloads into a `Turn`; nothing past the adapter reads a
platform payload. A turn says who acted (`Actor`), where (`Place`) and what they did: typed
text (`Said`), a command with its arguments (`Command`), a button press or card submit
(`Pressed`), or a form submission (`Submitted`). `dialogs.router` maps it to a handler.
See docs/architecture.md ("The turn and the router").
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dialogs import keys
from dialogs.actions import Action
from dialogs.keys import SHARED_USER, ConversationKey

NO_THREAD = "-"


class Actor(BaseModel):
    """Who acted: a platform-neutral user, plus what the platform told us about them."""

    model_config = ConfigDict(frozen=True)

    platform: str  # slack | teams | cli
    workspace_id: str  # Slack team id, Teams tenant id, "local"
    user_id: str  # Slack user id, AAD object id, terminal user name
    display_name: str | None = None
    time_zone: str | None = None
    is_admin: bool | None = None  # None: the platform did not say

    @property
    def ref(self) -> str:
        """``slack:T1:U1``: the owner/actor reference stored on tasks and history."""
        return keys.user_ref(self.platform, self.workspace_id, self.user_id)

    @property
    def workspace(self) -> str:
        """``slack:T1``: the workspace column every row of this actor's workspace carries."""
        return keys.workspace_ref(self.platform, self.workspace_id)


class Place(BaseModel):
    """Where it happened: a DM, a channel, a thread of a channel."""

    model_config = ConfigDict(frozen=True)

    platform: str
    workspace_id: str
    channel: str = ""  # Slack channel id, Teams conversation id, "terminal"
    thread: str | None = None  # Slack thread ts; None outside a thread
    is_dm: bool = False  # a one-to-one chat with the bot
    #: a team assessment in a thread: anyone in it may answer, so the key has no user
    shared: bool = False
    #: the channel `channel` belongs to, when `channel` names a reply chain of it (a Teams
    #: channel conversation id carries ``;messageid=``); None: `channel` itself
    parent_channel: str | None = None

    @property
    def channel_ref(self) -> str | None:
        """Where team escalations and shared cards go; None in a DM."""
        if self.is_dm or not self.channel:
            return None
        return keys.channel_ref(self.platform, self.workspace_id,
                                self.parent_channel or self.channel)

    def key_for(self, actor: Actor) -> ConversationKey:
        """The conversation key of an assessment held here (the one place it is composed)."""
        user = SHARED_USER if self.shared else actor.user_id
        return ConversationKey(self.platform, self.workspace_id, self.channel or NO_THREAD,
                               self.thread or NO_THREAD, user)


class SharedFile(BaseModel):
    """A file sent with a message, as the platform described it. `handle` means nothing to
    dialogs (a Slack file id, a Teams download URL): only the surface the turn came from
    resolves it (`dialogs.surface.Surface.fetch_file`), so the download stays platform code.
    A Teams download URL is pre-authorised, hence kept out of reprs and logs."""

    model_config = ConfigDict(frozen=True)

    name: str = ""  # "" when the platform did not say (Slack: files.info tells)
    size: int | None = None  # bytes, when the platform said
    handle: str = Field(repr=False, max_length=4000)


class Said(BaseModel):
    """Typed text. `addressed`: said to the bot (a DM or an @mention), not just overheard.
    `files`: files sent with the message (an inventory export sent to the bot's DM)."""

    kind: Literal["said"] = "said"
    text: str
    addressed: bool = True
    files: list[SharedFile] = Field(default_factory=list)


class Command(BaseModel):
    """An explicit command: Slack's ``/idgov assess here``; its name and the rest."""

    kind: Literal["command"] = "command"
    name: str
    args: str = ""


class Pressed(BaseModel):
    """A button press or card submit, decoded to the neutral `Action`."""

    kind: Literal["pressed"] = "pressed"
    action: Action
    #: the message the button was on (Slack ts, Teams activity id), when known
    message: str | None = None
    #: the press came from a message only the actor sees (Slack ephemeral)
    private_message: bool = False
    #: a user picked in a picker on the card (Slack users_select), as a user id
    picked_user: str | None = None
    #: values of inputs on the card (Teams Input.Text beside Action.Submit)
    fields: dict[str, str] = Field(default_factory=dict)


class Submitted(BaseModel):
    """A form submitted (Slack's Not-applicable reason modal)."""

    kind: Literal["submitted"] = "submitted"
    form: str
    task_id: int
    values: dict[str, str] = Field(default_factory=dict)


What = Annotated[Said | Command | Pressed | Submitted, Field(discriminator="kind")]


class Turn(BaseModel):
    actor: Actor
    place: Place
    what: What

    @property
    def key(self) -> ConversationKey:
        return self.place.key_for(self.actor)
