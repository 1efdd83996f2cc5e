"""The storage contract: what every backend (SQLite, PostgreSQL) must do the same way.

Like botbuilder's storage base tests, one suite runs against each backend through the
parametrised `engine` fixture. Higher layers (dialogs, tasks, nudges, dedupe) rely on these
guarantees; each test names the one it pins.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import session_scope
from storage.models import (
    Assessment,
    Conversation,
    Feedback,
    NudgeDelivery,
    OrgKnowledgeEntry,
    ProcessedEvent,
    Task,
)

NOW = datetime(2026, 11, 30, 9, 15, 30, 123456, tzinfo=UTC)


def _task(session: Session, **extra: object) -> Task:
    fields: dict[str, object] = {
        "workspace": "slack:T1", "kind": "rotation", "title": "Rotate the deploy key",
        "owner": "slack:T1:U1", "created_by": "slack:T1:U1", "due": date(2026, 12, 24),
    }
    fields.update(extra)
    task = Task(**fields)
    session.add(task)
    session.flush()
    return task


def test_datetimes_come_back_aware_utc_to_the_microsecond(engine: Engine) -> None:
    local = NOW.astimezone(timezone(timedelta(hours=-8)))  # same instant, other offset
    with session_scope(engine) as s:
        s.add(Conversation(key="k1", workspace="slack:T1", dialog="scoping",
                           created_at=local, updated_at=local, expires_at=local))
    with Session(engine) as s:
        row = s.get(Conversation, "k1")
        assert row is not None
        assert row.expires_at == NOW and row.expires_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused_at_the_write(engine: Engine) -> None:
    with pytest.raises(Exception, match="timezone"), session_scope(engine) as s:
        s.add(Conversation(key="k2", workspace="w", dialog="scoping",
                           expires_at=datetime(2026, 1, 1)))


def test_json_columns_round_trip_unicode_and_nesting(engine: Engine) -> None:
    state = {"answers": {"scope": "single_service"}, "note": "Zürich → 東京 <!channel> & \"q\"",
             "history": [1, 2, {"x": None}]}
    with session_scope(engine) as s:
        s.add(Conversation(key="k3", workspace="w", dialog="scoping", state=state,
                           expires_at=NOW))
    with Session(engine) as s:
        row = s.get(Conversation, "k3")
        assert row is not None and row.state == state


def test_versioned_update_lets_exactly_one_writer_win(engine: Engine) -> None:
    """The Advisor's optimistic concurrency: UPDATE ... WHERE version = loaded."""
    with session_scope(engine) as s:
        s.add(Conversation(key="k4", workspace="w", dialog="scoping", expires_at=NOW))

    def save(new_state: dict[str, str], loaded_version: int) -> int:
        with session_scope(engine) as s:
            result = s.connection().execute(
                update(Conversation)
                .where(col(Conversation.key) == "k4", col(Conversation.version) == loaded_version)
                .values(state=new_state, version=loaded_version + 1))
            return int(result.rowcount or 0)

    assert save({"by": "replica-a"}, 0) == 1
    assert save({"by": "replica-b"}, 0) == 0  # lost the race: nothing written
    with Session(engine) as s:
        row = s.get(Conversation, "k4")
        assert row is not None and row.version == 1 and row.state == {"by": "replica-a"}


def test_an_event_id_is_claimed_once_per_platform(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(ProcessedEvent(platform="slack", event_id="Ev1"))
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(ProcessedEvent(platform="slack", event_id="Ev1"))
    with session_scope(engine) as s:  # the same id on another platform is another event
        s.add(ProcessedEvent(platform="teams", event_id="Ev1"))
    with Session(engine) as s:
        assert len(s.exec(select(ProcessedEvent)).all()) == 2


def test_a_nudge_is_recorded_once_per_task_and_sequence(engine: Engine) -> None:
    with session_scope(engine) as s:
        task_id = _task(s).id
        assert task_id is not None
        s.add(NudgeDelivery(task_id=task_id, seq=1, stage="due", recipient="slack:T1:U1",
                            status="sent"))
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(NudgeDelivery(task_id=task_id, seq=1, stage="due", recipient="slack:T1:U1",
                            status="sent"))


def test_a_failed_transaction_leaves_earlier_rows_untouched(engine: Engine) -> None:
    """Nothing already stored is lost when a later write fails."""
    with session_scope(engine) as s:
        _task(s, title="keep me")
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        _task(s, title="half written")
        s.add(ProcessedEvent(platform="slack", event_id="dup"))
        s.flush()
        s.add(ProcessedEvent(platform="slack", event_id="dup"))
        s.flush()
    with Session(engine) as s:
        titles = [t.title for t in s.exec(select(Task)).all()]
    assert titles == ["keep me"]


def test_tasks_reference_their_assessment(engine: Engine) -> None:
    with session_scope(engine) as s:
        a = Assessment(workspace="slack:T1", conversation_key="k", user_ref="slack:T1:U1",
                       answers={"scope": "single_service"}, result={"recommendation": "soc2"},
                       recommendation="soc2", confidence="high")
        s.add(a)
        s.flush()
        _task(s, assessment_id=a.id)
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        _task(s, assessment_id=999_999)


def test_due_nudge_query_has_its_index(engine: Engine) -> None:
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("task")}
    assert indexes["ix_task_due_nudges"] == ["status", "next_nudge_at"]


def test_rows_are_filtered_by_workspace(engine: Engine) -> None:
    """Every per-workspace table carries the workspace column the adapters filter on."""
    with session_scope(engine) as s:
        s.add(Feedback(workspace="slack:T1", user_ref="slack:T1:U1", question="q1"))
        s.add(Feedback(workspace="teams:TEN", user_ref="teams:TEN:U1", question="q2"))
        s.add(OrgKnowledgeEntry(id="org-1", data={"question": "q"}, source_file="faq.md"))
    with Session(engine) as s:
        mine = s.exec(select(Feedback).where(col(Feedback.workspace) == "slack:T1")).all()
    assert [f.question for f in mine] == ["q1"]


def _answer(session: Session, workspace: str = "slack:T1") -> int:
    row = Feedback(workspace=workspace, user_ref=f"{workspace}:U1", question="what is an NHI?",
                   entry_ids=["nhi-definition"])
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def test_votes_are_one_per_voter_and_a_revote_replaces_it(engine: Engine) -> None:
    """A second voter adds a vote (never overwrites the first's); voting again updates."""
    from storage.feedback import record_vote, tally, votes

    with session_scope(engine) as session:
        fid = _answer(session)
        assert record_vote(session, fid, helpful=True, voted_by="slack:T1:U1",
                           workspace="slack:T1")
        assert record_vote(session, fid, helpful=False, voted_by="slack:T1:U2",
                           workspace="slack:T1")
    with session_scope(engine) as session:
        assert [(v.voter, v.helpful) for v in votes(session, fid)] == [
            ("slack:T1:U1", True), ("slack:T1:U2", False)]
        assert tally(session, fid) == (1, 1)
        assert session.get(Feedback, fid).helpful is None  # type: ignore[union-attr]  # a tie
        assert record_vote(session, fid, helpful=False, voted_by="slack:T1:U1",
                           workspace="slack:T1")
    with session_scope(engine) as session:
        assert tally(session, fid) == (0, 2) and len(votes(session, fid)) == 2
        row = session.get(Feedback, fid)
        assert row is not None and row.helpful is False and row.voted_by == "slack:T1:U1"
        # another workspace's vote on this id is refused and changes nothing
        assert not record_vote(session, fid, helpful=True, voted_by="slack:T2:U9",
                               workspace="slack:T2")
    with session_scope(engine) as session:
        assert tally(session, fid) == (0, 2)


def test_the_database_refuses_a_second_row_for_the_same_voter(engine: Engine) -> None:
    from storage.feedback_models import FeedbackVote

    with session_scope(engine) as session:
        fid = _answer(session)
        session.add(FeedbackVote(feedback_id=fid, workspace="slack:T1", voter="slack:T1:U1",
                                 helpful=True))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(FeedbackVote(feedback_id=fid, workspace="slack:T1", voter="slack:T1:U1",
                                 helpful=False))


def test_deleting_a_workspace_deletes_its_votes(engine: Engine) -> None:
    from storage.feedback import record_vote, votes
    from storage.workspaces import delete_workspace

    with session_scope(engine) as session:
        mine, theirs = _answer(session, "slack:T1"), _answer(session, "slack:T2")
        record_vote(session, mine, helpful=True, voted_by="slack:T1:U1", workspace="slack:T1")
        record_vote(session, theirs, helpful=True, voted_by="slack:T2:U1", workspace="slack:T2")
    with session_scope(engine) as session:
        counts = delete_workspace(session, "slack:T1")
    assert counts["feedback_vote"] == 1
    with session_scope(engine) as session:
        assert votes(session, mine) == [] and len(votes(session, theirs)) == 1
