"""Nudge sweep: find and claim 1,000 due nudges among 10,000 ... 1,000,000 tasks.

Rows are bulk-inserted with one SQL statement per size step (``generate_series`` on
PostgreSQL, a recursive CTE on SQLite): the due tasks are ids 1..due, the rest are closed
tasks (no nudge) and open or snoozed tasks whose next nudge is in the future. Each
measurement calls the product's public `storage.nudges.claim_due` once for all due tasks,
after the leases of the previous measurement were cleared. The statements it ran are
captured and EXPLAINed, and at the largest size the claim is timed again without
``ix_task_due_nudges`` to show which index makes the cost follow the due count.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.env import BenchConfig, Databases
from bench.report import Result, add_check, ratio

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
INDEX = "ix_task_due_nudges"
TARGET_S = 1.0
COLUMNS = ("workspace, kind, title, why, controls, priority, owner, created_by, due, status, "
           "next_nudge_at, nudge_stage, nudges_sent, overdue_nudges, attempts, created_at, "
           "updated_at")


def _insert_sql(dialect: str, start: int, end: int, due: int) -> str:
    """Rows start..end (1-based ids in insertion order); ids <= due are due now."""
    now = NOW.strftime("%Y-%m-%d %H:%M:%S")
    if dialect == "postgresql":
        series = f"generate_series({start}, {end}) AS s(g)"
        ts = f"TIMESTAMPTZ '{now}+00'"
        past = f"{ts} - g * INTERVAL '1 minute'"
        future = f"{ts} + INTERVAL '1 day' + (g % 10000) * INTERVAL '1 minute'"
        cat, prefix = "||", ""
        created, due_date, controls = ts, "DATE '2026-07-01'", "'[]'::json"
    else:
        prefix = (f"WITH RECURSIVE s(g) AS (SELECT {start} UNION ALL SELECT g + 1 FROM s "
                  f"WHERE g < {end}) ")
        series = "s"
        past = f"strftime('%Y-%m-%d %H:%M:%S', '{now}', '-' || g || ' minutes') || '.000000'"
        future = (f"strftime('%Y-%m-%d %H:%M:%S', '{now}', '+1 day', "
                  f"'+' || (g % 10000) || ' minutes') || '.000000'")
        cat, created, due_date, controls = "||", f"'{now}.000000'", "'2026-07-01'", "'[]'"
    status = (f"CASE WHEN g <= {due} THEN 'open' WHEN g % 10 < 7 THEN 'done' "
              "WHEN g % 10 < 9 THEN 'open' ELSE 'snoozed' END")
    next_at = f"CASE WHEN g <= {due} THEN {past} WHEN g % 10 < 7 THEN NULL ELSE {future} END"
    return (
        f"INSERT INTO task ({COLUMNS}) {prefix}"
        f"SELECT 'slack:T0001', 'rotation', 'bench task ' {cat} g, '', {controls}, 'medium', "
        f"'slack:T0001:U' {cat} (g % 500), 'bench', {due_date}, {status}, {next_at}, "
        f"CASE WHEN g <= {due} THEN 'due' ELSE NULL END, 0, 0, 0, {created}, {created} "
        f"FROM {series}"
    )


def populate(engine: Engine, start: int, end: int, due: int) -> float:
    t0 = time.perf_counter()
    sql = _insert_sql(engine.dialect.name, start, end, due)
    if engine.dialect.name == "postgresql":
        sql = sql.replace("%", "%%")  # psycopg reads % as a placeholder
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - t0


def reset_leases(engine: Engine, due: int) -> None:
    """Clear the previous claim; on PostgreSQL also vacuum its dead row versions away, as
    autovacuum does between real sweeps (minutes apart), or every repeat would scan more."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE task SET lease_owner = NULL, lease_until = NULL "
                             f"WHERE id <= {due}")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE task")


@contextmanager
def capture(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) the code under the block sends to the database."""
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any,
                 context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    """The plan of `statement`; on PostgreSQL with actual rows (run, then rolled back)."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            if engine.dialect.name == "postgresql":
                rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement,
                                            parameters).all()
                return "\n".join(str(r[0]) for r in rows)
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(str(r[-1]) for r in rows)
        finally:
            trans.rollback()


def time_claims(engine: Engine, due: int, repeats: int) -> tuple[list[float], int, list[Any]]:
    from storage.nudges import claim_due

    times: list[float] = []
    claimed = 0
    statements: list[Any] = []
    for n in range(repeats):
        reset_leases(engine, due)
        with capture(engine) as seen:
            t0 = time.perf_counter()
            ids = claim_due(engine, now=NOW, worker=f"bench-{n}", lease_seconds=300, limit=due)
            times.append(time.perf_counter() - t0)
        claimed = len(ids)
        statements = [s for s in seen if s[0].lstrip().upper().startswith(("UPDATE", "SELECT",
                                                                           "WITH"))]
    return times, claimed, statements


def run(cfg: BenchConfig, dbs: Databases) -> list[Result]:
    try:
        from storage.nudges import claim_due  # noqa: F401
    except ImportError as exc:
        return [{"name": "nudge.sweep", "skipped": f"storage.nudges.claim_due missing: {exc}"}]
    from storage.db import make_engine, migrate

    url, why = dbs.postgres_url()
    backend = "postgresql"
    if url is None:
        url, backend = dbs.sqlite_url(), "sqlite"
    engine = make_engine(url)
    migrate(engine)
    result: Result = {"name": "nudge.sweep", "backend": backend, "due": cfg.sweep_due,
                      "claim": "storage.nudges.claim_due(limit=due), one call", "sizes": []}
    if backend == "sqlite":
        result["postgres_skipped"] = why
    try:
        inserted = 0
        plan = ""
        for size in cfg.sweep_sizes:
            load_s = populate(engine, inserted + 1, size, cfg.sweep_due)
            inserted = size
            times, claimed, statements = time_claims(engine, cfg.sweep_due, cfg.sweep_repeats)
            reset_leases(engine, cfg.sweep_due)
            plan = explain(engine, *statements[-1]) if statements else "no statement captured"
            result["sizes"].append({
                "tasks": size, "claimed": claimed, "claim_ms_median":
                round(statistics.median(times) * 1000, 2), "claim_ms_all":
                [round(t * 1000, 2) for t in times], "insert_s": round(load_s, 2)})
        result["explain_with_index"] = plan
        sizes = result["sizes"]
        largest = sizes[-1]
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP INDEX {INDEX}")
            conn.exec_driver_sql("ANALYZE")
        try:
            times, claimed, statements = time_claims(engine, cfg.sweep_due, cfg.sweep_repeats)
            reset_leases(engine, cfg.sweep_due)
            result["without_index"] = {
                "tasks": largest["tasks"], "claimed": claimed,
                "claim_ms_median": round(statistics.median(times) * 1000, 2),
                "explain": explain(engine, *statements[-1]) if statements else ""}
        finally:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"CREATE INDEX {INDEX} ON task (status, next_nudge_at)")
        result["index"] = f"{INDEX} on task (status, next_nudge_at)"
        result["ratio"] = {
            "largest_vs_smallest_size_time": ratio(largest["claim_ms_median"],
                                                   sizes[0]["claim_ms_median"]),
            "without_vs_with_index": ratio(result["without_index"]["claim_ms_median"],
                                           largest["claim_ms_median"]),
        }
        at_million = next((s for s in sizes if s["tasks"] >= 1_000_000), None)
        if at_million is not None:
            add_check(result, "claim s at 1,000,000 tasks",
                      at_million["claim_ms_median"] / 1000, "<", TARGET_S)
        else:
            result["target_note"] = ("target (< 1 s at 1,000,000 tasks) not checked: this run "
                                     f"stopped at {largest['tasks']:,} tasks (--quick)")
        if any(s["claimed"] != cfg.sweep_due for s in sizes):
            add_check(result, "tasks claimed per sweep",
                      min(s["claimed"] for s in sizes), ">=", cfg.sweep_due)
    finally:
        engine.dispose()
    return [result]
