"""Inventory import at estate scale: 100,000 identities (a generated AWS credential report
plus a generic CSV, half each) with gap evaluation and task creation, on SQLite and on
PostgreSQL, while an `idgov serve` on the same database answers Slack slash commands.

Each import runs as ``idgov inventory import FILE --format json`` in its own process (as an
operator runs it); its wall time and its peak RSS (``wait4`` ru_maxrss) are measured. While it
runs, signed ``/idgov assess`` slash commands are offered at a steady rate to `idgov serve`
and each HTTP acknowledgement's latency is recorded: the chunked commits must leave room for
them (on SQLite the import and the server share one write lock).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.env import BenchConfig, Databases
from bench.inventory_data import NOW, aws_report, generic_csv
from bench.loadgen import percentiles, run_load
from bench.procs import ServerProcess, ServerStartError, free_port, idgov_command
from bench.report import Result, add_check, skipped
from bench.slack import SlackDriver
from bench.slack import server_env as slack_env
from bench.standins import RemoteStandIn

TARGET_S = 15.0
TARGET_MB = 300.0
TARGET_ACK_MS = 100.0
ACK_RATE = 20.0  # slash commands per second offered while the import runs


async def _import(path: Path, env: dict[str, str]) -> tuple[float, float, dict[str, Any], str]:
    """(seconds, peak RSS MB, JSON report, stderr) of one `idgov inventory import`."""
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *idgov_command(), "inventory", "import", str(path), "--format", "json", "--now",
        NOW.isoformat(), "--actor", "slack:T0001:UADMIN", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    seconds = time.perf_counter() - t0
    # the child has been reaped by communicate(); its peak RSS is in RUSAGE_CHILDREN, which
    # is the max over all children so far: imports run one at a time and are the largest
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        report = json.loads(out.decode() or "{}")
    except ValueError:
        report = {}
    return seconds, peak_kb / 1024, report, err.decode()[-300:]


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


async def _one(backend: str, url: str, files: list[Path], n: int) -> Result:
    name = "inventory.import_100k" if n >= 100_000 else "inventory.import"
    result: Result = {"name": name, "backend": backend, "identities": n}
    env = {**os.environ, "DATABASE_URL": url, "IDGOV_LOG_LEVEL": "WARNING"}
    standin = RemoteStandIn("slack").start()
    try:
        port = free_port()
        server_env = {"DATABASE_URL": url, "IDGOV_LOG_LEVEL": "WARNING",
                      **slack_env(standin.base_url)}
        with ServerProcess([*idgov_command(), "serve", "--host", "127.0.0.1", "--port",
                            str(port)], port=port, env=server_env) as server:
            drv = SlackDriver(server.base_url + "/slack/events", standin, backend[0].upper())
            done = asyncio.Event()
            acks = asyncio.create_task(_acks(drv, done))
            seconds: list[float] = []
            peaks: list[float] = []
            reports: list[dict[str, Any]] = []
            for path in files:
                s, mb, report, err = await _import(path, env)
                if not report:
                    done.set()
                    await acks
                    return skipped(name, f"import failed: {err}", backend=backend)
                seconds.append(s)
                peaks.append(mb)
                reports.append(report)
            done.set()
            latencies = await acks
    except ServerStartError as exc:
        return skipped(name, f"`idgov serve` did not start: {exc}", backend=backend)
    finally:
        standin.stop()
    total = sum(seconds)
    result.update({
        "seconds": round(total, 2), "per_file_s": [round(s, 2) for s in seconds],
        "identities_per_s": round(n / total) if total else None,
        "peak_rss_mb": round(max(peaks), 1),
        "imported": sum(r.get("imported", 0) for r in reports),
        "rejected": sum(len(r.get("rejected", [])) for r in reports),
        "tasks_created": sum(r.get("tasks_created", 0) for r in reports),
        "tasks_closed": sum(r.get("tasks_closed", 0) for r in reports),
        "slack_ack_ms": percentiles(latencies),
    })
    add_check(result, "seconds", total, "<", TARGET_S)
    add_check(result, "peak RSS MB", max(peaks), "<", TARGET_MB)
    add_check(result, "Slack ack p99 ms", result["slack_ack_ms"]["p99"], "<", TARGET_ACK_MS)
    return result


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
                continue
            results.append(asyncio.run(_one(backend, url, files, n)))
    return results
