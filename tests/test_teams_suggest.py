""" "Did you mean…?" in Teams (botbuilder TestAdapter, production middleware): a refusal shows
suggestion submits; pressing one replies with that entry's answer card, stored for feedback
in the presser's tenant, and Helpful yes/no works on it (from that tenant only)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cards.render import AC_SCHEMA
from knowledge.qa.suggest import DID_YOU_MEAN
from storage.models import Feedback
from tests.teams_helpers import OTHER_TENANT, TENANT, payload, submits, texts, with_tenant
from tests.test_teams_bot import SERVICE, USER_REF, Harness

DECLINED = "ask auditors come back after we pass?"


async def test_suggestion_submit_replies_with_the_answer_card(sqlite_engine: Engine) -> None:
    harness = Harness(sqlite_engine)
    [refusal] = await harness.send("personal_message", text=DECLINED)
    assert DID_YOU_MEAN in texts(refusal) and "/idgov" not in texts(refusal)
    offered = [s for s in submits(refusal) if s["idgov"] == "ask"]
    assert 1 <= len(offered) <= 3 and offered[0]["e"] == "iso27001-certificate-cycle"

    [answer] = await harness.send("personal_card_submit", value=offered[0])
    assert answer["$schema"] == AC_SCHEMA
    said = texts(answer)
    assert "How long is an ISO/IEC 27001 certificate valid" in said and "Sources" in said
    assert not [s for s in submits(answer) if s["idgov"] == "ask"]
    votes = [s for s in submits(answer) if s["idgov"] == "feedback"]
    assert {v["v"] for v in votes} == {"yes", "no"}
    with Session(sqlite_engine) as session:
        row = session.get(Feedback, votes[0]["f"])
        assert row is not None
        assert row.workspace == f"teams:{TENANT}" and row.user_ref == USER_REF
        assert row.entry_ids == ["iso27001-certificate-cycle"] and row.answered

    other = with_tenant(payload("personal_card_submit", SERVICE, value=votes[0]), OTHER_TENANT)
    [refused] = await harness.send_data(other)
    assert "could not find" in texts(refused)
    [thanks] = await harness.send("personal_card_submit", value=votes[0])
    assert "Thanks" in texts(thanks)
    with Session(sqlite_engine) as session:
        voted = session.exec(select(Feedback).where(Feedback.id == votes[0]["f"])).one()
        assert voted.helpful is True and voted.voted_by == USER_REF


async def test_stale_or_empty_suggestion_submits_are_answered_politely(
    sqlite_engine: Engine,
) -> None:
    harness = Harness(sqlite_engine)
    [gone] = await harness.send("personal_card_submit", value={"idgov": "ask", "e": "removed"})
    assert "could not find that knowledge-base entry" in texts(gone)
    assert "Type help to see" in texts(gone) and "/idgov" not in texts(gone)
    [empty] = await harness.send("personal_card_submit", value={"idgov": "ask"})
    assert "missing its entry" in texts(empty)
