"""`idgov serve` start and stop (issue 14): SIGTERM finishes a reply in flight and exits 0; a
half-sent request cannot keep the process alive; nothing configured, a port in use and the
unauthenticated Teams development mode are explicit, one line, exit 2."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.cli.main import main
from tests.slack_payloads.harness import SECRET, payload, sign
from tests.standins.slack_api import SlackApiStandIn

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_VARS = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID",
                 "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
                 "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "IDGOV_TEAMS_DEV", "IDGOV_HOST",
                 "IDGOV_SHUTDOWN_SECONDS")


class SlowSlackApi(SlackApiStandIn):
    """The stand-in Web API, with chat.postMessage answered only after `delay` seconds."""

    delay = 2.0

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage":
            await asyncio.sleep(self.delay)
        return await super()._api(request)


@pytest.fixture
def slow_api() -> Iterator[SlowSlackApi]:
    api = SlowSlackApi().start()
    yield api
    api.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARS}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'i.db'}", PYTHONPATH=str(ROOT), **extra)
    return env


def _start(tmp_path: Path, port: int, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port), "--no-scheduler",
         *extra], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except (urllib.error.URLError, ConnectionError):
            pass
        if proc.poll() is not None:
            raise AssertionError(proc.communicate()[1])
        assert time.time() < deadline, "idgov serve did not become healthy"
        time.sleep(0.1)


def _post_event(port: int, body: dict[str, Any]) -> int:
    raw = json.dumps(body)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=raw.encode(),
                                 method="POST",
                                 headers={"Content-Type": "application/json", **sign(raw)})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return int(resp.status)


def test_sigterm_finishes_the_reply_in_flight_and_exits_0(tmp_path: Path,
                                                          slow_api: SlowSlackApi) -> None:
    port = _free_port()
    env = _env(tmp_path, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-serve",
               SLACK_API_URL=slow_api.base_url, IDGOV_SHUTDOWN_SECONDS="10")
    proc = _start(tmp_path, port, env, "--host", "127.0.0.1")
    body = payload("event_app_mention")
    body["event_id"] = "EvSIGTERM1"
    body["event"]["text"] = "<@UBOT> what is ISO 27001?"
    assert _post_event(port, body) == 200
    time.sleep(0.5)  # the reply's chat.postMessage is now in flight (2 s)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 10
    assert slow_api.calls_to("chat.postMessage"), "the reply in flight was lost"


def test_a_half_sent_request_does_not_keep_the_process_alive(tmp_path: Path,
                                                             slow_api: SlowSlackApi) -> None:
    port = _free_port()
    env = _env(tmp_path, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-serve",
               SLACK_API_URL=slow_api.base_url, IDGOV_SHUTDOWN_SECONDS="2")
    proc = _start(tmp_path, port, env, "--host", "127.0.0.1")
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 100000\r\n\r\n{\"type\":")
        time.sleep(0.3)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert time.monotonic() - started < 5


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)
    for name in PLATFORM_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'idgov.db'}")
    return monkeypatch


def test_nothing_configured_exits_2_saying_what_to_set(
        bare_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--no-scheduler"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SLACK_SIGNING_SECRET" in err and "MICROSOFT_APP_ID" in err
    assert "--dev" in err


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_bad_shutdown_seconds_names_the_variable(bare_env: pytest.MonkeyPatch, value: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bare_env.setenv("IDGOV_SHUTDOWN_SECONDS", value)
    assert main(["serve", "--dev"]) == 2
    assert "IDGOV_SHUTDOWN_SECONDS" in capsys.readouterr().err


def test_port_in_use_is_one_line_and_exit_2(bare_env: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bare_env.setenv("SLACK_SIGNING_SECRET", SECRET)
        bare_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
        assert main(["serve", "--no-scheduler", "--host", "127.0.0.1", "--port",
                     str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already in use" in err and "Traceback" not in err


def test_dev_mode_binds_loopback_and_says_so_loudly(tmp_path: Path) -> None:
    port = _free_port()
    proc = _start(tmp_path, port, _env(tmp_path), "--dev")  # healthy on 127.0.0.1
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert f"http://127.0.0.1:{port}" in out and "UNAUTHENTICATED" in out
    assert "UNAUTHENTICATED" in err  # the log line too
