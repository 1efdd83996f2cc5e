"""`idgov kb add`: FAQ files in, validated, all or nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dialogs.org_faq import add_file, org_count
from knowledge.qa.orgfaq import OrgFaqError, parse_file
from storage.models import OrgKnowledgeEntry

FRONT_MATTER = """---
id: acme-break-glass
question: Where is the Acme break-glass procedure?
paraphrases: [acme emergency admin access, break glass runbook]
tags: [break glass, runbook]
controls: [A.8.2, CC6.1]
sources:
  - title: Acme security runbook
    url: https://wiki.acme.example/security/break-glass
---
The break-glass runbook lives in the security wiki; every use pages the on-call security lead.
"""

SPLIT_MD = """---
title: Acme identity FAQ
id_prefix: acme
tags: [acme]
---
# Acme identity FAQ

Intro text that belongs to no question.

## Access

### Who owns the CI deploy service account?

The platform team owns it; ask in #platform.

### How often do we rotate database passwords?

Every 30 days, automatically, through the secret manager.

```
# not a heading: inside a code fence
```
"""

SPLIT_HTML = """<!doctype html><html><head><title>Acme IAM FAQ</title>
<style>h2 {color: red}</style><script>var x = "<h2>not a heading</h2>";</script></head>
<body><nav><h2>Menu</h2></nav>
<h1>Acme IAM FAQ</h1>
<h2>Who approves production access?</h2>
<p>The service owner approves it in the access portal.</p>
<ul><li>Reviews run quarterly.</li><li>Exceptions expire after 30 days.</li></ul>
<h2>Where are API keys stored?</h2><p>In the company secret manager &amp; nowhere else.</p>
</body></html>
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(engine: Engine) -> dict[str, OrgKnowledgeEntry]:
    with Session(engine) as session:
        return {row.id: row for row in session.exec(select(OrgKnowledgeEntry)).all()}


def test_front_matter_file_is_one_entry(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "break-glass.md", FRONT_MATTER)
    assert add_file(engine, path) == ["acme-break-glass"]
    row = stored(engine)["acme-break-glass"]
    assert row.data["question"] == "Where is the Acme break-glass procedure?"
    assert row.data["answer"].startswith("The break-glass runbook lives")
    assert row.data["controls"] == ["A.8.2", "CC6.1"]
    assert row.source_file == str(path.resolve())
    assert row.added_at.tzinfo is not None


def test_markdown_page_is_split_at_headings(engine: Engine, tmp_path: Path) -> None:
    ids = add_file(engine, write(tmp_path, "faq.md", SPLIT_MD))
    assert ids == [
        "acme-who-owns-the-ci-deploy-service-account",
        "acme-how-often-do-we-rotate-database-passwords",
    ]
    row = stored(engine)[ids[1]]
    assert row.data["answer"].startswith("Every 30 days")
    assert "# not a heading" in row.data["answer"]  # fenced code stays in the answer
    assert row.data["tags"] == ["acme"]
    assert row.data["sources"][0]["title"] == "Acme identity FAQ"
    assert row.data["sources"][0]["url"].startswith("file://")


def test_html_page_is_split_at_headings(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "faq.html", SPLIT_HTML)
    ids = add_file(engine, path, source_url="https://intranet.acme.example/iam-faq")
    assert ids == ["org-who-approves-production-access", "org-where-are-api-keys-stored"]
    rows = stored(engine)
    first = rows[ids[0]].data
    assert first["answer"] == (
        "The service owner approves it in the access portal.\n"
        "Reviews run quarterly.\nExceptions expire after 30 days."
    )
    assert rows[ids[1]].data["answer"] == "In the company secret manager & nowhere else."
    assert first["sources"] == [
        {"title": "Acme IAM FAQ", "url": "https://intranet.acme.example/iam-faq"}
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "a.md",
            "---\nid: x-1\nquestion: [unclosed\n---\nbody\n",
            "front matter is not valid YAML",
        ),
        ("b.md", "---\nid: x-2\nquestion: Where?\nbody without end\n", "no closing '---'"),
        ("c.md", "---\n- a list\n---\nbody\n", "must be a YAML mapping"),
        ("d.md", "---\nid: x-4\nquestion: Where is it?\n---\n", "answer"),
        ("e.md", "---\nid: Bad Id!\nquestion: Where is it?\n---\nSomewhere.\n", "id"),
        (
            "f.md",
            "---\nid: x-6\nquestion: Where is it?\nsources: []\n---\nIt lives in the wiki.\n",
            "sources",
        ),
        (
            "g.md",
            "---\nid: x-7\nquestion: Where is it?\nsources: [{title: T, url: nope}]\n"
            "---\nIt lives in the wiki.\n",
            "url",
        ),
        (
            "h.md",
            "---\nid: x-8\nquestion: Where is it?\ncontrols: [A.9.99]\n---\nIt is in the wiki.\n",
            "unknown control id 'A.9.99'",
        ),
        (
            "i.md",
            "---\nid: x-9\nquestion: Where is it?\ncolour: blue\n---\nIt lives in the wiki.\n",
            "colour",
        ),
        ("j.md", "Just some text without any heading.\n", "no questions found"),
        ("k.md", "## First question?\n\n## Second question?\nAnswer.\n", "has no answer text"),
        (
            "l.md",
            "## Same?\nThe first answer.\n## Same?\nThe second answer.\n",
            "duplicate id 'org-same'",
        ),
        ("m.txt", "## Q?\nA.\n", "unsupported file type"),
        ("n.md", "", "file is empty"),
        ("o.md", "---\nauthor: me\n---\n## Q here?\nAn answer here.\n", "'author' is not allowed"),
    ],
)
def test_malformed_files_give_one_clear_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(OrgFaqError) as info:
        parse_file(write(tmp_path, name, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(OrgFaqError, match="not UTF-8"):
        parse_file(binary)
    with pytest.raises(OrgFaqError, match="no such file"):
        parse_file(tmp_path / "missing.md")


def test_duplicate_ids_are_refused_unless_replace(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "break-glass.md", FRONT_MATTER)
    add_file(engine, path)
    with pytest.raises(OrgFaqError, match="already exists"):
        add_file(engine, path)
    changed = write(tmp_path, "v2.md", FRONT_MATTER.replace("pages the on-call", "alerts the"))
    assert add_file(engine, changed, replace=True) == ["acme-break-glass"]
    assert "alerts the" in stored(engine)["acme-break-glass"].data["answer"]
    clash = write(tmp_path, "clash.md", FRONT_MATTER.replace("acme-break-glass", "soc2-what"))
    with pytest.raises(OrgFaqError, match="shipped entry"):
        add_file(engine, clash, replace=True)
    assert org_count(engine) == 1


def test_nothing_half_written(engine: Engine, tmp_path: Path) -> None:
    """A page whose third section is bad adds none of its sections; an id clash with an existing
    entry in the middle of a page also adds nothing."""
    bad = SPLIT_MD + "\n### A third one?\n\n### Fourth?\nfine\n"
    bad = bad.replace("### A third one?\n\n", "### A third one?\n")  # keep it an empty answer
    with pytest.raises(OrgFaqError):
        add_file(engine, write(tmp_path, "bad.md", bad.replace("fine\n", "")))
    assert org_count(engine) == 0
    existing = write(
        tmp_path,
        "one.md",
        "## How often do we rotate database passwords?\nMonthly, by the vault.\n",
    )
    add_file(engine, existing)  # id org-how-often-... (prefix org)
    page = SPLIT_MD.replace("id_prefix: acme\n", "")
    with pytest.raises(OrgFaqError, match="already exists"):
        add_file(engine, write(tmp_path, "page.md", page))
    assert sorted(stored(engine)) == ["org-how-often-do-we-rotate-database-passwords"]
