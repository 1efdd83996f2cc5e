"""NUL characters are treated the same on SQLite and PostgreSQL (issue 14): stripped from every
text parameter in `storage.db`, so PostgreSQL no longer answers DataError while SQLite stores."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dialogs.task_ops import create_task
from storage.clock import utcnow
from storage.db import make_engine, migrate, session_scope
from storage.models import Feedback, Task
from tests.slack_payloads.harness import Server, payload, settings
from tests.standins.slack_api import SlackApiStandIn


def test_nul_in_text_and_json_is_stored_the_same_on_both_backends(engine: Engine) -> None:
    with session_scope(engine) as session:
        task = create_task(session, workspace="slack:T1", kind="rotation",
                           title="Rotate\x00 keys\x1b[31m", why="because\x00",
                           owner="slack:T1:U1", created_by="slack:T1:U1",
                           due=date(2030, 1, 1), source="cli", now=utcnow())
        session.add(Feedback(workspace="slack:T1", user_ref="slack:T1:U1",
                             question="what is\x00 SOC 2?", entry_ids=["a\x00b"]))
        task_id = task.id
    with Session(engine) as s:
        stored = s.get(Task, task_id)
        assert stored is not None
        assert stored.title == "Rotate keys\x1b[31m"  # other control characters are kept
        assert stored.why == "because"
        feedback = s.exec(select(Feedback)).one()
        assert feedback.question == "what is SOC 2?"
        assert feedback.entry_ids in (["a\x00b"], ["ab"])  # JSON escapes it on both
        # lookups with a NUL find the same rows (the parameter is stripped too)
        found = s.exec(select(Task).where(col(Task.title) == "Rotate\x00 keys\x1b[31m")).all()
        assert [t.id for t in found] == [task_id]


def test_executemany_parameters_are_stripped(engine: Engine) -> None:
    from sqlalchemy import insert

    with session_scope(engine) as session:
        session.connection().execute(insert(Feedback), [
            {"workspace": "slack:T1", "user_ref": "u", "question": f"q{i}\x00", "entry_ids": []}
            for i in range(3)])
    with Session(engine) as s:
        assert sorted(f.question for f in s.exec(select(Feedback)).all()) == ["q0", "q1", "q2"]


@pytest.mark.postgres
def test_a_mention_with_a_nul_is_answered_on_postgresql(pg_url: str,
                                                        standin: SlackApiStandIn) -> None:
    """At the wire: before, PostgreSQL answered DataError and the user got no reply."""
    engine = make_engine(pg_url)
    migrate(engine)
    server = Server(engine, settings(standin)).start()
    try:
        standin.reset()
        assert server.event("event_app_mention", event_id="EvNUL1",
                            text="<@UBOT> what is\x00 SOC 2 Type II?")[0] == 200
        reply = standin.wait_for("chat.postMessage")[0]
        assert "SOC 2" in json.dumps(reply.body)
        fields = payload("slash_command")
        fields.update(text="ask what is\x00 least privilege?",
                      response_url=standin.response_url + "commands/nul")
        assert server.post_form(fields)[0] == 200
        standin.wait_for("response_url:commands/nul")
    finally:
        server.stop()
        engine.dispose()
