"""The signature comes before the body (issue 14): every unsigned or badly signed request is
401 whatever its headers and body hold, never 5xx; signed garbage is 400; forged bodies are
never logged; a claimed event whose work or reply failed is released for Slack's retry."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from sqlalchemy.engine import Engine

from bot.slack.dedupe import note_reply_failed, releaser
from bot.slack.guard import guarded
from storage.events import claim_event
from tests.slack_payloads.harness import SECRET, Server, payload, sign
from tests.standins.slack_api import SlackApiStandIn

pytestmark = pytest.mark.usefixtures("slack_fresh")


@pytest.mark.parametrize("stamp", ["abc", "1796113052.5", "9" * 5000, "", "-1", " 12"])
def test_malformed_timestamps_are_401_not_500(server: Server, stamp: str) -> None:
    body = json.dumps(payload("event_app_mention"))
    headers = {"X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": sign(body)["X-Slack-Signature"]}
    status, text = server.post(body, "application/json", headers=headers, signed=False)
    assert status == 401, text
    assert server.get("/healthz")[0] == 200


@pytest.mark.parametrize("body", ['{"type":["x"]}', '{"type": "event_callback", "event": 1}',
                                  "payload=%7Bbroken", "[1,2]", ""])
def test_unsigned_bodies_are_401_whatever_their_shape(server: Server, body: str) -> None:
    assert server.post(body, "application/json", signed=False)[0] == 401


@pytest.mark.parametrize("body", ['{"type":["x"]}', '{"type":"","event":null}',
                                  '{"type":"block_actions","event":"x"}'])
def test_signed_but_malformed_shape_is_400(server: Server, body: str) -> None:
    status, text = server.post(body, "application/json")
    assert status == 400, text


def _raw_post(server: Server, raw: bytes, headers: dict[str, str]) -> int:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(server.url + "/slack/events", data=raw, method="POST",
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_non_utf8_body_is_401_unsigned_and_400_signed(server: Server) -> None:
    import hashlib
    import hmac

    raw = b'{"type": "\xff\xfe"}'
    assert _raw_post(server, raw, {}) == 401
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256)
    signed = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}
    assert _raw_post(server, raw, signed) == 400


def test_forged_bodies_are_never_logged(server: Server, standin: SlackApiStandIn,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "FORGEDMARKER"
    line = json.dumps({"type": "event_callback", "text": f"x\n2026-01-01 INFO {marker}"})
    assert server.post(line, "application/json", signed=False)[0] == 401
    big = json.dumps({"type": "event_callback", "pad": marker + "A" * 900_000})
    assert server.post(big, "application/json", signed=False)[0] == 401
    time.sleep(0.2)
    assert not [r for r in caplog.records if marker in r.getMessage()]
    assert sum(len(r.getMessage()) for r in caplog.records) < 20_000
    assert standin.calls == []


def _body(event_id: str) -> dict[str, object]:
    return {"type": "event_callback", "event_id": event_id, "team_id": "T1",
            "event": {"type": "message"}}


async def test_failed_work_releases_the_event_for_slacks_retry(slack_engine: Engine) -> None:
    body = _body("EvRELEASE1")
    assert claim_event(slack_engine, "slack", "EvRELEASE1")

    async def fails() -> None:
        raise RuntimeError("boom")

    await guarded(fails(), "message", "T1", release=releaser(slack_engine, body))
    assert claim_event(slack_engine, "slack", "EvRELEASE1")  # the retry is processed


async def test_undelivered_reply_releases_the_event(slack_engine: Engine) -> None:
    assert claim_event(slack_engine, "slack", "EvRELEASE2")

    async def reply_lost() -> None:
        note_reply_failed()

    await guarded(reply_lost(), "message", "T1",
                  release=releaser(slack_engine, _body("EvRELEASE2")))
    assert claim_event(slack_engine, "slack", "EvRELEASE2")


async def test_work_cancelled_at_shutdown_releases_the_event(slack_engine: Engine) -> None:
    assert claim_event(slack_engine, "slack", "EvRELEASE3")
    task = asyncio.ensure_future(guarded(asyncio.sleep(30), "message", "T1",
                                         release=releaser(slack_engine, _body("EvRELEASE3"))))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert claim_event(slack_engine, "slack", "EvRELEASE3")


async def test_successful_work_keeps_its_claim(slack_engine: Engine) -> None:
    assert claim_event(slack_engine, "slack", "EvKEEP")

    async def works() -> None:
        return None

    await guarded(works(), "message", "T1", release=releaser(slack_engine, _body("EvKEEP")))
    assert not claim_event(slack_engine, "slack", "EvKEEP")
