"""Recommendation rules and task templates as data, validated against the answer contract.

Rules live in ``knowledge/data/rules.yaml`` and ``knowledge/data/task_templates.yaml`` so a
compliance lead can review them. Loading checks every cross-reference (answer ids and
values against knowledge.schema, source ids against sources.yaml, control ids against the
crosswalk): a typo must fail loudly at start-up, not silently stop a rule from firing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from knowledge.crosswalk import Crosswalk, DataError, load_crosswalk, read_yaml
from knowledge.schema import ANSWER_VALUES, TASK_KINDS, TaskKind

RecommendationId = Literal[
    "iso27001", "soc2", "soc2_then_iso27001", "soc2_with_iso27001_practices", "both"
]
RECOMMENDATION_IDS: tuple[RecommendationId, ...] = (
    "iso27001",
    "soc2",
    "soc2_then_iso27001",
    "soc2_with_iso27001_practices",
    "both",
)
Primary = Literal["iso27001", "soc2"]
Priority = Literal["high", "medium", "low"]

Conditions = dict[str, list[str]]


def _listify(value: Any) -> Any:
    """Let YAML say ``{scope: single_service}`` for a one-value condition."""
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


def matches(when: Conditions, answers: Mapping[str, str]) -> bool:
    """True when every answer named in `when` has one of its listed values."""
    return all(answers.get(key) in values for key, values in when.items())


class _Conditional(BaseModel):
    """A rationale that applies `when` the answers match (``{answer: value or [values]}``)."""

    id: str
    when: Conditions
    text: str
    sources: list[str] = Field(default_factory=list)

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return _listify(value)


class Rule(_Conditional):
    evidence: dict[RecommendationId, int] = Field(default_factory=dict)
    primary: dict[Primary, int] = Field(default_factory=dict)
    answer: str | None = None
    outcomes: list[str] = Field(default_factory=list)

    @property
    def answer_id(self) -> str:
        """The answer this rule's rationale bullet names."""
        return self.answer or next(iter(self.when))


class Conflict(_Conditional):
    """Answers that pull against each other: lowers confidence and says why."""


class RecommendationInfo(BaseModel):
    label: str
    primary: Literal["iso27001", "soc2", "by_evidence"]
    summary: str


class ConfidencePolicy(BaseModel):
    """Thresholds of docs/confidence.md: unknown deciding answers and opposing reasons that
    make confidence low, and the lead over the other framework's best path that high needs."""

    low_unknown: int = 2
    low_against: int = 2
    high_margin: int = 3


class RuleSet(BaseModel):
    recommendations: dict[RecommendationId, RecommendationInfo]
    tie_break: list[RecommendationId]
    default: RecommendationId
    default_text: str
    default_sources: list[str] = Field(default_factory=list)
    deciding_answers: list[str]
    confidence: ConfidencePolicy = Field(default_factory=ConfidencePolicy)
    always_outcomes: list[str] = Field(default_factory=list)
    rules: list[Rule]
    conflicts: list[Conflict] = Field(default_factory=list)


class TaskTemplateSpec(BaseModel):
    gap_when: Conditions
    priority: Priority | dict[str, Priority]
    due_in_days: int | None = None
    title: str
    why: str
    controls: list[str] | None = None
    sources: list[str] = Field(default_factory=list)

    @field_validator("gap_when", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return _listify(value)

    def priority_for(self, answers: Mapping[str, str]) -> Priority:
        if isinstance(self.priority, str):
            return self.priority
        first = next(iter(self.gap_when))
        return self.priority.get(answers[first], "medium")


class TaskTemplates(BaseModel):
    due_in_days_by_priority: dict[Priority, int]
    templates: dict[TaskKind, TaskTemplateSpec]


class TaskTemplate(BaseModel):
    """A follow-up task the recommendation proposes for one gap (not yet stored)."""

    kind: TaskKind
    title: str
    why: str
    priority: Priority
    due_in_days: int
    controls: list[str]


class Knowledge(BaseModel):
    """Everything the engine needs, validated together."""

    ruleset: RuleSet
    tasks: TaskTemplates
    crosswalk: Crosswalk


def _check_conditions(where: str, when: Conditions) -> None:
    if not when:
        raise DataError(f"{where}: `when` must name at least one answer")
    for key, values in when.items():
        if key not in ANSWER_VALUES:
            raise DataError(
                f"{where}: unknown answer id {key!r}; allowed: {', '.join(ANSWER_VALUES)}"
            )
        for value in values:
            if value not in ANSWER_VALUES[key]:
                allowed = ", ".join(ANSWER_VALUES[key])
                raise DataError(
                    f"{where}: answer {key!r} has no value {value!r}; allowed: {allowed}"
                )


def _check_refs(
    where: str, cw: Crosswalk, sources: list[str], controls: Sequence[str] = ()
) -> None:
    for sid in sources:
        if sid not in cw.sources:
            raise DataError(f"{where}: unknown source id {sid!r}")
    known = {cid for entries in cw.controls.values() for cid in entries}
    for cid in controls:
        if cid not in known:
            raise DataError(f"{where}: unknown control id {cid!r} (not in crosswalk.yaml)")


def _check(ks: Knowledge) -> None:
    rs, cw = ks.ruleset, ks.crosswalk
    if set(rs.recommendations) != set(RECOMMENDATION_IDS):
        raise DataError("rules.yaml: `recommendations` must describe each recommendation once")
    if sorted(rs.tie_break) != sorted(RECOMMENDATION_IDS):
        raise DataError("rules.yaml: `tie_break` must list each recommendation exactly once")
    _check_refs("rules.yaml default_sources", cw, rs.default_sources)
    for answer in rs.deciding_answers:
        _check_conditions("rules.yaml deciding_answers", {answer: []})
    for outcome in rs.always_outcomes:
        if outcome not in cw.outcomes:
            raise DataError(f"rules.yaml always_outcomes: unknown outcome {outcome!r}")
    ids: set[str] = set()
    items: list[Rule | Conflict] = [*rs.rules, *rs.conflicts]
    for item in items:
        where = f"rules.yaml rule {item.id!r}"
        if item.id in ids:
            raise DataError(f"{where}: duplicate id")
        ids.add(item.id)
        _check_conditions(where, item.when)
        _check_refs(where, cw, item.sources)
        if isinstance(item, Rule):
            if item.answer is not None and item.answer not in item.when:
                raise DataError(f"{where}: `answer` {item.answer!r} is not one of its conditions")
            for outcome in item.outcomes:
                if outcome not in cw.outcomes:
                    raise DataError(f"{where}: unknown outcome {outcome!r}")
    for kind, spec in ks.tasks.templates.items():
        where = f"task_templates.yaml {kind!r}"
        _check_conditions(where, spec.gap_when)
        _check_refs(where, cw, spec.sources, spec.controls or [])
        if spec.controls is None and kind not in cw.outcomes:
            raise DataError(f"{where}: no `controls` and no crosswalk outcome named {kind!r}")


def parse_knowledge(rules: Any, templates: Any, crosswalk: Crosswalk) -> Knowledge:
    """Validate raw rules and task-template data; DataError names the file and entry."""
    try:
        ks = Knowledge(
            ruleset=RuleSet.model_validate(rules),
            tasks=TaskTemplates.model_validate(templates),
            crosswalk=crosswalk,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise DataError(f"rules.yaml/task_templates.yaml: {where}: {err['msg']}") from exc
    _check(ks)
    return ks


@cache
def load_knowledge() -> Knowledge:
    """The packaged rules, task templates and crosswalk, validated once per process."""
    return parse_knowledge(
        read_yaml("rules.yaml"), read_yaml("task_templates.yaml"), load_crosswalk()
    )


def gap_tasks(answers: Mapping[str, str], ks: Knowledge | None = None) -> list[TaskTemplate]:
    """One task per identity gap in `answers`, most urgent first, then in kind order."""
    ks = ks or load_knowledge()
    order = {"high": 0, "medium": 1, "low": 2}
    tasks: list[TaskTemplate] = []
    for kind in TASK_KINDS:
        spec = ks.tasks.templates.get(kind)
        if spec is None or not matches(spec.gap_when, answers):
            continue
        priority = spec.priority_for(answers)
        tasks.append(
            TaskTemplate(
                kind=kind,
                title=spec.title,
                why=spec.why,
                priority=priority,
                due_in_days=spec.due_in_days or ks.tasks.due_in_days_by_priority[priority],
                controls=spec.controls or ks.crosswalk.outcome_control_ids(kind),
            )
        )
    return sorted(tasks, key=lambda t: order[t.priority])
