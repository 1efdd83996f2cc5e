"""Multi-workspace install: slack_sdk's SQLAlchemy installation and state stores on our
engine, wrapped for Bolt's async app.

slack_sdk's async stores want an async SQLAlchemy engine, which idgov does not ship; the
sync stores run in a worker thread instead (`asyncio.to_thread`), on the same database as
everything else, so every replica sees every installation. Issued OAuth states are signed
with ``SLACK_STATE_SECRET``, so a forged state is refused before touching the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from logging import Logger
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine

from bot.slack.settings import BOT_SCOPES, SlackSettings

log = logging.getLogger(__name__)


class ThreadedInstallationStore(AsyncInstallationStore):
    """Async face of the sync SQLAlchemy installation store."""

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        return await asyncio.to_thread(self.store.find_bot, enterprise_id=enterprise_id,
                                       team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False
                                      ) -> Installation | None:
        return await asyncio.to_thread(self.store.find_installation,
                                       enterprise_id=enterprise_id, team_id=team_id,
                                       user_id=user_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id,
                                team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        await asyncio.to_thread(self.store.delete_installation, enterprise_id=enterprise_id,
                                team_id=team_id, user_id=user_id)


class SignedStateStore(AsyncOAuthStateStore):
    """Database-backed one-time OAuth states, HMAC-signed with the state secret."""

    def __init__(self, store: SQLAlchemyOAuthStateStore, secret: str) -> None:
        self.store = store
        self._key = secret.encode()

    @property
    def logger(self) -> Logger:
        return log

    def _sign(self, state: str) -> str:
        return hmac.new(self._key, state.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = await asyncio.to_thread(self.store.issue)
        return f"{state}.{self._sign(state)}"

    async def async_consume(self, state: str) -> bool:
        raw, _, signature = state.rpartition(".")
        if not raw or not hmac.compare_digest(signature, self._sign(raw)):
            log.warning("OAuth state with a bad signature refused")
            return False
        return bool(await asyncio.to_thread(self.store.consume, raw))


def installation_store(settings: SlackSettings, engine: Engine) -> SQLAlchemyInstallationStore:
    assert settings.client_id
    return SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine)


def oauth_settings(settings: SlackSettings, engine: Engine) -> AsyncOAuthSettings:
    """Bolt OAuth settings; creates the stores' tables when missing (idempotent)."""
    assert settings.client_id and settings.client_secret and settings.state_secret
    installs = installation_store(settings, engine)
    installs.create_tables()
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    states.create_tables()
    return AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=ThreadedInstallationStore(installs),
        installation_store_bot_only=True,
        state_store=SignedStateStore(states, settings.state_secret),
    )
