"""Sending a file to a Teams user: a consent card, then an upload to their OneDrive.

A Teams bot cannot attach a file to a message. It sends a *file consent card*
(``application/vnd.microsoft.teams.card.file.consent``) in the personal chat; when the user
chooses Allow, Teams sends the invoke ``fileConsent/invoke`` with ``action: accept`` and an
``uploadInfo`` whose ``uploadUrl`` is a one-time upload session in the user's OneDrive. The
bot PUTs the bytes there and answers with a file info card that opens the file. Decline
sends the same invoke with ``action: decline``.

Who may accept: only the user the offer was made to (`storage.teams_file_offers.claim`
matches the invoke's sender), once, and only while they are still an idgov admin
(`dialogs.policy`: the pack is admin-only when offered and when sent). Where we upload: only
to a SharePoint host over HTTPS or the connector's own host (the local stand-in in tests), as
for downloads (`bot.teams.files`), so a forged invoke cannot make the bot send a file
elsewhere. The upload URL carries its
own authorisation and is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

import aiohttp
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment
from botbuilder.schema.teams import FileConsentCard, FileConsentCardResponse, FileInfoCard
from sqlalchemy.engine import Engine
from yarl import URL

from bot.teams import translate
from bot.teams.files import teams_file_host
from bot.teams.identity import Identity
from dialogs import policy
from storage import teams_file_offers

log = logging.getLogger(__name__)

CONSENT_CARD: Final = "application/vnd.microsoft.teams.card.file.consent"
INFO_CARD: Final = "application/vnd.microsoft.teams.card.file.info"
INVOKE_NAME: Final = "fileConsent/invoke"
UPLOAD_TIMEOUT_S: Final = 120.0

EXPIRED: Final = ("That file offer has expired or was already answered. Ask me for it again "
                  "(for the evidence pack: `evidence iso27001` or `evidence soc2`).")
DECLINED: Final = "All right, I did not save the file. Ask me again whenever you need it."
FAILED: Final = ("I could not save the file to your OneDrive ({reason}). Ask me for it again "
                 "in a moment.")


async def offer(context: TurnContext, engine: Engine, ident: Identity, name: str, data: bytes,
                description: str) -> None:
    """Keep the file for this user and send them the consent card."""
    offer_id = await asyncio.to_thread(
        teams_file_offers.save, engine, workspace=ident.workspace, user_ref=ident.user_ref,
        name=name, data=data)
    card = FileConsentCard(description=description[:1000], size_in_bytes=len(data),
                           accept_context={"offer": offer_id},
                           decline_context={"offer": offer_id})
    await context.send_activity(Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CONSENT_CARD, name=name,
                                content=card.serialize())]))


def _response(value: Any) -> FileConsentCardResponse | None:
    if not isinstance(value, dict):
        return None
    try:
        parsed = FileConsentCardResponse().deserialize(value)
    except Exception:  # the SDK's msrest deserialiser raises its own types
        return None
    return parsed if isinstance(parsed, FileConsentCardResponse) else None


def _offer_id(response: FileConsentCardResponse) -> str | None:
    context = response.context
    if isinstance(context, dict) and isinstance(context.get("offer"), str):
        offer_id: str = context["offer"]
        return offer_id[:64]
    return None


async def handle(context: TurnContext, engine: Engine) -> InvokeResponse:
    """Answer ``fileConsent/invoke``: 400 for a malformed one, else upload (accept) or
    forget (decline) the offer and tell the user; 200 once the invoke has been handled."""
    activity = context.activity
    response = _response(activity.value)
    offer_id = _offer_id(response) if response is not None else None
    if response is None or offer_id is None or response.action not in {"accept", "decline"}:
        return InvokeResponse(status=400, body={"error": "not a file consent response"})
    upload = _upload_target(response, activity.service_url) if response.action == "accept" \
        else None
    if response.action == "accept" and upload is None:  # checked before the offer is claimed
        return InvokeResponse(status=400, body={"error": "the accept carries no usable "
                                                         "OneDrive upload URL"})
    ident = Identity.of(activity)
    if response.action == "accept" and not policy.is_listed_admin(translate.actor(ident)):
        # an admin when offered, no longer one now: the pack stays unsent (and is dropped)
        policy.refused(translate.actor(ident), "evidence_export")
        await asyncio.to_thread(teams_file_offers.claim, engine, offer_id, ident.user_ref)
        await context.send_activity(policy.ADMINS_ONLY)
        return InvokeResponse(status=200)
    claimed = await asyncio.to_thread(teams_file_offers.claim, engine, offer_id, ident.user_ref)
    if claimed is None:
        await context.send_activity(EXPIRED)
        return InvokeResponse(status=200)
    if response.action == "decline":
        await context.send_activity(DECLINED)
        return InvokeResponse(status=200)
    assert upload is not None
    reason = await _upload(upload, claimed.data)
    if reason is not None:
        log.warning("teams: file upload failed: %s", reason)  # never the URL: it authorises
        await context.send_activity(FAILED.format(reason=reason))
        return InvokeResponse(status=200)
    await context.send_activity(_uploaded(response.upload_info, claimed.name))
    return InvokeResponse(status=200)


def _upload_target(response: FileConsentCardResponse, service_url: str | None) -> URL | None:
    """The accept's upload URL if it parses and is on a host we upload to, else None."""
    url = getattr(response.upload_info, "upload_url", None)
    if not isinstance(url, str):
        return None
    try:
        target = URL(url)
        allowed = target.is_absolute() and teams_file_host(service_url)(target)
        _ = target.port  # an out-of-range port raises here, not in the PUT
    except (ValueError, TypeError):
        return None
    return target if allowed else None


async def _upload(target: URL, data: bytes) -> str | None:
    """PUT the whole file to the upload session; None when it was stored, else why not."""
    headers = {"Content-Length": str(len(data)),
               "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}
    timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT_S)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.put(
                target, data=data, headers=headers, allow_redirects=False) as resp:
            if resp.status not in (200, 201):
                return f"OneDrive answered HTTP {resp.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return f"the upload failed ({type(exc).__name__})"
    return None


def _uploaded(info: Any, name: str) -> Activity:
    """The confirmation with a file info card, which opens the file in Teams."""
    card = FileInfoCard(unique_id=getattr(info, "unique_id", None),
                        file_type=getattr(info, "file_type", None))
    shown = getattr(info, "name", None) or name
    return Activity(
        type=ActivityTypes.message,
        text=f"Saved {shown} to your OneDrive.",
        attachments=[Attachment(content_type=INFO_CARD, name=shown,
                                content_url=getattr(info, "content_url", None),
                                content=card.serialize())])
