"""Files in Slack: fetch one a person sent to the bot, upload one to a person's DM.

Fetching asks ``files.info`` for the file (a ``file_share`` event may carry only the id,
``file_access: check_file_info``), checks its size, and downloads ``url_private_download``
with the bot token as a bearer header, only from Slack's file hosts (``*.slack.com`` over
HTTPS) or the host of the configured Web API (a local stand-in in tests); see
`bot.downloads`. Uploading uses ``files_upload_v2`` (files.getUploadURLExternal, the upload
URL, files.completeUploadExternal) into the person's DM.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from yarl import URL

from bot.downloads import DownloadError, bounded_get
from bot.slack.delivery import call
from dialogs.surface import FileUnavailable
from dialogs.turn import SharedFile

log = logging.getLogger(__name__)


def slack_file_host(api_base: str) -> Callable[[URL], bool]:
    api = URL(api_base)

    def allowed(url: URL) -> bool:
        if url.scheme == "https" and url.host and (url.host == "slack.com"
                                                   or url.host.endswith(".slack.com")):
            return True
        return (url.scheme, url.host, url.port) == (api.scheme, api.host, api.port)

    return allowed


def wrong_type(name: str, suffixes: tuple[str, ...]) -> FileUnavailable | None:
    if suffixes and not name.lower().endswith(suffixes):
        return FileUnavailable(f"only {' or '.join(s.lstrip('.').upper() for s in suffixes)} "
                               "files are taken here; nothing was downloaded.")
    return None


async def fetch(client: AsyncWebClient, file: SharedFile, limit: int,
                suffixes: tuple[str, ...] = ()) -> tuple[str, bytes]:
    info = await call(client, "files.info", file=file.handle)
    meta = (info or {}).get("file") if info else None
    if not isinstance(meta, dict):
        raise FileUnavailable("I could not read that file from Slack; send it again, or ask "
                              "the workspace admin to reinstall idgov (it needs files:read).")
    name = meta.get("name") if isinstance(meta.get("name"), str) else file.name
    refused = wrong_type(str(name or ""), suffixes)
    if refused:
        raise refused
    size = meta.get("size")
    if isinstance(size, int) and size > limit:
        raise FileUnavailable(f"the file is {size // 2**20} MB; the limit is "
                              f"{limit // 2**20} MB.")
    url = meta.get("url_private_download") or meta.get("url_private")
    if not isinstance(url, str) or meta.get("is_external"):
        raise FileUnavailable("that file is not stored in Slack (an external link); send the "
                              "file itself.")
    token = client.token or ""
    try:
        data = await bounded_get(url, limit=limit, allowed=slack_file_host(client.base_url),
                                 headers={"Authorization": f"Bearer {token}"})
    except DownloadError as exc:
        log.warning("slack file %s not fetched: %s", file.handle, exc)
        raise FileUnavailable(f"{exc}.") from None
    return str(name or ""), data


async def upload_to_dm(client: AsyncWebClient, channel: str, name: str, data: bytes,
                       comment: str) -> bool:
    try:
        await client.files_upload_v2(channel=channel, filename=name, title=name, content=data,
                                     initial_comment=comment)
    except (SlackApiError, SlackRequestError) as exc:
        log.error("slack file upload failed: %s", type(exc).__name__)
        return False
    except Exception as exc:  # network errors after the retries
        log.error("slack file upload failed: %s", type(exc).__name__)
        return False
    return True
