"""The Teams activity handler driven in-process with botbuilder's TestAdapter (fast):
commands, Q&A with feedback, task buttons, group chats, odd submits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity
from sqlalchemy.engine import Engine

from bot.cards.render import reassign_input_id
from bot.teams.adapter import _on_turn_error
from bot.teams.bot import IdgovTeamsBot
from bot.teams.middleware import DedupeMiddleware, ReferenceMiddleware
from dialogs import task_ops as tasks
from storage.clock import utcnow
from storage.db import session_scope
from tests.teams_helpers import OTHER_TENANT, TENANT, USER_AAD, payload, submits, texts, with_tenant

USER_REF = f"teams:{TENANT}:{USER_AAD}"
SERVICE = "https://smba.trafficmanager.net/amer/"


class Harness:
    """A TestAdapter running our bot with the same middleware as production."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.bot = IdgovTeamsBot(engine)
        self.adapter = TestAdapter(self.bot.on_turn)
        self.adapter.use(DedupeMiddleware(engine))
        self.adapter.use(ReferenceMiddleware(engine))
        self.adapter.on_turn_error = _on_turn_error

    async def send(self, name: str, **fields: Any) -> list[dict[str, Any]]:
        return await self.send_data(payload(name, SERVICE, **fields))

    async def send_data(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        self.adapter.activity_buffer.clear()
        await self.adapter.receive_activity(Activity().deserialize(data))
        cards = []
        for activity in self.adapter.activity_buffer:
            assert activity.attachments, f"plain message sent: {activity.text!r}"
            cards.append(activity.attachments[0].content)
        return cards


@pytest.fixture
def harness(sqlite_engine: Engine) -> Harness:
    return Harness(sqlite_engine)


def _task(engine: Engine, title: str = "Rotate the CI deploy key",
          workspace: str = f"teams:{TENANT}") -> int:
    with session_scope(engine) as s:
        task = tasks.create_task(s, workspace=workspace, kind="rotation", title=title,
                                 owner=USER_REF, created_by=USER_REF,
                                 due=utcnow().date() + timedelta(days=3), now=utcnow())
        assert task.id is not None
        return task.id


async def test_help_and_unknown_words(harness: Harness) -> None:
    [card] = await harness.send("personal_message", text="help")
    assert all(word in texts(card) for word in ("assess", "ask", "tasks"))
    [empty] = await harness.send("personal_message", text="ask")
    assert "Ask me something" in texts(empty)


async def test_ask_answers_with_sources_and_feedback(harness: Harness, sqlite_engine: Engine
                                                     ) -> None:
    [card] = await harness.send("personal_message",
                                text="ask what is the difference between ISO 27001 and SOC 2?")
    votes = [s for s in submits(card) if s["idgov"] == "feedback"]
    assert {v["v"] for v in votes} == {"yes", "no"}
    [thanks] = await harness.send("personal_card_submit", value=votes[0])
    assert "Thanks" in texts(thanks)
    # The same button pressed from another tenant finds nothing to vote on.
    other = with_tenant(payload("personal_card_submit", SERVICE, value=votes[0]), OTHER_TENANT)
    [refused] = await harness.send_data(other)
    assert "could not find" in texts(refused)
    # A plain question (no command word) outside an assessment is answered too.
    [plain] = await harness.send("personal_message", text="what does SOC 2 CC6 cover?")
    assert any(s["idgov"] == "feedback" for s in submits(plain))


async def test_refusal_points_at_teams_commands_not_slack_ones(harness: Harness) -> None:
    [card] = await harness.send("personal_message", text="ask what's a good recipe for lasagne?")
    said = texts(card)
    assert "rather say so than guess" in said
    assert "/idgov" not in said
    # Teams words commands its own way, without Markdown backticks it would show literally
    assert "Type help to see" in said and "with assess for" in said and "`" not in said


async def test_task_buttons(harness: Harness, sqlite_engine: Engine,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    from dialogs import policy

    done_id, snooze_id, move_id, na_id = (_task(sqlite_engine, f"Task {n}") for n in range(4))
    [listing] = await harness.send("personal_message", text="tasks")
    assert all(f"Task {n}" in texts(listing) for n in range(4))
    [done] = await harness.send("personal_card_submit", value={"idgov": "task_done", "t": done_id})
    assert "Marked done: Task 0" in texts(done)
    [again] = await harness.send("personal_card_submit", value={"idgov": "task_done", "t": done_id})
    assert "already done" in texts(again)
    [snoozed] = await harness.send("personal_card_submit",
                                   value={"idgov": "task_snooze", "t": snooze_id, "d": 7})
    assert "Snoozed for 7 days" in texts(snoozed)
    [blank] = await harness.send("personal_card_submit",
                                 value={"idgov": "task_reassign", "t": move_id})
    assert "email" in texts(blank)
    email = {"idgov": "task_reassign", "t": move_id,
             reassign_input_id(move_id): "kim@example.com"}
    [outside] = await harness.send("personal_card_submit", value=email)
    assert "Only an idgov admin" in texts(outside)  # an email is outside the tenant
    monkeypatch.setenv("IDGOV_ADMINS", f"teams:{TENANT}:{USER_AAD}")
    policy.policy_settings.cache_clear()
    try:
        [moved] = await harness.send("personal_card_submit", value=email)
    finally:
        monkeypatch.delenv("IDGOV_ADMINS")
        policy.policy_settings.cache_clear()
    assert "Reassigned to kim@example.com" in texts(moved)
    [foreign] = await harness.send("personal_card_submit", value={
        "idgov": "task_reassign", "t": na_id,
        reassign_input_id(na_id): f"teams:{OTHER_TENANT}:someone"})
    assert "tenant" in texts(foreign)
    [na] = await harness.send("personal_card_submit", value={"idgov": "task_na", "t": na_id})
    assert "not applicable" in texts(na)
    with session_scope(sqlite_engine) as s:
        status = {t.title: (t.status, t.owner) for t in tasks.list_tasks(s)}
        events = tasks.history(s, done_id)
    assert status["Task 0"][0] == "done" and status["Task 1"][0] == "snoozed"
    assert status["Task 2"][1] == "email:kim@example.com"
    assert status["Task 3"][0] == "not_applicable"
    assert events[-1].source == "teams" and events[-1].actor == USER_REF


async def test_odd_submits_are_answered_politely(harness: Harness) -> None:
    [foreign] = await harness.send("personal_card_submit", value={"something": "else"})
    assert "not one I know" in texts(foreign)
    [bad_verb] = await harness.send("personal_card_submit", value={"idgov": "explode"})
    assert "not one I know" in texts(bad_verb)
    [no_assessment] = await harness.send("personal_card_submit",
                                         value={"idgov": "answer", "q": "scope", "v": "x", "s": 1})
    assert not submits(no_assessment) or "assess" in texts(no_assessment).lower()


async def test_group_chat_needs_a_mention(harness: Harness) -> None:
    base = payload("channel_message_with_mention", SERVICE)
    base["conversation"] = {"isGroup": True, "conversationType": "groupChat",
                            "tenantId": TENANT, "id": "19:meeting_chat@thread.v2"}
    quiet = dict(base, text="anyone around?", entities=[], id="g-1")
    assert await harness.send_data(quiet) == []
    [card] = await harness.send_data(dict(base, id="g-2"))
    assert "assess" in texts(card)


async def test_typed_assessment_and_back_in_process(harness: Harness) -> None:
    [q1] = await harness.send("personal_message", text="assess")
    assert any(s["idgov"] == "answer" for s in submits(q1))
    await harness.send("personal_message", text="1")
    assert len(harness.adapter.updated_activities) == 1  # q1 replaced by its answer
    cards = await harness.send("personal_message", text="back")
    assert cards and any(s["idgov"] == "answer" for s in submits(cards[-1]))
    [cancelled] = await harness.send("personal_message", text="cancel")
    assert not any(s["idgov"] == "answer" for s in submits(cancelled))


async def test_a_failing_turn_apologises_and_can_be_redelivered(
        harness: Harness, sqlite_engine: Engine) -> None:
    from sqlalchemy import text

    from storage.models import ProcessedEvent

    data = payload("personal_message", SERVICE, text="ask what is a non-human identity?")
    with sqlite_engine.begin() as conn:  # database trouble in the middle of a turn
        conn.execute(text("ALTER TABLE feedback RENAME TO feedback_away"))
    [sorry] = await harness.send_data(data)
    assert "went wrong" in texts(sorry)
    with session_scope(sqlite_engine) as s:
        assert s.get(ProcessedEvent, ("teams", f"{TENANT}|{data['conversation']['id']}|"
                                               f"{data['id']}")) is None
    with sqlite_engine.begin() as conn:
        conn.execute(text("ALTER TABLE feedback_away RENAME TO feedback"))
    [answer] = await harness.send_data(data)  # Teams' redelivery of the same activity
    assert any(s["idgov"] == "feedback" for s in submits(answer))


async def test_a_teams_owner_is_named_from_the_activity_not_the_object_id(
    tmp_path: Any,
) -> None:
    """The Teams activity's ``from.name`` is kept with the conversation reference, so task
    cards name the owner (a mention entity) instead of the raw object id."""
    import json as _json

    from bot.cards.render import render_teams
    from dialogs import tasks as task_service
    from dialogs.task_ops import create_task
    from dialogs.turn import Actor
    from storage.clock import utcnow
    from storage.db import make_engine, migrate, session_scope
    from storage.models import UserProfile

    engine = make_engine(f"sqlite:///{tmp_path / 'names.db'}")
    migrate(engine)
    oid = "8e1c6b2a-4d3f-4a5b-9c1d-2e3f4a5b6c7d"
    ref = f"teams:tenant-x:{oid}"
    with session_scope(engine) as s:
        s.add(UserProfile(ref=ref, display_name="Li Wei"))
        create_task(s, workspace="teams:tenant-x", kind="rotation", title="Rotate the key",
                    owner=ref, created_by=ref, due=utcnow().date(), now=utcnow())
    actor = Actor(platform="teams", workspace_id="tenant-x", user_id=oid)
    listing = task_service.open_tasks(engine, actor)
    assert [t.owner_display for t in listing] == ["Li Wei"]
    from dialogs.replies import TaskListReply

    card = render_teams(TaskListReply(tasks=listing))
    body = _json.dumps(card["body"])
    assert "<at>Li Wei</at>" in body and oid not in body
    assert card["msteams"]["entities"][0]["mentioned"] == {"id": oid, "name": "Li Wei"}
    engine.dispose()
