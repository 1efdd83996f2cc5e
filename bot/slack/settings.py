"""Slack settings from the environment (and `.env`), checked once at start-up.

Two install modes exist and they must not be mixed: one workspace with a bot token
(``SLACK_BOT_TOKEN``), or many workspaces installed through OAuth (``SLACK_CLIENT_ID`` +
``SLACK_CLIENT_SECRET`` + ``SLACK_STATE_SECRET``) with installations kept in our database.
``SLACK_APP_TOKEN`` switches the transport to Socket Mode. A missing or contradictory
combination is reported as one line naming the variable, so an operator fixes it at once
instead of reading a traceback from the first request.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://slack.com/api/"
#: Variables whose presence means "the operator wants Slack"; none set = Slack disabled.
SLACK_TRIGGER_VARS = (
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_APP_TOKEN",
)
#: Bot scopes requested on OAuth install; must match manifest/slack/manifest.yaml.
BOT_SCOPES = (
    "app_mentions:read",
    "assistant:write",  # the assistant view: suggested prompts and status (bot/slack/assistant)
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",  # inventory uploads in DMs; the Full report's HTML and evidence packs
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",
)


class SlackSettingsError(ValueError):
    """Settings cannot work together; the message is one line for the operator."""


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    client_secret: str | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    state_secret: str | None = Field(default=None, alias="SLACK_STATE_SECRET")
    app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    api_url: str = Field(default=DEFAULT_API_URL, alias="SLACK_API_URL")

    @property
    def mode(self) -> Literal["single", "oauth"]:
        return "oauth" if self.client_id else "single"

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def any_set(self) -> bool:
        return any(
            (self.signing_secret, self.bot_token, self.client_id, self.client_secret,
             self.app_token)
        )

    def check(self) -> SlackSettings:
        """Raise SlackSettingsError for a missing or contradictory combination."""
        if self.bot_token and self.client_id:
            raise SlackSettingsError(
                "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET"
                " (OAuth install), not both"
            )
        if not self.bot_token and not self.client_id:
            raise SlackSettingsError(
                "SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET + "
                "SLACK_STATE_SECRET (OAuth install) is required"
            )
        if self.bot_token and not self.bot_token.startswith("xoxb-"):
            raise SlackSettingsError("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'")
        if self.client_id and not (self.client_secret and self.state_secret):
            missing = "SLACK_CLIENT_SECRET" if not self.client_secret else "SLACK_STATE_SECRET"
            raise SlackSettingsError(f"{missing} is required with SLACK_CLIENT_ID (OAuth install)")
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise SlackSettingsError("SLACK_APP_TOKEN must be an app-level token starting 'xapp-'")
        if not self.signing_secret and not self.app_token:
            raise SlackSettingsError("SLACK_SIGNING_SECRET is required (Basic Information page)")
        if not self.api_url.startswith(("http://", "https://")):
            raise SlackSettingsError(f"SLACK_API_URL must be an http(s) URL, got {self.api_url!r}")
        if not self.api_url.endswith("/"):
            self.api_url += "/"
        return self


def load_slack_settings(**overrides: str) -> SlackSettings | None:
    """Checked settings, or None when no Slack variable is set (Slack disabled).

    `overrides` (by alias, e.g. ``SLACK_API_URL=...``) lets tests build settings without
    touching the process environment.
    """
    try:
        settings = SlackSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SlackSettingsError(f"invalid Slack setting {first['loc']}: {first['msg']}") from exc
    if not settings.any_set():
        return None
    return settings.check()
