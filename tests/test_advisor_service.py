"""The Advisor on SQLite and PostgreSQL: persistence, resume, expiry, stale presses and races."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dialogs.actions import Action, Verb
from dialogs.engine import STALE_TEXT
from dialogs.keys import SHARED_USER, ConversationKey
from dialogs.replies import AnsweredReply, QuestionReply, RecommendationReply, TextReply
from dialogs.service import NO_ASSESSMENT, Advisor
from storage.db import make_engine
from storage.models import Assessment, Conversation, Task, TaskEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = ConversationKey("slack", "T1", "D1", "-", "U1")
USER = "slack:T1:U1"
ANSWERS = ["2", "one product", "customers", "no", "saas", "both", "none", "partial", "manual",
           "partial", "ad hoc", "delayed", "distributed", "yes"]


class Clock:
    """A pinned, movable clock; `hold` makes the next call wait (to interleave two replicas)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.hold: threading.Event | None = None
        self.reached = threading.Event()

    def __call__(self) -> datetime:
        if self.hold is not None:
            gate, self.hold = self.hold, None
            self.reached.set()
            assert gate.wait(10)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def advisor(engine: Engine, clock: Clock) -> Advisor:
    return Advisor(engine, ttl=timedelta(hours=24), clock=clock)


@pytest.fixture
def second_engine(engine: Engine) -> Iterator[Engine]:
    """Another engine on the same database: a second replica, or the process after a restart."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


def row(engine: Engine, key: ConversationKey = KEY) -> Conversation:
    with Session(engine) as s:
        found = s.get(Conversation, str(key))
        assert found is not None
        return found


def current_question(replies: list) -> QuestionReply:
    assert isinstance(replies[-1], QuestionReply), replies
    return replies[-1]


def test_full_assessment_stores_answers_result_and_owned_tasks(
    advisor: Advisor, engine: Engine
) -> None:
    replies = advisor.start(KEY, USER, channel_ref="slack:T1:C9")
    assert [r.kind for r in replies] == ["question"]
    for text in ANSWERS[:-1]:
        replies = advisor.handle_text(KEY, USER, text) or []
        assert isinstance(replies[0], AnsweredReply)
    q = current_question(replies)
    press = Action(verb=Verb.ANSWER, q=q.question_id, v="yes", s=q.step)
    replies = advisor.handle_action(KEY, USER, press)
    answered, rec = replies
    assert isinstance(answered, AnsweredReply) and isinstance(rec, RecommendationReply)
    assert rec.tasks and all(t.id and t.owner == USER for t in rec.tasks)

    stored = advisor.last_assessment("slack:T1", USER)
    assert stored is not None and stored.id == rec.assessment_id
    assert stored.answers["scope"] == "single_service" and len(stored.answers) == 15  # + regime
    assert (stored.channel_ref, stored.conversation_key) == ("slack:T1:C9", str(KEY))
    assert stored.recommendation == rec.recommendation == stored.result["recommendation"]
    with Session(engine) as s:
        tasks = s.exec(select(Task).where(Task.assessment_id == stored.id)).all()
        events = s.exec(select(TaskEvent)).all()
    assert len(tasks) == len(rec.tasks) and len(events) == len(tasks)
    template_days = {t["kind"]: t["due_in_days"] for t in stored.result["tasks"]}
    for task in tasks:
        assert task.owner == USER and task.workspace == "slack:T1"
        assert task.due == T0.date() + timedelta(days=template_days[task.kind])
    # the conversation is over: text is a question for Q&A again, old buttons are stale
    assert not advisor.active(KEY)
    assert advisor.handle_text(KEY, USER, "what is CC6.1?") is None
    assert advisor.handle_action(KEY, USER, press) == [TextReply(text=STALE_TEXT, private=True)]
    assert advisor.last_assessment("slack:T2", USER) is None


def test_resume_after_restart_from_the_stored_state(
    advisor: Advisor, second_engine: Engine, clock: Clock
) -> None:
    advisor.start(KEY, USER)
    advisor.handle_text(KEY, USER, "1")
    replies = advisor.handle_text(KEY, USER, "whole company") or []
    assert current_question(replies).question_id == "driver"
    restarted = Advisor(second_engine, ttl=timedelta(hours=24), clock=clock)
    assert restarted.active(KEY)
    replies = restarted.resume(KEY, USER)
    assert current_question(replies).question_id == "driver"
    replies = restarted.handle_text(KEY, USER, "back") or []
    assert current_question(replies).question_id == "scope"


def test_stale_press_is_answered_politely_and_changes_nothing(
    advisor: Advisor, engine: Engine
) -> None:
    first = current_question(advisor.start(KEY, USER))
    press = Action(verb=Verb.ANSWER, q=first.question_id, v="management_system", s=first.step)
    advisor.handle_action(KEY, USER, press)
    before = row(engine)
    again = Action(verb=Verb.ANSWER, q=first.question_id, v="scoped_controls", s=first.step)
    assert advisor.handle_action(KEY, USER, again) == [TextReply(text=STALE_TEXT, private=True)]
    after = row(engine)
    assert after.version == before.version and after.state == before.state
    assert after.state["answers"] == {"assurance_goal": "management_system"}


def test_buttons_back_cancel_unsure_restart_and_foreign(advisor: Advisor) -> None:
    q = current_question(advisor.start(KEY, USER))
    unsure = Action(verb=Verb.UNSURE, q=q.question_id, s=q.step)
    q = current_question(advisor.handle_action(KEY, USER, unsure))
    assert q.question_id == "scope"
    q = current_question(advisor.handle_action(KEY, USER, Action(verb=Verb.BACK, s=q.step)))
    assert q.question_id == "assurance_goal"
    resumed = advisor.handle_action(KEY, USER, Action(verb=Verb.START))
    assert current_question(resumed).step == q.step  # START keeps an assessment in progress
    restarted = current_question(advisor.handle_action(KEY, USER, Action(verb=Verb.RESTART)))
    assert restarted.step > q.step and restarted.number == 1
    done = advisor.handle_action(KEY, USER, Action(verb=Verb.CANCEL, s=restarted.step))
    assert isinstance(done[0], TextReply) and "cancelled" in done[0].text
    assert not advisor.active(KEY)
    foreign = advisor.handle_action(KEY, USER, Action(verb=Verb.TASK_DONE, t=1))
    assert isinstance(foreign[0], TextReply) and foreign[0].tone == "warning"
    other = ConversationKey("slack", "T1", "D2", "-", "U2")
    assert advisor.handle_action(other, USER, Action(verb=Verb.BACK, s=1)) == [
        TextReply(text=NO_ASSESSMENT, private=True)]
    assert advisor.handle_text(other, USER, "1") is None


def test_expiry_with_a_pinned_clock_survives_restart(
    advisor: Advisor, engine: Engine, second_engine: Engine, clock: Clock
) -> None:
    advisor.start(KEY, USER)
    advisor.handle_text(KEY, USER, "1")
    assert row(engine).expires_at.replace(tzinfo=UTC) == T0 + timedelta(hours=24)
    clock.now = T0 + timedelta(hours=24, minutes=1)
    restarted = Advisor(second_engine, ttl=timedelta(hours=24), clock=clock)
    assert not restarted.active(KEY)
    # a question typed a day later is not swallowed by the dead dialog
    assert restarted.handle_text(KEY, USER, "what does SOC 2 cover?") is None
    replies = restarted.handle_text(KEY, USER, "one product") or []
    assert isinstance(replies[0], TextReply) and "expired" in replies[0].text
    assert current_question(replies).question_id == "assurance_goal"
    assert row(engine).state["answers"] == {} and restarted.active(KEY)


def test_shared_thread_assessment_says_who_answered(advisor: Advisor) -> None:
    team = ConversationKey("slack", "T1", "C1", "1700000000.1", SHARED_USER)
    advisor.start(team, "slack:T1:U1")
    replies = advisor.handle_text(team, "slack:T1:U2", "2") or []
    assert isinstance(replies[0], AnsweredReply) and replies[0].by == "slack:T1:U2"


def _race(first: Advisor, clock: Clock, action: object) -> list:
    """Run `action` on a thread that pauses right after reading the conversation."""
    out: list = []
    gate = threading.Event()
    clock.hold = gate
    worker = threading.Thread(target=lambda: out.append(action()))  # type: ignore[operator]
    worker.start()
    assert clock.reached.wait(10)
    return [out, gate, worker]


def test_two_replicas_never_both_apply_one_step(
    advisor: Advisor, second_engine: Engine, engine: Engine
) -> None:
    q = current_question(advisor.start(KEY, USER))
    slow_clock = Clock()
    slow = Advisor(second_engine, ttl=timedelta(hours=24), clock=slow_clock)
    press = Action(verb=Verb.ANSWER, q=q.question_id, v="scoped_controls", s=q.step)
    out, gate, worker = _race(slow, slow_clock, lambda: slow.handle_action(KEY, USER, press))
    # the fast replica answers while the slow one holds its stale read
    fast = advisor.handle_text(KEY, USER, "management system") or []
    assert isinstance(fast[0], AnsweredReply)
    gate.set()
    worker.join(10)
    assert out == [[TextReply(text=STALE_TEXT, private=True)]]
    stored = row(engine)
    assert stored.version == 2
    assert stored.state["answers"] == {"assurance_goal": "management_system"}


def test_racing_last_answers_store_one_assessment(
    advisor: Advisor, second_engine: Engine, engine: Engine
) -> None:
    advisor.start(KEY, USER)
    for text in ANSWERS[:-1]:
        advisor.handle_text(KEY, USER, text)
    slow_clock = Clock()
    slow = Advisor(second_engine, ttl=timedelta(hours=24), clock=slow_clock)
    out, gate, worker = _race(slow, slow_clock, lambda: slow.handle_text(KEY, USER, "no"))
    fast = advisor.handle_text(KEY, USER, "yes") or []
    assert isinstance(fast[-1], RecommendationReply)
    gate.set()
    worker.join(10)
    assert out == [[TextReply(text=STALE_TEXT, private=True)]]
    with Session(engine) as s:
        assert len(s.exec(select(Assessment)).all()) == 1


def test_concurrent_first_start_retries_the_insert(
    advisor: Advisor, second_engine: Engine, engine: Engine
) -> None:
    slow_clock = Clock()
    slow = Advisor(second_engine, ttl=timedelta(hours=24), clock=slow_clock)
    out, gate, worker = _race(slow, slow_clock, lambda: slow.start(KEY, USER))
    advisor.start(KEY, USER)
    gate.set()
    worker.join(10)
    assert isinstance(out[0][0], QuestionReply) and out[0][0].step == 2
    assert row(engine).version == 2


def test_unreadable_stored_state_is_a_fresh_start(advisor: Advisor, engine: Engine) -> None:
    advisor.start(KEY, USER)
    with Session(engine) as s:
        stale = s.get(Conversation, str(KEY))
        assert stale is not None
        stale.state = {"dialog": "scoping", "answers": "not a dict"}
        s.add(stale)
        s.commit()
    assert not advisor.active(KEY)
    assert advisor.handle_text(KEY, USER, "1") is None
    assert current_question(advisor.resume(KEY, USER)).number == 1
    assert advisor.active(KEY)


def test_a_question_typed_mid_assessment_is_answered_then_the_question_repeated(
    advisor: Advisor, engine: Engine
) -> None:
    from dialogs.replies import AnswerReply
    from storage.models import Feedback

    [first] = advisor.start(KEY, USER)
    assert isinstance(first, QuestionReply)
    replies = advisor.handle_text(KEY, USER, "wait, what is a SOC 2 Type II report?")
    assert replies is not None and len(replies) == 2
    answer, again = replies
    assert isinstance(answer, AnswerReply) and answer.answered and answer.sources
    assert answer.feedback_id is not None  # Helpful yes/no works on it
    assert isinstance(again, QuestionReply)
    assert (again.question_id, again.step, again.error) == (first.question_id, first.step, None)
    with Session(engine) as s:
        [fb] = s.exec(select(Feedback)).all()
    assert (fb.workspace, fb.user_ref) == ("slack:T1", USER)
    # The assessment carries on where it was.
    after = advisor.handle_text(KEY, USER, "1")
    assert after is not None and isinstance(after[0], AnsweredReply)


@pytest.mark.parametrize("text", ["purple elephants", "what's for lunch today?"])
def test_text_that_is_neither_an_answer_nor_a_known_question_is_reasked(
    advisor: Advisor, text: str
) -> None:
    [first] = advisor.start(KEY, USER)
    replies = advisor.handle_text(KEY, USER, text)
    assert replies is not None and len(replies) == 1
    assert isinstance(replies[0], QuestionReply) and replies[0].error
    assert replies[0].question_id == first.question_id
