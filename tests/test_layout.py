"""Architecture rules that keep a platform swap to one folder (DESIGN.md, principle 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder")
NEUTRAL_PACKAGES = ("dialogs", "knowledge", "storage")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _py_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py"))]


@pytest.mark.parametrize(
    "path", _py_files(*NEUTRAL_PACKAGES), ids=lambda p: str(p.relative_to(ROOT))
)
def test_neutral_packages_never_import_a_platform_sdk(path: Path) -> None:
    leaked = {n for n in _imports(path) if n.split(".")[0] in PLATFORM_SDKS}
    assert not leaked, f"{path.relative_to(ROOT)} imports {sorted(leaked)}"


def test_bot_framework_code_stays_in_bot_teams() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _py_files("bot", "dialogs", "knowledge", "storage")
        if "botbuilder" in {n.split(".")[0] for n in _imports(p)}
        and "bot/teams" not in p.as_posix()
    ]
    assert offenders == []


def test_slack_sdk_code_stays_in_bot_slack() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _py_files("bot", "dialogs", "knowledge", "storage")
        if {"slack_bolt", "slack_sdk"} & {n.split(".")[0] for n in _imports(p)}
        and "bot/slack" not in p.as_posix()
    ]
    assert offenders == []


def test_the_layout_rule_detects_a_leak(tmp_path: Path) -> None:
    """Guard against a check that cannot fail."""
    leaky = tmp_path / "leaky.py"
    leaky.write_text("from slack_sdk import WebClient\nimport botbuilder.core\n")
    assert {"slack_sdk", "botbuilder.core"} <= _imports(leaky)
