"""`idgov recommend` end to end through a real subprocess: JSON shape, text, every error case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.crosswalk import known_control_ids
from knowledge.schema import ANSWER_VALUES

REPO = Path(__file__).resolve().parents[1]
JSON_KEYS = [
    "recommendation",
    "primary",
    "confidence",
    "summary",
    "rationale",
    "would_change",
    "controls",
    "tasks",
    "sources",
]


def idgov(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_json_shape(tmp_path: Path) -> None:
    answers = {
        "assurance_goal": "scoped_controls",
        "scope": "single_service",
        "driver": "customer_procurement",
        "customer_regions": "north_america",
        "shared_nhi_boundary": "yes",
        "secret_rotation": "manual",
    }
    proc = idgov("recommend", "--answers", write(tmp_path, json.dumps(answers)), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == JSON_KEYS
    assert out["recommendation"] == "soc2" and out["primary"] == "soc2"
    assert out["confidence"] == "high" and out["summary"]
    assert out["rationale"] and all(r["text"] and r["answer_id"] for r in out["rationale"])
    assert isinstance(out["would_change"], list) and all(
        isinstance(s, str) for s in out["would_change"]
    )
    assert out["controls"] and all(set(c) == {"framework", "id", "title"} for c in out["controls"])
    assert {c["id"] for c in out["controls"]} <= known_control_ids()
    kinds = [t["kind"] for t in out["tasks"]]
    assert "scope_boundary" in kinds and "rotation" in kinds
    for task in out["tasks"]:
        assert list(task) == ["kind", "title", "why", "priority", "due_in_days"]
    assert out["sources"] and all(s["url"].startswith("https://") for s in out["sources"])


def test_text_format_is_the_default_and_readable(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"regulated": "yes", "driver": "regulation"}))
    proc = idgov("recommend", "--answers", path)
    assert proc.returncode == 0, proc.stderr
    assert "ISO/IEC 27001 certification" in proc.stdout
    assert "low confidence" in proc.stdout.lower()
    assert "regulated" in proc.stdout and "https://" in proc.stdout
    assert not proc.stdout.lstrip().startswith("{")


def test_empty_object_means_all_unsure(tmp_path: Path) -> None:
    proc = idgov("recommend", "--answers", write(tmp_path, "{}"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["confidence"] == "low"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            '{"scope": "galaxy"}',
            ["'scope'", "organisation_wide, single_service, unsure"],
            id="value-not-allowed",
        ),
        pytest.param(
            '{"scope": 3}',
            ["'scope'", "organisation_wide, single_service, unsure"],
            id="not-string",
        ),
        pytest.param('{"budget": "big"}', ["'budget'", ", ".join(ANSWER_VALUES)], id="unknown-key"),
        pytest.param('["scope"]', ["JSON object"], id="not-an-object"),
        pytest.param('"soc2"', ["JSON object"], id="a-string"),
        pytest.param("{scope: single_service", ["not valid JSON"], id="not-json"),
        pytest.param("", ["not valid JSON"], id="empty-file"),
    ],
)
def test_bad_answers_exit_2_with_one_line(
    tmp_path: Path, content: str, expected: list[str]
) -> None:
    proc = idgov("recommend", "--answers", write(tmp_path, content))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("idgov: error: ")
    for fragment in expected:
        assert fragment in lines[0]


@pytest.mark.parametrize("kind", ["missing", "directory", "binary"])
def test_unreadable_file_exits_2(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "answers.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")
    proc = idgov("recommend", "--answers", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "answers file" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_format_is_rejected(tmp_path: Path) -> None:
    proc = idgov("recommend", "--answers", write(tmp_path, "{}"), "--format", "yaml")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr and "Traceback" not in proc.stderr
