"""Auth on and off for /api/messages, and the settings that switch it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.teams.settings import TeamsConfigError, load_settings
from storage.models import ConversationRef, ProcessedEvent
from tests.teams_helpers import APP_ENV, payload, post, running_server

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)


# (A well-formed but forged JWT would make the SDK fetch Microsoft's signing keys: not offline.)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz"])
async def test_auth_on_refuses_unsigned_requests_and_processes_nothing(
        sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch,
        authorization: str | None) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "s3cret")
    async with running_server(sqlite_engine) as (url, conn):
        headers = {"Authorization": authorization} if authorization else None
        status, body = await post(url, payload("personal_message", conn.service_url,
                                               text="assess"), headers=headers)
        assert status == 401, body
        assert conn.calls == []
    with Session(sqlite_engine) as s:
        assert s.exec(select(ProcessedEvent)).all() == []
        assert s.exec(select(ConversationRef)).all() == []


async def test_auth_off_accepts_unsigned_and_warns_loudly(
        sqlite_engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.teams")
    async with running_server(sqlite_engine) as (url, conn):
        status, _ = await post(url, payload("personal_message", conn.service_url))
        assert status == 201 and len(conn.calls) == 1
        assert "Authorization" not in conn.calls[0].headers
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("UNAUTHENTICATED" in r.getMessage() for r in warnings)


@pytest.mark.parametrize(("env", "needle"), [
    ({"MICROSOFT_APP_PASSWORD": "x"}, "MICROSOFT_APP_ID is empty"),
    ({"MICROSOFT_APP_ID": APP_ID}, "MICROSOFT_APP_PASSWORD is empty"),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "x",
      "MICROSOFT_APP_TYPE": "SingleTenant"}, "needs MICROSOFT_APP_ID and MICROSOFT_APP_TENANT_ID"),
    ({"MICROSOFT_APP_TYPE": "Personal"}, "MICROSOFT_APP_TYPE"),
])
def test_contradictory_settings_are_one_clear_line(
        monkeypatch: pytest.MonkeyPatch, env: dict[str, str], needle: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(TeamsConfigError) as info:
        load_settings()
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_single_tenant_and_msi_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_TYPE", "UserAssignedMSI")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")
    settings = load_settings()
    assert settings.authenticated
    cfg = settings.sdk_config()
    assert cfg.APP_TYPE == "UserAssignedMSI" and cfg.APP_TENANTID  # type: ignore[attr-defined]
