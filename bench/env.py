"""Run configuration and the throwaway databases every benchmark shares.

PostgreSQL comes from tests/pgserver.py (the same throwaway cluster the test suite starts);
when it cannot start, PostgreSQL benchmarks report ``skipped`` with its reason.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class BenchConfig:
    quick: bool = False
    rate: float = 100.0  # offered load of the latency runs (the targets are "at 100 req/s")
    latency_requests: int = 1000  # per latency run (open loop at `rate`)
    throughput_requests: int = 1000  # per throughput run (closed loop)
    concurrency: int = 16  # closed-loop workers, and the in-flight cap of latency runs
    ingress_on_postgres: bool = True
    dialog_steps: int = 500
    qa_queries: int = 2000
    synthetic_entries: int = 10_000
    cold_runs: int = 7
    sweep_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    sweep_due: int = 1000
    sweep_repeats: int = 3
    time_limit_s: float = 60.0  # per load run
    reply_wait_s: float = 10.0  # how long to wait for the last replies after a run
    drain_wait_s: float = 60.0  # ... and for a throughput run's backlog to drain
    inventory_identities: int = 100_000  # bench/inventory.py: AWS report + generic CSV

    @classmethod
    def quick_config(cls) -> BenchConfig:
        return cls(quick=True, latency_requests=100, throughput_requests=60,
                   ingress_on_postgres=False, dialog_steps=150, qa_queries=300,
                   synthetic_entries=2_000,
                   cold_runs=3, sweep_sizes=(10_000, 100_000), sweep_repeats=2,
                   time_limit_s=4.0, reply_wait_s=3.0, drain_wait_s=10.0,
                   inventory_identities=20_000)

    @classmethod
    def tiny_config(cls) -> BenchConfig:
        """For the smoke test: every code path, minimal counts."""
        return cls(quick=True, latency_requests=10, throughput_requests=10, concurrency=4,
                   ingress_on_postgres=False, dialog_steps=5, qa_queries=10,
                   synthetic_entries=200, cold_runs=1, sweep_sizes=(2_000,), sweep_due=50,
                   sweep_repeats=1, time_limit_s=5.0, reply_wait_s=3.0, drain_wait_s=5.0,
                   inventory_identities=1_000)


class Databases:
    """Fresh SQLite files in a temp folder and fresh databases on one PostgreSQL cluster."""

    def __init__(self, *, postgres: bool = True) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="idgov-bench-db-"))
        self._want_pg = postgres
        self._pg: Any = None
        self._pg_reason: str | None = None if postgres else "PostgreSQL disabled (--no-postgres)"
        self._count = 0

    def sqlite_url(self) -> str:
        self._count += 1
        return f"sqlite:///{self._dir / f'bench{self._count}.db'}"

    def postgres_url(self) -> tuple[str | None, str]:
        """A fresh database URL, or (None, why not)."""
        if self._pg is None and self._pg_reason is None:
            try:
                from tests import pgserver
            except ImportError as exc:
                self._pg_reason = f"tests/pgserver.py not importable: {exc}"
            else:
                server, reason = pgserver.start()
                if server is None:
                    self._pg_reason = reason
                self._pg = server
        if self._pg is None:
            return None, self._pg_reason or "PostgreSQL unavailable"
        return str(self._pg.create_database()), ""

    def close(self) -> None:
        if self._pg is not None:
            self._pg.stop()
            self._pg = None
        shutil.rmtree(self._dir, ignore_errors=True)
