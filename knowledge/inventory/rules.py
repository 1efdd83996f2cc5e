"""Load and validate ``knowledge/data/gap_rules.yaml`` (the gap rules are data, not code)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from knowledge.inventory.model import IDENTITY_TYPES
from knowledge.safe_yaml import load_packaged
from knowledge.schema import TASK_KINDS

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "gap_rules.yaml"
GAP_KINDS = ("unowned", "never_rotated", "rotation_overdue", "unused", "expired", "expiring",
             "privileged", "human_use", "shared_environments", "shared_apps")
CONTROL_FRAMEWORKS = ("iso27001", "soc2", "nist_csf", "owasp_nhi")


class RulesError(ValueError):
    """gap_rules.yaml is malformed; the message names the entry."""


class RotationDays(BaseModel):
    default: int = Field(ge=1, le=3660)
    per_type: dict[str, int] = Field(default_factory=dict)

    @field_validator("per_type")
    @classmethod
    def _types(cls, value: dict[str, int]) -> dict[str, int]:
        for kind, days in value.items():
            if kind not in IDENTITY_TYPES or not 1 <= days <= 3660:
                raise ValueError(f"rotation_days.per_type: bad entry {kind}: {days}")
        return value

    def for_type(self, identity_type: str) -> int:
        return self.per_type.get(identity_type, self.default)


class Thresholds(BaseModel):
    rotation_days: RotationDays
    unused_days: int = Field(ge=1, le=3660)
    expiring_days: int = Field(ge=1, le=365)


class GapRule(BaseModel):
    label: str
    task_kind: str
    priority: Literal["high", "medium", "low"]
    due_days: int = Field(ge=1, le=365)
    title: str
    why: str
    controls: dict[str, list[str]]

    @field_validator("task_kind")
    @classmethod
    def _task_kind(cls, value: str) -> str:
        if value not in TASK_KINDS:
            raise ValueError(f"task_kind {value!r} is not one of {', '.join(TASK_KINDS)}")
        return value

    @field_validator("controls")
    @classmethod
    def _frameworks(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(CONTROL_FRAMEWORKS)
        if unknown:
            raise ValueError(f"unknown framework(s) {sorted(unknown)}")
        return value

    def control_ids(self) -> list[str]:
        return [cid for fw in CONTROL_FRAMEWORKS for cid in self.controls.get(fw, [])]


class GapRules(BaseModel):
    thresholds: Thresholds
    secret_types: list[str]
    privileged_patterns: list[str]
    gaps: dict[str, GapRule]

    @model_validator(mode="after")
    def _complete(self) -> GapRules:
        if list(self.gaps) != list(GAP_KINDS):
            raise ValueError(f"gaps must be exactly, in order: {', '.join(GAP_KINDS)}")
        for pattern in self.privileged_patterns:
            re.compile(pattern)
        return self

    def privileged_regex(self) -> re.Pattern[str]:
        return _joined(tuple(self.privileged_patterns))

    def texts(self, kind: str, count: int) -> tuple[str, str]:
        """The rule's task title and why, with counts and thresholds filled in."""
        rule = self.gaps[kind]
        fill = {"count": count, "s": "" if count == 1 else "s",
                "identities": "identity" if count == 1 else "identities",
                "rotation_days": self.thresholds.rotation_days.default,
                "unused_days": self.thresholds.unused_days,
                "expiring_days": self.thresholds.expiring_days}
        return rule.title.format(**fill), rule.why.format(**fill)


@cache
def _joined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def parse_rules(raw: Any) -> GapRules:
    try:
        return GapRules.model_validate(raw)
    except re.error as exc:
        raise RulesError(f"gap_rules.yaml: privileged_patterns: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RulesError(f"gap_rules.yaml: {where}: {first['msg']}") from None


@cache
def load_rules() -> GapRules:
    return parse_rules(load_packaged(RULES_FILE.read_text(encoding="utf-8")))
