"""NUL characters are treated the same on SQLite and PostgreSQL (issue 14): stripped from every
text parameter in `storage.db`, so PostgreSQL no longer answers DataError while SQLite stores."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Feedback, Task
from storage.tasks import create_task


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
