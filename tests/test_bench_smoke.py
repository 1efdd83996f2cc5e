"""The benchmark harness runs and reports in its documented shape (no timing assertions).

Timing belongs in `python -m bench`, never in tests; these tests only prove that the harness
works: the load generator counts what a real server answered, requests are signed the way
Slack verifies them, targets and skips are reported honestly, and a tiny end-to-end run
(real subprocess servers on loopback) produces one well-formed object per benchmark.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bench.loadgen import Request, check_loopback, percentiles, run_load
from bench.report import add_check, skipped, to_text
from bench.slack import SIGNING_SECRET, SlackDriver

ROOT = Path(__file__).resolve().parent.parent

INGRESS = {"slack.slash_command", "slack.block_actions", "teams.message", "teams.card_submit"}
EXPECTED = INGRESS | {"memory.serve_peak_rss", "dialog.step", "qa.ask_shipped",
                      "qa.ask_synthetic", "qa.cold_cli", "nudge.sweep", "inventory.import",
                      "inventory.reimport"}


async def _server(handler: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/x", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/x"


async def test_loadgen_counts_statuses_from_a_real_server() -> None:
    async def handler(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(status=200 if int(body) % 2 == 0 else 500)

    runner, url = await _server(handler)
    try:
        result = await run_load(lambda i: Request(url, str(i).encode(), {}), count=20,
                                concurrency=4)
        paced = await run_load(lambda i: Request(url, b"0", {}), count=10, concurrency=2,
                               rate=500.0)
    finally:
        await runner.cleanup()
    assert (result.ok, result.errors) == (10, 10)
    assert result.statuses == {"200": 10, "500": 10}
    assert sorted(result.ok_indexes) == list(range(0, 20, 2))
    assert len(result.latencies_ms) == 20
    due = [paced.sent_at[i] for i in range(10)]
    assert due == sorted(due) and due[-1] - due[0] == pytest.approx(9 / 500, abs=1e-3)


async def test_loadgen_stops_at_its_time_limit() -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(0.2)
        return web.Response()

    runner, url = await _server(slow)
    try:
        result = await run_load(lambda i: Request(url, b"", {}), count=1000, concurrency=2,
                                time_limit_s=0.3)
    finally:
        await runner.cleanup()
    assert 0 < result.requested < 1000


def test_loadgen_refuses_anything_but_loopback() -> None:
    check_loopback("http://127.0.0.1:1/x")
    with pytest.raises(ValueError, match="loopback"):
        check_loopback("https://hooks.slack.com/x")


def test_percentiles_of_nothing_and_of_values() -> None:
    assert percentiles([])["p99"] is None
    stats = percentiles([float(v) for v in range(1, 101)])
    assert stats["p50"] == 50.5 and stats["max"] == 100 and stats["n"] == 100
    assert 98 < stats["p99"] < 100


def test_requests_are_signed_the_way_slack_verifies_them() -> None:
    from slack_sdk.signature import SignatureVerifier

    class NoStandIn:
        response_url = "http://127.0.0.1:1/response/"

        def calls(self) -> list[Any]:
            return []

    driver = SlackDriver("http://127.0.0.1:1/slack/events", NoStandIn(), "S")  # type: ignore[arg-type]
    for req in (driver.slash("T", 1), driver.action("L", 2)):
        verifier = SignatureVerifier(SIGNING_SECRET)
        assert verifier.is_valid_request(req.body, req.headers)
        assert not SignatureVerifier("other-secret").is_valid_request(req.body, req.headers)


def test_targets_and_skips_are_reported_as_such() -> None:
    result: dict[str, Any] = {"name": "x"}
    add_check(result, "p99 ms", 10.0, "<", 50)
    assert result["met"] is True
    add_check(result, "ratio", 0.5, ">=", 0.8)
    add_check(result, "nothing measured", None, "<", 1)
    assert result["met"] is False
    assert [c["met"] for c in result["checks"]] == [True, False, False]
    text = to_text([result, skipped("y", "not built yet")], {"quick": True})
    assert "== x [NOT MET]" in text and "== y [SKIPPED]" in text
    assert "targets missed: x" in text


def _check_shape(r: dict[str, Any]) -> None:
    assert isinstance(r["name"], str)
    assert "harness error" not in str(r.get("skipped", "")), r
    if "checks" in r:
        assert r["met"] == all(c["met"] for c in r["checks"])
        assert isinstance(r["target"], str) and r["target"]
    if r["name"] in INGRESS:
        assert "bare_skipped" not in r, r  # the baselines are ours: they must run
        assert r["bare"]["throughput_run"]["ok"] > 0
        if "skipped" not in r:
            assert {"throughput", "ack_p50", "ack_p99"} <= set(r["ratio"])
            assert {"p50", "p99"} <= set(r["ours"]["ack_ms"])


def test_tiny_run_produces_the_documented_json() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--no-postgres", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert {"quick", "started", "duration_s", "cpus"} <= set(report["meta"])
    results = report["benchmarks"]
    assert {r["name"] for r in results} == EXPECTED
    for r in results:
        _check_shape(r)
    sweep = next(r for r in results if r["name"] == "nudge.sweep")
    if "skipped" not in sweep:
        assert [s["tasks"] for s in sweep["sizes"]] == [2_000]
        assert "ix_task_due_nudges" in sweep["explain_with_index"]
    again = next(r for r in results if r["name"] == "inventory.reimport")
    if "skipped" not in again:  # the same files a second time: the update path only
        assert (again["imported"], again["updated"], again["tasks_created"]) == (0, 1000, 0)
        assert again["ratio"]["vs_first_import"] > 0


def test_a_server_that_cannot_start_becomes_a_stated_reason() -> None:
    from bench.procs import ServerProcess, ServerStartError

    argv = [sys.executable, "-c", "print('settings missing'); raise SystemExit(2)"]
    with pytest.raises(ServerStartError, match="exited with 2: settings missing"):
        ServerProcess(argv, port=1, env={}).start()


def test_missing_figures_are_skipped_not_invented() -> None:
    from bench.ingress import compare
    from bench.memory import results as memory_results

    result = compare("slack.slash_command", None, None, skip_reason="`idgov serve` did not start")
    assert result["skipped"] == "`idgov serve` did not start"
    assert "ours" not in result and "met" not in result
    [mem] = memory_results({"slack/sqlite": (None, "server did not start")}, {"bare_bolt": None})
    assert mem["skipped"] == "server did not start" and "peak_rss_mb" not in mem
