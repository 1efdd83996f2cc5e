"""The one place a conversation key is built.

A key names platform, workspace (Slack team or Teams tenant), channel, thread and user, so
that two people in the same channel, or the same person in two workspaces, never share a
dialog. A team assessment held in a thread uses the user part ``*`` so anyone in the
thread can answer.
"""

from __future__ import annotations

from dataclasses import dataclass

SHARED_USER = "*"
_EMPTY = "-"


@dataclass(frozen=True, slots=True)
class ConversationKey:
    platform: str
    workspace: str
    channel: str = _EMPTY
    thread: str = _EMPTY
    user: str = _EMPTY

    def __str__(self) -> str:
        parts = (self.platform, self.workspace, self.channel, self.thread, self.user)
        return ":".join(p.replace(":", "%3A") if p else _EMPTY for p in parts)

    @classmethod
    def parse(cls, raw: str) -> ConversationKey:
        parts = raw.split(":")
        if len(parts) != 5:
            raise ValueError(f"conversation key must have 5 parts, got {raw!r}")
        p = [x.replace("%3A", ":") for x in parts]
        return cls(p[0], p[1], p[2], p[3], p[4])

    @property
    def shared(self) -> bool:
        return self.user == SHARED_USER


def terminal_key(user: str = "local") -> ConversationKey:
    """Key for `idgov chat`: one conversation per local user."""
    return ConversationKey("cli", "local", "terminal", _EMPTY, user)


# --- platform-neutral references (owners, workspaces, channels) ------------------------
# Every platform builds its references through these three, so storage filters, owner refs
# (``slack:T1:U1``, ``teams:TENANT:USER``) and escalation channels agree on one spelling.


def workspace_ref(platform: str, workspace_id: str) -> str:
    return f"{platform}:{workspace_id}"


def user_ref(platform: str, workspace_id: str, user_id: str) -> str:
    return f"{platform}:{workspace_id}:{user_id}"


def channel_ref(platform: str, workspace_id: str, channel_id: str) -> str:
    return f"{platform}:{workspace_id}:#{channel_id}"
