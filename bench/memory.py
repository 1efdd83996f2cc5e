"""Peak resident memory of `idgov serve` after the Slack and Teams load.

Read from /proc/PID/status (VmHWM is the kernel's high-water mark of the resident set, so a
spike between samples is not missed). The bare baselines' peaks are reported beside it: most
of a Python chat bot's memory is its imports, and the ratio shows what idgov adds.
"""

from __future__ import annotations

from bench.report import Result, add_check, ratio

TARGET_MB = 200


def _mb(kb: int | None) -> float | None:
    return round(kb / 1024, 1) if kb else None


def results(ours: dict[str, tuple[dict[str, int] | None, str]],
            bare: dict[str, dict[str, int] | None]) -> list[Result]:
    """One result per backend's `idgov serve`; `ours` maps backend -> (memory, skip reason)."""
    bare_mb = {name: _mb((mem or {}).get("VmHWM")) for name, mem in bare.items()}
    largest_bare = max((v for v in bare_mb.values() if v), default=None)
    out: list[Result] = []
    for backend, (mem, reason) in ours.items():
        result: Result = {"name": "memory.serve_peak_rss", "backend": backend}
        if not mem or "VmHWM" not in mem:
            result["skipped"] = reason if reason != "not measured" else "no process to read"
            result["bare_peak_rss_mb"] = bare_mb
            out.append(result)
            continue
        peak = _mb(mem["VmHWM"])
        result.update({
            "peak_rss_mb": peak,
            "rss_after_load_mb": _mb(mem.get("VmRSS")),
            "bare_peak_rss_mb": bare_mb,
            "ratio": {"peak_vs_largest_bare": ratio(peak, largest_bare)},
        })
        add_check(result, "peak RSS MB", peak, "<", TARGET_MB)
        out.append(result)
    return out
