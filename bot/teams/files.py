"""Files a person sent to the bot in Teams: fetched from their pre-authorised download URL.

With ``supportsFiles`` in the manifest, a file sent in personal chat arrives as an attachment
``application/vnd.microsoft.teams.file.download.info`` whose ``content.downloadUrl`` is a
short-lived, pre-authorised link to the file in the sender's OneDrive (SharePoint). No token
is sent with it. Only SharePoint hosts over HTTPS, or the host of the activity's service URL
(the connector; a local stand-in in tests), are trusted; see `bot.downloads`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from yarl import URL

from bot.downloads import DownloadError, bounded_get
from dialogs.surface import FileUnavailable
from dialogs.turn import SharedFile

log = logging.getLogger(__name__)

SHAREPOINT_SUFFIXES = (".sharepoint.com", ".sharepoint.us", ".sharepoint.de",
                       ".sharepoint.cn", ".sharepoint-mil.us")


def teams_file_host(service_url: str | None) -> Callable[[URL], bool]:
    service = URL(service_url) if service_url else None

    def allowed(url: URL) -> bool:
        if url.scheme == "https" and url.host and url.host.endswith(SHAREPOINT_SUFFIXES):
            return True
        return service is not None and (url.scheme, url.host, url.port) == (
            service.scheme, service.host, service.port)

    return allowed


async def fetch(file: SharedFile, limit: int, *, service_url: str | None) -> bytes:
    try:
        return await bounded_get(file.handle, limit=limit, allowed=teams_file_host(service_url))
    except DownloadError as exc:
        log.warning("teams file not fetched: %s", exc)  # never the URL: it is a credential
        raise FileUnavailable(f"{exc}.") from None
