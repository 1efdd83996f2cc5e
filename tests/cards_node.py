"""Run the Node validators in tests/node (Slack's TypeScript types, the Adaptive Cards renderer).

One Node process per call validates a whole batch, so a test module pays Node's start-up once.
When tests/node/node_modules is missing the caller's test skips with the reason, except under
CI (env var CI set), where `.ci/run` installs them and a skip would hide a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"


def require_node() -> str:
    """Path of `node`, or skip (fail under CI) when Node or tests/node/node_modules is absent."""
    node = shutil.which("node")
    reason = None
    if node is None:
        reason = "Node.js is not installed"
    elif not (NODE_DIR / "node_modules").is_dir():
        reason = "tests/node/node_modules is missing (run `npm ci` in tests/node, as .ci/run does)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Node validators are required in CI: {reason}")
        pytest.skip(reason)
    assert node is not None
    return node


def run_node(script: str, payload: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
    """Feed `payload` as JSON to tests/node/<script> and return its JSON answer."""
    node = require_node()
    proc = subprocess.run(
        [node, str(NODE_DIR / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=NODE_DIR,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"{script} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result
