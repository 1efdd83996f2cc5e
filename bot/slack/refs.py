"""Slack ids -> idgov's platform-neutral references, built in one place.

Every row a workspace owns is stored under ``slack:<team_id>``, so building refs here (and
nowhere else) is what keeps one workspace's data out of another's.
"""

from __future__ import annotations

from dialogs import keys
from dialogs.keys import SHARED_USER, ConversationKey

PLATFORM = "slack"
NO_THREAD = "-"


def workspace(team_id: str) -> str:
    return keys.workspace_ref(PLATFORM, team_id)


def user_ref(team_id: str, user_id: str) -> str:
    return keys.user_ref(PLATFORM, team_id, user_id)


def channel_ref(team_id: str, channel_id: str) -> str:
    return keys.channel_ref(PLATFORM, team_id, channel_id)


def parse_channel_ref(ref: str | None, team_id: str) -> str | None:
    """Channel id of a ``slack:TEAM:#C`` ref, only if it belongs to `team_id`."""
    prefix = f"slack:{team_id}:#"
    if ref and ref.startswith(prefix):
        return ref.removeprefix(prefix)
    return None


def parse_user_ref(ref: str | None, team_id: str) -> str | None:
    prefix = f"slack:{team_id}:"
    if ref and ref.startswith(prefix) and "#" not in ref:
        return ref.removeprefix(prefix)
    return None


def is_dm(channel_id: str) -> bool:
    return channel_id.startswith("D")


def dm_key(team_id: str, dm_channel: str, user_id: str) -> ConversationKey:
    """A one-to-one assessment in the user's DM with the bot."""
    return ConversationKey(PLATFORM, team_id, dm_channel, NO_THREAD, user_id)


def thread_key(team_id: str, channel_id: str, thread_ts: str) -> ConversationKey:
    """A team assessment in a channel thread: anyone in the thread may answer."""
    return ConversationKey(PLATFORM, team_id, channel_id, thread_ts, SHARED_USER)


def key_for_message(team_id: str, channel_id: str, thread_ts: str | None,
                    user_id: str) -> ConversationKey | None:
    """The assessment key a message or button press in this place belongs to."""
    if is_dm(channel_id):
        return dm_key(team_id, channel_id, user_id)
    if thread_ts:
        return thread_key(team_id, channel_id, thread_ts)
    return None
