"""The delivery interface the nudge scheduler uses; each platform plugs in one implementation.

Owner references pick the sender: ``slack:TEAM:USER`` -> the Slack sender, ``teams:TENANT:USER``
-> the Teams sender (proactive message from the stored conversation reference). A sender
never raises for delivery problems: it returns a `DeliveryResult` that says whether to
retry later (429/5xx, with the server's Retry-After when given) or give up (user
deactivated, channel gone), so the scheduler can record it and escalate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from dialogs.replies import DigestReply, NudgeReply, TextReply

#: What the scheduler sends: a nudge, an escalation or note, the weekly digest.
Sendable = NudgeReply | TextReply | DigestReply


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    ok: bool
    retry_after: float | None = None  # seconds; set for transient failures (429, 5xx)
    permanent: bool = False  # True: never retry (user_not_found, channel_not_found, ...)
    error: str | None = None
    message_ref: str | None = None  # platform message id (Slack channel:ts, Teams activity id)

    @property
    def transient(self) -> bool:
        return not self.ok and not self.permanent


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where a message goes: a user ref (DM) or a channel ref (escalation, digest)."""

    ref: str  # slack:TEAM:USER | slack:TEAM:#CHANNEL | teams:TENANT:USER | teams:TENANT:#CONV
    is_channel: bool = False


class Sender(Protocol):
    platform: str  # "slack" | "teams"

    async def send(self, recipient: Recipient, reply: Sendable) -> DeliveryResult:
        """Deliver one message; never raise for delivery failures."""
        ...

    async def user_timezone(self, user_ref: str) -> str | None:
        """IANA time zone of a user (Slack users.info tz; Teams from stored activity)."""
        ...

    async def resolve_email(self, email: str, workspace: str) -> str | None:
        """Map ``email:ADDRESS`` to a chat user ref in this workspace, or None."""
        ...
