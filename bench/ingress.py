"""One ingress measurement, shared by the Slack and Teams benchmarks.

For one kind of request against one server: a closed-loop run for throughput and an
open-loop run at the target rate for acknowledgement latency; then, if the caller can see
replies arrive at a stand-in, the time from each request to its first reply. Each run gets
its own `tag` so the two runs use different users and never touch each other's state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.env import BenchConfig
from bench.loadgen import LoadResult, Request, percentiles, run_load
from bench.report import Result, add_check, ratio

#: (tag, index) -> request
RequestFactory = Callable[[str, int], Request]
#: (tag, sent_at) -> {index: wall-clock arrival of its first reply}; None if no stand-in
ReplyFinder = Callable[[str, dict[int, float]], dict[int, float]]

ACK_P99_MS = 50
THROUGHPUT_TAG = "T"
LATENCY_TAG = "L"


@dataclass
class IngressRun:
    throughput: LoadResult
    latency: LoadResult
    reply_ms: list[float] = field(default_factory=list)
    no_reply: int = 0
    end_to_end_rps: float | None = None  # throughput run: replies/s until the last arrived

    def figures(self) -> dict[str, Any]:
        thr, lat = self.throughput.summary(), self.latency.summary()
        out: dict[str, Any] = {
            "throughput_rps": thr["throughput_rps"],
            "throughput_run": {k: thr[k] for k in ("requests", "ok", "concurrency", "statuses")}
            | {"latency_p50_ms": thr["latency_ms"]["p50"]},
            "ack_ms": lat["latency_ms"],
            "latency_run": {k: lat[k] for k in ("requests", "ok", "offered_rps", "statuses")},
        }
        if self.end_to_end_rps is not None:
            out["end_to_end_rps"] = round(self.end_to_end_rps, 1)
        if self.reply_ms:  # a bare baseline that never replies has no reply figures
            out["reply_ms"] = percentiles(self.reply_ms)
            out["no_reply"] = self.no_reply
        return out


async def measure(make: RequestFactory, cfg: BenchConfig, *,
                  replies: ReplyFinder | None = None) -> IngressRun:
    t_tag, l_tag, reply_wait_s = THROUGHPUT_TAG, LATENCY_TAG, cfg.reply_wait_s
    thr = await run_load(lambda i: make(t_tag, i), count=cfg.throughput_requests,
                         concurrency=cfg.concurrency, time_limit_s=cfg.time_limit_s)
    end_to_end: float | None = None
    if replies is not None:
        # Work done after the acknowledgement must drain before the latency run starts, or
        # that run would measure this run's backlog; the drain also gives the end-to-end
        # rate (requests whose reply arrived, per second until the last one arrived).
        sent = _ok_sent(thr)
        arrived = wait_for_replies(replies, t_tag, sent, cfg.drain_wait_s)
        if arrived and sent:
            end_to_end = len(arrived) / max(max(arrived.values()) - min(sent.values()), 1e-6)
    lat = await run_load(lambda i: make(l_tag, i), count=cfg.latency_requests,
                         concurrency=max(cfg.concurrency, 64), rate=cfg.rate,
                         time_limit_s=cfg.time_limit_s)
    run = IngressRun(throughput=thr, latency=lat, end_to_end_rps=end_to_end)
    if replies is not None:
        sent = _ok_sent(lat)
        arrived = wait_for_replies(replies, l_tag, sent, reply_wait_s)
        run.reply_ms = [(arrived[i] - sent[i]) * 1000.0 for i in sent if i in arrived]
        run.no_reply = len(sent) - len(run.reply_ms)
    return run


def _ok_sent(result: LoadResult) -> dict[int, float]:
    return {i: result.sent_at[i] for i in result.ok_indexes}


def wait_for_replies(replies: ReplyFinder, tag: str, sent: dict[int, float],
                     timeout_s: float) -> dict[int, float]:
    """Poll the stand-in until every request has a reply or nothing new arrives for 1 s."""
    deadline = time.time() + timeout_s
    arrived: dict[int, float] = {}
    last_change = time.time()
    while time.time() < deadline:
        now = replies(tag, sent)
        if len(now) != len(arrived):
            last_change = time.time()
        arrived = now
        if len(arrived) >= len(sent) or time.time() - last_change > 1.0:
            break
        time.sleep(0.2)
    return arrived


def compare(name: str, ours: IngressRun | None, bare: IngressRun | None, *,
            skip_reason: str | None = None, **extra: Any) -> Result:
    """The result object: our figures, the bare figures, ratios, and the issue's targets."""
    result: Result = {"name": name, **extra}
    if ours is None:
        result["skipped"] = skip_reason or "idgov server not available"
        if bare is not None:
            result["bare"] = bare.figures()
        return result
    result["ours"] = ours.figures()
    ack99 = result["ours"]["ack_ms"]["p99"]
    if bare is not None:
        result["bare"] = bare.figures()
        result["ratio"] = {
            "throughput": ratio(ours.throughput.throughput_rps, bare.throughput.throughput_rps),
            "ack_p50": ratio(result["ours"]["ack_ms"]["p50"], result["bare"]["ack_ms"]["p50"]),
            "ack_p99": ratio(ack99, result["bare"]["ack_ms"]["p99"]),
        }
        if ours.end_to_end_rps is not None:  # vs the bare app's acks (it does nothing else)
            result["ratio"]["end_to_end_vs_bare"] = ratio(
                ours.end_to_end_rps, bare.end_to_end_rps or bare.throughput.throughput_rps)
    add_check(result, f"ack p99 ms at {ours.latency.rate:g} req/s", ack99, "<", ACK_P99_MS)
    if bare is not None:  # context: is the target within reach of the SDK alone here?
        bare99 = result["bare"]["ack_ms"]["p99"]
        result["bare_meets_ack_target"] = bare99 is not None and bare99 < ACK_P99_MS
    errors = ours.latency.errors + ours.throughput.errors
    if errors:
        add_check(result, "failed requests", errors, "<=", 0)
    if bare is not None:
        add_check(result, "throughput ratio ours/bare", result["ratio"]["throughput"], ">=", 0.8)
    return result
