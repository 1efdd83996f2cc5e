"""`idgov serve`: settings checked at start-up (one line, exit 2), and the real process
serving /healthz and a signed slash command end to end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.slack.settings import SlackSettingsError, load_slack_settings
from tests.slack_payloads.harness import SECRET, payload, sign
from tests.standins.slack_api import SlackApiStandIn

ROOT = Path(__file__).resolve().parent.parent
SLACK_VARS = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
              "SLACK_STATE_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "MICROSOFT_APP_ID",
              "MICROSOFT_APP_PASSWORD")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'idgov.db'}")
    return monkeypatch


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_CLIENT_ID": "1.2",
          "SLACK_CLIENT_SECRET": "c", "SLACK_STATE_SECRET": "x"}, "not both"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is required"),
        ({"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxp-user"}, "xoxb-"),
        ({"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"},
         "SLACK_STATE_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "nope"},
         "xapp-"),
        ({"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "ftp://x"},
         "SLACK_API_URL"),
    ],
    ids=["token-and-oauth", "no-token", "no-secret", "user-token", "oauth-no-secret",
         "oauth-no-state-secret", "bad-app-token", "bad-api-url"],
)
def test_bad_settings_are_one_line_and_exit_2(clean_env: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str],
                                              env: dict[str, str], says: str) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert main(["serve", "--no-scheduler"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("idgov: error: ") and says in err and "\n" not in err


def test_no_slack_variables_means_slack_is_off(clean_env: pytest.MonkeyPatch) -> None:
    assert load_slack_settings() is None
    with pytest.raises(SlackSettingsError):
        load_slack_settings(SLACK_SIGNING_SECRET="s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def standin() -> Iterator[SlackApiStandIn]:
    api = SlackApiStandIn().start()
    yield api
    api.stop()


def test_idgov_serve_process_answers_healthz_and_a_signed_command(
    tmp_path: Path, standin: SlackApiStandIn
) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env.update(SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-serve",
               SLACK_API_URL=standin.base_url, DATABASE_URL=f"sqlite:///{tmp_path / 'i.db'}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--no-scheduler"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                    assert resp.status == 200 and json.loads(resp.read())["ok"] is True
                    break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.communicate()[1]
                assert time.time() < deadline, "idgov serve did not become healthy"
                time.sleep(0.1)
        fields = payload("slash_command")
        fields.update(text="help", response_url=standin.response_url + "commands/serve")
        body = urllib.parse.urlencode(fields)
        req = urllib.request.Request(
            base + "/slack/events", data=body.encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
        card = standin.wait_for("response_url:commands/serve")[0]
        assert "/idgov assess" in json.dumps(card.body["blocks"])
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"idgov serving on http://127.0.0.1:{port}" in out
    assert "slack: one workspace" in out and "teams: off" in out


def test_slack_and_teams_share_one_application(clean_env: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    from bot.platforms import teams_wanted
    from bot.server import create_app
    from storage.db import make_engine, migrate

    slack = load_slack_settings(SLACK_SIGNING_SECRET="s", SLACK_BOT_TOKEN="xoxb-1")
    assert slack is not None
    assert teams_wanted(None) and not teams_wanted(slack)  # no unauthenticated Teams beside Slack
    clean_env.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "pw")
    assert teams_wanted(slack)
    engine = make_engine(f"sqlite:///{tmp_path / 'both.db'}")
    migrate(engine)
    app = create_app(engine, slack=slack, teams=True, scheduler=False)
    paths = {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource}
    assert {("POST", "/slack/events"), ("POST", "/api/messages"), ("GET", "/healthz")} <= paths


def test_manifest_teams_delegates_to_the_teams_package(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "idgov-teams.zip"
    assert main(["manifest", "teams", "--app-id", "00000000-0000-0000-0000-000000000001",
                 "--out", str(out)]) == 0
    assert out.is_file() and "wrote" in capsys.readouterr().out
    assert main(["manifest", "teams", "--app-id", "nope", "--out", str(out)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_socket_mode_replaces_the_http_endpoint(clean_env: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    from bot.server import create_app
    from storage.db import make_engine, migrate

    slack = load_slack_settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1-A1-1-abc")
    assert slack is not None and slack.socket_mode  # no signing secret needed over a socket
    engine = make_engine(f"sqlite:///{tmp_path / 'socket.db'}")
    migrate(engine)
    app = create_app(engine, slack=slack, teams=False, scheduler=False)
    paths = {r.resource.canonical for r in app.router.routes() if r.resource}
    assert "/slack/events" not in paths and "/healthz" in paths
    assert len(app.cleanup_ctx) == 1  # the Socket Mode connection opens with the app
