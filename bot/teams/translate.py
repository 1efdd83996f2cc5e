"""Teams activities -> neutral `Turn`s. The only place activity fields are read for routing.

Personal chat is a DM; a channel or group chat is a place where people must @mention the
bot (Teams only delivers mentioned messages there), with the mention text stripped. Card
presses arrive as messages whose ``value`` is the ``Action.Submit`` data, decoded by
`dialogs.actions.from_teams`; inputs on the card (the new owner's email, the Not-applicable
reason) travel beside it and become `Pressed.fields`.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.cards.render import reassign_input_id
from bot.teams.identity import PLATFORM, THREAD_MARK, Identity
from dialogs.actions import from_teams
from dialogs.handlers import NEW_OWNER_FIELD, REASON_FIELD
from dialogs.turn import Actor, Place, Pressed, Said, SharedFile, Turn

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
MAX_FILES = 10


def actor(ident: Identity) -> Actor:
    return Actor(platform=PLATFORM, workspace_id=ident.tenant, user_id=ident.user_id,
                 display_name=ident.display_name)


def place(ident: Identity) -> Place:
    parent = ident.conversation_id.split(THREAD_MARK, 1)[0]
    return Place(platform=PLATFORM, workspace_id=ident.tenant, channel=ident.conversation_id,
                 is_dm=ident.personal,
                 parent_channel=parent if parent != ident.conversation_id else None)


def press_turn(ident: Identity, activity: Activity, value: dict[str, Any]) -> Turn:
    """A card submit; raises ValueError when the data is not idgov's."""
    action = from_teams(value)
    fields: dict[str, str] = {}
    reason = value.get("reason")
    if isinstance(reason, str):
        fields[REASON_FIELD] = reason
    if action.task_id is not None:
        owner = value.get(reassign_input_id(action.task_id))
        if isinstance(owner, str):
            fields[NEW_OWNER_FIELD] = owner
    return Turn(actor=actor(ident), place=place(ident),
                what=Pressed(action=action, message=activity.reply_to_id, fields=fields))


def text_turn(context: TurnContext, ident: Identity) -> Turn | None:
    """The user's words; None for a channel message that does not mention the bot."""
    activity = context.activity
    if not ident.personal:
        bot_id = activity.recipient.id if activity.recipient else None
        mentioned = any(
            (m.additional_properties.get("mentioned") or {}).get("id") == bot_id
            for m in TurnContext.get_mentions(activity)
        )
        if not mentioned:
            return None
        TurnContext.remove_recipient_mention(activity)
    text = " ".join((activity.text or "").split())
    return Turn(actor=actor(ident), place=place(ident),
                what=Said(text=text, addressed=True, files=files_of(activity)))


def files_of(activity: Activity) -> list[SharedFile]:
    """Files a person sent in chat (the app has ``supportsFiles``): attachments of type
    ``application/vnd.microsoft.teams.file.download.info`` whose content has the
    pre-authorised ``downloadUrl`` the surface fetches."""
    found: list[SharedFile] = []
    for att in (activity.attachments or [])[:MAX_FILES]:
        if att.content_type != FILE_DOWNLOAD_INFO or not isinstance(att.content, dict):
            continue
        url = att.content.get("downloadUrl")
        if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) < 4000:
            found.append(SharedFile(name=str(att.name or "")[:255], handle=url))
    return found
