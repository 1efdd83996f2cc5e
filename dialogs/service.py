"""The Advisor: the one I/O wrapper around the scoping dialog that every front end calls.

Slack, Teams and `idgov chat` all go through here, so a conversation behaves the same
everywhere and resumes wherever it was left. Each call loads the state from the
``conversation`` table, applies one pure `Dialog.step`, and saves it back with
``UPDATE ... WHERE version = <loaded>``: if another replica (or a double click) wrote
first, nothing is written, the state is reloaded and the input re-applied, where the
engine's step check turns a now-stale press into a polite note instead of a second
answer. Finishing the dialog (assessment row, follow-up tasks) happens in the same
transaction as that guarded update, so one assessment is stored exactly once.

Synchronous SQLModel by design; async callers wrap calls in ``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialogs.actions import Action, Verb
from dialogs.engine import (
    STALE_TEXT,
    ChoiceInput,
    Command,
    CommandInput,
    Dialog,
    DialogState,
    Input,
    TextInput,
)
from dialogs.keys import ConversationKey, workspace_ref
from dialogs.replies import (
    AnsweredReply,
    QuestionReply,
    RecommendationReply,
    Reply,
    TaskSummary,
    TextReply,
)
from dialogs.scoping import scoping_dialog
from knowledge.schema import validate_answers
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Assessment, Conversation

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
NO_ASSESSMENT = "That assessment is no longer active. Say start to begin a new one."
FOREIGN_BUTTON = "That button is not part of the assessment."
#: Text that reads as a question rather than an answer: a clause opening with a question
#: word and ending in "?" (see `Advisor._side_answer`).
_SIDE_QUESTION = re.compile(
    r"(?:^|[,.;:!]\s*)(?:what|what's|how|why|when|where|which|who|does|do|is|are|can|could|"
    r"should|would)\b[^?]*\?\s*$",
    re.IGNORECASE,
)


class _LostRace(Exception):
    """Another writer saved this conversation first; reload and re-apply."""


@dataclass
class _Outcome:
    """What one attempt decided: the state to save (None: save nothing) and the replies."""

    state: DialogState | None
    replies: list[Reply] | None


def workspace_of(key: ConversationKey) -> str:
    """The ``workspace`` column value for rows made under `key` (``slack:T1``, ``cli:local``)."""
    return workspace_ref(key.platform, key.workspace)


class Advisor:
    """Scoping conversations for every front end; safe to share across threads and replicas."""

    def __init__(
        self,
        engine: Engine,
        *,
        ttl: timedelta | None = None,
        clock: Callable[[], datetime] = utcnow,
        dialog: Dialog | None = None,
    ) -> None:
        if ttl is None:
            from storage.config import core_settings

            ttl = timedelta(hours=core_settings().conversation_ttl_hours)
        self.engine = engine
        self.ttl = ttl
        self.clock = clock
        self.dialog = dialog or scoping_dialog()

    # -- public API ----------------------------------------------------------------------

    def start(
        self, key: ConversationKey, user_ref: str, *, channel_ref: str | None = None
    ) -> list[Reply]:
        """Start, or restart, the assessment under `key`; returns [QuestionReply]."""

        def decide(old: DialogState | None, now: datetime) -> _Outcome:
            context = {"user_ref": user_ref}
            channel = channel_ref or (old.context.get("channel_ref") if old else None)
            if channel:
                context["channel_ref"] = channel
            step = old.step + 1 if old else 1  # old buttons stay stale after a restart
            state = self.dialog.new_state(now, self.ttl, step=step, context=context)
            return _Outcome(state, [self.dialog.ask(state)])

        return self._transact(key, user_ref, decide) or []

    def resume(
        self, key: ConversationKey, user_ref: str, *, channel_ref: str | None = None
    ) -> list[Reply]:
        """Re-ask the current question of an active conversation, or start a new one.

        An expired conversation starts over with a note saying so (used by `idgov chat`).
        """

        def decide(old: DialogState | None, now: datetime) -> _Outcome:
            if old is None or old.status != "active":
                return _Outcome(None, None)
            if old.expired(now):
                new, replies = self.dialog.restart_expired(old, now)
                return _Outcome(new, replies)
            note = TextReply(text="Picking up your assessment where you left off.")
            return _Outcome(None, [note, *self.dialog.current_replies(old)])

        replies = self._transact(key, user_ref, decide)
        if replies is None:
            return self.start(key, user_ref, channel_ref=channel_ref)
        return replies

    def pending(self, key: ConversationKey) -> QuestionReply | None:
        """The question a non-expired active conversation under `key` waits for, or None."""
        with Session(self.engine) as session:
            state = self._load(key, session.get(Conversation, str(key)))
        if state is None or state.status != "active" or state.expired(self.clock()):
            return None
        replies = self.dialog.current_replies(state)
        return replies[0] if replies and isinstance(replies[0], QuestionReply) else None

    def answered_count(self, key: ConversationKey) -> int | None:
        """How many questions the non-expired active conversation under `key` has answered;
        None when there is none (`assess` then starts one without asking)."""
        with Session(self.engine) as session:
            state = self._load(key, session.get(Conversation, str(key)))
        if state is None or state.status != "active" or state.expired(self.clock()):
            return None
        return len(state.answers)

    def active(self, key: ConversationKey) -> bool:
        """A non-expired active scoping conversation exists under `key`."""
        with Session(self.engine) as session:
            state = self._load(key, session.get(Conversation, str(key)))
        return state is not None and state.status == "active" and not state.expired(self.clock())

    def handle_text(self, key: ConversationKey, user_ref: str, text: str) -> list[Reply] | None:
        """Apply typed text; None when there is no active conversation to apply it to.

        An expired conversation only claims text that reads as a reply to its question (a
        number, a choice, a command): then it starts over with a note. Anything else
        returns None, so a question asked a day later gets answered, not parsed.
        """
        seen_step: list[int] = []

        def decide(old: DialogState | None, now: datetime) -> _Outcome:
            if old is None or old.status != "active":
                # Finished by a racing replica after we read it: this text was an answer.
                stale: list[Reply] = [TextReply(text=STALE_TEXT, private=True)]
                return _Outcome(None, stale if seen_step else None)
            if old.expired(now) and not self.dialog.understands(old, text):
                return _Outcome(None, None)
            if not seen_step:
                seen_step.append(old.step)
            return self._step(old, TextInput(text, step=seen_step[0]), now)

        if _SIDE_QUESTION.search(text) and self.active(key):
            answer = self._side_answer(key, user_ref, text)
            if answer is not None:
                pending = [r for r in self.resume(key, user_ref) if isinstance(r, QuestionReply)]
                return [answer, *pending]
        return self._transact(key, user_ref, decide)

    def _side_answer(self, key: ConversationKey, user_ref: str, text: str) -> Reply | None:
        """A question typed mid-assessment ("wait, what's a Type II report?") gets its
        sourced answer, then the pending question again, instead of being read as an answer.

        Only when the knowledge base answers it confidently; otherwise the text goes to the
        dialog as usual (which re-asks with help if it is no answer either).
        """
        from dialogs import qa

        return qa.answer(self.engine, workspace=workspace_of(key), user_ref=user_ref,
                         question=text, only_if_confident=True)

    def handle_action(self, key: ConversationKey, user_ref: str, action: Action) -> list[Reply]:
        """Apply a button press. A press from an older step answers politely, changing nothing.

        START continues an assessment already in progress (a second "Start assessment"
        click must not wipe answers); RESTART ("Start over") always begins afresh.
        """
        if action.verb is Verb.RESTART:
            return self.start(key, user_ref)
        if action.verb is Verb.START:
            return self.resume(key, user_ref)
        inp = _action_input(action)
        if inp is None:
            return [TextReply(text=FOREIGN_BUTTON, tone="warning", private=True)]

        def decide(old: DialogState | None, now: datetime) -> _Outcome:
            if old is None:
                return _Outcome(None, [TextReply(text=NO_ASSESSMENT, private=True)])
            return self._step(old, inp, now)

        return self._transact(key, user_ref, decide) or []

    def last_assessment(self, workspace: str, user_ref: str) -> Assessment | None:
        """The newest assessment `user_ref` completed in `workspace` (``slack:T1`` form)."""
        with Session(self.engine) as session:
            query = (
                select(Assessment)
                .where(Assessment.workspace == workspace, Assessment.user_ref == user_ref)
                .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
                .limit(1)
            )
            return session.exec(query).first()

    # -- internals -----------------------------------------------------------------------

    def _load(self, key: ConversationKey, row: Conversation | None) -> DialogState | None:
        """The stored state, or None when there is none we can continue.

        A state saved by an older release (unknown fields, a question since removed) is
        treated as absent, so the user gets a fresh start instead of an error.
        """
        if row is None or row.dialog != self.dialog.name:
            return None
        try:
            state = DialogState.model_validate(row.state)
        except ValidationError:
            log.warning("conversation %s: unreadable stored state; starting afresh", key)
            return None
        if state.current is not None and state.current not in self.dialog.by_id:
            return None
        return state

    def _step(self, old: DialogState, inp: Input, now: datetime) -> _Outcome:
        new, replies = self.dialog.step(old, inp, now)
        return _Outcome(None if new is old else new, replies)

    def _transact(
        self,
        key: ConversationKey,
        user_ref: str,
        decide: Callable[[DialogState | None, datetime], _Outcome],
    ) -> list[Reply] | None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with session_scope(self.engine) as session:
                    return self._attempt(session, key, user_ref, decide)
            except (_LostRace, IntegrityError):
                log.info("conversation %s changed concurrently (attempt %d)", key, attempt)
        busy = "Several answers arrived at once; please try again."
        return [TextReply(text=busy, tone="warning", private=True)]

    def _attempt(
        self,
        session: Session,
        key: ConversationKey,
        user_ref: str,
        decide: Callable[[DialogState | None, datetime], _Outcome],
    ) -> list[Reply] | None:
        row = session.get(Conversation, str(key))
        old = self._load(key, row)
        now = self.clock()  # after the read: a slow step still races like a real one
        outcome = decide(old, now)
        replies = outcome.replies
        if outcome.state is not None:
            new = outcome.state
            self._save(session, key, row, new, now)
            if new.status == "completed" and (old is None or old.status == "active"):
                recommendation = _finish(
                    session, key=key, state=new, answers=self.dialog.final_answers(new.answers),
                    now=now,
                )
                replies = [*(replies or []), recommendation]
        if replies is not None and key.shared:
            replies = [_with_author(r, user_ref) for r in replies]
        return replies

    def _save(
        self,
        session: Session,
        key: ConversationKey,
        row: Conversation | None,
        new: DialogState,
        now: datetime,
    ) -> None:
        data = new.model_dump(mode="json")
        if row is None:
            session.add(
                Conversation(
                    key=str(key), workspace=workspace_of(key), dialog=self.dialog.name,
                    state=data, version=1, created_at=now, updated_at=now,
                    expires_at=new.expires_at,
                )
            )
            session.flush()  # IntegrityError here: someone inserted first -> retry
            return
        stmt = (
            update(Conversation)
            .where(col(Conversation.key) == str(key), col(Conversation.version) == row.version)
            .values(
                state=data, version=row.version + 1, dialog=self.dialog.name,
                updated_at=now, expires_at=new.expires_at,
            )
        )
        result = session.connection().execute(stmt)
        if result.rowcount != 1:
            raise _LostRace()
        session.expire(row)


def _action_input(action: Action) -> Input | None:
    step = action.step
    if action.verb is Verb.ANSWER and action.question_id and action.value:
        return ChoiceInput(action.question_id, action.value, step)
    if action.verb is Verb.UNSURE and action.question_id:
        return ChoiceInput(action.question_id, None, step)
    if action.verb is Verb.BACK:
        return CommandInput(Command.BACK, step)
    if action.verb is Verb.CANCEL:
        return CommandInput(Command.CANCEL, step)
    return None


def _with_author(reply: Reply, user_ref: str) -> Reply:
    """In a shared (thread) assessment, say who answered on the updated message."""
    if isinstance(reply, AnsweredReply) and reply.by is None:
        return reply.model_copy(update={"by": user_ref})
    return reply



def _finish(
    session: Session,
    *,
    key: ConversationKey,
    state: DialogState,
    answers: dict[str, str],
    now: datetime,
) -> RecommendationReply:
    """Store the assessment and one owned task per gap; return the recommendation card."""
    from dialogs.recommendation_view import to_reply
    from dialogs.task_ops import create_task
    from dialogs.task_view import task_summary
    from knowledge.recommend import recommend

    checked = validate_answers(answers)
    result = recommend(checked)
    user_ref = state.context.get("user_ref", "")
    channel_ref = state.context.get("channel_ref")
    workspace = workspace_of(key)
    assessment = Assessment(
        workspace=workspace, conversation_key=str(key), channel_ref=channel_ref,
        user_ref=user_ref, answers=checked, result=result.model_dump(mode="json"),
        recommendation=result.recommendation, confidence=result.confidence, created_at=now,
    )
    session.add(assessment)
    session.flush()
    summaries: list[TaskSummary] = []
    for item in result.tasks:
        task = create_task(
            session, workspace=workspace, kind=item.kind, title=item.title, owner=user_ref,
            created_by=user_ref, due=now.date() + timedelta(days=item.due_in_days),
            why=item.why, controls=list(item.controls), priority=item.priority,
            assessment_id=assessment.id, channel_ref=channel_ref, source="assessment", now=now,
        )
        summaries.append(task_summary(task, today=now.date()))
    return to_reply(result, assessment.id, summaries)
