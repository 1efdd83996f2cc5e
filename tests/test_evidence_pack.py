"""The evidence pack: byte-identical for the same data, a SHA-256 manifest of every file, the
latest assessment with its sources, outcome statuses from the inventory, no secrets, and an
index.html that headless Chromium loads and shows."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from dialogs.evidence.pack import EvidenceError, build_pack, export_pack
from dialogs.inventory.service import import_file
from knowledge.recommend import recommend
from knowledge.schema import DEFAULT_VALUES, validate_answers
from storage.db import session_scope
from storage.models import Assessment

SAMPLES = Path(__file__).parent / "inventory_samples"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
WS = "cli:local"
CHROMIUM = Path("/usr/bin/chromium")
FILES = ["SHA256SUMS", "coverage.json", "coverage_by_platform.svg", "crosswalk.csv",
         "gaps_by_kind.svg", "index.html", "inventory.csv", "manifest.json", "summary.md",
         "tasks.csv", "tasks_over_period.svg"]


@pytest.fixture
def estate(engine: Engine) -> Engine:
    answers = validate_answers(dict(DEFAULT_VALUES))
    result = recommend(answers)
    with session_scope(engine) as session:
        session.add(Assessment(workspace=WS, conversation_key="cli:local:x",
                               user_ref="cli:local:ana",
                               answers=answers, result=result.model_dump(mode="json"),
                               recommendation=result.recommendation,
                               confidence=result.confidence, created_at=NOW - timedelta(days=2)))
    for name in ("generic_messy.csv", "aws_credential_report.csv"):
        import_file(engine, (SAMPLES / name).read_bytes(), name, importer_ref="cli:local:ana",
                    workspace=WS, now=NOW)
    import_file(engine, (SAMPLES / "generic_fixed.csv").read_bytes(), "generic_fixed.csv",
                importer_ref="cli:local:ana", workspace=WS, now=NOW + timedelta(days=8))
    return engine


def test_pack_is_deterministic_and_manifested(estate: Engine, tmp_path: Path) -> None:
    first = export_pack(estate, tmp_path / "a", framework="soc2", workspace=WS)
    second = export_pack(estate, tmp_path / "b", framework="soc2", workspace=WS)
    assert first == second == FILES
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    listed = json.loads((tmp_path / "a" / "manifest.json").read_text())["files"]
    assert [e["path"] for e in listed] == [f for f in FILES if f not in {"SHA256SUMS",
                                                                         "manifest.json"}]
    for entry in listed:
        data = (tmp_path / "a" / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    sums = (tmp_path / "a" / "SHA256SUMS").read_text().splitlines()
    assert sums[0] == f"{listed[0]['sha256']}  {listed[0]['path']}"


def test_pack_contents(estate: Engine) -> None:
    files = build_pack(estate, framework="iso27001", workspace=WS)
    summary = files["summary.md"].decode()
    assert "Workspace `cli:local`, figures as of 2026-12-09" in summary
    assert "## Latest assessment" in summary and "Assessment #1 by cli:local:ana" in summary
    crosswalk = list(csv.DictReader(io.StringIO(files["crosswalk.csv"].decode())))
    status = {r["outcome"]: r["status"] for r in crosswalk}
    assert status["ownership"] == "gaps open"  # the AWS users still have no owner
    assert status["scope_boundary"] == "gaps open"  # billing-bot still spans environments
    assert status["monitoring"] == "no data"  # no gap rule measures it
    assert {r["framework"] for r in crosswalk} == {"iso27001"}
    assert "A.5.16" in {r["control_id"] for r in crosswalk if r["outcome"] == "ownership"}
    inventory = list(csv.DictReader(io.StringIO(files["inventory.csv"].decode())))
    assert len(inventory) == 8
    tasks = list(csv.DictReader(io.StringIO(files["tasks.csv"].decode())))
    closed = {r["task_id"] for r in tasks if r["action"] == "resolved"}
    assert len(closed) == 2  # old-cert's two; the importer's three still list AWS users
    relisted = {r["task_id"] for r in tasks if r["action"] == "updated"}
    assert len(relisted) == 3
    assert all(r["source"] == "import" for r in tasks)
    weekly = files["tasks_over_period.svg"].decode()
    assert "2026-W49" in weekly and "2026-W50" in weekly
    everything = b"".join(files.values()).decode()
    assert "ghp_" not in everything and "Xy7Q8" not in everything


def test_period_filters_the_weekly_chart(estate: Engine) -> None:
    files = build_pack(estate, framework="soc2", workspace=WS, start=date(2026, 12, 1),
                       end=date(2026, 12, 6))
    weekly = files["tasks_over_period.svg"].decode()
    assert "2026-W49" in weekly and "2026-W50" not in weekly
    assert "as of 2026-12-06" in files["summary.md"].decode()


def test_bad_framework_and_directory(estate: Engine, tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="framework"):
        build_pack(estate, framework="pci", workspace=WS)  # type: ignore[arg-type]
    (tmp_path / "x").write_text("not a dir")
    with pytest.raises(EvidenceError, match="not an empty directory"):
        export_pack(estate, tmp_path / "x", framework="soc2", workspace=WS)


def test_index_html_loads_in_headless_chromium(estate: Engine, tmp_path: Path) -> None:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    out = tmp_path / "pack"
    export_pack(estate, out, framework="iso27001", workspace=WS)
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-quic", "--no-first-run",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
         "--dump-dom", (out / "index.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "Identity evidence pack: ISO/IEC 27001:2022" in dom
    assert "Latest assessment" in dom and "Accountable ownership" in dom
    assert 'src="coverage_by_platform.svg"' in dom and "<script" not in dom
