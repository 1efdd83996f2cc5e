"""Evaluate one identity against the gap rules, and accumulate coverage figures.

Pure and deterministic: `now` is a parameter, so a re-import on the same day gives the same
gaps and the evidence pack can state the date its figures were computed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from knowledge.inventory.model import IdentityRecord
from knowledge.inventory.rules import GAP_KINDS, GapRules
from knowledge.inventory.values import environment_name


def holds_secret(record: IdentityRecord, rules: GapRules) -> bool:
    """Does the identity carry a long-lived secret the rotation rules apply to?"""
    if record.has_secret is not None:
        return record.has_secret
    return record.type in rules.secret_types or record.last_rotated is not None


def evaluate(record: IdentityRecord, rules: GapRules, now: datetime) -> list[str]:
    """The gap kinds this identity has, in rule order."""
    t = rules.thresholds
    found: set[str] = set()
    if not record.owner:
        found.add("unowned")
    if holds_secret(record, rules):
        policy = timedelta(days=t.rotation_days.for_type(record.type))
        if record.last_rotated is None:
            if record.created is None or now - record.created > policy:
                found.add("never_rotated")
        elif now - record.last_rotated > policy:
            found.add("rotation_overdue")
    idle = timedelta(days=t.unused_days)
    if record.last_used is not None:
        if now - record.last_used > idle:
            found.add("unused")
    elif record.never_used and record.created is not None and now - record.created > idle:
        found.add("unused")
    if record.expires is not None:
        if record.expires <= now:
            found.add("expired")
        elif record.expires - now <= timedelta(days=t.expiring_days):
            found.add("expiring")
    regex = rules.privileged_regex()
    if any(regex.search(p) for p in record.privileges):
        found.add("privileged")
    if record.used_by_humans:
        found.add("human_use")
    envs = {e for s in record.shared_with if (e := environment_name(s))}
    if envs - {record.environment}:
        found.add("shared_environments")
    if any(environment_name(s) is None for s in record.shared_with):
        found.add("shared_apps")
    return [k for k in GAP_KINDS if k in found]


@dataclass
class Coverage:
    """Shares of an inventory with an owner, a rotation date, rotation within policy, recent use."""

    unused_days: int
    total: int = 0
    with_owner: int = 0
    with_secret: int = 0
    with_rotation_date: int = 0
    rotated_within_policy: int = 0
    used_recently: int = 0
    gaps: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GAP_KINDS, 0))

    def add(self, record: IdentityRecord, gaps: list[str], rules: GapRules,
            now: datetime) -> None:
        self.total += 1
        self.with_owner += bool(record.owner)
        if holds_secret(record, rules):
            self.with_secret += 1
            if record.last_rotated is not None:
                self.with_rotation_date += 1
                if not {"rotation_overdue", "never_rotated"} & set(gaps):
                    self.rotated_within_policy += 1
        if record.last_used is not None and now - record.last_used <= timedelta(
                days=self.unused_days):
            self.used_recently += 1
        for kind in gaps:
            self.gaps[kind] += 1

    def as_dict(self) -> dict[str, Any]:
        """The ``coverage`` object of the import report (shares are 0..1, 4 decimals)."""
        def share(n: int, of: int) -> float | None:
            return round(n / of, 4) if of else None
        return {
            "identities": self.total,
            "with_owner": share(self.with_owner, self.total),
            "with_rotation_date": share(self.with_rotation_date, self.with_secret),
            "rotated_within_policy": share(self.rotated_within_policy, self.with_secret),
            "used_recently": share(self.used_recently, self.total),
            "used_recently_days": self.unused_days,
            "with_secret": self.with_secret,
        }
