"""A cold `idgov ask` imports only what it needs, and the garbage collector is off only while
a command starts (`bot.startup_gc`); the speed itself is measured in bench/ (`qa.cold_cli`)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import startup_gc
from bot.cli.main import main
from knowledge.qa.models import AskResult

ROOT = Path(__file__).resolve().parent.parent

#: Needed only to open a database: with none configured, `idgov ask` must not import them.
DATABASE_MODULES = ("sqlalchemy", "sqlmodel", "alembic", "storage.db", "storage.models",
                    "storage.feedback", "storage.org_knowledge", "dialogs.org_faq", "bot.cli.kb")

#: `main()` as the process's entry point (its arguments from sys.argv), then what it left.
PROBE = f"DATABASE_MODULES = {DATABASE_MODULES!r}" + """
import gc, json, sys
from bot.cli.main import main
code = main()
print(json.dumps({"code": code, "loaded": [m for m in DATABASE_MODULES if m in sys.modules],
                  "collector_on": gc.isenabled()}))
"""


def _env(database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _probe(cwd: Path, *args: str) -> dict[str, Any]:
    """`idgov ARGS` in a fresh interpreter with no database configured; its exit code, which
    database modules it imported and the collector's state after main() (stdout's last line)."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.stdout.strip(), proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["stderr"] = proc.stderr
    return result


def test_ask_without_a_database_imports_no_database_module(tmp_path: Path) -> None:
    got = _probe(tmp_path, "ask", "iso 27001 or soc 2?", "--format", "json")
    assert got["code"] == 0, got["stderr"]
    assert got["loaded"] == []
    assert not (tmp_path / "idgov.db").exists()
    # The entry point leaves a one-shot command's collector off: the process exits next.
    assert got["collector_on"] is False


def test_ask_bad_input_without_a_database_imports_no_database_module(tmp_path: Path) -> None:
    """The error path too: matching the expected errors must not import storage.db."""
    got = _probe(tmp_path, "ask", "   ")
    assert got["code"] == 2
    assert got["stderr"].startswith("idgov: error: empty question")
    assert got["loaded"] == []


def test_ask_with_a_database_still_closes_it_at_exit(tmp_path: Path) -> None:
    """The collector is off, not frozen: the interpreter's collection at exit still finalises
    the engine's connections, so SQLite removes its -wal and -shm files as before."""
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    for _ in range(2):  # the first run also creates and migrates the database
        proc = subprocess.run([sys.executable, "-m", "bot.cli.main", "ask", "iso 27001?"],
                              cwd=tmp_path, env=_env(url), capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb.db"]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from storage.config import core_settings

    monkeypatch.chdir(tmp_path)  # no stray .env or ./idgov.db
    for name in [n for n in os.environ if n.startswith(("SLACK_", "MICROSOFT_APP_", "IDGOV_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'idgov.db'}")
    core_settings.cache_clear()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    yield tmp_path
    core_settings.cache_clear()
    gc.enable()  # whatever a failing test left behind
    gc.unfreeze()


def _collector() -> tuple[bool, int]:
    return gc.isenabled(), gc.get_freeze_count()


def test_one_shot_command_runs_without_the_collector_and_main_restores_it(
        cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bool, int]] = []

    def fake_ask_result(engine: object, question: str) -> AskResult:
        seen.append(_collector())
        return AskResult(answered=False, answer="no", sources=[], score=0.0)

    monkeypatch.setattr("bot.cli.ask.ask_result", fake_ask_result)
    assert main(["ask", "anything"]) == 0
    assert seen == [(False, 0)]  # off while the command works, nothing frozen
    assert _collector() == (True, 0)  # as it was, for an in-process caller


def test_main_restores_the_collector_after_a_failing_command(cli_env: Path) -> None:
    assert main(["ask", ""]) == 2
    assert _collector() == (True, 0)
    with pytest.raises(SystemExit):
        main(["no-such-command"])
    assert _collector() == (True, 0)


def test_main_leaves_a_collector_the_caller_switched_off_off(cli_env: Path) -> None:
    gc.disable()
    assert main(["ask", ""]) == 2
    assert _collector() == (False, 0)


def test_serve_switches_the_collector_back_on_once_loaded(
        cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`idgov serve` starts without the collector and has it back (start-up's objects frozen)
    once its start-up hooks, the knowledge warm-up included, have run."""
    from aiohttp import web

    seen: dict[str, tuple[bool, int]] = {}

    async def fake_serve(app: web.Application, host: str, port: int, grace: float) -> None:
        seen["before start-up"] = _collector()
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()  # the on_startup hooks, as the real `serve` runs them
        try:
            seen["serving"] = _collector()
        finally:
            await runner.cleanup()

    monkeypatch.setattr("bot.shutdown.serve", fake_serve)
    assert main(["serve", "--dev", "--no-scheduler", "--port", "3999"]) == 0
    assert seen["before start-up"] == (False, 0)
    enabled, frozen = seen["serving"]
    assert enabled and frozen > 0
    assert _collector() == (True, 0)  # main() unfroze and restored on return


def test_chat_switches_the_collector_back_on_before_the_conversation(
        cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bool, int]] = []

    def fake_chat(router: object, user: str, **_kw: object) -> int:
        seen.append(_collector())
        return 0

    monkeypatch.setattr("bot.cli.chat.chat", fake_chat)
    assert main(["chat", "--user", "ana"]) == 0
    assert len(seen) == 1 and seen[0][0] and seen[0][1] > 0
    assert _collector() == (True, 0)


@pytest.mark.parametrize(("once", "collector_on"), [(True, False), (False, True)],
                         ids=["once", "worker"])
def test_nudge_worker_switches_the_collector_back_on_and_once_does_not(
        cli_env: Path, monkeypatch: pytest.MonkeyPatch, once: bool, collector_on: bool) -> None:
    from bot import scheduler

    seen: list[bool] = []

    async def fake_run_once(*_args: object, **_kw: object) -> scheduler.SweepStats:
        seen.append(gc.isenabled())
        return scheduler.SweepStats()

    def stop(_seconds: float) -> None:
        raise KeyboardInterrupt  # end the worker's loop after its first sweep

    monkeypatch.setattr(scheduler, "build_senders", lambda engine: {})
    monkeypatch.setattr(scheduler, "run_once", fake_run_once)
    monkeypatch.setattr("bot.cli.nudge.time.sleep", stop)
    code = main(["nudge", "--once"] if once else ["nudge"])
    assert code == (0 if once else 130)
    assert seen == [collector_on]
    assert _collector() == (True, 0)


def test_loaded_does_nothing_unless_the_collector_was_paused(cli_env: Path) -> None:
    """`create_app` calls it for every caller: tests and benchmarks keep their collector."""
    startup_gc.loaded()
    assert _collector() == (True, 0)
    startup_gc.restore()
    assert _collector() == (True, 0)
