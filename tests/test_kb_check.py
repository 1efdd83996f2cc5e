"""`idgov kb check`: every kind of problem is caught, in shipped records and organisation rows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from dialogs.org_faq import check_all
from knowledge.crosswalk import known_control_ids
from knowledge.qa.check import check_records
from knowledge.qa.loader import RawRecord
from storage.db import session_scope
from storage.models import OrgKnowledgeEntry

ROOT = Path(__file__).resolve().parent.parent


def good(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "sample-entry",
        "question": "What is a sample entry?",
        "paraphrases": ["sample entry?", "what's a sample"],
        "answer": "It is a sample. It shows the shape.",
        "sources": [{"title": "Example", "url": "https://example.org/page"}],
        "tags": ["sample"],
        "controls": ["A.5.16"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def problems_for(*records: RawRecord) -> list[str]:
    return [str(p) for p in check_records(records, known_control_ids())]


def shipped(data: dict[str, Any]) -> RawRecord:
    return RawRecord(data, "shipped", "test.yaml")


def test_a_good_entry_has_no_problem() -> None:
    assert problems_for(shipped(good())) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (good(question=None), "question: Field required"),
        (good(answer=None), "answer: Field required"),
        (good(sources=None), "sources: Field required"),
        (good(sources=[]), "sources: List should have at least 1 item"),
        (good(sources=[{"title": "No url"}]), "sources.0.url: Field required"),
        (good(sources=[{"title": "T", "url": "example.org"}]), "absolute http(s) or file URL"),
        (good(controls=["A.5.99"]), "control id 'A.5.99' is not in the control catalogue"),
        (good(controls=["PR.AC-1"]), "control id 'PR.AC-1' is not in the control catalogue"),
        (good(answer="Only one sentence here"), "answer has 0 sentences"),
        (good(answer="One. Two. Three. Four. Five."), "answer has 5 sentences"),
        (good(paraphrases=["just one"]), "needs at least 2 paraphrases"),
        (good(id="Not An Id"), "id: String should match pattern"),
        ("not a mapping", "Input should be a valid dictionary"),
    ],
)
def test_each_problem_is_reported(data: Any, expected: str) -> None:
    found = problems_for(shipped(data))
    assert any(expected in p for p in found), found


def test_duplicate_ids_across_shipped_and_org() -> None:
    found = problems_for(shipped(good()), RawRecord(good(paraphrases=[]), "org", "/tmp/faq.md"))
    assert found == ["org /tmp/faq.md: sample-entry: duplicate id (also in shipped test.yaml)"]


def test_org_entries_need_no_paraphrases_or_sentence_count() -> None:
    assert problems_for(RawRecord(good(paraphrases=[], answer="x" * 20), "org", "f.md")) == []


def _insert_raw(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with session_scope(engine) as session:
        for data in rows:
            session.add(OrgKnowledgeEntry(id=data["id"], data=data, source_file="edited.md"))


def test_check_all_reads_org_rows_from_the_database(engine: Engine) -> None:
    _insert_raw(engine, [good(id="org-ok"), good(id="soc2-what"), good(id="org-bad", sources=[])])
    checked, problems = check_all(engine)
    messages = [str(p) for p in problems]
    assert checked >= 63
    assert any("soc2-what: duplicate id" in m for m in messages)
    assert any("org-bad: sources" in m for m in messages)
    assert not any("org-ok" in m for m in messages)


def test_cli_check_exits_2_listing_problems(sqlite_engine: Engine, sqlite_url: str) -> None:
    _insert_raw(sqlite_engine, [good(id="org-bad", controls=["NHI11"])])
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "kb", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "org-bad: control id 'NHI11' is not in the control catalogue" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("idgov: error: knowledge base has 1")
    assert "Traceback" not in proc.stderr
