"""The shape of a benchmark result, targets, and the text/JSON report.

Every benchmark returns one ``dict`` (so the JSON report is exactly what the code built):

``name``
    stable identifier, e.g. ``slack.slash_command``;
``skipped``
    present only when the benchmark could not run, with the reason (never a made-up figure);
``ratio``
    ours / bare baseline, where a baseline exists (for latency, >1 means slower than bare;
    for throughput, <1 means less than bare);
``checks``, ``target``, ``met``
    where the issue sets a target: each check with its measured value and limit, the targets
    as one line, and ``met`` true only when every check passed.

Everything else is the benchmark's own figures (milliseconds unless the key says otherwise).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any

Result = dict[str, Any]

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def skipped(name: str, reason: str, **extra: Any) -> Result:
    return {"name": name, "skipped": reason, **extra}


def add_check(result: Result, what: str, value: float | None, op: str, limit: float) -> None:
    """Record one target; a missing value (nothing measured) counts as not met."""
    met = value is not None and _OPS[op](value, limit)
    checks = result.setdefault("checks", [])
    checks.append({"what": what, "value": value, "op": op, "limit": limit, "met": met})
    result["target"] = "; ".join(f"{c['what']} {c['op']} {c['limit']}" for c in checks)
    result["met"] = all(c["met"] for c in checks)


def ratio(ours: float | None, bare: float | None) -> float | None:
    if ours is None or not bare:
        return None
    return round(ours / bare, 3)


def to_json(results: list[Result], meta: dict[str, Any]) -> str:
    return json.dumps({"meta": meta, "benchmarks": results}, indent=2, default=str)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def _nested(value: Any) -> bool:
    return isinstance(value, dict | list) or (isinstance(value, str) and "\n" in value)


def _lines(key: str, value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    if isinstance(value, dict) and any(_nested(v) for v in value.values()):
        out = [f"{pad}{key}:"]
        for k, v in value.items():
            out.extend(_lines(str(k), v, indent + 1))
        return out
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        out = [f"{pad}{key}:"]
        for i, v in enumerate(value):
            out.extend(_lines(f"[{i}]", v, indent + 1))
        return out
    if isinstance(value, str) and "\n" in value:
        return [f"{pad}{key}:"] + [f"{pad}  | {line}" for line in value.splitlines()]
    return [f"{pad}{key}: {_fmt(value)}"]


def to_text(results: list[Result], meta: dict[str, Any]) -> str:
    out = [f"idgov benchmarks ({_fmt(meta)})", ""]
    for r in results:
        if "skipped" in r:
            status = "SKIPPED"
        elif "met" in r:
            status = "MET" if r["met"] else "NOT MET"
        else:
            status = "measured"
        out.append(f"== {r['name']} [{status}]")
        for key, value in r.items():
            if key in {"name", "checks", "met"}:
                continue
            out.extend(_lines(key, value, 1))
        for c in r.get("checks", []):
            mark = "ok " if c["met"] else "MISS"
            out.append(f"  {mark} {c['what']} = {_fmt(c['value'])} (target {c['op']} {c['limit']})")
        out.append("")
    missed = [r["name"] for r in results if r.get("met") is False]
    skipped_names = [r["name"] for r in results if "skipped" in r]
    out.append(f"targets missed: {', '.join(missed) or 'none'}")
    out.append(f"skipped: {', '.join(skipped_names) or 'none'}")
    return "\n".join(out)
