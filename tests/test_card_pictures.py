"""scripts/render_cards.py renders the README's card pictures in headless Chromium.

Two pictures (the Teams and Slack recommendation summaries) keep the run short; the
printed visible-character counts are checked against the first-screen budget.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_picture_script_renders_the_summary_cards(tmp_path: Path) -> None:
    if shutil.which("chromium") is None or not (ROOT / "tests/node/node_modules").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Chromium and tests/node/node_modules are required in CI (.ci/run)")
        pytest.skip("Chromium or tests/node/node_modules is missing")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/render_cards.py"), "--out", str(tmp_path),
         "--only", "teams-recommendation", "--only", "slack-recommendation"],
        capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    counts = dict(re.findall(r"^(\S+)\.png: (\d+) visible characters", proc.stdout, re.M))
    assert set(counts) == {"teams-recommendation", "slack-recommendation"}, proc.stdout
    for name, chars in counts.items():
        png = tmp_path / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
        assert 300 < int(chars) <= 950, (name, chars)
