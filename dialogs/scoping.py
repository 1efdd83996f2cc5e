"""The scoping dialog: one question per answer id of `knowledge.schema`, declared as data.

Prompts, one-line "why it matters", help, button labels and typed-answer rules live in
``scoping.yaml`` beside this file, so a compliance lead can review the wording without
reading Python. Order: the framework-deciding questions first (goal, scope, driver,
regulation, profile, customers, existing assurance), then the identity-practice questions
whose gaps become follow-up tasks. Buttons list every allowed value except
"unsure"/"unknown", which is the "Not sure" button (and ``skip``); a skip records
`knowledge.schema.DEFAULT_VALUES` ("other" profile, "none" existing assurance).

Moot questions (decided here, documented because they change what gets recorded):

- ``regulated`` is not asked when the driver is ``regulation``: a regulator driving the
  work means the organisation is regulated, so ``yes`` is recorded.
- ``customer_regions`` is asked only when customers matter: the driver is
  ``customer_procurement`` or ``unsure``, or the profile is ``fast_growing_saas``.
  Otherwise nobody is asking for a customer-facing report, and the contract default
  ``unsure`` is recorded (it is not a deciding answer without customer demand).
- ``shared_nhi_boundary`` is not asked when the scope is ``organisation_wide``: with
  everything inside the boundary no identity can cross it, so ``no`` is recorded.
- ``regulatory_regime`` is asked only when the organisation is regulated (answered ``yes``,
  or implied by a regulator driving the work); otherwise ``unsure`` is recorded as a
  placeholder that neither counts as "Not sure" nor lowers confidence.

When each question applies is defined once, in `knowledge.applicability`, so `idgov
recommend` judges a file of answers exactly as the dialog does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from dialogs.engine import Answers, Dialog, Question
from dialogs.parsing import build_parser
from knowledge.applicability import applies
from knowledge.safe_yaml import load_packaged
from knowledge.schema import ANSWER_VALUES, DEFAULT_VALUES, UNKNOWN_VALUES, answer_name

DATA_FILE = Path(__file__).with_name("scoping.yaml")


def _asked_if(qid: str) -> Callable[[Answers], bool]:
    def _ask(a: Answers) -> bool:
        return applies(qid, a)

    return _ask


#: question id -> (ask only if, value recorded when moot)
MOOT_RULES: dict[str, tuple[Callable[[Answers], bool], str]] = {
    "regulated": (_asked_if("regulated"), "yes"),
    "regulatory_regime": (_asked_if("regulatory_regime"), DEFAULT_VALUES["regulatory_regime"]),
    "customer_regions": (_asked_if("customer_regions"), DEFAULT_VALUES["customer_regions"]),
    "shared_nhi_boundary": (_asked_if("shared_nhi_boundary"), "no"),
}


def _constant(value: str) -> Callable[[Answers], str]:
    def _value(_answers: Answers) -> str:
        return value

    return _value


def _question(qid: str, spec: dict[str, Any]) -> Question:
    labels: dict[str, str] = spec["choices"]
    expected = [v for v in ANSWER_VALUES[qid] if v not in UNKNOWN_VALUES]
    if list(labels) != expected:
        raise ValueError(f"{DATA_FILE.name}: {qid} choices must be {expected}, got {list(labels)}")
    ask_if, moot = MOOT_RULES.get(qid, (None, None))
    return Question(
        id=qid,
        prompt=spec["prompt"],
        why=spec["why"],
        choices=tuple((v, labels[v]) for v in expected),
        help=spec["help"],
        skip_value=DEFAULT_VALUES[qid],
        parser=build_parser(spec),
        ask_if=ask_if,
        moot_value=_constant(moot) if moot is not None else None,
    )


@cache
def scoping_dialog() -> Dialog:
    """The scoping dialog, loaded and checked against the answer contract once."""
    data: dict[str, dict[str, Any]] = load_packaged(DATA_FILE.read_text(encoding="utf-8"))
    if set(data) != set(ANSWER_VALUES):
        raise ValueError(f"{DATA_FILE.name} must define exactly the ids of knowledge.schema")
    return Dialog("scoping", tuple(_question(qid, spec) for qid, spec in data.items()))


def answer_text(answer_id: str, value: str | None) -> str:
    """How a card cites an answer: ``Customer regions: Both`` rather than raw ids, so the
    "your answer" note under each rationale bullet reads like the question that was asked."""
    question = scoping_dialog().by_id.get(answer_id)
    name = answer_name(answer_id)
    name = name[:1].upper() + name[1:]
    if question is None:
        return f"{name}: {value or 'not sure'}"
    return f"{name}: {question.label(value or question.skip_value)}"
