"""Teams ingress: ``assess`` messages, then Adaptive Card submits, on ``POST /api/messages``.

Each request comes from a new user in a personal chat, with ``serviceUrl`` pointing at the
connector stand-in, so a message starts a real assessment and its reply (the first question
card) arrives at the stand-in; a submit then answers that question with the very
``Action.Submit`` data idgov put on the card. The bare echo bot gets the same activities and
replies once to each. No app id is configured on either side, so neither checks tokens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.loadgen import Request
from bench.standins import Recorded, RemoteStandIn

TENANT_ID = "tenant-bench"
BOT_ID = "28:idgov-bench"
SYNTHETIC_SUBMIT = {"idgov": "answer", "q": "assurance_goal", "v": "management_system", "s": 0}


def server_env() -> dict[str, str]:
    """No app id: the endpoint runs unauthenticated, as in local development (asked for
    explicitly with IDGOV_TEAMS_DEV, as `idgov serve` requires)."""
    return {"MICROSOFT_APP_ID": "", "MICROSOFT_APP_PASSWORD": "", "IDGOV_TEAMS_DEV": "1"}


@dataclass
class TeamsDriver:
    messages_url: str
    connector: RemoteStandIn
    server_tag: str
    submits: dict[str, tuple[dict[str, Any], str | None]] = field(default_factory=dict)
    mark: int = 0
    _first: dict[str, float] = field(default_factory=dict)  # conversation -> first reply
    _scanned: int = 0

    def user(self, tag: str, i: int) -> str:
        return f"ub{self.server_tag}{tag}{i:06d}"

    def conversation(self, user: str) -> str:
        return f"a:{user}"

    def submits_by_index(self) -> dict[tuple[str, int], tuple[dict[str, Any], str | None]]:
        return {(user[3], int(user[4:])): s for user, s in self.submits.items()}

    def begin_phase(self) -> None:
        self.mark = self._scanned = len(self.connector.calls())
        self._first = {}

    def _activity(self, tag: str, i: int, **extra: Any) -> Request:
        user = self.user(tag, i)
        activity = {
            "type": "message", "id": f"{user}-{extra.pop('_kind', 'm')}",
            "timestamp": datetime.now(UTC).isoformat(), "localTimestamp":
            datetime.now(UTC).isoformat(), "serviceUrl": self.connector.service_url,
            "channelId": "msteams", "locale": "en-US",
            "from": {"id": f"29:{user}", "name": user, "aadObjectId": user},
            "conversation": {"id": self.conversation(user), "conversationType": "personal",
                             "tenantId": TENANT_ID},
            "recipient": {"id": BOT_ID, "name": "idgov"},
            "channelData": {"tenant": {"id": TENANT_ID}},
            **extra,
        }
        return Request(url=self.messages_url, body=json.dumps(activity).encode(),
                       headers={"Content-Type": "application/json"})

    def message(self, tag: str, i: int) -> Request:
        return self._activity(tag, i, text="assess", textFormat="plain")

    def submit(self, tag: str, i: int) -> Request:
        data, reply_to = self.submits.get(self.user(tag, i), (SYNTHETIC_SUBMIT, None))
        extra: dict[str, Any] = {"_kind": "s", "value": data}
        if reply_to:
            extra["replyToId"] = reply_to
        return self._activity(tag, i, **extra)

    def _new_calls(self) -> list[Recorded]:
        return self.connector.calls()[self.mark:]

    def replies(self, tag: str, sent: dict[int, float]) -> dict[int, float]:
        calls = self.connector.calls()
        first = self._first
        for call in calls[self._scanned:]:
            conv = call.conversation
            if conv not in first or call.at < first[conv]:
                first[conv] = call.at
        self._scanned = len(calls)
        out: dict[int, float] = {}
        for i, at in sent.items():
            got = first.get(self.conversation(self.user(tag, i)))
            if got is not None and got >= at - 0.001:
                out[i] = got
        return out

    def collect_submits(self) -> int:
        """Remember, per user, the first idgov answer submit on a card posted since the mark."""
        for call in self._new_calls():
            if call.method not in {"send", "reply"}:
                continue
            data = _find_submit(call.body.get("attachments") or [])
            user = call.conversation.removeprefix("a:")
            if data is not None and user not in self.submits:
                self.submits[user] = (data, call.activity_id)
        return len(self.submits)


def _find_submit(node: Any) -> dict[str, Any] | None:
    """The first ``Action.Submit`` data with ``idgov == "answer"`` anywhere in the cards."""
    if isinstance(node, dict):
        data = node.get("data")
        if (node.get("type") == "Action.Submit" and isinstance(data, dict)
                and data.get("idgov") == "answer"):
            return data
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find_submit(child)
        if found is not None:
            return found
    return None
