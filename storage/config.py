"""Core settings read from the environment (and a `.env` file), shared by every front end.

Platform settings (SLACK_*, MICROSOFT_APP_*) live beside their adapters in `bot/`.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///idgov.db"


class CoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    #: Idle conversations expire after this many hours (the expiry is stored, so it
    #: survives restarts).
    conversation_ttl_hours: float = Field(default=24.0, gt=0, alias="IDGOV_CONVERSATION_TTL_HOURS")


@lru_cache(maxsize=1)
def core_settings() -> CoreSettings:
    return CoreSettings()
