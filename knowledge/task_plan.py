"""What to do first: the follow-up tasks ordered, prioritised and dated from the answers.

Every gap used to come out as its own Medium task due the same day, which tells an engineer
nothing about where to start. Some work depends on other work: nobody can rotate, review or
revoke what nobody has listed, so the inventory comes first, then ownership, then the rest.
`plan_tasks` orders tasks so each comes after the tasks it needs (``after`` in
``task_templates.yaml``), raises a prerequisite to the priority of the most urgent task
waiting on it, and dates each task no earlier than a step after its prerequisites are due.
The same data says what to do next (``next_step``) and what counts as done (``done_when``,
the evidence an auditor expects), which the reminders show.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from pydantic import BaseModel, Field

from knowledge.crosswalk import read_yaml
from knowledge.rules import TaskTemplate

_RANK = {"high": 0, "medium": 1, "low": 2}
#: Days between a prerequisite's due date and the earliest due date of work waiting on it.
STEP_DAYS = 14


class PlanSpec(BaseModel):
    """The planning fields of one task template."""

    after: list[str] = Field(default_factory=list)
    next_step: str = ""
    done_when: str = ""


@cache
def plan_specs() -> dict[str, PlanSpec]:
    """Planning fields per task kind, read once from ``task_templates.yaml``."""
    templates = read_yaml("task_templates.yaml")["templates"]
    return {kind: PlanSpec.model_validate(spec) for kind, spec in templates.items()}


def next_step(kind: str) -> str:
    """What to do for a task of `kind` ('' for a kind without a template, e.g. manual)."""
    spec = plan_specs().get(kind)
    return spec.next_step if spec else ""


def done_when(kind: str) -> str:
    """The evidence that shows a task of `kind` done ('' when unknown)."""
    spec = plan_specs().get(kind)
    return spec.done_when if spec else ""


def _order(tasks: list[TaskTemplate], specs: Mapping[str, PlanSpec]) -> list[TaskTemplate]:
    """Prerequisites first; among tasks that are free to start, the most urgent first."""
    present = {t.kind for t in tasks}
    waiting = {t.kind: {a for a in specs.get(t.kind, PlanSpec()).after if a in present}
               for t in tasks}
    position = {t.kind: i for i, t in enumerate(tasks)}
    pending = list(tasks)
    ordered: list[TaskTemplate] = []
    while pending:
        done = {t.kind for t in ordered}
        ready = [t for t in pending if waiting[t.kind] <= done] or pending  # a cycle: no hang
        first = min(ready, key=lambda t: (_RANK[t.priority], position[t.kind]))
        ordered.append(first)
        pending.remove(first)
    return ordered


def plan_tasks(
    tasks: list[TaskTemplate], answers: Mapping[str, str] | None = None
) -> list[TaskTemplate]:
    """`tasks` in the order to do them, with priorities and due days adjusted (see module).

    `answers` is accepted for rules that key on answers beyond each template's own; the
    templates already chose each task's priority from its answer.
    """
    del answers  # priorities per answer come from the templates (priority_for)
    specs = plan_specs()
    by_kind = {t.kind: t for t in tasks}
    # A prerequisite is as urgent, and due as soon, as the most urgent task waiting on it.
    priority = {t.kind: t.priority for t in tasks}
    soonest = {t.kind: t.due_in_days for t in tasks}
    for t in tasks:
        for before in specs.get(t.kind, PlanSpec()).after:
            if before not in priority:
                continue
            if _RANK[t.priority] < _RANK[priority[before]]:
                priority[before] = t.priority
            soonest[before] = min(soonest[before], t.due_in_days)
    raised = [by_kind[k].model_copy(update={"priority": priority[k], "due_in_days": soonest[k]})
              for k in by_kind]
    planned: list[TaskTemplate] = []
    due: dict[str, int] = {}
    for t in _order(raised, specs):
        earliest = max((due[b] + STEP_DAYS for b in specs.get(t.kind, PlanSpec()).after
                        if b in due), default=0)
        days = max(t.due_in_days, earliest)
        due[t.kind] = days
        planned.append(t.model_copy(update={"due_in_days": days}))
    return planned
