"""Shared helpers for the Teams tests: payload files, card inspection, a running server.

Payloads in `tests/teams_payloads/` are shaped like Teams' documented activities; a test
loads one, points its ``serviceUrl`` at the connector stand-in and overrides what it needs.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy.engine import Engine

from tests.standins.connector import ConnectorStandIn

APP_ENV = ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TYPE",
           "MICROSOFT_APP_TENANT_ID")
PAYLOADS = Path(__file__).resolve().parent / "teams_payloads"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "0a1b2c3d-0000-4000-8000-000000000002"
USER_AAD = "d6f2a5e1-3c4b-4f6e-9a8d-1b2c3d4e5f60"
BOT_ID = "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c"
_ids = itertools.count(1)


def payload(file: str, service_url: str, **overrides: Any) -> dict[str, Any]:
    """A payload file with a fresh activity id, our service URL and `overrides` applied."""
    data: dict[str, Any] = json.loads((PAYLOADS / f"{file}.json").read_text("utf-8"))
    data = copy.deepcopy(data)
    data["serviceUrl"] = service_url
    data["id"] = f"{data['id']}-{next(_ids)}"
    for key, value in overrides.items():
        data[key] = value
    return data


def with_tenant(data: dict[str, Any], tenant: str, user_aad: str | None = None,
                conversation_id: str | None = None) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["conversation"]["tenantId"] = tenant
    data["channelData"]["tenant"]["id"] = tenant
    if user_aad:
        data["from"]["aadObjectId"] = user_aad
        data["from"]["id"] = f"29:{user_aad}"
    if conversation_id:
        data["conversation"]["id"] = conversation_id
    return data


def submits(card: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every Action.Submit's data in a card, in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict):
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def texts(card: dict[str, Any] | None) -> str:
    """All TextBlock / FactSet text of a card, joined (for assertions on wording)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(out)


@asynccontextmanager
async def running_server(engine: Engine) -> AsyncIterator[tuple[str, ConnectorStandIn]]:
    """The real `idgov serve` application (Teams only) on 127.0.0.1, plus a connector."""
    from bot.server import create_app

    connector = ConnectorStandIn()
    await connector.async_start()
    app = create_app(engine, slack=None, teams=True, scheduler=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/api/messages")), connector
    finally:
        await server.close()
        await connector.async_stop()


async def post(url: str, body: Any, headers: dict[str, str] | None = None,
               raw: bytes | None = None) -> tuple[int, str]:
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    data = raw if raw is not None else json.dumps(body).encode()
    async with aiohttp.ClientSession() as session, session.post(url, data=data,
                                                                 headers=hdrs) as resp:
        return resp.status, await resp.text()
