"""`idgov ask` and `idgov kb add|list|search` as an operator runs them (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def idgov(
    *args: str, cwd: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_ask_json_shape(tmp_path: Path) -> None:
    proc = idgov("ask", "soc2 type 1 vs type 2?", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"answered", "answer", "sources", "score", "suggestions"}
    assert data["answered"] is True and "Type II" in data["answer"]
    assert data["sources"] and all(set(s) == {"id", "title", "url"} for s in data["sources"])
    assert isinstance(data["score"], float)
    assert not (tmp_path / "idgov.db").exists()  # a read-only command creates no database


def test_ask_json_refusal(tmp_path: Path) -> None:
    proc = idgov("ask", "how do I configure kubernetes ingress", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["answered"] is False and data["sources"] == []
    assert "/idgov help" in data["answer"]


def test_ask_text_prints_answer_and_sources(tmp_path: Path) -> None:
    proc = idgov("ask", "what is owasp nhi1", cwd=tmp_path)
    assert proc.returncode == 0
    assert "Improper Offboarding" in proc.stdout
    assert "Sources:" in proc.stdout and "https://owasp.org/" in proc.stdout


@pytest.mark.parametrize("question", ["", "   "])
def test_ask_empty_question_exits_2_with_one_line(tmp_path: Path, question: str) -> None:
    proc = idgov("ask", question, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "empty question" in proc.stderr


def test_kb_add_then_ask_list_and_search(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    faq = tmp_path / "faq.md"
    faq.write_text(
        "# Acme FAQ\n\n## Who approves Acme deploy keys?\nThe platform lead approves them.\n"
    )
    added = idgov("kb", "add", str(faq), cwd=tmp_path, database_url=url)
    assert added.returncode == 0, added.stderr
    assert "org-who-approves-acme-deploy-keys" in added.stdout

    asked = idgov(
        "ask", "who approves acme deploy keys", "--format", "json", cwd=tmp_path, database_url=url
    )
    assert json.loads(asked.stdout)["answer"] == "The platform lead approves them."

    listed = idgov(
        "kb", "list", "--format", "json", "--origin", "org", cwd=tmp_path, database_url=url
    )
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == ["org-who-approves-acme-deploy-keys"]
    assert rows[0]["origin"] == "org"

    everything = idgov("kb", "list", cwd=tmp_path, database_url=url)
    assert "soc2-what" in everything.stdout and "89 entries" in everything.stdout  # 88 + 1 org

    found = idgov("kb", "search", "acme deploy keys", cwd=tmp_path, database_url=url)
    assert found.stdout.splitlines()[0].split()[3] == "org-who-approves-acme-deploy-keys"

    again = idgov("kb", "add", str(faq), cwd=tmp_path, database_url=url)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_kb_add_malformed_file_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    bad = tmp_path / "bad.md"
    bad.write_text("---\nid: x\nquestion: [oops\n---\nbody\n")
    proc = idgov("kb", "add", str(bad), cwd=tmp_path, database_url=url)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith(
        "idgov: error: bad.md: front matter is not valid YAML (line "
    )
    listed = idgov(
        "kb", "list", "--format", "json", "--origin", "org", cwd=tmp_path, database_url=url
    )
    assert json.loads(listed.stdout) == []


def test_kb_search_shows_refusal(tmp_path: Path) -> None:
    proc = idgov("kb", "search", "parental leave policy", cwd=tmp_path)
    assert proc.returncode == 0
    assert "ask would refuse" in proc.stdout
