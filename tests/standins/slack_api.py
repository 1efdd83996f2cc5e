"""A local stand-in for the Slack Web API (and for `response_url` posts).

Runs a real aiohttp server on 127.0.0.1; point ``SLACK_API_URL`` (base ending in ``/api/``)
and payload ``response_url`` values at it. Every call is recorded with its method, form or
JSON body and headers, so tests assert on what Slack would have received. Responses follow
Slack's documented shapes; files work as Slack documents them: `add_file` stores an upload
that ``files.info`` describes (``url_private_download`` served here, bearer token required)
and the external upload flow (``files.getUploadURLExternal``, a POST of the bytes to the
``upload_url``, ``files.completeUploadExternal``) lands in `uploads`. Tests can queue
failures (429 with Retry-After, 5xx, or an ``ok: false`` error such as ``user_not_found``)
per method.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.standins.server import LoopbackServer


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response_url:<path>"
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.time)
    response: dict[str, Any] | None = None  # what the stand-in answered (e.g. the new ts)


@dataclass
class Failure:
    status: int = 200
    error: str | None = None  # Slack error code for ok:false responses
    retry_after: int | None = None


class SlackApiStandIn(LoopbackServer):
    """Thread-safe recorder; run with `start()` (own thread + loop) or `async_start()`."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.failures: dict[str, deque[Failure]] = defaultdict(deque)
        self.users: dict[str, dict[str, Any]] = {}  # user id -> users.info "user" object
        self.team_id = "T0001"
        self.bot_user_id = "UBOT"
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.files: dict[str, dict[str, Any]] = {}  # file id -> files.info "file" object
        self.file_bytes: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}  # file id -> Location its download answers with
        self.uploads: dict[str, dict[str, Any]] = {}  # file id -> name, bytes, channel, comment
        self._file_ids = itertools.count(1)

    # --- configuration -------------------------------------------------------------
    def fail(self, method: str, *failures: Failure) -> None:
        """Queue failures for the next calls of `method` (then normal answers resume)."""
        with self._lock:
            self.failures[method].extend(failures)

    def add_user(self, user_id: str, *, tz: str = "Europe/London", email: str | None = None,
                 deleted: bool = False, name: str | None = None) -> None:
        tz_offset = 0
        try:
            from datetime import datetime
            from zoneinfo import ZoneInfo

            off = datetime.now(ZoneInfo(tz)).utcoffset()
            tz_offset = int(off.total_seconds()) if off else 0
        except Exception:
            pass
        self.users[user_id] = {
            "id": user_id, "team_id": self.team_id, "name": name or user_id.lower(),
            "real_name": name or user_id, "deleted": deleted, "tz": tz,
            "tz_offset": tz_offset, "profile": {"email": email, "real_name": name or user_id},
        }

    def add_file(self, name: str, data: bytes, *, user: str = "U2147483697",
                 mimetype: str = "text/csv", redirect_to: str | None = None) -> dict[str, Any]:
        """A file as Slack stores an upload; returns its files.info object."""
        file_id = f"F{next(self._file_ids):08d}"
        root = f"http://127.0.0.1:{self.port}/files-pri/{self.team_id}-{file_id}"
        obj = {"id": file_id, "created": int(time.time()), "timestamp": int(time.time()),
               "name": name, "title": name, "mimetype": mimetype,
               "filetype": name.rsplit(".", 1)[-1], "pretty_type": name.rsplit(".", 1)[-1].upper(),
               "user": user, "user_team": self.team_id, "editable": False, "size": len(data),
               "mode": "hosted", "is_external": False, "external_type": "", "is_public": False,
               "public_url_shared": False, "display_as_bot": False, "username": "",
               "url_private": f"{root}/{name}", "url_private_download": f"{root}/download/{name}",
               "permalink": f"https://example.slack.com/files/{user}/{file_id}/{name}",
               "channels": [], "groups": [], "ims": [], "comments_count": 0}
        with self._lock:
            self.files[file_id] = obj
            self.file_bytes[file_id] = data
            if redirect_to:
                self.redirects[file_id] = redirect_to
        return obj

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/response/"

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Poll until `count` calls of `method` arrived (posts after ack() are async)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.calls_to(method)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"expected {count} {method} call(s), got {len(self.calls_to(method))}")

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.failures.clear()

    # --- server -----------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # files.getUploadURLExternal is a GET
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_post("/response/{path:.*}", self._response_url)
        app.router.add_get("/files-pri/{ref}/{rest:.*}", self._download)
        return app

    async def _download(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["ref"].rpartition("-")[2]
        with self._lock:
            self.calls.append(Call("files:download", {"path": request.path},
                                   dict(request.headers)))
            data = self.file_bytes.get(file_id)
            redirect = self.redirects.get(file_id)
        if not request.headers.get("Authorization", "").startswith("Bearer xox"):
            # Slack answers an unauthenticated file URL with its sign-in page, not the file
            return web.Response(status=302, headers={"Location": "https://slack.com/signin"})
        if redirect:
            return web.Response(status=302, headers={"Location": redirect})
        if data is None:
            return web.Response(status=404, text="file_not_found")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        file_id = request.match_info["file_id"]
        with self._lock:
            self.calls.append(Call("files:upload", {"file_id": file_id, "bytes": len(data)},
                                   dict(request.headers)))
            self.uploads.setdefault(file_id, {})["bytes"] = data
        return web.Response(text=f"OK - {len(data)}")  # as Slack's upload host answers

    # --- handlers ---------------------------------------------------------------------
    async def _body(self, request: web.Request) -> dict[str, Any]:
        body = await self._payload(request)
        for k, v in request.query.items():  # slack_sdk sends some arguments as query params
            if k != "team_id" or k not in body:
                body.setdefault(k, v)
        if isinstance(body.get("files"), str):  # files.completeUploadExternal: a JSON list
            with contextlib.suppress(ValueError):
                body["files"] = json.loads(body["files"])
        return body

    async def _payload(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = await request.json()
            return data if isinstance(data, dict) else {"_": data}
        form = await request.post()
        body: dict[str, Any] = {}
        for k, v in form.items():
            value = str(v)
            if k in {"blocks", "view", "attachments", "files"}:
                try:
                    body[k] = json.loads(value)
                    continue
                except ValueError:
                    pass
            body[k] = value
        return body

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        with self._lock:
            self.calls.append(Call("response_url:" + request.match_info["path"], body,
                                   dict(request.headers)))
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        call = Call(method, body, dict(request.headers))
        with self._lock:
            self.calls.append(call)
            queued = self.failures.get(method)
            failure = queued.popleft() if queued else None
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            if failure.status != 200:
                return web.json_response({"ok": False, "error": failure.error or "ratelimited"},
                                         status=failure.status, headers=headers)
            return web.json_response({"ok": False, "error": failure.error})
        answer = self._answer(method, body)
        call.response = answer
        return web.json_response(answer)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        if method == "auth.test":
            return {"ok": True, "url": "https://example.slack.com/", "team": "Example",
                    "user": "idgov", "team_id": self.team_id, "user_id": self.bot_user_id,
                    "bot_id": "BBOT", "is_enterprise_install": False}
        if method in {"chat.postMessage", "chat.update"}:
            channel = str(body.get("channel", ""))
            return {"ok": True, "channel": channel, "ts": body.get("ts") or ts,
                    "message": {"text": body.get("text", ""), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "conversations.open":
            users = str(body.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}
        if method == "users.info":
            user = self.users.get(str(body.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method == "users.lookupByEmail":
            for user in self.users.values():
                if user["profile"].get("email") == body.get("email"):
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V1", **(body.get("view") or {})}}
        if method == "conversations.members":
            return {"ok": True, "members": list(self.users), "response_metadata": {}}
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": body.get("channel"), "creator": "UADMIN"}}
        if method == "files.info":
            found = self.files.get(str(body.get("file")))
            return {"ok": True, "file": found} if found else {"ok": False,
                                                              "error": "file_not_found"}
        if method == "files.getUploadURLExternal":
            if not body.get("filename") or not str(body.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._file_ids):08d}"
            self.uploads[file_id] = {"name": body.get("filename"), "length": body.get("length"),
                                     "bytes": b""}
            return {"ok": True, "file_id": file_id,
                    "upload_url": f"http://127.0.0.1:{self.port}/upload/v1/{file_id}"}
        if method == "files.completeUploadExternal":
            files = body.get("files")
            if isinstance(files, str):
                files = json.loads(files or "[]")
            if not isinstance(files, list) or not files:
                return {"ok": False, "error": "invalid_arguments"}
            for item in files:
                upload = self.uploads.get(str(item.get("id")))
                if upload is None:
                    return {"ok": False, "error": "file_not_found"}
                upload.update(title=item.get("title"), channel=body.get("channel_id"),
                              comment=body.get("initial_comment"))
            return {"ok": True, "files": [
                {"id": f["id"], "title": f.get("title") or "",
                 "name": self.uploads[f["id"]].get("name") or f.get("title") or "",
                 "size": len(self.uploads[f["id"]].get("bytes", b""))} for f in files]}
        if method == "oauth.v2.access":
            return {"ok": True, "access_token": "xoxb-standin", "token_type": "bot",
                    "scope": "commands,chat:write", "bot_user_id": self.bot_user_id,
                    "app_id": "A0001", "team": {"id": self.team_id, "name": "Example"},
                    "enterprise": None, "authed_user": {"id": "UINSTALLER"}}
        return {"ok": True}
