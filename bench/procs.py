"""Servers under test run in their own processes, like they do in production.

A server in the benchmark's own process would share its event loop and GIL with the load
generator and flatter nobody; a subprocess per server keeps ours and the baseline on equal
terms. `ServerProcess` starts one, waits until it answers, and reads its memory from /proc.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServerStartError(RuntimeError):
    """The server did not come up; the message is one line, fit for a `skipped` reason."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def idgov_command() -> list[str]:
    """The installed `idgov` console script beside this interpreter, else the module form
    (run with ``cwd=ROOT``, so it imports this checkout).

    The module form also when the installed `idgov` is an editable install of another
    checkout (git worktrees sharing one virtualenv): its console script would run that
    checkout's code, and the figures would not be this one's.
    """
    script = Path(sys.executable).with_name("idgov")
    found = str(script) if script.exists() else shutil.which("idgov")
    if found and _installed_from_here():
        return [found]
    return [sys.executable, "-m", "bot.cli.main"]


def _installed_from_here() -> bool:
    """False when `idgov` is an editable install of a folder other than ROOT (PEP 610's
    direct_url.json); True for any other install."""
    try:
        text = importlib.metadata.distribution("idgov").read_text("direct_url.json")
        info = json.loads(text) if text else {}
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return True
    url = str(info.get("url", ""))
    if not info.get("dir_info", {}).get("editable") or not url.startswith("file://"):
        return True
    return Path(urllib.parse.unquote(url.removeprefix("file://"))).resolve() == ROOT


class ServerProcess:
    """A server subprocess on 127.0.0.1:`port`; use as a context manager."""

    def __init__(self, argv: Sequence[str], *, port: int, env: dict[str, str],
                 ready_path: str = "/healthz", ready_timeout_s: float = 30.0,
                 unset: Sequence[str] = ()) -> None:
        self.argv = list(argv)
        self.port = port
        self.env = {k: v for k, v in {**os.environ, **env}.items() if k not in unset}
        self.ready_path = ready_path
        self.ready_timeout_s = ready_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        fd, self._log_path = tempfile.mkstemp(prefix="idgov-bench-", suffix=".log")
        self._log = os.fdopen(fd, "wb")
        self.startup_s: float | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = Path(self._log_path).read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(x.strip() for x in text[-lines:])

    def start(self) -> None:
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + self.ready_timeout_s
        url = self.base_url + self.ready_path
        while time.time() < deadline:
            if self.proc.poll() is not None:
                reason = (f"{' '.join(self.argv[-3:])} exited with {self.proc.returncode}: "
                          f"{self.log_tail()}")
                self.stop()
                raise ServerStartError(reason)
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status < 500:
                        self.startup_s = time.perf_counter() - t0
                        return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:  # e.g. 405 on a POST-only path: the server is up
                    self.startup_s = time.perf_counter() - t0
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        reason = f"no answer on {url} within {self.ready_timeout_s:.0f} s: {self.log_tail()}"
        self.stop()
        raise ServerStartError(reason)

    def memory_kb(self) -> dict[str, int]:
        """Current and peak resident set size (VmRSS, VmHWM) from /proc, in KiB."""
        if self.proc is None:
            return {}
        out: dict[str, int] = {}
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in {"VmRSS", "VmHWM"}:
                    out[key] = int(value.split()[0])
        except OSError:
            return {}
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        with contextlib.suppress(OSError):
            os.unlink(self._log_path)
