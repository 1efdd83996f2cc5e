"""Run idgov's real aiohttp app on 127.0.0.1 and talk to it the way Slack does.

Requests are signed like Slack signs them (``v0:<ts>:<body>`` HMAC-SHA256 with the signing
secret, current time), bodies come from the payload files beside this module, and the
Slack Web API plus every ``response_url`` point at the local stand-in, so tests assert on
exactly what Slack would have received.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from itertools import count
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_sdk.models.blocks import Block
from sqlalchemy.engine import Engine

from bot.server import create_app
from bot.slack.settings import SlackSettings, load_slack_settings
from tests.standins.slack_api import Call, SlackApiStandIn

HERE = Path(__file__).resolve().parent
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0001"
USER = "U2147483697"
CHANNEL = "C2147483705"
_ids = count(1)


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text())
    return copy.deepcopy(data)


def sign(body: str, *, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def settings(standin: SlackApiStandIn, **extra: str) -> SlackSettings:
    values = {"SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": "xoxb-test-token",
              "SLACK_API_URL": standin.base_url, **extra}
    loaded = load_slack_settings(**values)
    assert loaded is not None
    return loaded


class Server:
    """idgov's application in its own thread and event loop (tests stay synchronous)."""

    def __init__(self, engine: Engine, slack: SlackSettings) -> None:
        self.engine, self.slack = engine, slack
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None

    def start(self) -> Server:
        ready = threading.Event()

        async def boot() -> None:
            app = create_app(self.engine, slack=self.slack, teams=False, scheduler=False)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.port = self._runner.addresses[0][1]

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(boot())
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        assert ready.wait(20), "server did not start"
        return self

    def stop(self) -> None:
        assert self._loop and self._runner
        runner = self._runner

        async def shutdown() -> None:
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if pending:  # let listeners that already acknowledged finish their work
                await asyncio.wait(pending, timeout=5)
            await runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(20)
        self._loop.call_soon_threadsafe(self._loop.stop)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- raw HTTP ---------------------------------------------------------------------
    def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
             signed: bool = True, path: str = "/slack/events") -> tuple[int, str]:
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}),
                       **(headers or {})}
        req = urllib.request.Request(self.url + path, data=body.encode(), headers=all_headers,
                                     method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        req = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post_form(self, fields: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return self.post(urllib.parse.urlencode(fields), "application/x-www-form-urlencoded",
                         **kw)

    def post_json(self, data: dict[str, Any], **kw: Any) -> tuple[int, str]:
        return self.post(json.dumps(data), "application/json", **kw)

    # --- Slack-shaped requests ----------------------------------------------------------
    def command(self, standin: SlackApiStandIn, text: str, *, team: str = TEAM,
                user: str = USER, channel: str = CHANNEL) -> tuple[int, str]:
        body = payload("slash_command")
        body.update(text=text, team_id=team, user_id=user, channel_id=channel,
                    response_url=f"{standin.response_url}commands/{next(_ids)}")
        return self.post_form(body)

    def press(self, standin: SlackApiStandIn, element: dict[str, Any], *, channel: str,
              message_ts: str, thread_ts: str | None = None, team: str = TEAM,
              user: str = USER) -> tuple[int, str]:
        body = payload("block_actions_button")
        body["user"].update(id=user, team_id=team)
        body["team"]["id"] = team
        body["container"].update(channel_id=channel, message_ts=message_ts)
        body["channel"]["id"] = channel
        body["message"]["ts"] = message_ts
        if thread_ts:
            body["message"]["thread_ts"] = thread_ts
            body["container"]["thread_ts"] = thread_ts
        body["response_url"] = f"{standin.response_url}actions/{next(_ids)}"
        body["actions"] = [{**element, "block_id": "b1", "action_ts": str(time.time())}]
        return self.post_form({"payload": json.dumps(body)})

    def event(self, name: str, *, event_id: str | None = None, team: str = TEAM,
              retry: int | None = None, **fields: Any) -> tuple[int, str]:
        body = payload(name)
        body["team_id"] = team
        body["authorizations"][0]["team_id"] = team
        body["event_id"] = event_id or f"Ev{next(_ids):08d}"
        body["event"].update({k: v for k, v in fields.items() if v is not None})
        for k in [k for k, v in fields.items() if v is None]:  # None removes a field
            body["event"].pop(k, None)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry else None
        return self.post_json(body, headers=headers)


# --- assertions on what the stand-in received ---------------------------------------------
def buttons(call: Call) -> list[dict[str, Any]]:
    return [el for block in call.body.get("blocks", []) if block.get("type") == "actions"
            for el in block.get("elements", [])]


def choices(element: dict[str, Any]) -> list[dict[str, Any]]:
    """What Slack sends back for each choice of `element`: a button as it is; a static
    select once per option, with ``selected_option`` set as in Slack's block_actions."""
    if element.get("type") == "static_select":
        return [{**element, "selected_option": option} for option in element.get("options", [])]
    return [element]


def pressables(call: Call) -> list[dict[str, Any]]:
    """Every press the message offers: its buttons and each option of its selects."""
    return [choice for el in buttons(call) for choice in choices(el)]


def button(call: Call, label: str) -> dict[str, Any]:
    for el in buttons(call):
        if el.get("text", {}).get("text") == label:
            return el
    raise AssertionError(f"no button {label!r} in {[b['text']['text'] for b in buttons(call)]}")


#: Every Block Kit payload the tests saw idgov send, for one batch check against Slack's
#: TypeScript types (see `type_check_sent`).
SENT: dict[str, dict[str, Any]] = {}


def check_block_kit(calls: list[Call]) -> None:
    """Every Block Kit payload sent parses with slack_sdk's models and keeps Slack's limits."""
    for call in calls:
        blocks = call.body.get("blocks") or (call.body.get("view") or {}).get("blocks")
        if not blocks:
            continue
        if "view" in call.body:
            SENT[f"{call.method}#{len(SENT)}"] = call.body["view"]
        else:
            SENT[f"{call.method}#{len(SENT)}"] = {"text": call.body.get("text", ""),
                                                  "blocks": blocks}
        limit = 100 if "view" in call.body else 50
        assert len(blocks) <= limit, f"{call.method}: {len(blocks)} blocks"
        for block in blocks:
            parsed = Block.parse(block)
            assert parsed is not None, f"unknown block type {block.get('type')}"
            assert parsed.to_dict() == block, f"{call.method}: block changed by round trip"
        assert call.body.get("text") or "view" in call.body, "messages need fallback text"


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def responses(standin: SlackApiStandIn, count_: int = 1) -> list[Call]:
    """The posts idgov made to `response_url`s (ephemeral notes and cards), oldest first."""
    def got() -> list[Call]:
        with standin._lock:
            return [c for c in standin.calls if c.method.startswith("response_url:")]

    wait_until(lambda: len(got()) >= count_)
    return got()


def type_check_sent() -> dict[str, list[str]]:
    """Type-check every recorded payload with @slack/types (one Node run); name -> errors."""
    from tests.cards_node import run_node

    result = run_node("check-blockkit.js", dict(SENT))
    return {name: errs for name, errs in result.items() if errs}
