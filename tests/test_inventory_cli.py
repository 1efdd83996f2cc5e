"""`idgov inventory ...` and `idgov evidence export` as an operator runs them: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).parent / "inventory_samples"
NOW = "2026-12-01T09:00:00+00:00"


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SLACK_", "MICROSOFT_APP_", "IDGOV_"))}
        self.env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "USER": "ana",
                         "PYTHONPATH": str(ROOT)})

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], cwd=self.cwd,
                              env=self.env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_import_json_output_has_the_documented_keys(run: Cli) -> None:
    proc = run("inventory", "import", str(SAMPLES / "aws_credential_report.csv"),
               "--format", "json", "--now", NOW)
    assert proc.returncode == 2, proc.stderr  # a refused row: reported, the rest imported
    out = json.loads(proc.stdout)
    assert list(out) == ["imported", "updated", "rejected", "gaps", "coverage",
                         "tasks_created", "tasks_closed"]
    # all unowned, so five gap kinds make five tasks for the importer
    assert (out["imported"], out["updated"], out["tasks_created"]) == (4, 0, 5)
    assert out["rejected"] == [{"row": 7, "error": "user_creation_time: 'notadate' is not a date"}]
    again = run("inventory", "import", str(SAMPLES / "aws_credential_report.csv"),
                "--format", "json", "--now", NOW)
    assert json.loads(again.stdout)["updated"] == 4
    assert json.loads(again.stdout)["tasks_created"] == 0


def test_text_output_dry_run_and_summary(run: Cli) -> None:
    proc = run("inventory", "import", str(SAMPLES / "kubernetes_service_accounts.json"),
               "--dry-run", "--now", NOW)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Would import")
    assert "3 new" in proc.stdout
    assert run("inventory", "summary").stdout.startswith("No inventory yet")
    assert run("inventory", "import", str(SAMPLES / "kubernetes_service_accounts.json"),
               "--now", NOW).returncode == 0
    summary = run("inventory", "summary", "--now", NOW)
    assert "3 identities" in summary.stdout and "cluster-admin" not in summary.stdout
    assert "Admin or wildcard privileges: 1 (worst: kubernetes:ci/deployer)" in summary.stdout


@pytest.mark.parametrize("bad", ["missing.csv", "/dev/zero", "."])
def test_bad_files_are_one_line_exit_2(run: Cli, bad: str) -> None:
    proc = run("inventory", "import", bad)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("idgov: error:")
    assert "Traceback" not in proc.stderr


def test_secret_column_is_refused_without_the_value(run: Cli) -> None:
    proc = run("inventory", "import", str(SAMPLES / "generic_secret_column.csv"))
    assert proc.returncode == 2
    assert "Client Secret" in proc.stderr and "Xy7Q8" not in proc.stderr + proc.stdout


def test_evidence_export_usage_errors(run: Cli, tmp_path: Path) -> None:
    proc = run("evidence", "export", "--framework", "pci", "--out", str(tmp_path / "p"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    proc = run("evidence", "export", "--framework", "soc2", "--period", "2026-13-01..",
               "--out", str(tmp_path / "p"))
    assert proc.returncode == 2 and "YYYY-MM-DD" in proc.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    proc = run("evidence", "export", "--framework", "soc2", "--out", str(tmp_path / "full"))
    assert proc.returncode == 2 and "not an empty directory" in proc.stderr
    proc = run("evidence", "export", "--framework", "soc2", "--out", str(tmp_path / "ok"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ok" / "index.html").is_file()
