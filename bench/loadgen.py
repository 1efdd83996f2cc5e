"""An asyncio/aiohttp load generator for loopback HTTP benchmarks.

Two modes, both bounded by a request count and a time limit:

* open loop (``rate`` set): request *i* is due at ``t0 + i / rate`` whatever happened before,
  and its latency is measured from that due time, so a server that falls behind pays for the
  queue it builds (no "coordinated omission"); ``concurrency`` caps requests in flight.
* closed loop (``rate`` None): ``concurrency`` workers send back to back, which measures the
  throughput the server sustains.

Only 127.0.0.1/localhost URLs are accepted: benchmarks never send traffic anywhere else.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request, built just before it is sent (signatures carry a timestamp)."""

    url: str
    body: bytes
    headers: dict[str, str]
    method: str = "POST"


@dataclass
class LoadResult:
    """What a load run saw; `sent_at[i]` is the wall-clock time request *i* was due/sent."""

    requested: int
    ok: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    sent_at: dict[int, float] = field(default_factory=dict)
    ok_indexes: list[int] = field(default_factory=list)
    elapsed_s: float = 0.0
    rate: float | None = None
    concurrency: int = 1

    @property
    def throughput_rps(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requested,
            "ok": self.ok,
            "errors": self.errors,
            "statuses": dict(sorted(self.statuses.items())),
            "offered_rps": self.rate,
            "concurrency": self.concurrency,
            "throughput_rps": round(self.throughput_rps, 1),
            "latency_ms": percentiles(self.latencies_ms),
        }


def percentiles(values: list[float]) -> dict[str, Any]:
    """p50/p90/p99/max in milliseconds, rounded; None when there is nothing to summarise."""
    if not values:
        return {"p50": None, "p90": None, "p99": None, "max": None, "n": 0}
    if len(values) == 1:
        v = round(values[0], 3)
        return {"p50": v, "p90": v, "p99": v, "max": v, "n": 1}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(statistics.median(values), 3),
        "p90": round(cuts[89], 3),
        "p99": round(cuts[98], 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"benchmarks only send traffic to loopback, not to {host!r}")


async def run_load(
    make_request: Callable[[int], Request],
    *,
    count: int,
    concurrency: int,
    rate: float | None = None,
    time_limit_s: float = 30.0,
    ok_statuses: frozenset[int] = frozenset({200, 201, 202, 204}),
    timeout_s: float = 10.0,
) -> LoadResult:
    """Send up to `count` requests (stopping at `time_limit_s`) and record what came back."""
    if count < 1 or concurrency < 1:
        raise ValueError("count and concurrency must be at least 1")
    result = LoadResult(requested=0, rate=rate, concurrency=concurrency)
    sem = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    t0 = time.perf_counter()
    wall0 = time.time()
    deadline = t0 + time_limit_s

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(i: int, due: float) -> None:
            async with sem:
                if time.perf_counter() > deadline:
                    return
                req = make_request(i)
                check_loopback(req.url)
                start = due if rate is not None else time.perf_counter()
                result.requested += 1
                result.sent_at[i] = wall0 + (start - t0)
                try:
                    async with session.request(
                        req.method, req.url, data=req.body, headers=req.headers
                    ) as resp:
                        await resp.read()
                        status = resp.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    result.errors += 1
                    result.statuses[type(exc).__name__] += 1
                    return
                result.latencies_ms.append((time.perf_counter() - start) * 1000.0)
                result.statuses[str(status)] += 1
                if status in ok_statuses:
                    result.ok += 1
                    result.ok_indexes.append(i)
                else:
                    result.errors += 1

        if rate is not None:
            tasks = []
            for i in range(count):
                due = t0 + i / rate
                delay = due - time.perf_counter()
                if due > deadline:
                    break
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(i, due)))
            await asyncio.gather(*tasks)
        else:
            counter = iter(range(count))

            async def worker() -> None:
                for i in counter:
                    if time.perf_counter() > deadline:
                        return
                    await one(i, 0.0)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - t0
    return result
