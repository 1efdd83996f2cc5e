"""The scoping-answer contract shared by the dialog, the CLI, the rules and the tests.

Kept in one place because `idgov recommend --answers FILE`, the chat dialog and the
recommendation rules must agree on every id and allowed value; a typo in any of them
would otherwise silently fall through to "unsure".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, get_args

#: Every scoping answer id, with its allowed values in display order.
ANSWER_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "assurance_goal": ("management_system", "scoped_controls", "unsure"),
    "scope": ("organisation_wide", "single_service", "unsure"),
    "driver": ("customer_procurement", "regulation", "internal_maturity", "unsure"),
    "regulated": ("yes", "no", "unsure"),
    "regulatory_regime": (
        "eu_uk_financial",
        "us_financial",
        "us_healthcare",
        "public_sector",
        "other",
        "unsure",
    ),
    "org_profile": ("early_stage", "fast_growing_saas", "established_enterprise", "other"),
    "customer_regions": ("north_america", "international", "both", "unsure"),
    "existing_assurance": ("none", "soc2", "iso27001", "both"),
    "nhi_inventory": ("complete", "partial", "none", "unknown"),
    "secret_rotation": ("automated", "manual", "none", "unknown"),
    "least_privilege": ("enforced", "partial", "none", "unknown"),
    "break_glass": ("documented", "ad_hoc", "none", "unknown"),
    "offboarding": ("timely", "delayed", "none", "unknown"),
    "nhi_ownership": ("central", "distributed", "unknown"),
    "shared_nhi_boundary": ("yes", "no", "unknown"),
}

#: The value a missing or skipped answer takes. Most questions say "unsure"; the
#: identity-practice questions say "unknown"; two have no neutral value and use the
#: most conservative one ("other" profile, "none" existing assurance).
DEFAULT_VALUES: Final[dict[str, str]] = {
    "assurance_goal": "unsure",
    "scope": "unsure",
    "driver": "unsure",
    "regulated": "unsure",
    "regulatory_regime": "unsure",
    "org_profile": "other",
    "customer_regions": "unsure",
    "existing_assurance": "none",
    "nhi_inventory": "unknown",
    "secret_rotation": "unknown",
    "least_privilege": "unknown",
    "break_glass": "unknown",
    "offboarding": "unknown",
    "nhi_ownership": "unknown",
    "shared_nhi_boundary": "unknown",
}

#: Follow-up task kinds: the identity outcomes auditors look for (docs/architecture.md).
TaskKind = Literal[
    "inventory",
    "least_privilege",
    "rotation",
    "break_glass",
    "offboarding",
    "ownership",
    "scope_boundary",
]
TASK_KINDS: Final[tuple[TaskKind, ...]] = get_args(TaskKind)

#: Values that mean "we don't know"; used for confidence scoring.
UNKNOWN_VALUES: Final[frozenset[str]] = frozenset({"unsure", "unknown"})


def answer_name(answer_id: str) -> str:
    """A readable name for an answer id in sentences: "customer regions", "NHI inventory"."""
    return " ".join("NHI" if w == "nhi" else w for w in answer_id.split("_"))


def value_name(value: str) -> str:
    """A readable name for an answer value: "customer procurement", "ad hoc"."""
    return value.replace("_", " ")


class AnswerError(ValueError):
    """An answer id or value outside the contract; the message is one line for the user."""


def validate_answers(raw: object) -> dict[str, str]:
    """Check a JSON-decoded answers object and fill defaults for missing keys.

    Raises AnswerError naming the offending key and the allowed values, so the CLI can
    print one line and exit 2 instead of guessing.
    """
    if not isinstance(raw, Mapping):
        raise AnswerError("answers must be a JSON object mapping answer ids to values")
    answers = dict(DEFAULT_VALUES)
    for key, value in raw.items():
        if key not in ANSWER_VALUES:
            allowed_keys = ", ".join(ANSWER_VALUES)
            raise AnswerError(f"unknown answer key {key!r}; allowed keys: {allowed_keys}")
        allowed = ANSWER_VALUES[key]
        if not isinstance(value, str) or value not in allowed:
            raise AnswerError(
                f"answer {key!r} has value {value!r}; allowed values: {', '.join(allowed)}"
            )
        answers[key] = value
    return answers
