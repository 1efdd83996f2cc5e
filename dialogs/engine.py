"""A generic question-by-question dialog: questions as data, one pure step function.

Every dialog gets back, skip, restart, cancel, help, re-asking after invalid input, choice
selection by number/value/label, stale-button detection and expiry from this one module,
so the scoping dialog (and any later one) only declares questions. `Dialog.step` does no
I/O: `dialogs.service` loads the state, calls it and saves the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from dialogs.parsing import Ambiguous, ParseError, is_unsure, normalise
from dialogs.replies import AnsweredReply, Choice, QuestionReply, Reply, TextReply

Parser = Callable[[str], str | None]
Answers = Mapping[str, str]

UNSURE_LABEL = "Not sure"


def _no_parser(_text: str) -> str | None:
    return None


@dataclass(frozen=True)
class Question:
    """One question. `skip_value` is recorded for skip / "not sure"; `moot_value` (or
    `skip_value` when None) is what a question skipped by `ask_if` contributes to the
    final answers."""

    id: str
    prompt: str
    why: str
    choices: tuple[tuple[str, str], ...]
    help: str
    skip_value: str
    parser: Parser = _no_parser
    ask_if: Callable[[Answers], bool] | None = None
    moot_value: Callable[[Answers], str] | None = None

    def asked(self, answers: Answers) -> bool:
        return self.ask_if is None or self.ask_if(answers)

    def label(self, value: str) -> str:
        for v, label in self.choices:
            if v == value:
                return label
        return UNSURE_LABEL if value == self.skip_value else value


class Command(StrEnum):
    BACK = "back"
    SKIP = "skip"
    RESTART = "restart"
    CANCEL = "cancel"
    HELP = "help"


#: Whole-message spellings of each command (matched after `normalise`), so "back office"
#: is an answer, not a command.
COMMAND_WORDS: dict[Command, frozenset[str]] = {
    Command.BACK: frozenset({"back", "go back", "previous", "prev", "undo", "b"}),
    Command.SKIP: frozenset({"skip", "next", "pass", "skip it", "skip this"}),
    Command.RESTART: frozenset(
        {"restart", "start", "start over", "start again", "reset", "begin again", "from the top"}
    ),
    Command.CANCEL: frozenset({"cancel", "stop", "quit", "exit", "abort", "never mind"}),
    Command.HELP: frozenset(
        {"help", "h", "what does this mean", "explain", "why", "options", "what are the options"}
    ),
}


@dataclass(frozen=True)
class TextInput:
    """Typed text. `step` is the step the sender saw (None: whatever is current)."""

    text: str
    step: int | None = None


@dataclass(frozen=True)
class ChoiceInput:
    """A button press; `value` None means "Not sure"."""

    question_id: str
    value: str | None
    step: int | None = None


@dataclass(frozen=True)
class CommandInput:
    command: Command
    step: int | None = None


Input = TextInput | ChoiceInput | CommandInput


class DialogState(BaseModel):
    """Everything needed to resume a dialog; serialised as JSON in the conversation table."""

    dialog: str
    status: Literal["active", "completed", "cancelled"] = "active"
    answers: dict[str, str] = Field(default_factory=dict)
    history: list[str] = Field(default_factory=list)  # answered question ids, for back
    step: int = 1  # bumps whenever the current question changes; stale presses differ
    current: str | None = None
    ttl_seconds: float
    started_at: datetime
    updated_at: datetime
    expires_at: datetime
    context: dict[str, str] = Field(default_factory=dict)  # who started it, where

    def expired(self, now: datetime) -> bool:
        return self.status == "active" and now >= self.expires_at


STALE_TEXT = "That question was already answered, so I left it as it was."


@dataclass(frozen=True)
class Dialog:
    name: str
    questions: tuple[Question, ...]
    by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {q.id: q for q in self.questions})

    # -- lifecycle ---------------------------------------------------------------------

    def new_state(
        self,
        now: datetime,
        ttl: timedelta,
        *,
        step: int = 1,
        context: Mapping[str, str] | None = None,
    ) -> DialogState:
        state = DialogState(
            dialog=self.name,
            step=step,
            ttl_seconds=ttl.total_seconds(),
            started_at=now,
            updated_at=now,
            expires_at=now + ttl,
            context=dict(context or {}),
        )
        state.current = self.next_question(state.answers)
        return state

    def next_question(self, answers: Answers) -> str | None:
        for q in self.questions:
            if q.id not in answers and q.asked(answers):
                return q.id
        return None

    def final_answers(self, answers: Answers) -> dict[str, str]:
        """Answers given plus what moot questions imply, for every question id."""
        result: dict[str, str] = {}
        for q in self.questions:
            if q.id in answers:
                result[q.id] = answers[q.id]
            elif not q.asked(answers) and q.moot_value is not None:
                result[q.id] = q.moot_value(answers)
            else:
                result[q.id] = q.skip_value
        return result

    def ask(
        self, state: DialogState, *, error: str | None = None, help: bool = False
    ) -> QuestionReply:
        q = self.by_id[state.current or ""]
        total = self._total(state.answers, len(state.history) + 1)
        # Say so when the last answer changed how many questions apply (4 of 14, was 13).
        before = {k: v for k, v in state.answers.items() if k != (state.history or [""])[-1]}
        was = self._total(before, len(state.history)) if state.history else total
        return QuestionReply(
            question_id=q.id,
            step=state.step,
            number=len(state.history) + 1,
            total=total,
            total_was=was if was != total else None,
            prompt=q.prompt,
            why=q.why,
            choices=[Choice(value=v, label=label) for v, label in q.choices],
            can_go_back=bool(state.history),
            error=error,
            help=q.help if (help or error) else None,
        )

    def _total(self, answers: Answers, at_least: int) -> int:
        """Questions still applicable given `answers` (answered ones count as applicable)."""
        return max(sum(1 for x in self.questions if x.id in answers or x.asked(answers)), at_least)

    def current_replies(self, state: DialogState) -> list[Reply]:
        """What to show someone returning to the dialog (the current question, if any)."""
        return [self.ask(state)] if state.status == "active" and state.current else []

    # -- the step function -------------------------------------------------------------

    def step(
        self, state: DialogState, inp: Input, now: datetime
    ) -> tuple[DialogState, list[Reply]]:
        """Apply one input. Pure: returns a new state and the replies, touches nothing."""
        if state.status == "active" and state.expired(now):
            return self._expired(state, inp, now)
        if inp.step is not None and (inp.step != state.step or state.status != "active"):
            return state, [TextReply(text=STALE_TEXT, tone="info", private=True)]
        if state.status != "active" or state.current is None:
            return state, [TextReply(text="There is no assessment in progress.", tone="info",
                                     private=True)]
        new = state.model_copy(deep=True)
        new.updated_at = now
        new.expires_at = now + timedelta(seconds=state.ttl_seconds)
        q = self.by_id[state.current]
        if isinstance(inp, ChoiceInput):
            if inp.question_id != q.id:
                return state, [TextReply(text=STALE_TEXT, tone="info", private=True)]
            if inp.value is None:
                return self._answer(new, q, q.skip_value)
            if inp.value not in {v for v, _ in q.choices} | {q.skip_value}:
                return new, [self.ask(new, error=f"{inp.value!r} is not one of the choices.")]
            return self._answer(new, q, inp.value)
        command = inp.command if isinstance(inp, CommandInput) else parse_command(inp.text)
        if command is not None:
            return self._command(new, q, command, now)
        assert isinstance(inp, TextInput)
        return self._text(new, q, inp.text)

    def understands(self, state: DialogState, text: str) -> bool:
        """Whether `text` reads as a reply to the current question (not, say, a new question)."""
        if parse_command(text) is not None:
            return True
        q = self.by_id.get(state.current or "")
        if q is None:
            return False
        try:
            return _match(q, text) is not None
        except ParseError:
            return True

    # -- internals ---------------------------------------------------------------------

    def restart_expired(self, state: DialogState, now: datetime) -> tuple[DialogState, list[Reply]]:
        """Start an expired dialog over (same context, newer step) with a note saying why."""
        new = self.new_state(
            now, timedelta(seconds=state.ttl_seconds), step=state.step + 1, context=state.context
        )
        note = (
            f"Your previous assessment expired after {_idle(state)} without activity, "
            "so we are starting over. Your earlier answers were not kept."
        )
        return new, [TextReply(text=note, tone="warning"), self.ask(new)]

    def _expired(
        self, state: DialogState, inp: Input, now: datetime
    ) -> tuple[DialogState, list[Reply]]:
        if isinstance(inp, CommandInput | TextInput) and _command_of(inp) is Command.CANCEL:
            new = state.model_copy(deep=True)
            new.status, new.current, new.updated_at = "cancelled", None, now
            new.step += 1
            note = f"That assessment had already expired after {_idle(state)} without activity."
            return new, [TextReply(text=note, tone="info")]
        return self.restart_expired(state, now)

    def _answer(self, new: DialogState, q: Question, value: str) -> tuple[DialogState, list[Reply]]:
        new.answers[q.id] = value
        new.history.append(q.id)
        new.step += 1
        new.current = self.next_question(new.answers)
        done: list[Reply] = [
            AnsweredReply(
                question_id=q.id, step=new.step - 1, prompt=q.prompt, answer_label=q.label(value)
            )
        ]
        if new.current is None:
            new.status = "completed"
            return new, done
        return new, [*done, self.ask(new)]

    def _command(
        self, new: DialogState, q: Question, command: Command, now: datetime
    ) -> tuple[DialogState, list[Reply]]:
        if command is Command.HELP:
            return new, [self.ask(new, help=True)]
        if command is Command.SKIP:
            return self._answer(new, q, q.skip_value)
        if command is Command.BACK:
            if not new.history:
                return new, [
                    TextReply(text="This is the first question; there is nothing to go back to."),
                    self.ask(new),
                ]
            previous = new.history.pop()
            new.answers.pop(previous, None)
            new.current = previous
            new.step += 1
            return new, [self.ask(new)]
        if command is Command.CANCEL:
            new.status, new.current = "cancelled", None
            new.step += 1
            text = "Assessment cancelled; your answers were discarded. Say start to begin again."
            return new, [TextReply(text=text, tone="info")]
        ttl = timedelta(seconds=new.ttl_seconds)
        fresh = self.new_state(now, ttl, step=new.step + 1, context=new.context)
        return fresh, [TextReply(text="Starting over from the first question."), self.ask(fresh)]

    def _text(self, new: DialogState, q: Question, text: str) -> tuple[DialogState, list[Reply]]:
        try:
            value = _match(q, text)
        except ParseError as exc:
            return new, [self.ask(new, error=str(exc))]
        if value is None:
            shown = text.strip()[:80] or "(empty)"
            hint = f"pick 1 to {len(q.choices)}, type a choice, or say skip, back or help"
            return new, [self.ask(new, error=f"I did not understand {shown!r}: {hint}.")]
        return self._answer(new, q, value)


def _idle(state: DialogState) -> str:
    hours = state.ttl_seconds / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def parse_command(text: str) -> Command | None:
    norm = normalise(text)
    for command, words in COMMAND_WORDS.items():
        if norm in words:
            return command
    return None


def _command_of(inp: CommandInput | TextInput) -> Command | None:
    return inp.command if isinstance(inp, CommandInput) else parse_command(inp.text)


_NUMBER = re.compile(r"^(?:#|no\.?|number|option|choice)?\s*(\d{1,3})\.?$")


def _match(q: Question, text: str) -> str | None:
    """Number, value or label first (exact), then "not sure", then the question's parser.

    Raises ParseError for out-of-range numbers and answers the parser finds ambiguous.
    """
    norm = normalise(text)
    if not norm:
        return None
    number = _NUMBER.match(norm)
    if number:
        n = int(number.group(1))
        if 1 <= n <= len(q.choices):
            return q.choices[n - 1][0]
        raise ParseError(f"There is no choice {n}; pick a number from 1 to {len(q.choices)}.")
    for choice, label in q.choices:
        if norm in {normalise(choice), normalise(label)}:
            return choice
    if norm in {normalise(q.skip_value), "unsure", "unknown"} or is_unsure(text):
        return q.skip_value
    try:
        value = q.parser(text)
    except Ambiguous as exc:
        names = " or ".join(repr(q.label(v)) for v in exc.values)
        raise ParseError(f"That could mean {names}; which one is it?") from exc
    if value is not None and value not in {v for v, _ in q.choices} | {q.skip_value}:
        raise ValueError(f"parser for {q.id} returned {value!r}, not a choice")  # a bug, not input
    return value
