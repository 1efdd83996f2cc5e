"""Who and where an activity comes from, in idgov's platform-neutral terms.

Teams names a user by an AAD object id (stable across bots and the one Microsoft Graph
uses) and a per-bot channel account id (``29:...``); we prefer the AAD id. The tenant names
the workspace, so two tenants never share a conversation, a task list or an answer log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity

from dialogs import keys
from dialogs.keys import ConversationKey

PLATFORM = "teams"
PERSONAL = "personal"
THREAD_MARK = ";messageid="


def workspace(tenant_id: str) -> str:
    return keys.workspace_ref(PLATFORM, tenant_id)


def user_ref(tenant_id: str, user_id: str) -> str:
    return keys.user_ref(PLATFORM, tenant_id, user_id)


def channel_ref(tenant_id: str, conversation_id: str) -> str:
    """A channel or group chat; a channel thread maps to its channel (new posts start threads)."""
    return keys.channel_ref(PLATFORM, tenant_id, conversation_id.split(THREAD_MARK, 1)[0])


def tenant_of(activity: Activity) -> str:
    """Tenant id from the conversation or channelData; "local" for tools that send none."""
    conv = activity.conversation
    tenant = getattr(conv, "tenant_id", None) if conv else None
    if not tenant and isinstance(activity.channel_data, dict):
        t = activity.channel_data.get("tenant")
        tenant = t.get("id") if isinstance(t, dict) else None
    return str(tenant or "local")


@dataclass(frozen=True, slots=True)
class Identity:
    tenant: str
    user_id: str  # AAD object id, else the channel account id
    conversation_id: str
    conversation_type: str  # personal | channel | groupChat
    display_name: str | None

    @classmethod
    def of(cls, activity: Activity) -> Identity:
        sender = activity.from_property
        conv = activity.conversation
        user_id = (getattr(sender, "aad_object_id", None) or getattr(sender, "id", None) or "")
        return cls(
            tenant=tenant_of(activity),
            user_id=str(user_id),
            conversation_id=str(conv.id if conv else ""),
            conversation_type=str(getattr(conv, "conversation_type", None) or PERSONAL),
            display_name=getattr(sender, "name", None),
        )

    @property
    def personal(self) -> bool:
        return self.conversation_type == PERSONAL

    @property
    def workspace(self) -> str:
        return workspace(self.tenant)

    @property
    def user_ref(self) -> str:
        return user_ref(self.tenant, self.user_id)

    @property
    def channel_ref(self) -> str | None:
        """Where team escalations go; None in a personal chat."""
        return None if self.personal else channel_ref(self.tenant, self.conversation_id)

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(PLATFORM, self.tenant, self.conversation_id, "-", self.user_id)


def submit_value(activity: Activity) -> dict[str, Any] | None:
    """The ``Action.Submit`` data of a card press, or None for a typed message."""
    value = activity.value
    return value if isinstance(value, dict) and value else None
