"""Inventory and evidence in chat, at the wire, on Slack and Teams (issue 13, item 4-5).

Slack: signed requests to /slack/events, the Web API stand-in serving files.info, the file
download (bearer token) and the external upload flow. Teams: activities to /api/messages
with a ``file.download.info`` attachment whose download URL the connector stand-in serves.
The sample (tests/inventory_samples/chat_upload.csv) has 6 rows: 4 identities, row 4 a bad
date, row 5 a duplicate of row 3; its gaps do not depend on today's date (2020 rotations).
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dialogs.actions import Verb, from_slack, from_teams
from dialogs.policy import ADMINS_ONLY, policy_settings
from storage.db import make_engine, migrate
from storage.inventory_models import NhiIdentity
from storage.models import Task
from tests.slack_payloads.harness import (
    USER,
    Server,
    buttons,
    check_block_kit,
    responses,
    settings,
    wait_until,
)
from tests.standins.slack_api import Call, SlackApiStandIn
from tests.teams_helpers import APP_ENV, TENANT, payload, post, running_server, submits, texts

SAMPLE = Path(__file__).resolve().parent / "inventory_samples" / "chat_upload.csv"
DM = f"D{USER}"
GAPS = {"unowned": 1, "rotation_overdue": 3, "expired": 1, "privileged": 1, "human_use": 1}
REPORT_LINE = "4 new, 0 updated, 2 refused"
REFUSED = ("row 4: last_rotated: 'someday' is not a date",
           "row 5: duplicate of row 3 (same platform and id or name)")


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        return len(s.exec(select(NhiIdentity)).all()), len(s.exec(select(Task)).all())


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("IDGOV_ADMINS", raising=False)
    policy_settings.cache_clear()
    yield
    policy_settings.cache_clear()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'chat.db'}")
    migrate(eng)
    yield eng
    eng.dispose()


# --- Slack ------------------------------------------------------------------------------
@pytest.fixture
def slack(engine: Engine) -> Iterator[tuple[Server, SlackApiStandIn]]:
    standin = SlackApiStandIn().start()
    server = Server(engine, settings(standin)).start()
    try:
        yield server, standin
    finally:
        server.stop()
        standin.stop()


def _slack_user(standin: SlackApiStandIn, *, admin: bool) -> None:
    standin.add_user(USER)
    standin.users[USER]["is_admin"] = admin


def _share(server: Server, standin: SlackApiStandIn, name: str = "chat_upload.csv",
           data: bytes | None = None, **file_kw: Any) -> dict[str, Any]:
    obj = standin.add_file(name, SAMPLE.read_bytes() if data is None else data, **file_kw)
    status, _ = server.event("event_message_im", channel=DM, user=USER, text="",
                             subtype="file_share", ts="1700000000.000100",
                             files=[{"id": obj["id"], "file_access": "check_file_info"}])
    assert status == 200
    return obj


def _posted_text(call: Call) -> str:
    return json.dumps(call.body)


def test_slack_admin_file_upload_imports_and_answers_with_the_report(
        slack: tuple[Server, SlackApiStandIn], engine: Engine) -> None:
    server, standin = slack
    _slack_user(standin, admin=True)
    obj = _share(server, standin)
    posted = standin.wait_for("chat.postMessage")
    check_block_kit(posted)
    body = _posted_text(posted[-1])
    assert posted[-1].body["channel"] == DM
    assert REPORT_LINE in body and "chat_upload.csv" in body
    assert all(line in body for line in REFUSED)
    assert "Tasks: 5 created, 0 updated, 0 closed" in body
    downloads = standin.calls_to("files:download")
    assert [c.body["path"] for c in downloads] == [obj["url_private_download"].split(
        str(standin.port))[1]]
    assert downloads[0].headers["Authorization"] == "Bearer xoxb-test-token"
    assert "xoxb-test-token" not in body
    assert _counts(engine) == (4, 5)
    # the buttons open each gap's tasks: one per gap kind found, plus My tasks
    verbs = [from_slack(b["action_id"], b.get("value")) for b in _accessories(posted[-1])]
    assert sorted(a.value or "" for a in verbs if a.verb is Verb.INVENTORY_TASKS) == sorted(GAPS)


def _accessories(call: Call) -> list[dict[str, Any]]:
    blocks = call.body.get("blocks", [])
    found = [b["accessory"] for b in blocks if "accessory" in b]
    return found + buttons(call)


def test_slack_non_admin_upload_is_refused_and_nothing_is_fetched(
        slack: tuple[Server, SlackApiStandIn], engine: Engine) -> None:
    server, standin = slack
    _slack_user(standin, admin=False)
    _share(server, standin)
    wait_until(lambda: standin.calls_to("chat.postEphemeral") or standin.calls_to(
        "chat.postMessage"))
    said = standin.calls_to("chat.postEphemeral") + standin.calls_to("chat.postMessage")
    assert ADMINS_ONLY in _posted_text(said[-1])
    assert not standin.calls_to("files.info") and not standin.calls_to("files:download")
    assert _counts(engine) == (0, 0)


def test_slack_download_redirected_off_host_is_refused(
        slack: tuple[Server, SlackApiStandIn], engine: Engine) -> None:
    server, standin = slack
    _slack_user(standin, admin=True)
    _share(server, standin, redirect_to="http://127.0.0.2:9/steal")
    posted = standin.wait_for("chat.postMessage")
    assert "redirected off its host" in _posted_text(posted[-1])
    assert _counts(engine) == (0, 0)


def test_slack_file_that_is_not_csv_or_json_is_not_imported(
        slack: tuple[Server, SlackApiStandIn], engine: Engine) -> None:
    server, standin = slack
    _slack_user(standin, admin=True)
    _share(server, standin, name="photo.png", data=b"\x89PNG", mimetype="image/png")
    posted = standin.wait_for("chat.postMessage")
    assert "only CSV or JSON files are taken here" in _posted_text(posted[-1])
    assert not standin.calls_to("files:download")


def test_slack_inventory_command_and_open_tasks_button(
        slack: tuple[Server, SlackApiStandIn], engine: Engine) -> None:
    server, standin = slack
    _slack_user(standin, admin=True)
    _share(server, standin)
    standin.wait_for("chat.postMessage")
    server.command(standin, "inventory")
    summary = responses(standin)[-1]
    check_block_kit([summary])
    text = _posted_text(summary)
    assert "Non-human identity inventory" in text and "Imported" not in text
    assert "Secret older than the rotation policy*: 3" in text
    button = next(b for b in _accessories(summary)
                  if from_slack(b["action_id"], b.get("value")).value == "rotation_overdue")
    server.press(standin, button, channel=DM, message_ts="1.0")
    listing = standin.wait_for("chat.postEphemeral")[-1]  # a press in the DM: beside it
    check_block_kit([listing])
    assert "Open inventory tasks: Secret older than the rotation policy" in _posted_text(listing)
    assert "Rotate 3 secrets older than the rotation policy" in _posted_text(listing)


def test_slack_evidence_for_admins_is_uploaded_to_the_dm(
        slack: tuple[Server, SlackApiStandIn], engine: Engine) -> None:
    server, standin = slack
    _slack_user(standin, admin=True)
    _share(server, standin)
    standin.wait_for("chat.postMessage")
    server.command(standin, "evidence soc2")
    standin.wait_for("files.completeUploadExternal")
    note = responses(standin)[-1]
    assert "sent the SOC 2 evidence pack to you in a direct message" in _posted_text(note)
    (upload,) = standin.uploads.values()
    assert upload["channel"] == DM and upload["name"] == "idgov-evidence-soc2.zip"
    names = zipfile.ZipFile(io.BytesIO(upload["bytes"])).namelist()
    assert {"index.html", "summary.md", "inventory.csv", "tasks.csv", "SHA256SUMS"} <= set(names)
    assert "xoxb" not in upload["bytes"].decode("latin-1")


def test_slack_evidence_is_refused_to_non_admins(
        slack: tuple[Server, SlackApiStandIn], engine: Engine) -> None:
    server, standin = slack
    _slack_user(standin, admin=False)
    server.command(standin, "evidence iso27001")
    assert ADMINS_ONLY in _posted_text(responses(standin)[-1])
    assert not standin.calls_to("files.getUploadURLExternal") and not standin.uploads


# --- Teams ------------------------------------------------------------------------------
SENDER_AAD = "d6f2a5e1-3c4b-4f6e-9a8d-1b2c3d4e5f60"


def _teams_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    # a JSON list: pydantic-settings decodes a set-typed variable as JSON before
    # dialogs.policy's comma splitter sees it (a bare "a,b" fails; reported to the lead)
    monkeypatch.setenv("IDGOV_ADMINS", f"slack:T0OTHER:U1,teams:{TENANT}:{SENDER_AAD}")
    policy_settings.cache_clear()


def _file_activity(service_url: str, url: str, name: str = "chat_upload.csv") -> dict[str, Any]:
    data = payload("personal_message", service_url)
    data["text"] = ""
    data["attachments"] = [{
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "contentUrl": f"https://contoso-my.sharepoint.com/personal/megan/Documents/{name}",
        "name": name,
        "content": {"downloadUrl": url, "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
                    "fileType": name.rsplit(".", 1)[-1]},
    }]
    return data


def _teams_text(service_url: str, text: str) -> dict[str, Any]:
    data = payload("personal_message", service_url)
    data["text"] = text
    return data


async def test_teams_admin_file_upload_imports(monkeypatch: pytest.MonkeyPatch,
                                               engine: Engine) -> None:
    _teams_admin(monkeypatch)
    async with running_server(engine) as (url, conn):
        link = conn.file_url("chat_upload.csv", SAMPLE.read_bytes())
        status, _ = await post(url, _file_activity(conn.service_url, link))
        assert status in (200, 201)
        sent = conn.calls_of("send", "reply")
        shown = texts(sent[-1].card).replace("\\", "")  # Markdown escapes off
        # the sample's owners are Slack users: the unowned identity's task goes to the Teams
        # importer, so one gap kind (unowned) has a task of its own: 6, not Slack's 5
        assert REPORT_LINE in shown and "Tasks: 6 created, 0 updated, 0 closed" in shown
        assert "Row 4: last_rotated: 'someday' is not a date" in shown
        assert conn.downloads == ["chat_upload.csv"]
        assert link not in json.dumps(sent[-1].body)
        opened = {from_teams(d).value for d in submits(sent[-1].card)
                  if d.get("idgov") == Verb.INVENTORY_TASKS}
        assert opened == set(GAPS)
        # the button opens the tasks of that gap
        data = next(d for d in submits(sent[-1].card) if d.get("value") == "unowned"
                    or d.get("v") == "unowned")
        press = payload("personal_message", conn.service_url)
        press.update(text="", value=data)
        await post(url, press)
        listing = texts(conn.calls_of("send", "reply")[-1].card)
        assert "Open inventory tasks: No accountable owner" in listing
        assert "Name an owner for 1 non-human identity" in listing
    assert _counts(engine) == (4, 6)


async def test_teams_non_admin_upload_is_refused(engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        link = conn.file_url("chat_upload.csv", SAMPLE.read_bytes())
        await post(url, _file_activity(conn.service_url, link))
        assert ADMINS_ONLY in texts(conn.calls_of("send", "reply")[-1].card)
        assert conn.downloads == []
    assert _counts(engine) == (0, 0)


async def test_teams_download_from_a_foreign_host_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                             engine: Engine) -> None:
    _teams_admin(monkeypatch)
    async with running_server(engine) as (url, conn):
        await post(url, _file_activity(conn.service_url, "http://127.0.0.2:9/x.csv"))
        assert "not on a host I download from" in texts(conn.calls_of("send", "reply")[-1].card)
    assert _counts(engine) == (0, 0)


async def test_teams_inventory_and_evidence(monkeypatch: pytest.MonkeyPatch,
                                            engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        await post(url, _teams_text(conn.service_url, "evidence soc2"))
        assert ADMINS_ONLY in texts(conn.calls_of("send", "reply")[-1].card)
        _teams_admin(monkeypatch)
        link = conn.file_url("chat_upload.csv", SAMPLE.read_bytes())
        await post(url, _file_activity(conn.service_url, link))
        await post(url, _teams_text(conn.service_url, "inventory"))
        summary = texts(conn.calls_of("send", "reply")[-1].card)
        assert "Non-human identity inventory" in summary and "Imported" not in summary
        assert "**Secret older than the rotation policy**: 3" in summary
        await post(url, _teams_text(conn.service_url, "evidence soc2"))
        offered, note = conn.calls_of("send", "reply")[-2:]  # tests/test_teams_file_consent.py
        assert [a["contentType"] for a in offered.body["attachments"]] == [
            "application/vnd.microsoft.teams.card.file.consent"]
        assert "choose Allow on the file card" in texts(note.card)


def test_the_zip_is_deterministic() -> None:
    from dialogs.handlers_inventory import zip_pack

    files = {"b.txt": b"2", "a.txt": b"1"}
    assert zip_pack(files) == zip_pack(dict(reversed(list(files.items()))))
    assert zipfile.ZipFile(io.BytesIO(zip_pack(files))).namelist() == ["a.txt", "b.txt"]


_ = asyncio  # async tests run under pytest-asyncio's auto mode
