"""Task lifecycle on SQLite and PostgreSQL: every transition, its audit history, recurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from dialogs import task_ops as tasks
from dialogs.task_view import task_summary
from storage.db import session_scope
from storage.models import Task, UserProfile

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # Monday
OWNER = "slack:T1:U1"


def _new(engine: Engine, **overrides: object) -> int:
    fields: dict[str, object] = {
        "workspace": "slack:T1", "kind": "rotation", "title": "Rotate the CI deploy key",
        "owner": OWNER, "created_by": OWNER, "due": date(2026, 1, 20), "now": NOW,
        "why": "Long-lived keys leak", "controls": ["ISO27001:A.5.17"], "priority": "high",
    }
    fields.update(overrides)
    with session_scope(engine) as session:
        task = tasks.create_task(session, **fields)  # type: ignore[arg-type]
        assert task.id is not None
        return task.id


def _actions(engine: Engine, task_id: int) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        return [(e.action, e.actor, e.source) for e in tasks.history(session, task_id)]


def _get(engine: Engine, task_id: int) -> Task:
    with session_scope(engine) as session:
        return tasks.get_task(session, task_id)


def test_create_records_history_and_plans_the_first_reminder(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(UserProfile(ref=OWNER, tz="Europe/London", updated_at=NOW))
    task_id = _new(engine)
    task = _get(engine, task_id)
    assert (task.status, task.nudge_stage) == ("open", "lead")
    # Three days before the due date falls on Saturday: Monday 9:00 in London instead.
    assert task.next_nudge_at == datetime(2026, 1, 19, 9, tzinfo=UTC)
    assert task.controls == ["ISO27001:A.5.17"]
    assert _actions(engine, task_id) == [("created", OWNER, "assessment")]


def test_done_from_a_chat_button_closes_and_stops_reminders(engine: Engine) -> None:
    task_id = _new(engine)
    with session_scope(engine) as session:
        tasks.mark_done(session, task_id, actor=OWNER, source="slack", now=NOW,
                        workspace="slack:T1")
    task = _get(engine, task_id)
    assert (task.status, task.next_nudge_at) == ("done", None)
    assert _actions(engine, task_id)[-1] == ("done", OWNER, "slack")


def test_snooze_then_reassign_then_not_applicable(engine: Engine) -> None:
    task_id = _new(engine, due=date(2026, 1, 6))
    with session_scope(engine) as session:
        tasks.snooze(session, task_id, days=7, actor=OWNER, source="teams", now=NOW)
    task = _get(engine, task_id)
    assert task.status == "snoozed"
    assert task.snoozed_until == NOW + timedelta(days=7)
    assert task.next_nudge_at is not None and task.next_nudge_at >= task.snoozed_until
    with session_scope(engine) as session:
        tasks.reassign(session, task_id, new_owner="email:Sam@Example.com", actor=OWNER,
                       source="cli", now=NOW)
    assert _get(engine, task_id).owner == "email:sam@example.com"
    with session_scope(engine) as session:
        tasks.mark_not_applicable(session, task_id, reason="No NHIs in scope",
                                  actor="cli:local:ana", source="cli", now=NOW)
    task = _get(engine, task_id)
    assert (task.status, task.status_reason, task.next_nudge_at) == \
        ("not_applicable", "No NHIs in scope", None)
    with session_scope(engine) as session:
        events = tasks.history(session, task_id)
    assert [e.action for e in events] == ["created", "snoozed", "reassigned", "not_applicable"]
    assert events[2].detail == {"previous_owner": OWNER, "new_owner": "email:sam@example.com"}
    assert events[1].detail["days"] == 7
    assert all(e.at == NOW for e in events)


def test_cancel_records_reason(engine: Engine) -> None:
    task_id = _new(engine)
    with session_scope(engine) as session:
        tasks.cancel(session, task_id, actor=OWNER, source="cli", now=NOW, reason="duplicate")
    assert _get(engine, task_id).status == "cancelled"
    with session_scope(engine) as session:
        assert tasks.history(session, task_id)[-1].detail == {"reason": "duplicate"}


@pytest.mark.parametrize("closer", ["done", "cancel"])
def test_closed_tasks_refuse_further_changes(engine: Engine, closer: str) -> None:
    task_id = _new(engine)
    with session_scope(engine) as session:
        if closer == "done":
            tasks.mark_done(session, task_id, actor=OWNER, source="cli", now=NOW)
        else:
            tasks.cancel(session, task_id, actor=OWNER, source="cli", now=NOW)
    for change in (
        lambda s: tasks.mark_done(s, task_id, actor=OWNER, source="cli", now=NOW),
        lambda s: tasks.snooze(s, task_id, days=1, actor=OWNER, source="cli", now=NOW),
        lambda s: tasks.reassign(s, task_id, new_owner="slack:T1:U2", actor=OWNER,
                                 source="cli", now=NOW),
    ):
        with pytest.raises(tasks.TaskError, match="already"), session_scope(engine) as session:
            change(session)
    assert len(_actions(engine, task_id)) == 2


def test_wrong_workspace_unknown_id_and_bad_input_are_one_line_errors(engine: Engine) -> None:
    task_id = _new(engine)
    with session_scope(engine) as session:
        with pytest.raises(tasks.TaskError, match="no task"):
            tasks.mark_done(session, task_id, actor=OWNER, source="slack", now=NOW,
                            workspace="slack:T2")
        with pytest.raises(tasks.TaskError, match="no task 9999"):
            tasks.get_task(session, 9999)
        with pytest.raises(tasks.TaskError, match="snooze days"):
            tasks.snooze(session, task_id, days=0, actor=OWNER, source="cli", now=NOW)
        with pytest.raises(tasks.TaskError, match="reason"):
            tasks.mark_not_applicable(session, task_id, reason=" ", actor=OWNER, source="cli",
                                      now=NOW)
        with pytest.raises(tasks.TaskError, match="already owned"):
            tasks.reassign(session, task_id, new_owner=OWNER, actor=OWNER, source="cli", now=NOW)
        with pytest.raises(tasks.TaskError, match="kind"):
            tasks.create_task(session, workspace="w", kind="nope", title="t", owner=OWNER,
                              created_by=OWNER, due=date(2026, 1, 1), now=NOW)
        with pytest.raises(tasks.TaskError, match="priority"):
            tasks.create_task(session, workspace="w", kind="inventory", title="t", owner=OWNER,
                              created_by=OWNER, due=date(2026, 1, 1), priority="urgent", now=NOW)
    assert _get(engine, task_id).status == "open"


@pytest.mark.parametrize(
    ("ref", "platform", "scope", "user"),
    [
        ("slack:T123:U456", "slack", "T123", "U456"),
        ("teams:72f988bf-86f1-41af-91ab-2d7cd011db47:29:1abcXYZ", "teams",
         "72f988bf-86f1-41af-91ab-2d7cd011db47", "29:1abcXYZ"),
        ("email:Ana@Example.org", "email", "", "ana@example.org"),
        ("cli:local:ana", "cli", "local", "ana"),
    ],
)
def test_owner_refs_parse(ref: str, platform: str, scope: str, user: str) -> None:
    parsed = tasks.parse_owner_ref(ref)
    assert (parsed.platform, parsed.scope, parsed.user) == (platform, scope, user)


@pytest.mark.parametrize("ref", ["", "U123", "slack:T1", "slack::U1", "email:nobody",
                                 "cli:other:ana", "discord:G:U", "slack:T1:#C1", "slack:T 1:U1"])
def test_bad_owner_refs_are_refused(ref: str) -> None:
    with pytest.raises(tasks.TaskError, match="owner"):
        tasks.parse_owner_ref(ref)


def test_recurring_task_creates_its_next_occurrence_when_done(engine: Engine) -> None:
    task_id = _new(engine, kind="least_privilege", title="Quarterly service-account review",
                   due=date(2026, 1, 20), recurrence_days=90, channel_ref="slack:T1:#CSEC")
    done_at = datetime(2026, 1, 19, 12, tzinfo=UTC)
    with session_scope(engine) as session:
        tasks.mark_done(session, task_id, actor=OWNER, source="slack", now=done_at)
    with session_scope(engine) as session:
        open_tasks = tasks.list_tasks(session, workspace="slack:T1", status="open")
        assert len(open_tasks) == 1
        nxt = open_tasks[0]
        assert (nxt.due, nxt.recurrence_days, nxt.kind, nxt.channel_ref) == \
            (date(2026, 4, 20), 90, "least_privilege", "slack:T1:#CSEC")
        assert nxt.next_nudge_at is not None and nxt.nudge_stage == "lead"
        assert [e.action for e in tasks.history(session, nxt.id or 0)] == ["created", "recurred"]
        old = tasks.history(session, task_id)
        assert old[-1].action == "recurred" and old[-1].detail["next_task_id"] == nxt.id


def test_recurring_task_done_very_late_is_not_due_in_the_past(engine: Engine) -> None:
    task_id = _new(engine, due=date(2025, 1, 1), recurrence_days=30)
    with session_scope(engine) as session:
        tasks.mark_done(session, task_id, actor=OWNER, source="cli", now=NOW)
        nxt = tasks.list_tasks(session, status="open")[0]
    assert NOW.date() < nxt.due <= NOW.date() + timedelta(days=30)
    assert (nxt.due - date(2025, 1, 1)).days % 30 == 0  # same cadence


def test_list_filters_by_workspace_owner_and_status(engine: Engine) -> None:
    a = _new(engine)
    _new(engine, owner="slack:T1:U2")
    _new(engine, workspace="slack:T9", owner="slack:T9:U1")
    with session_scope(engine) as session:
        tasks.snooze(session, a, days=1, actor=OWNER, source="cli", now=NOW)
        assert len(tasks.list_tasks(session)) == 3
        assert len(tasks.list_tasks(session, workspace="slack:T1")) == 2
        assert [t.id for t in tasks.list_tasks(session, owner=OWNER)] == [a]
        assert [t.id for t in tasks.list_tasks(session, status=["snoozed"])] == [a]
        assert len(tasks.list_tasks(session, status=("open", "snoozed"))) == 3
        with pytest.raises(tasks.TaskError, match="status"):
            tasks.list_tasks(session, status="closed")


def test_task_summary_marks_overdue(engine: Engine) -> None:
    task = _get(engine, _new(engine, due=date(2026, 1, 2)))
    summary = task_summary(task, today=date(2026, 1, 5))
    # a chat user's id is no display name: the cards mention the owner instead
    assert (summary.overdue, summary.priority, summary.owner, summary.owner_display) == \
        (True, "high", OWNER, None)
    assert summary.assessment_id == task.assessment_id
    assert not task_summary(task, today=date(2026, 1, 2)).overdue


def test_owner_with_unknown_zone_is_planned_for_the_first_instant_of_the_day(
    engine: Engine,
) -> None:
    task = _get(engine, _new(engine, owner="slack:T1:UNEW"))
    # The lead day (17 Jan) begins first at UTC+14: 16 Jan 10:00 UTC. The sweep then learns
    # the owner's zone and waits for their working hours.
    assert task.next_nudge_at == datetime(2026, 1, 16, 10, tzinfo=UTC)
    today = _get(engine, _new(engine, owner="slack:T1:UNEW2", due=NOW.date()))
    assert today.next_nudge_at == NOW  # 10:00 UTC: it is this day somewhere, so: now


def test_cli_owned_tasks_are_never_scheduled_for_chat_nudges(engine: Engine) -> None:
    task = _get(engine, _new(engine, owner="cli:local:ana"))
    assert task.next_nudge_at is None
