"""The Slack Web API and Bot Framework connector stand-ins, each in its own process.

A stand-in in the load generator's process would compete with it for the GIL exactly when
idgov replies (and the bare Bolt app does not), skewing the comparison. So each runs as
``python -m bench.standins slack|teams --port P`` and, besides the platform API, serves its
recorded calls at ``GET /_bench/calls?since=N`` (and ``POST /_bench/reset``), each with the
wall-clock time it arrived, for the reply-latency figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bench.procs import ServerProcess, free_port


@dataclass(frozen=True, slots=True)
class Recorded:
    method: str  # Slack: API method or "response_url:<path>"; connector: send|reply|update
    body: dict[str, Any]
    at: float
    conversation: str = ""  # connector only
    activity_id: str = ""  # connector only


class RemoteStandIn:
    """Client side: starts the stand-in process and reads what it recorded."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.port = free_port()
        argv = [sys.executable, "-m", "bench.standins", platform, "--port", str(self.port)]
        self.server = ServerProcess(argv, port=self.port, env={}, ready_path="/_bench/calls")
        self._cache: list[Recorded] = []

    def start(self) -> RemoteStandIn:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def base_url(self) -> str:  # Slack Web API base
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/response/"

    @property
    def service_url(self) -> str:  # Bot Framework serviceUrl
        return f"http://127.0.0.1:{self.port}/"

    def calls(self) -> list[Recorded]:
        """Every call recorded since the last reset (fetched incrementally)."""
        url = f"http://127.0.0.1:{self.port}/_bench/calls?since={len(self._cache)}"
        with urllib.request.urlopen(url, timeout=30) as resp:
            fresh = json.loads(resp.read())
        self._cache.extend(Recorded(**c) for c in fresh)
        return list(self._cache)

    def reset(self) -> None:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/_bench/reset", data=b"",
                                     method="POST")
        with urllib.request.urlopen(req, timeout=10):
            pass
        self._cache.clear()


# --- server side --------------------------------------------------------------------------


def _slack_app() -> web.Application:
    from tests.standins.slack_api import SlackApiStandIn

    class BenchStandIn(SlackApiStandIn):
        """Also reads query-string arguments: slack_sdk sends some there (e.g. ``users`` of
        ``conversations.open``), and DM channel ids must name the user for matching."""

        async def _body(self, request: web.Request) -> dict[str, Any]:
            body = await super()._body(request)
            return {**dict(request.query), **body}

    standin = BenchStandIn()

    def export(since: int) -> list[dict[str, Any]]:
        with standin._lock:
            fresh = standin.calls[since:]
            return [{"method": c.method, "body": c.body, "at": c.at} for c in fresh]

    return _with_export(standin.app(), export, standin.reset)


def _teams_app() -> web.Application:
    from tests.standins.connector import ConnectorStandIn

    connector = ConnectorStandIn()

    def export(since: int) -> list[dict[str, Any]]:
        with connector._lock:
            calls, ids = list(connector.calls), list(connector.sent_ids)
        # Each answered send/reply got the next id of `sent_ids` (no failures are queued
        # here), so the k-th of them is the activity a later submit replies to.
        out, k = [], 0
        for call in calls:
            answered = ""
            if call.op in {"send", "reply"} and k < len(ids):
                answered, k = ids[k], k + 1
            out.append({"method": call.op, "body": call.body, "at": call.at,
                        "conversation": call.conversation_id, "activity_id": answered})
        return out[since:]

    return _with_export(connector.app(), export, connector.reset)


def _with_export(app: web.Application, export: Any, reset: Any) -> web.Application:
    async def calls(request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            return web.json_response({"error": "since must be an integer"}, status=400)
        return web.json_response(export(since), dumps=lambda o: json.dumps(o, default=str))

    async def do_reset(_: web.Request) -> web.Response:
        reset()
        return web.json_response({"ok": True})

    app.router.add_get("/_bench/calls", calls)
    app.router.add_post("/_bench/reset", do_reset)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.standins")
    parser.add_argument("platform", choices=["slack", "teams"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = _slack_app() if args.platform == "slack" else _teams_app()
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
