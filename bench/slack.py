"""Slack ingress: signed ``/idgov assess`` slash commands, then ``block_actions`` presses.

Each request comes from a new user, so every slash command starts a real assessment (state
created and saved, first question posted to the user's DM at the Web API stand-in) and every
press answers that user's first question with the very button idgov posted (state loaded,
advanced, saved, question message updated, next question posted). The same signed bodies go
to the bare Bolt app, which only acknowledges. Requests are signed the way Slack signs them
(HMAC-SHA256 over ``v0:timestamp:body``), so signature checking is part of both measurements.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.loadgen import Request
from bench.standins import Recorded, RemoteStandIn

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-0000"
TEAM_ID = "T0001"
ANSWER_ACTION = "idgov.answer"
#: What counts as the user-visible reply: a message posted or updated in the conversation
#: (not the ephemeral "sent you a DM" note, which only acknowledges).
REPLY_METHODS = frozenset({"chat.postMessage", "chat.update", "views.publish"})
_USER_RE = re.compile(r"UB[A-Za-z][TL]\d{6}")
SYNTHETIC_VALUE = json.dumps({"q": "assurance_goal", "v": "management_system", "s": 0})


def server_env(api_url: str) -> dict[str, str]:
    return {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": api_url}


def signed(url: str, body: bytes, content_type: str) -> Request:
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    sig = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return Request(url=url, body=body, headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig})


@dataclass
class Button:
    action_id: str
    value: str
    block_id: str
    channel: str
    blocks: list[Any]


@dataclass
class SlackDriver:
    """Builds requests for one server and reads replies from the shared stand-in."""

    events_url: str
    standin: RemoteStandIn
    server_tag: str  # one capital letter per server, so users never collide across servers
    buttons: dict[str, Button] = field(default_factory=dict)
    mark: int = 0
    _first: dict[str, float] = field(default_factory=dict)  # user -> first reply this phase
    _scanned: int = 0

    def user(self, tag: str, i: int) -> str:
        return f"UB{self.server_tag}{tag}{i:06d}"

    def buttons_by_index(self) -> dict[tuple[str, int], Button]:
        """The collected buttons keyed by (tag, index), to press the same ones elsewhere."""
        return {(user[3], int(user[4:])): b for user, b in self.buttons.items()}

    def begin_phase(self) -> None:
        """Replies are looked for only among calls made after this point."""
        self.mark = self._scanned = len(self.standin.calls())
        self._first = {}

    def slash(self, tag: str, i: int) -> Request:
        user = self.user(tag, i)
        body = urlencode({
            "token": "legacy", "team_id": TEAM_ID, "team_domain": "example",
            "channel_id": "D" + user, "channel_name": "directmessage", "user_id": user,
            "user_name": user.lower(), "command": "/idgov", "text": "assess",
            "api_app_id": "A0001", "is_enterprise_install": "false",
            "response_url": f"{self.standin.response_url}{user}",
            "trigger_id": f"{i}.{user}.bench"}).encode()
        return signed(self.events_url, body, "application/x-www-form-urlencoded")

    def action(self, tag: str, i: int) -> Request:
        user = self.user(tag, i)
        button = self.buttons.get(user) or Button(ANSWER_ACTION, SYNTHETIC_VALUE, "q",
                                                  "D" + user, [])
        ts = "1700000000.000100"
        payload: dict[str, Any] = {
            "type": "block_actions", "api_app_id": "A0001", "token": "legacy",
            "user": {"id": user, "username": user.lower(), "name": user.lower(),
                     "team_id": TEAM_ID},
            "team": {"id": TEAM_ID, "domain": "example"}, "enterprise": None,
            "is_enterprise_install": False,
            "container": {"type": "message", "message_ts": ts, "channel_id": button.channel,
                          "is_ephemeral": False},
            "channel": {"id": button.channel, "name": "directmessage"},
            "message": {"type": "message", "ts": ts, "user": "UBOT", "bot_id": "BBOT",
                        "text": "question", "blocks": button.blocks},
            "state": {"values": {}}, "trigger_id": f"{i}.{user}.press",
            "response_url": f"{self.standin.response_url}{user}",
            "actions": [{"type": "button", "action_id": button.action_id,
                         "block_id": button.block_id, "value": button.value,
                         "text": {"type": "plain_text", "text": "answer"},
                         "action_ts": f"{time.time():.6f}"}],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return signed(self.events_url, body, "application/x-www-form-urlencoded")

    def _new_calls(self) -> list[Recorded]:
        return self.standin.calls()[self.mark:]

    def replies(self, tag: str, sent: dict[int, float]) -> dict[int, float]:
        """First reply (a message posted or updated naming the user) per request.

        Scans only calls not seen before: this runs while the server may still be busy.
        """
        calls = self.standin.calls()
        first = self._first
        for call in calls[self._scanned:]:
            if call.method not in REPLY_METHODS:
                continue
            text = call.method + json.dumps(call.body, default=str)
            for user in set(_USER_RE.findall(text)):
                if user not in first or call.at < first[user]:
                    first[user] = call.at
        self._scanned = len(calls)
        out: dict[int, float] = {}
        for i, at in sent.items():
            got = first.get(self.user(tag, i))
            if got is not None and got >= at - 0.001:
                out[i] = got
        return out

    def collect_buttons(self) -> int:
        """Remember, per user, the first answer button idgov posted since `begin_phase`."""
        for call in self._new_calls():
            blocks = call.body.get("blocks")
            if not isinstance(blocks, list):
                continue
            found = _find_button(blocks)
            if found is None:
                continue
            users = _USER_RE.findall(call.method + json.dumps(call.body, default=str))
            channel = str(call.body.get("channel") or (("D" + users[0]) if users else ""))
            for user in set(users):
                if user not in self.buttons:
                    self.buttons[user] = Button(*found, channel, blocks)
        return len(self.buttons)


def _find_button(blocks: list[Any]) -> tuple[str, str, str] | None:
    """(action_id, value, block_id) of the first idgov answer button in a Block Kit list.

    Slack wants action ids unique within a block, so a suffix after the verb is allowed.
    """
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates = [*(block.get("elements") or []), block.get("accessory")]
        for element in candidates:
            if not isinstance(element, dict) or not element.get("value"):
                continue
            action_id = str(element.get("action_id", ""))
            if action_id.startswith(ANSWER_ACTION):
                return action_id, str(element["value"]), str(block.get("block_id", ""))
    return None
