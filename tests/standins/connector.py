"""A local stand-in for the Bot Framework connector (the Teams side of `serviceUrl`).

Runs a real aiohttp server on 127.0.0.1; put its `service_url` into the activities a test
posts, and the bot's replies arrive here exactly as Teams' connector would receive them:

- ``POST /v3/conversations/{id}/activities`` (send) and ``.../activities/{replyToId}`` (reply)
- ``PUT /v3/conversations/{id}/activities/{activityId}`` (update a message in place)
- ``POST /v3/conversations`` (open a 1:1 chat; only with users in `installed`, else 403
  as Teams answers when the app is not installed for that user)
- ``GET /files/{name}`` (a pre-authorised OneDrive download URL) and ``PUT /upload/{name}``
  (the one-time OneDrive upload session a file consent accept carries: `upload_url`)

Everything is recorded with headers; tests can queue failures (429 with Retry-After, 5xx)
per operation ("send", "reply", "update", "create", or "*" for any).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.standins.server import LoopbackServer


@dataclass
class Call:
    op: str  # send | reply | update | create
    conversation_id: str
    activity_id: str | None  # replyToId for reply, the updated id for update
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.time)

    @property
    def card(self) -> dict[str, Any] | None:
        """The first Adaptive Card attachment's content, if any."""
        for att in self.body.get("attachments") or []:
            if att.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content: dict[str, Any] = att.get("content") or {}
                return content
        return None


@dataclass
class Failure:
    status: int = 503
    retry_after: float | None = None
    code: str = "ServiceError"


class ConnectorStandIn(LoopbackServer):
    """Thread-safe recorder; run with `start()` (own thread + loop) or `async_start()`."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.sent_ids: list[str] = []  # ids answered to send/reply, in order
        self.failures: dict[str, deque[Failure]] = defaultdict(deque)
        self.installed: set[str] = set()  # user ids a 1:1 chat can be created with
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self.files: dict[str, bytes] = {}  # served at file_url(name), as OneDrive serves a
        self.downloads: list[str] = []  # pre-authorised downloadUrl (no token needed)
        self.uploads: list[tuple[str, bytes, dict[str, str]]] = []  # (name, body, headers)

    # --- configuration and inspection --------------------------------------------------
    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def file_url(self, name: str, data: bytes) -> str:
        """A pre-authorised download URL for `data` (what ``content.downloadUrl`` holds)."""
        self.files[name] = data
        return f"{self.service_url}files/{name}?tempauth=standin-{len(self.files)}"

    def upload_url(self, name: str) -> str:
        """A one-time upload session URL, as ``uploadInfo.uploadUrl`` holds it."""
        return f"{self.service_url}upload/{name}?tempauth=standin-upload"

    def fail(self, op: str, *failures: Failure) -> None:
        """Queue failures for the next calls of `op` (then normal answers resume)."""
        with self._lock:
            self.failures[op].extend(failures)

    def calls_of(self, *ops: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if not ops or c.op in ops]

    def wait_for(self, *ops: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_of(*ops)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.sent_ids.clear()
            self.failures.clear()

    # --- server lifecycle ------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_put("/upload/{name}", self._upload)
        return app

    async def _upload(self, request: web.Request) -> web.Response:
        """OneDrive's upload session: the whole file in one PUT with a Content-Range; answers
        201 with the new drive item (queue failures under "upload")."""
        name = request.match_info["name"]
        body = await request.read()
        with self._lock:
            self.uploads.append((name, body, dict(request.headers)))
            queue = self.failures.get("upload")
            failure = queue.popleft() if queue else None
        if failure:
            return self._failed(failure)
        if not request.query.get("tempauth"):
            return web.Response(status=401)
        return web.json_response({"id": "01ABCDEF", "name": name, "size": len(body)}, status=201)

    async def _file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        with self._lock:
            self.downloads.append(name)
        if name not in self.files or not request.query.get("tempauth"):
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="application/octet-stream")

    # --- handlers --------------------------------------------------------------------
    async def _record(self, request: web.Request, op: str) -> tuple[Call, Failure | None]:
        try:
            body = await request.json()
        except ValueError:
            body = {"_raw": await request.text()}
        call = Call(op=op, conversation_id=request.match_info.get("cid", ""),
                    activity_id=request.match_info.get("aid"),
                    body=body if isinstance(body, dict) else {"_": body},
                    headers=dict(request.headers))
        with self._lock:
            self.calls.append(call)
            queue = self.failures.get(op) or self.failures.get("*")
            failure = queue.popleft() if queue else None
        return call, failure

    @staticmethod
    def _failed(failure: Failure) -> web.Response:
        headers = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
        return web.json_response(
            {"error": {"code": failure.code, "message": f"stand-in failure {failure.status}"}},
            status=failure.status, headers=headers)

    async def _send(self, request: web.Request) -> web.Response:
        op = "reply" if "aid" in request.match_info else "send"
        _call, failure = await self._record(request, op)
        if failure:
            return self._failed(failure)
        new_id = str(next(self._ids))
        with self._lock:
            self.sent_ids.append(new_id)
        return web.json_response({"id": new_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        call, failure = await self._record(request, "update")
        if failure:
            return self._failed(failure)
        return web.json_response({"id": call.activity_id}, status=200)

    async def _create(self, request: web.Request) -> web.Response:
        call, failure = await self._record(request, "create")
        if failure:
            return self._failed(failure)
        members = call.body.get("members") or []
        user = members[0].get("id") if members and isinstance(members[0], dict) else None
        if user not in self.installed:
            return web.json_response(
                {"error": {"code": "BotNotInConversationRoster",
                           "message": "The bot is not part of the conversation roster."}},
                status=403)
        return web.json_response({"id": f"a:new-{user}", "serviceUrl": self.service_url},
                                 status=201)
