"""Inventory import at estate scale: 100,000 identities (a generated AWS credential report
plus a generic CSV, half each) with gap evaluation and task creation, on SQLite and on
PostgreSQL, while an `idgov serve` on the same database answers Slack slash commands; then
the same files imported again (the update path: every row an update, no new task).

Each import runs as ``idgov inventory import FILE --format json`` in its own process (as an
operator runs it); its wall time, CPU time and peak RSS (``wait4``, that process alone) are
measured. While it runs, signed ``/idgov assess`` slash commands are offered at a steady
rate to `idgov serve` and each HTTP acknowledgement's latency is recorded: the chunked
commits must leave room for them (on SQLite the import and the server share one write lock).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.env import BenchConfig, Databases
from bench.inventory_data import NOW, aws_report, generic_csv
from bench.loadgen import percentiles, run_load
from bench.procs import ROOT, ServerProcess, ServerStartError, free_port, idgov_command
from bench.report import Result, add_check, ratio, skipped
from bench.slack import SlackDriver
from bench.slack import server_env as slack_env
from bench.standins import RemoteStandIn

TARGET_S = 15.0
TARGET_MB = 300.0
TARGET_ACK_MS = 100.0
ACK_RATE = 20.0  # slash commands per second offered while the import runs


@dataclass
class _Imports:
    """One pass over the files: per file wall and CPU seconds, peak RSS and JSON report."""

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # Slack acks meanwhile
    error: str = ""


def _import(path: Path, env: dict[str, str]) -> tuple[float, float, float, dict[str, Any], str]:
    """(wall s, CPU s, peak RSS MB, JSON report, stderr tail) of one `idgov inventory import`.

    Reaped with ``wait4`` for that child's own resource usage (RUSAGE_CHILDREN is the
    maximum over every child so far, the servers of earlier sections included).
    """
    argv = [*idgov_command(), "inventory", "import", str(path), "--format", "json", "--now",
            NOW.isoformat(), "--actor", "slack:T0001:UADMIN"]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        err.seek(0)
        tail = err.read().decode(errors="replace")[-300:]
    try:
        report = json.loads(out.decode() or "{}")
    except ValueError:
        report = {}
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, report, tail


async def _acks(drv: SlackDriver, done: asyncio.Event) -> list[float]:
    latencies: list[float] = []
    batch = 0
    while not done.is_set():
        result = await run_load(lambda i, b=batch: drv.slash(f"I{b % 10}", i + b * 1000),
                                count=int(ACK_RATE), concurrency=16, rate=ACK_RATE,
                                time_limit_s=1.5)
        latencies.extend(result.latencies_ms)
        batch += 1
    return latencies


async def _pass(drv: SlackDriver, files: list[Path], env: dict[str, str]) -> _Imports:
    """Import every file in turn while slash commands are offered."""
    got = _Imports()
    done = asyncio.Event()
    acks = asyncio.create_task(_acks(drv, done))
    try:
        for path in files:
            s, cpu, mb, report, err = await asyncio.to_thread(_import, path, env)
            if not report:
                got.error = f"import failed: {err}"
                break
            got.seconds.append(s)
            got.cpu.append(cpu)
            got.peaks.append(mb)
            got.reports.append(report)
    finally:
        done.set()
        got.latencies = await acks
    return got


def _result(name: str, backend: str, n: int, got: _Imports) -> Result:
    total = sum(got.seconds)
    reports = got.reports
    result: Result = {
        "name": name, "backend": backend, "identities": n,
        "seconds": round(total, 2), "per_file_s": [round(s, 2) for s in got.seconds],
        "cpu_s": round(sum(got.cpu), 2),
        "identities_per_s": round(n / total) if total else None,
        "peak_rss_mb": round(max(got.peaks), 1),
        "imported": sum(r.get("imported", 0) for r in reports),
        "updated": sum(r.get("updated", 0) for r in reports),
        "rejected": sum(len(r.get("rejected", [])) for r in reports),
        "tasks_created": sum(r.get("tasks_created", 0) for r in reports),
        "tasks_closed": sum(r.get("tasks_closed", 0) for r in reports),
        "slack_ack_ms": percentiles(got.latencies),
    }
    add_check(result, "seconds", total, "<", TARGET_S)
    add_check(result, "peak RSS MB", max(got.peaks), "<", TARGET_MB)
    add_check(result, "Slack ack p99 ms", result["slack_ack_ms"]["p99"], "<", TARGET_ACK_MS)
    return result


async def _one(backend: str, url: str, files: list[Path], n: int) -> list[Result]:
    """The first import of the files, then the same files again (every row an update)."""
    big = n >= 100_000
    names = ("inventory.import_100k" if big else "inventory.import",
             "inventory.reimport_100k" if big else "inventory.reimport")
    env = {**os.environ, "DATABASE_URL": url, "IDGOV_LOG_LEVEL": "WARNING"}
    standin = RemoteStandIn("slack").start()
    try:
        port = free_port()
        server_env = {"DATABASE_URL": url, "IDGOV_LOG_LEVEL": "WARNING",
                      **slack_env(standin.base_url)}
        with ServerProcess([*idgov_command(), "serve", "--host", "127.0.0.1", "--port",
                            str(port)], port=port, env=server_env) as server:
            drv = SlackDriver(server.base_url + "/slack/events", standin, backend[0].upper())
            first = await _pass(drv, files, env)
            again = await _pass(drv, files, env) if not first.error else first
    except ServerStartError as exc:
        return [skipped(name, f"`idgov serve` did not start: {exc}", backend=backend)
                for name in names]
    finally:
        standin.stop()
    results: list[Result] = []
    for name, got in zip(names, (first, again), strict=True):
        if got.error:
            results.append(skipped(name, got.error, backend=backend))
        else:
            results.append(_result(name, backend, n, got))
    if "skipped" not in results[1]:
        # the update path against the first import of the same files, same run
        results[1]["ratio"] = {"vs_first_import": ratio(results[1]["seconds"],
                                                        results[0].get("seconds"))}
    return results


def run(cfg: BenchConfig, dbs: Databases) -> list[Result]:
    n = cfg.inventory_identities
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="idgov-bench-inv-") as tmp:
        files = [Path(tmp) / "aws_credential_report.csv", Path(tmp) / "inventory.csv"]
        aws_report(files[0], n // 2)
        generic_csv(files[1], n - n // 2)
        for backend in ("sqlite", "postgresql"):
            url, why = (dbs.sqlite_url(), "") if backend == "sqlite" else dbs.postgres_url()
            if url is None:
                results.append(skipped("inventory.import", why, backend=backend))
                results.append(skipped("inventory.reimport", why, backend=backend))
                continue
            results.extend(asyncio.run(_one(backend, url, files, n)))
    return results
