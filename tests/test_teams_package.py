"""The Teams app package: manifest valid against Microsoft's official schema (npm
@microsoft/app-manifest), icons of the required sizes, and the zip `idgov manifest teams`
writes."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from PIL import Image

from bot.cli.main import main
from bot.teams.package import SCHEMA_PATH, SOURCE_DIR, PackageError, build_package
from tests.cards_node import NODE_DIR, require_node

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def official_schema() -> dict[str, Any]:
    require_node()  # skips (fails under CI) when tests/node/node_modules is missing
    version = json.loads((SOURCE_DIR / "manifest.json").read_text())["manifestVersion"]
    path = (NODE_DIR / "node_modules" / "@microsoft" / "app-manifest" / "build" /
            "json-schemas" / "teams" / f"v{version}" / "MicrosoftTeams.schema.json")
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def errors(manifest: dict[str, Any]) -> list[str]:
    validator = Draft4Validator(official_schema(), format_checker=FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]


def _zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.node
def test_shipped_manifest_is_valid_and_current() -> None:
    manifest = json.loads((SOURCE_DIR / "manifest.json").read_text())
    assert errors(manifest) == []
    major, minor = (int(x) for x in manifest["manifestVersion"].split("."))
    assert (major, minor) >= (1, 17)
    version = manifest["manifestVersion"]
    assert manifest["$schema"].endswith(f"/v{version}/MicrosoftTeams.schema.json")


@pytest.mark.node
def test_vendored_schema_is_microsofts_unchanged() -> None:
    assert json.loads(SCHEMA_PATH.read_text("utf-8")) == official_schema()


@pytest.mark.node
def test_the_schema_check_can_fail() -> None:
    manifest = json.loads((SOURCE_DIR / "manifest.json").read_text())
    manifest["bots"][0]["scopes"] = ["everywhere"]
    manifest["id"] = "not-a-guid"
    del manifest["icons"]
    assert len(errors(manifest)) >= 3


@pytest.mark.node
def test_package_contents(tmp_path: Path) -> None:
    out = build_package(APP_ID, tmp_path / "idgov-teams.zip", "https://idgov.example.com/")
    files = _zip(out)
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(files["manifest.json"])
    assert errors(manifest) == []
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["idgov.example.com"]
    assert manifest["developer"]["websiteUrl"] == "https://idgov.example.com"
    bot = manifest["bots"][0]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    commands = [c["title"] for lst in bot["commandLists"] for c in lst["commands"]]
    assert commands == ["assess", "ask", "tasks", "help"]
    assert all(len(c) <= 32 for c in commands)  # Teams' documented command title limit
    color = Image.open(io.BytesIO(files["color.png"]))
    outline = Image.open(io.BytesIO(files["outline.png"])).convert("RGBA")
    assert color.size == (192, 192) and outline.size == (32, 32)
    pixels = {outline.getpixel((x, y)) for x in range(32) for y in range(32)}
    assert all(a == 0 or (r, g, b) == (255, 255, 255) for r, g, b, a in pixels)
    assert any(a == 0 for *_, a in pixels) and any(a == 255 for *_, a in pixels)


def test_icons_are_what_make_icons_draws() -> None:
    spec = importlib.util.spec_from_file_location("make_icons", SOURCE_DIR / "make_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, draw in (("color.png", module.color_icon), ("outline.png", module.outline_icon)):
        committed = Image.open(SOURCE_DIR / name).convert("RGBA")
        drawn = draw().convert("RGBA")
        assert committed.tobytes() == drawn.tobytes(), name


@pytest.mark.parametrize(("app_id", "url", "out", "needle"), [
    ("not-a-guid", None, "p.zip", "GUID"),
    (APP_ID, "http://plain.example", "p.zip", "https URL"),
    (APP_ID, None, "p.tar", ".zip"),
])
def test_bad_input_is_refused_before_writing(tmp_path: Path, app_id: str, url: str | None,
                                             out: str, needle: str) -> None:
    with pytest.raises(PackageError, match=needle):
        build_package(app_id, tmp_path / out, url)
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_the_package_and_refuses_bad_ids(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "idgov-teams.zip"
    assert main(["manifest", "teams", "--app-id", APP_ID, "--out", str(out)]) == 0
    assert "manifest.json" in _zip(out)
    assert main(["manifest", "teams", "--app-id", "nope", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("idgov: error:") and "GUID" in err and "\n" not in err
