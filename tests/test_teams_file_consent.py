"""The evidence pack as a file in Teams: consent card, accept, upload to OneDrive (issue 13).

At the wire: activities to the real `idgov serve` on /api/messages, the connector stand-in
receiving the bot's messages and serving the one-time OneDrive upload session. The invoke
payload (tests/teams_payloads/personal_file_consent_accept.json) follows the documented
``fileConsent/invoke`` shape.
"""

from __future__ import annotations

import copy
import hashlib
import io
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dialogs.policy import ADMINS_ONLY, policy_settings
from storage import teams_file_offers
from storage.clock import utcnow
from storage.teams_models import TeamsFileOffer
from tests.standins.connector import Call, ConnectorStandIn, Failure
from tests.teams_helpers import APP_ENV, TENANT, USER_AAD, payload, post, running_server, texts
from tests.test_chat_inventory import SAMPLE, _file_activity, _teams_text

CONSENT = "application/vnd.microsoft.teams.card.file.consent"
INFO = "application/vnd.microsoft.teams.card.file.info"
OTHER_AAD = "0f0e0d0c-0b0a-4909-8807-060504030201"


@pytest.fixture(autouse=True)
def _admin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IDGOV_ADMINS", f"teams:{TENANT}:{USER_AAD},teams:{TENANT}:{OTHER_AAD}")
    policy_settings.cache_clear()
    yield
    policy_settings.cache_clear()


def _attachments(call: Call, content_type: str) -> list[dict[str, Any]]:
    return [a for a in call.body.get("attachments") or [] if a.get("contentType") == content_type]


def _consent_offer(conn: ConnectorStandIn) -> dict[str, Any]:
    for call in reversed(conn.calls_of("send", "reply")):
        found = _attachments(call, CONSENT)
        if found:
            return found[0]
    raise AssertionError("no file consent card was sent")


def _answer(conn: ConnectorStandIn, offer: str, action: str = "accept",
            upload_url: str | None = None, aad: str = USER_AAD) -> dict[str, Any]:
    data = payload("personal_file_consent_accept", conn.service_url)
    data["value"] = copy.deepcopy(data["value"])
    data["value"]["action"] = action
    data["value"]["context"] = {"offer": offer}
    data["value"]["uploadInfo"]["uploadUrl"] = upload_url or conn.upload_url("pack.zip")
    if action == "decline":
        del data["value"]["uploadInfo"]
    data["from"]["aadObjectId"] = aad
    data["from"]["id"] = f"29:{aad}"
    return data


def _offers(engine: Engine) -> list[TeamsFileOffer]:
    with Session(engine) as session:
        return list(session.exec(select(TeamsFileOffer)).all())


async def _ask_for_pack(url: str, conn: ConnectorStandIn) -> dict[str, Any]:
    link = conn.file_url("chat_upload.csv", SAMPLE.read_bytes())
    await post(url, _file_activity(conn.service_url, link))
    await post(url, _teams_text(conn.service_url, "evidence soc2"))
    return _consent_offer(conn)


async def test_accepting_uploads_the_pack_once_and_confirms_with_a_file_card(
    engine: Engine,
) -> None:
    async with running_server(engine) as (url, conn):
        card = await _ask_for_pack(url, conn)
        assert card["name"] == "idgov-evidence-soc2.zip"
        offer = card["content"]["acceptContext"]["offer"]
        assert card["content"]["declineContext"] == {"offer": offer}
        note = texts(conn.calls_of("send", "reply")[-1].card)
        assert "choose Allow" in note and "OneDrive" in note
        [stored] = _offers(engine)
        assert stored.user_ref == f"teams:{TENANT}:{USER_AAD}"
        assert card["content"]["sizeInBytes"] == len(stored.data)

        status, _ = await post(url, _answer(conn, offer))
        assert status == 200
        [(name, body, headers)] = conn.uploads
        assert name == "pack.zip" and body == stored.data
        assert headers["Content-Range"] == f"bytes 0-{len(body) - 1}/{len(body)}"
        pack = zipfile.ZipFile(io.BytesIO(body))
        assert {"index.html", "summary.md", "SHA256SUMS"} <= set(pack.namelist())
        for line in pack.read("SHA256SUMS").decode().splitlines():  # the manifest holds
            digest, file = line.split(maxsplit=1)
            assert hashlib.sha256(pack.read(file.lstrip("*"))).hexdigest() == digest
        done = conn.calls_of("send", "reply")[-1]
        [info] = _attachments(done, INFO)
        assert info["content"]["uniqueId"] == "1150D938-8870-4044-9F2C-5BBDEBA70C8C"
        assert info["contentUrl"].startswith("https://contoso-my.sharepoint.com/")
        assert "Saved idgov-evidence-soc2.zip" in done.body["text"]
        assert _offers(engine) == []  # no copy of the pack is kept

        status, _ = await post(url, _answer(conn, offer))  # a replayed accept
        assert status == 200 and len(conn.uploads) == 1
        assert "expired or was already answered" in conn.calls_of("send", "reply")[-1].body["text"]


async def test_only_the_admin_it_was_offered_to_can_accept(engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        offer = (await _ask_for_pack(url, conn))["content"]["acceptContext"]["offer"]
        status, _ = await post(url, _answer(conn, offer, aad=OTHER_AAD))
        assert status == 200 and conn.uploads == []
        assert "expired or was already answered" in conn.calls_of("send", "reply")[-1].body["text"]
        assert len(_offers(engine)) == 1  # still there for its admin
        await post(url, _answer(conn, offer))
        assert len(conn.uploads) == 1


async def test_an_admin_who_lost_the_role_cannot_accept(monkeypatch: pytest.MonkeyPatch,
                                                          engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        offer = (await _ask_for_pack(url, conn))["content"]["acceptContext"]["offer"]
        monkeypatch.setenv("IDGOV_ADMINS", f"teams:{TENANT}:{OTHER_AAD}")
        policy_settings.cache_clear()
        status, _ = await post(url, _answer(conn, offer))
        assert status == 200 and conn.uploads == [] and _offers(engine) == []
        assert ADMINS_ONLY in conn.calls_of("send", "reply")[-1].body["text"]


@pytest.mark.parametrize("upload_url", [
    "http://127.0.0.2:9/up", "https://contoso.example.com/up", "http://[::1", "http://h:99999/x",
    None,
])
async def test_an_unusable_upload_url_is_a_400_and_keeps_the_offer(
    engine: Engine, upload_url: str | None,
) -> None:
    async with running_server(engine) as (url, conn):
        offer = (await _ask_for_pack(url, conn))["content"]["acceptContext"]["offer"]
        sent = len(conn.calls_of("send", "reply"))
        answer = _answer(conn, offer, upload_url="http://placeholder/")
        if upload_url is None:
            del answer["value"]["uploadInfo"]
        else:
            answer["value"]["uploadInfo"]["uploadUrl"] = upload_url
        status, _ = await post(url, answer)
        assert status == 400
        assert len(conn.calls_of("send", "reply")) == sent  # nothing said, nothing sent
        assert len(_offers(engine)) == 1  # the pack is still there for a good accept
        status, _ = await post(url, _answer(conn, offer))
        assert status == 200 and len(conn.uploads) == 1


async def test_a_redelivered_accept_is_answered_200_and_uploads_once(engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        offer = (await _ask_for_pack(url, conn))["content"]["acceptContext"]["offer"]
        answer = _answer(conn, offer)
        first, _ = await post(url, answer)
        again, _ = await post(url, answer)  # the same activity id: Teams retrying
        assert (first, again) == (200, 200) and len(conn.uploads) == 1


async def test_a_failed_upload_is_told_plainly_not_a_5xx(engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        offer = (await _ask_for_pack(url, conn))["content"]["acceptContext"]["offer"]
        conn.fail("upload", Failure(status=503))
        status, _ = await post(url, _answer(conn, offer))
        assert status == 200
        said = conn.calls_of("send", "reply")[-1].body["text"]
        assert "could not save the file" in said and "HTTP 503" in said
        assert "tempauth" not in said


async def test_declining_forgets_the_file(engine: Engine) -> None:
    async with running_server(engine) as (url, conn):
        offer = (await _ask_for_pack(url, conn))["content"]["acceptContext"]["offer"]
        status, _ = await post(url, _answer(conn, offer, action="decline"))
        assert status == 200 and conn.uploads == [] and _offers(engine) == []
        assert "did not save the file" in conn.calls_of("send", "reply")[-1].body["text"]


@pytest.mark.parametrize("value", [
    None, "accept", {"action": "accept"}, {"action": "accept", "context": "x"},
    {"action": "explode", "context": {"offer": "x"}},
])
async def test_a_malformed_consent_answer_is_a_400(engine: Engine, value: Any) -> None:
    async with running_server(engine) as (url, conn):
        data = payload("personal_file_consent_accept", conn.service_url)
        data["value"] = value
        status, _ = await post(url, data)
        assert status == 400
        assert conn.uploads == []


def test_offers_expire_and_are_bounded(engine: Engine) -> None:
    now = utcnow()
    offer = teams_file_offers.save(engine, workspace=f"teams:{TENANT}", user_ref="teams:T:U",
                                   name="a.zip", data=b"x", now=now)
    assert teams_file_offers.claim(engine, offer, "teams:T:U",
                                   now=now + teams_file_offers.OFFER_TTL + timedelta(1)) is None
    assert _offers(engine) == []
    with pytest.raises(teams_file_offers.OfferTooLarge):
        teams_file_offers.save(engine, workspace=f"teams:{TENANT}", user_ref="teams:T:U",
                               name="big.zip", data=b"0" * (teams_file_offers.MAX_OFFER_BYTES + 1))


def test_one_offer_per_admin_and_expired_ones_are_purged(engine: Engine) -> None:
    now = utcnow()
    first = teams_file_offers.save(engine, workspace="teams:T", user_ref="teams:T:A",
                                   name="a.zip", data=b"1", now=now)
    teams_file_offers.save(engine, workspace="teams:T", user_ref="teams:T:B", name="b.zip",
                           data=b"2", now=now)
    second = teams_file_offers.save(engine, workspace="teams:T", user_ref="teams:T:A",
                                    name="a.zip", data=b"3", now=now)
    assert teams_file_offers.claim(engine, first, "teams:T:A", now=now) is None  # replaced
    assert len(_offers(engine)) == 2
    later = now + teams_file_offers.OFFER_TTL + timedelta(seconds=1)
    assert teams_file_offers.purge_expired(engine, now=later) == 2
    assert teams_file_offers.claim(engine, second, "teams:T:A", now=later) is None


async def test_housekeeping_purges_expired_offers_once_per_interval(engine: Engine) -> None:
    from bot.housekeeping import Housekeeping

    old = utcnow() - teams_file_offers.OFFER_TTL - timedelta(hours=1)
    teams_file_offers.save(engine, workspace="teams:T", user_ref="teams:T:A", name="a.zip",
                           data=b"1", now=old)
    chores = Housekeeping(engine, every=3600)
    await chores.run_due()
    assert _offers(engine) == []
    teams_file_offers.save(engine, workspace="teams:T", user_ref="teams:T:B", name="b.zip",
                           data=b"2", now=old)
    await chores.run_due()  # within the interval: not run again
    assert len(_offers(engine)) == 1


def test_deleting_a_workspace_deletes_its_offers(engine: Engine) -> None:
    from storage.db import session_scope
    from storage.workspaces import delete_workspace

    for tenant in ("T1", "T2"):
        teams_file_offers.save(engine, workspace=f"teams:{tenant}",
                               user_ref=f"teams:{tenant}:A", name="a.zip", data=b"1")
    with session_scope(engine) as session:
        counts = delete_workspace(session, "teams:T1")
    assert counts["teams_file_offer"] == 1
    assert [o.workspace for o in _offers(engine)] == ["teams:T2"]
