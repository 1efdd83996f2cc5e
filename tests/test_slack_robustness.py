"""Robustness at the wire: signatures, malformed payloads, retries and duplicate events
(also across replicas), Web API rate limits and failures, mrkdwn injection."""

from __future__ import annotations

import json
import logging
import time

import pytest
from slack_sdk.signature import Clock, SignatureVerifier
from sqlalchemy.engine import Engine

from tests.slack_payloads.harness import (
    CHANNEL,
    SECRET,
    Server,
    payload,
    sign,
    wait_until,
)
from tests.standins.slack_api import Failure, SlackApiStandIn

# Slack's worked example from its docs page "Verifying requests from Slack"
EXAMPLE_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
    "&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
    "%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
EXAMPLE_TS = 1531420618
EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

pytestmark = pytest.mark.usefixtures("slack_fresh")


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self.value = now

    def now(self) -> float:
        return self.value


def test_slacks_published_signature_example_against_our_verifier() -> None:
    headers = {"X-Slack-Request-Timestamp": str(EXAMPLE_TS), "X-Slack-Signature": EXAMPLE_SIGNATURE}
    ok = SignatureVerifier(SECRET, clock=FixedClock(EXAMPLE_TS + 299))
    late = SignatureVerifier(SECRET, clock=FixedClock(EXAMPLE_TS + 301))
    assert ok.is_valid_request(EXAMPLE_BODY, headers)
    assert not late.is_valid_request(EXAMPLE_BODY, headers)
    assert not ok.is_valid_request(EXAMPLE_BODY.replace("roadrunner", "wile"), headers)
    # our own signing helper computes the same signature
    assert sign(EXAMPLE_BODY, ts=EXAMPLE_TS)["X-Slack-Signature"] == EXAMPLE_SIGNATURE


def test_forged_and_stale_signatures_are_refused(server: Server,
                                                 standin: SlackApiStandIn) -> None:
    body = json.dumps(payload("event_app_mention"))
    forged = sign(body, secret="not-the-secret")
    assert server.post(body, "application/json", headers=forged, signed=False)[0] == 401
    stale = sign(body, ts=int(time.time()) - 6 * 60)
    assert server.post(body, "application/json", headers=stale, signed=False)[0] == 401
    assert server.post(body, "application/json", signed=False)[0] == 401  # unsigned
    assert server.post("payload=%7Bbroken", "application/x-www-form-urlencoded",
                       headers=forged, signed=False)[0] == 401
    time.sleep(0.2)
    assert standin.calls == []  # nothing was processed


def test_url_verification_is_answered(server: Server) -> None:
    status, body = server.post_json(payload("url_verification"))
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in body


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"type": "event_callback", "event_id": "EvBROKEN"}', "application/json"),
        ('payload={"type":"block_actions"}', "application/x-www-form-urlencoded"),
        ('{"type": "event_callback", "event": "oops"}', "application/json"),
    ],
    ids=["form-payload-not-json", "json-broken", "json-array", "event-without-event",
         "actions-without-anything", "event-not-object"],
)
def test_malformed_payloads_get_400_and_the_server_stays_up(
    server: Server, body: str, content_type: str
) -> None:
    status, text = server.post(body, content_type)
    assert 400 <= status < 500, (status, text)
    assert "Traceback" not in text
    assert server.get("/healthz")[0] == 200


def test_retries_and_duplicate_event_ids_are_processed_once(
    server: Server, standin: SlackApiStandIn, slack_engine: Engine
) -> None:
    text = "<@UBOT> what does least privilege mean for service accounts?"
    assert server.event("event_app_mention", event_id="EvDUP1", text=text)[0] == 200
    assert server.event("event_app_mention", event_id="EvDUP1", retry=1, text=text)[0] == 200
    assert server.event("event_app_mention", event_id="EvDUP1", retry=2, text=text)[0] == 200
    replica = Server(slack_engine, server.slack).start()  # another replica, same database
    try:
        assert replica.event("event_app_mention", event_id="EvDUP1", text=text)[0] == 200
    finally:
        replica.stop()
    standin.wait_for("chat.postMessage")
    time.sleep(0.3)
    assert len(standin.calls_to("chat.postMessage")) == 1
    server.event("event_app_mention", event_id="EvDUP2", text=text)
    standin.wait_for("chat.postMessage", 2)


def test_rate_limit_then_success_is_retried(server: Server, standin: SlackApiStandIn) -> None:
    standin.fail("chat.postMessage", Failure(status=429, retry_after=1))
    standin.fail("chat.postMessage", Failure(status=503))
    server.event("event_app_mention", text="<@UBOT> what is SOC 2 Type II?")
    calls = standin.wait_for("chat.postMessage", 3, timeout=15)
    assert len(calls) == 3
    assert calls[1].at - calls[0].at >= 0.9  # waited for Retry-After
    assert calls[0].body == calls[2].body  # the same message, delivered once it could be


def test_failed_post_is_logged_with_context(server: Server, standin: SlackApiStandIn,
                                            caplog: pytest.LogCaptureFixture) -> None:
    standin.fail("chat.postMessage", Failure(error="channel_not_found"))
    with caplog.at_level(logging.ERROR, logger="bot.slack.delivery"):
        server.event("event_app_mention", channel="C0GONE", text="<@UBOT> what is ISO 27001?")
        wait_until(lambda: any("channel_not_found" in r.getMessage() for r in caplog.records),
                   timeout=30)  # the first answer in a process builds the index
    line = next(r.getMessage() for r in caplog.records if "channel_not_found" in r.getMessage())
    assert "chat.postMessage" in line and "C0GONE" in line and "T0001" in line


def test_mention_with_injection_never_pings_the_channel(server: Server,
                                                        standin: SlackApiStandIn) -> None:
    server.event("event_app_mention",
                 text="<@UBOT> <!channel> <!here> tell me about <https://evil.example|SOC 2>")
    post = standin.wait_for("chat.postMessage")[0]
    sent = json.dumps(post.body)
    assert "<!channel>" not in sent and "<!here>" not in sent
    assert "<https://evil.example" not in sent
    assert post.body["thread_ts"] and post.body["channel"] == CHANNEL


def test_old_event_ids_are_pruned_but_recent_ones_kept(engine: Engine) -> None:
    from datetime import timedelta

    from storage.clock import utcnow
    from storage.events import claim_event, prune_events

    assert claim_event(engine, "slack", "EvOLD") and claim_event(engine, "slack", "EvNEW")
    assert not claim_event(engine, "slack", "EvNEW")
    assert prune_events(engine, now=utcnow() + timedelta(days=3)) == 2
    assert claim_event(engine, "slack", "EvOLD")  # forgotten after the retention window
    assert prune_events(engine) == 0
