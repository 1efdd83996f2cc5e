"""Words people see, from one place: plurals, labels for internal values, people's names.

Every surface (Slack, Teams, the terminal, the report) renders enum values, counts and
owner references through these helpers, so no card says "1 reminder(s)", "not_applicable"
or ``slack:T0ACME01:U07ANAGRC``. Pure functions; no platform knowledge beyond the shape of
our own neutral references (``platform:workspace:user``, see `dialogs.keys`).
"""

from __future__ import annotations

from collections.abc import Iterable

FRAMEWORK_LABELS = {"iso27001": "ISO/IEC 27001", "soc2": "SOC 2"}
CONFIDENCE_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
PRIORITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
STATUS_LABELS = {
    "open": "Open",
    "done": "Done",
    "snoozed": "Snoozed",
    "not_applicable": "Not applicable",
    "cancelled": "Cancelled",
}
TASK_KIND_LABELS = {
    "inventory": "Inventory",
    "least_privilege": "Least privilege",
    "rotation": "Secret rotation",
    "break_glass": "Break-glass access",
    "offboarding": "Offboarding",
    "ownership": "Ownership",
    "scope_boundary": "Scope boundary",
}
_IRREGULAR = {"day": "days", "reminder": "reminders", "question": "questions", "task": "tasks",
              "reason": "reasons", "week": "weeks", "answer": "answers", "entry": "entries"}
_SMALL = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def plural(n: int, word: str, many: str | None = None, *, spell: bool = False) -> str:
    """``1 day``, ``2 days``, ``0 tasks``; `spell` writes 0-9 as words ("two reminders")."""
    form = word if n == 1 else (many or _IRREGULAR.get(word) or word + "s")
    count = _SMALL[n] if spell and 0 <= n < len(_SMALL) else str(n)
    return f"{count} {form}"


def humanize(value: str) -> str:
    """A readable label for an internal value nobody gave a label: ``break_glass`` ->
    ``Break glass``. Use the tables above first; this is the fallback."""
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(table: dict[str, str], value: str | None, empty: str = "") -> str:
    if not value:
        return empty
    return table.get(value) or humanize(value)


def kind_label(kind: str) -> str:
    return label(TASK_KIND_LABELS, kind)


def status_label(status: str) -> str:
    return label(STATUS_LABELS, status)


def priority_label(priority: str) -> str:
    return label(PRIORITY_LABELS, priority)


def join_words(items: Iterable[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [i for i in items if i]
    if len(words) <= 2:
        return f" {last} ".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def ref_parts(ref: str | None) -> tuple[str, str, str] | None:
    """(platform, workspace, user) of a neutral user reference, or None for anything else
    (a channel ref ``slack:T1:#C1``, an email, free text)."""
    if not ref:
        return None
    parts = ref.split(":", 2)
    if len(parts) != 3 or not all(parts) or parts[2].startswith("#"):
        return None
    return parts[0], parts[1], parts[2]


def person_name(ref: str | None, display: str | None = None, unknown: str = "a teammate") -> str:
    """How to name a person in plain text: their display name, a terminal user's login, or
    `unknown`; never the raw reference or a platform object id."""
    if display and display.strip() and display.strip() != ref:
        return display.strip()
    parts = ref_parts(ref)
    if parts and parts[0] == "cli":
        return parts[2]
    if ref and "@" in ref and ":" not in ref:
        return ref  # an email address someone typed is a name people recognise
    return unknown if ref else "nobody yet"


def channel_name(ref: str | None) -> str:
    """A channel reference in words (``slack:T1:#C1`` -> ``the task's channel``)."""
    return "the task's channel" if ref and ":#" in ref else "the identity lead"


def count_change(total: int, was: int | None) -> str:
    """Why the question count moved: "Your last answer added 1 question." ('' if it didn't)."""
    if was is None or was == total:
        return ""
    if total > was:
        return f"Your last answer added {plural(total - was, 'question')}."
    return f"Your last answer removed {plural(was - total, 'question')}."
