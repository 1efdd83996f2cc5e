"""Dialog step with storage: `Advisor.handle_text` on started assessments, per backend.

A step is what every typed answer costs on any platform: load the conversation row,
validate the state, apply the pure dialog step, save with the optimistic version check,
commit. Each conversation is started (untimed), then answered "1" for up to three
questions, each step timed. A few conversations are then run to completion, and the last
step (which also stores the assessment and creates the follow-up tasks) is timed apart.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench.env import BenchConfig, Databases
from bench.loadgen import percentiles
from bench.report import Result, add_check

STEPS_PER_CONVERSATION = 3
TARGET_SQLITE_P99_MS = 20


def _measure(url: str, cfg: BenchConfig) -> dict[str, Any]:
    from dialogs.keys import ConversationKey
    from dialogs.replies import RecommendationReply
    from dialogs.service import Advisor
    from storage.db import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    advisor = Advisor(engine)
    try:
        warm = ConversationKey("slack", "T0001", "DWARM", "-", "UWARM")
        advisor.start(warm, "slack:T0001:UWARM")  # first use imports and compiles: untimed
        advisor.handle_text(warm, "slack:T0001:UWARM", "1")
        steps: list[float] = []
        starts: list[float] = []
        k = 0
        while len(steps) < cfg.dialog_steps:
            user = f"slack:T0001:UDLG{k:06d}"
            key = ConversationKey("slack", "T0001", f"DUDLG{k:06d}", "-", f"UDLG{k:06d}")
            t0 = time.perf_counter()
            advisor.start(key, user)
            starts.append((time.perf_counter() - t0) * 1000)
            for _ in range(STEPS_PER_CONVERSATION):
                t0 = time.perf_counter()
                replies = advisor.handle_text(key, user, "1")
                steps.append((time.perf_counter() - t0) * 1000)
                if replies is None:
                    raise RuntimeError("handle_text found no active conversation after start")
            k += 1
        finishes: list[float] = []
        for n in range(max(2, cfg.dialog_steps // 100) + 1):  # the first one warms up
            key = ConversationKey("slack", "T0001", f"DFIN{n:04d}", "-", f"UFIN{n:04d}")
            user = f"slack:T0001:UFIN{n:04d}"
            advisor.start(key, user)
            for _ in range(60):
                t0 = time.perf_counter()
                replies = advisor.handle_text(key, user, "1") or []
                elapsed = (time.perf_counter() - t0) * 1000
                if any(isinstance(r, RecommendationReply) for r in replies):
                    if n:
                        finishes.append(elapsed)
                    break
    finally:
        engine.dispose()
    return {
        "step_ms": percentiles(steps),
        "start_ms": percentiles(starts),
        "finish_step_ms": {"median": round(statistics.median(finishes), 2) if finishes else None,
                           "n": len(finishes)},
    }


def run(cfg: BenchConfig, dbs: Databases) -> list[Result]:
    try:
        from dialogs.service import Advisor  # noqa: F401
    except ImportError as exc:
        return [{"name": "dialog.step", "skipped": f"dialogs.service.Advisor missing: {exc}"}]
    results: list[Result] = []
    for backend in ("sqlite", "postgresql"):
        url, why = (dbs.sqlite_url(), "") if backend == "sqlite" else dbs.postgres_url()
        if url is None:
            results.append({"name": "dialog.step", "backend": backend, "skipped": why})
            continue
        result: Result = {"name": "dialog.step", "backend": backend,
                          "steps": cfg.dialog_steps}
        try:
            result.update(_measure(url, cfg))
        except Exception as exc:  # a product bug is a finding, not a crash of the harness
            result["skipped"] = f"dialog step failed: {type(exc).__name__}: {exc}"[:300]
            results.append(result)
            continue
        if backend == "sqlite":
            add_check(result, "step p99 ms", result["step_ms"]["p99"], "<", TARGET_SQLITE_P99_MS)
        results.append(result)
    if len(results) == 2 and "skipped" not in results[1] and "skipped" not in results[0]:
        sq, pg = results[0]["step_ms"]["p50"], results[1]["step_ms"]["p50"]
        results[1]["ratio"] = {"p50_vs_sqlite": round(pg / sq, 3) if sq else None}
    return results
