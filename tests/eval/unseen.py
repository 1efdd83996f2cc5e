"""Check that a test module's own example questions are in no evaluation, training or tuning
set: round tests pin behaviour on questions written for them, so a figure never rests on a
question that is also scored, and a failure shows only the module's own questions, never a
blind set's."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from knowledge.safe_yaml import load_packaged
from tests.eval.harness import EVAL_DIR

#: A quoted string of 12 or more characters at the start of a line: how round tests write
#: their example questions.
_QUOTED = re.compile(r'^\s+\(?"([^"]{12,})"', flags=re.M)


def plain(text: str) -> str:
    """Lower-case words and numbers only: "Who won?" and "who won" are the same question."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@cache
def questions_in_sets() -> frozenset[str]:
    """Every question of every set in tests/eval/, in `plain` form (read once per run: the
    sets are committed files, and every round's test module asks)."""
    seen: set[str] = set()
    for path in EVAL_DIR.glob("*.yaml"):
        data = load_packaged(path.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else data.get("in_scope", []) + data["out_of_scope"]
        seen |= {plain(item["q"] if isinstance(item, dict) else item) for item in items}
    return frozenset(seen)


def own_questions(module: Path) -> set[str]:
    """The example questions a test module writes, in `plain` form."""
    return {plain(q) for q in _QUOTED.findall(module.read_text(encoding="utf-8"))}


def repeated_questions(module: Path) -> list[str]:
    """The module's own questions that some set also asks (shown on failure: only ours)."""
    return sorted(own_questions(module) & questions_in_sets())
