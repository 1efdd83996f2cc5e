"""What to do first: knowledge/task_plan.py orders, prioritises and dates follow-up tasks."""

from __future__ import annotations

from knowledge.rules import TaskTemplate, gap_tasks
from knowledge.schema import DEFAULT_VALUES, TASK_KINDS
from knowledge.task_plan import STEP_DAYS, done_when, next_step, plan_specs, plan_tasks


def _t(kind: str, priority: str = "medium", days: int = 60) -> TaskTemplate:
    return TaskTemplate(kind=kind, title=kind, why="", priority=priority,  # type: ignore[arg-type]
                        due_in_days=days, controls=[])


def test_every_kind_says_what_to_do_and_what_counts_as_done() -> None:
    specs = plan_specs()
    for kind in TASK_KINDS:
        assert next_step(kind) and done_when(kind), kind
        assert set(specs[kind].after) <= set(TASK_KINDS) - {kind}, kind
    assert next_step("manual") == "" and done_when("manual") == ""


def test_inventory_comes_first_even_when_less_urgent() -> None:
    planned = plan_tasks([_t("rotation", "high", 30), _t("offboarding", "high", 30),
                          _t("ownership", "medium", 60), _t("inventory", "low", 90)])
    kinds = [t.kind for t in planned]
    assert kinds[0] == "inventory"
    assert kinds.index("ownership") < kinds.index("offboarding")  # offboarding needs owners
    first = planned[0]
    assert (first.priority, first.due_in_days) == ("high", 30)
    due = {t.kind: t.due_in_days for t in planned}
    assert due["rotation"] == 30 + STEP_DAYS
    assert due["offboarding"] >= due["ownership"] + STEP_DAYS


def test_free_tasks_keep_urgency_order_and_their_own_dates() -> None:
    planned = plan_tasks([_t("break_glass", "medium", 60), _t("least_privilege", "high", 30)])
    assert [(t.kind, t.due_in_days) for t in planned] == [("least_privilege", 30),
                                                          ("break_glass", 60)]


def test_answers_drive_the_plan() -> None:
    none = gap_tasks({**DEFAULT_VALUES, "nhi_inventory": "none", "secret_rotation": "manual",
                      "least_privilege": "enforced", "break_glass": "documented",
                      "offboarding": "timely", "nhi_ownership": "central"})
    assert [(t.kind, t.priority) for t in none] == [("inventory", "high"), ("rotation", "medium")]
    dates = {t.due_in_days for t in gap_tasks(DEFAULT_VALUES)}
    assert len(dates) > 1, "not everything due the same day"
