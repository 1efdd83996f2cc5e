"""Architecture rules: a platform swap stays in one folder, and the floors hold
(docs/architecture.md): `bot` -> `dialogs` -> `knowledge` | `storage`, no import cycles.

The floors are import-linter contracts in pyproject.toml (`[tool.importlinter]`); CI runs the
test suite, so the test below is what enforces them (`lint-imports` gives the same report).
"""

from __future__ import annotations

import ast
import logging
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from importlinter.cli import lint_imports

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


@pytest.fixture(autouse=True)
def _keep_loggers_enabled() -> Iterator[None]:
    """import-linter configures logging with `dictConfig`, which disables every logger that
    exists already: later tests would then see no log records from idgov at all."""
    before = {name: lg.disabled for name, lg in logging.root.manager.loggerDict.items()
              if isinstance(lg, logging.Logger)}
    yield
    for name, disabled in before.items():
        logger = logging.root.manager.loggerDict.get(name)
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled


def test_import_linter_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    """Layers, the SDK ban and acyclic siblings, exactly as `lint-imports` checks them."""
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                        no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "3 kept, 0 broken" in report, report


FAKE_TREE = {
    # a sideways import on the ground floor, storage -> knowledge
    "xstorage/__init__.py": "", "xstorage/rows.py": "import xknowledge.facts\n",
    "xknowledge/__init__.py": "", "xknowledge/facts.py": "X = 1\n",
    # an upward import (dialogs -> bot) and a platform SDK below bot
    "xdialogs/__init__.py": "", "xdialogs/flow.py": "import xbot.app\nimport slack_sdk\n",
    # a cycle between two files of one package
    "xbot/__init__.py": "", "xbot/app.py": "import xbot.web\n", "xbot/web.py": "import xbot.app\n",
}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace('"', '\\"') + '"'


def _renamed(value: Any) -> Any:
    """Our contract values with each package renamed to its x-prefixed stand-in."""
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    if isinstance(value, str):
        for name in ("bot", "dialogs", "knowledge", "storage"):
            value = " ".join(f"x{w}" if w == name else w for w in value.split(" "))
        return value
    return value


def test_the_import_contracts_detect_each_kind_of_break(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Guard against contracts that cannot fail: our own contracts, pointed at a small tree
    that breaks each of them once, report every break."""
    for rel, text in FAKE_TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    ours = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    config = ours["tool"]["importlinter"]
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {_toml(_renamed(v))}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{k} = {_toml(v if k == 'name' else _renamed(v))}" for k, v in contract.items()]
    (tmp_path / "contracts.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    code = lint_imports(config_filename=str(tmp_path / "contracts.toml"), no_cache=True,
                        no_logo=True)
    report = capsys.readouterr().out
    assert code != 0, report
    assert "0 kept, 3 broken" in report, report
    assert "xstorage.rows -> xknowledge.facts" in report, report
    assert "xdialogs.flow -> xbot.app" in report, report
    assert "xdialogs.flow -> slack_sdk" in report, report
    assert "No cycles are allowed in xbot" in report, report
