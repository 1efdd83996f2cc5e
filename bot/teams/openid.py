"""Bot Framework signing keys fetched asynchronously, with a timeout, and cached.

botframework-connector's `_OpenIdMetadata` fetches the OpenID configuration and JWKS with
a synchronous ``requests.get`` and no timeout, inside the event loop: one slow metadata
host stalled every request (``/healthz`` included) for 20 s. It also raises IndexError for
an unknown key id, which surfaced as a 503 and an ERROR log for a plain forgery.

`install` replaces the SDK's per-URL metadata object with `AsyncOpenIdMetadata`: aiohttp
with a total timeout, one fetch in flight per URL (concurrent requests share it), keys
cached for a day, a refresh for an unknown key id at most every `UNKNOWN_KID_REFRESH`, and
a failed fetch remembered for `FAILURE_BACKOFF` so a flood of forged tokens cannot make us
hammer the host. An unknown key id is `PermissionError` (401); an unreachable host is
`MetadataUnavailable` (503, only for the request that needed it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 5.0
KEYS_TTL = 24 * 3600.0
UNKNOWN_KID_REFRESH = 3600.0
FAILURE_BACKOFF = 30.0
MAX_METADATA_BYTES = 1 << 20


class MetadataUnavailable(Exception):
    """The signing keys could not be fetched (slow, down or malformed metadata host)."""


@dataclass
class SigningKey:
    """What the SDK's `JwtTokenExtractor` reads from a metadata lookup."""

    public_key: Any
    endorsements: list[str]


class AsyncOpenIdMetadata:
    def __init__(self, url: str, timeout: float | None = None) -> None:
        self.url = url
        self.timeout = FETCH_TIMEOUT if timeout is None else timeout
        self.keys: list[dict[str, Any]] = []
        self.fetched_at = float("-inf")
        self.failed_at = float("-inf")
        self._inflight: asyncio.Future[None] | None = None

    async def get(self, key_id: str | None) -> SigningKey:
        """The key `key_id`; PermissionError when there is none, MetadataUnavailable when
        the keys cannot be fetched."""
        now = time.monotonic()
        if now - self.fetched_at > KEYS_TTL:
            await self._refresh()
        key = self._find(key_id)
        if key is None and time.monotonic() - self.fetched_at > UNKNOWN_KID_REFRESH:
            await self._refresh()
            key = self._find(key_id)
        if key is None:
            raise PermissionError("token signed with an unknown key")
        return key

    def _find(self, key_id: str | None) -> SigningKey | None:
        if not key_id:
            return None
        for jwk in self.keys:
            if isinstance(jwk, dict) and jwk.get("kid") == key_id:
                try:
                    public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
                except Exception:
                    return None
                endorsements = jwk.get("endorsements", [])
                return SigningKey(public_key, endorsements if isinstance(endorsements, list)
                                  else [])
        return None

    async def _refresh(self) -> None:
        if time.monotonic() - self.failed_at < FAILURE_BACKOFF:
            raise MetadataUnavailable(f"signing keys from {self.url} failed recently")
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._fetch())
            self._inflight.add_done_callback(self._clear)
        await asyncio.shield(self._inflight)

    def _clear(self, _future: asyncio.Future[None]) -> None:
        self._inflight = None

    async def _fetch(self) -> None:
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                config = await _json(session, self.url)
                jwks = await _json(session, str(config["jwks_uri"]))
            keys = jwks["keys"]
            if not isinstance(keys, list):
                raise TypeError("keys is not a list")
        except Exception as exc:
            self.failed_at = time.monotonic()
            log.warning("teams: signing keys from %s unavailable: %s", self.url,
                        type(exc).__name__)
            raise MetadataUnavailable(f"signing keys from {self.url} unavailable") from exc
        self.keys, self.fetched_at = keys, time.monotonic()


async def _json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        response.raise_for_status()
        raw = await response.content.read(MAX_METADATA_BYTES + 1)
        if len(raw) > MAX_METADATA_BYTES:
            raise ValueError("metadata document too large")
        return json.loads(raw)


_cache: dict[str, AsyncOpenIdMetadata] = {}


def metadata_for(url: str) -> AsyncOpenIdMetadata:
    metadata = _cache.get(url)
    if metadata is None:
        metadata = _cache[url] = AsyncOpenIdMetadata(url)
    return metadata


def install() -> None:
    """Make every `JwtTokenExtractor` (channel, emulator, skill, government) use ours."""
    JwtTokenExtractor.get_open_id_metadata = staticmethod(metadata_for)


def forget() -> None:
    """Drop cached keys (tests pointing the SDK at a different metadata host)."""
    _cache.clear()
