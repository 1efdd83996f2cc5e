"""Which scoping questions apply, given the other answers: one definition for dialog and CLI.

A question that does not apply (it is asked only when another answer makes it relevant) has
no real answer: the value recorded for it is a placeholder. Such an answer must not count as
"Not sure" when confidence is judged, must not be cited on the card as something the user
said, and must not be offered as a what-if. The dialog (dialogs/scoping.py) asks a question
only when `applies` is true, and `idgov recommend` judges a file of answers with the same
function, so both give the same result for the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

Answers = Mapping[str, str]


def _regulated_applies(a: Answers) -> bool:
    # A regulator driving the work means the organisation is regulated ("yes" is implied).
    return a.get("driver") != "regulation"


def _regime_applies(a: Answers) -> bool:
    return a.get("regulated") == "yes" or a.get("driver") == "regulation"


def _customer_regions_apply(a: Answers) -> bool:
    customers_matter = a.get("driver") in {"customer_procurement", "unsure", None}
    return customers_matter or a.get("org_profile") == "fast_growing_saas"


def _shared_boundary_applies(a: Answers) -> bool:
    return a.get("scope") != "organisation_wide"


#: answer id -> when the question is relevant; questions not listed always apply.
APPLIES_WHEN: Final[dict[str, Callable[[Answers], bool]]] = {
    "regulated": _regulated_applies,
    "regulatory_regime": _regime_applies,
    "customer_regions": _customer_regions_apply,
    "shared_nhi_boundary": _shared_boundary_applies,
}

#: What a question that does not apply records: an implied answer where there is one.
IMPLIED_VALUES: Final[dict[str, str]] = {"regulated": "yes", "shared_nhi_boundary": "no"}


def applies(answer_id: str, answers: Answers) -> bool:
    """True when the question `answer_id` is relevant given the other `answers`."""
    rule = APPLIES_WHEN.get(answer_id)
    return rule is None or rule(answers)


def implied(answer_id: str) -> bool:
    """True when a non-applicable question's recorded value is implied by another answer
    (so it is a real answer), rather than a placeholder."""
    return answer_id in IMPLIED_VALUES


def given(answer_id: str, answers: Answers) -> bool:
    """True when the recorded value is something the user said or implied: the question
    applies, or it does not but another answer implies its value."""
    return applies(answer_id, answers) or implied(answer_id)
