"""Fetch a file a person sent in chat: size-capped, never off the host it was offered from.

Slack serves uploads at ``url_private_download`` (the bot token as a bearer header), Teams
at a pre-authorised SharePoint ``downloadUrl``. Both surfaces call `bounded_get` with the
hosts they trust. Redirects are followed by hand, only to the same scheme, host and port
(so a bearer token never travels elsewhere); the body is read in chunks and refused past the
limit. Errors are `DownloadError` with a fixed one-line message: never the URL (a Teams URL
is itself a credential) nor the token.
"""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
from yarl import URL

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class DownloadError(Exception):
    """One line, safe to show."""


def _origin(url: URL) -> tuple[str, str | None, int | None]:
    return url.scheme, url.host, url.port


async def bounded_get(url: str, *, limit: int, allowed: Callable[[URL], bool],
                      headers: dict[str, str] | None = None, timeout: float = 60.0) -> bytes:
    """The body at `url` (at most `limit` bytes) if `allowed(url)`; else `DownloadError`."""
    current = URL(url)
    if not current.is_absolute() or not allowed(current):
        raise DownloadError("the file is not on a host I download from")
    first = _origin(current)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as session:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                async with session.get(current, headers=headers, allow_redirects=False) as resp:
                    if resp.status in REDIRECTS:
                        location = resp.headers.get("Location")
                        target = current.join(URL(location)) if location else None
                        if target is None or _origin(target) != first:
                            raise DownloadError("the download redirected off its host; "
                                                "refused")
                        current = target
                        continue
                    if resp.status != 200:
                        raise DownloadError(f"the download failed (HTTP {resp.status})")
                    if resp.content_length is not None and resp.content_length > limit:
                        raise DownloadError(_too_big(limit))
                    body = bytearray()
                    async for chunk in resp.content.iter_chunked(CHUNK):
                        body.extend(chunk)
                        if len(body) > limit:
                            raise DownloadError(_too_big(limit))
                    return bytes(body)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise DownloadError(f"the download failed ({type(exc).__name__})") from None
    raise DownloadError("the download redirected too many times; refused")


def _too_big(limit: int) -> str:
    return f"the file is larger than the {limit // (1024 * 1024)} MB limit"
