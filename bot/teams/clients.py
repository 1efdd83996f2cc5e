"""Reuse Bot Framework connector and token clients across turns.

Out of the box, CloudAdapter builds a new `ConnectorClient` (msrest configuration, retry
policy, pipeline and a fresh `requests` session, so a new TCP connection) and a new
`TokenApiClient` for every inbound activity and every proactive send: about a quarter of
the server's time under load in the issue 7 profiles. The clients hold no per-turn state
(the turn's identity and conversation travel in each call's arguments), msrest keeps one
`requests` session per worker thread, and credentials cache their own tokens, so one client
per (app id, service URL, audience) is safe to share between concurrent turns.

Only client construction is cached: each inbound request is still authenticated, with the
signing keys fetched asynchronously (`bot.teams.openid`). Any failure to validate a token
(alg none, an unknown key id, HS256 signed with the app password, a bad issuer...) is a
`PermissionError`, so the caller answers 401; only `MetadataUnavailable` means "could not
check right now". The cache is bounded (service URLs come from authenticated activities,
but a long-running process should not grow without limit).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import jwt
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.teams import openid

#: Distinct (app id, service URL, audience) connector clients kept; Teams uses a handful of
#: regional service URLs, so this is generous.
MAX_CLIENTS = 64


class _LruCache:
    """A small least-recently-used map (turns run on one event loop: no lock needed)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, ...], Any] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> Any:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: tuple[str, ...], value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class CachingConnectorFactory(ConnectorFactory):
    """Wraps the SDK's per-turn factory; the clients come from the authentication's cache."""

    def __init__(self, inner: ConnectorFactory, app_id: str, cache: _LruCache) -> None:
        self._inner = inner
        self._app_id = app_id
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience or "")
        client = self._cache.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            self._cache.put(key, client)
        return client


def _app_id(claims_identity: ClaimsIdentity) -> str:
    """The SDK's own rule (audience claim, else app id claim), as its factories use it."""
    value = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if value is None:
        value = claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return str(value or "")


class CachingBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication):
    """`ConfigurationBotFrameworkAuthentication` whose connector and user-token clients are
    built once per app id (and service URL) instead of once per turn."""

    def __init__(self, configuration: Any, *, max_clients: int = MAX_CLIENTS) -> None:
        super().__init__(configuration)
        openid.install()
        self.connectors = _LruCache(max_clients)
        self._token_clients = _LruCache(max_clients)

    async def authenticate_request(self, activity: Any,
                                   auth_header: str) -> AuthenticateRequestResult:
        try:
            result: AuthenticateRequestResult = await super().authenticate_request(
                activity, auth_header)
        except (PermissionError, openid.MetadataUnavailable):
            raise
        except (jwt.PyJWTError, Exception) as exc:  # the SDK raises bare Exception too
            raise PermissionError(f"token refused: {type(exc).__name__}") from exc
        if result.connector_factory is not None:
            result.connector_factory = CachingConnectorFactory(
                result.connector_factory, _app_id(result.claims_identity), self.connectors)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return CachingConnectorFactory(super().create_connector_factory(claims_identity),
                                       _app_id(claims_identity), self.connectors)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity
                                       ) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        client: UserTokenClient | None = self._token_clients.get((app_id,))
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            self._token_clients.put((app_id,), client)
        return client
