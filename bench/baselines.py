"""Bare baselines: what the platform SDKs cost before any idgov code runs.

* ``slack``: a Bolt `AsyncApp` on aiohttp whose listeners only acknowledge (the floor for
  signature checking, payload parsing and Bolt's middleware chain).
* ``teams``: a botbuilder echo bot on `CloudAdapter` with an empty app id (unauthenticated,
  like idgov in local development), replying through the connector at the activity's
  ``serviceUrl`` (the floor for activity parsing, the turn pipeline and one outbound reply).

Run one per process, as ``python -m bench.baselines slack|teams --port P``, so a baseline and
idgov are measured on equal terms. Only this module of bench/ imports the platform SDKs.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from types import SimpleNamespace
from typing import Any

from aiohttp import web


def slack_app(signing_secret: str, token: str, api_url: str) -> web.Application:
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        signing_secret=signing_secret,
        client=AsyncWebClient(token=token, base_url=api_url),
    )

    @app.command(re.compile(r".*"))
    async def command(ack: AsyncAck) -> None:
        await ack()

    @app.action(re.compile(r".*"))
    async def action(ack: AsyncAck) -> None:
        await ack()

    return app.web_app(path="/slack/events")


def teams_app() -> web.Application:
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(
                MessageFactory.text(f"echo: {turn_context.activity.text}")
            )

    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: Any = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baselines")
    parser.add_argument("platform", choices=["slack", "teams"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.platform == "slack":
        app = slack_app(
            os.environ["SLACK_SIGNING_SECRET"],
            os.environ["SLACK_BOT_TOKEN"],
            os.environ["SLACK_API_URL"],
        )
    else:
        app = teams_app()

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
