"""Bot Framework settings from the environment (and `.env`), read with pydantic-settings.

The names are the ones Azure Bot Service and Microsoft's samples use, so an admin can paste
them from the Azure portal. With no app id the endpoint runs unauthenticated, which is only
for local development (the Teams app test tool, the Bot Framework Emulator).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import CliError

AppType = Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"]


class TeamsConfigError(CliError):
    """Missing or contradictory MICROSOFT_APP_* settings; one line, exit code 2 at start-up."""


class TeamsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    app_id: str = Field(default="", alias="MICROSOFT_APP_ID")
    app_password: str = Field(default="", alias="MICROSOFT_APP_PASSWORD")
    app_type: AppType = Field(default="MultiTenant", alias="MICROSOFT_APP_TYPE")
    app_tenant_id: str = Field(default="", alias="MICROSOFT_APP_TENANT_ID")

    @model_validator(mode="after")
    def _consistent(self) -> TeamsSettings:
        if self.app_type != "MultiTenant" and not (self.app_id and self.app_tenant_id):
            raise ValueError(
                f"MICROSOFT_APP_TYPE={self.app_type} needs MICROSOFT_APP_ID and "
                "MICROSOFT_APP_TENANT_ID"
            )
        if self.app_type != "UserAssignedMSI" and self.app_id and not self.app_password:
            raise ValueError("MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is empty")
        if self.app_password and not self.app_id:
            raise ValueError("MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is empty")
        return self

    @property
    def authenticated(self) -> bool:
        """False in local-development mode: unsigned activities are accepted."""
        return bool(self.app_id)

    def sdk_config(self) -> object:
        """The attribute bag `ConfigurationBotFrameworkAuthentication` reads."""

        class _Config:
            APP_ID = self.app_id
            APP_PASSWORD = self.app_password
            APP_TYPE = self.app_type
            APP_TENANTID = self.app_tenant_id

        return _Config()


def load_settings() -> TeamsSettings:
    """Read the settings, turning a validation error into one clear line."""
    from pydantic import ValidationError

    try:
        return TeamsSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        prefix = "Teams settings" if where == "settings" else f"Teams settings: {where}"
        raise TeamsConfigError(f"{prefix}: {msg}") from None
