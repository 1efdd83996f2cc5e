"""`idgov report`: an assessment in full as Markdown and as self-contained, printable HTML.

The HTML is loaded in headless Chromium (Debian's, when installed) and its visible text is
compared word for word with the Markdown's, so the two formats never say different things.
"""

from __future__ import annotations

import html.parser
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.cards.report import render_report
from dialogs.keys import terminal_key
from dialogs.report import Report, load_report
from dialogs.service import Advisor

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
ANSWERS = ["2", "2", "1", "no", "2", "both", "none", "partial", "none", "in places", "ad hoc",
           "delayed", "distributed", "yes"]


def _assess(engine: Engine) -> int:
    advisor = Advisor(engine)
    key = terminal_key("ana")
    advisor.start(key, "cli:local:ana")
    for _ in range(30):
        replies = advisor.handle_text(key, "cli:local:ana", ANSWERS.pop(0) if ANSWERS else "skip")
        done = [r for r in replies or [] if r.kind == "recommendation"]
        if done:
            assert done[0].assessment_id is not None
            return done[0].assessment_id
    raise AssertionError("the assessment did not finish")


@pytest.fixture
def report(sqlite_engine: Engine) -> Report:
    assessment_id = _assess(sqlite_engine)
    with Session(sqlite_engine) as session:
        return load_report(session, assessment_id)


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[A-Za-z0-9][A-Za-z0-9.'’/-]*[A-Za-z0-9]|[A-Za-z0-9]", text))


def _markdown_words(md: str) -> Counter[str]:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", md)  # links: their text only
    text = re.sub(r"^\|( --- \|)+$", "", text, flags=re.M)
    text = re.sub(r"^\d+\. ", "", text, flags=re.M)  # <ol> numbers are markers, not text
    return _words(text)


def test_markdown_has_every_part_in_peoples_words(report: Report) -> None:
    md = render_report(report, "md")
    for heading in ("## Answers", "## Why", "## What would change it",
                    "## Identity controls across frameworks",
                    "## Follow-up tasks, in the order to do them", "## Sources"):
        assert heading in md, heading
    assert "Run by ana" in md and "owner ana" in md
    assert "1. **Build a complete inventory of non-human identities**" in md
    assert "Done when you have:" in md
    assert "cli:local" not in md
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", md), re.findall(r"\b[a-z]+_[a-z_]+\b", md)
    from dialogs.scoping import scoping_dialog

    # every question that applied, as asked: the regime question does not when "regulated"
    # is no (knowledge/applicability.py), so it is not reported as an answer
    assert len(report.answers) == len(scoping_dialog().questions) - 1


def test_html_is_self_contained_and_prints(report: Report) -> None:
    page = render_report(report, "html")
    assert page.startswith("<!DOCTYPE html>")
    for external in ("<script", "<link", "@import", "url(", "<img", "src="):
        assert external not in page, external
    assert "@media print" in page and "@page" in page
    assert "cli:local" not in page


def test_html_and_markdown_say_the_same_in_chromium(report: Report, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(render_report(report, "html"), encoding="utf-8")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    parser = _Text()
    parser.feed(proc.stdout)
    shown = _words(" ".join(parser.parts))
    written = _markdown_words(render_report(report, "md"))
    assert shown == written, (shown - written, written - shown)


def _cli(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "IDGOV_"))}
    env.update({"DATABASE_URL": url, "PYTHONPATH": str(ROOT)})
    return subprocess.run([sys.executable, "-m", "bot.cli.main", "report", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60, check=False)


def test_cli_writes_either_format_and_refuses_bad_input(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    assessment_id = _assess(sqlite_engine)
    newest = _cli(tmp_path, sqlite_url)
    assert newest.returncode == 0, newest.stderr
    assert newest.stdout.startswith(f"# Assessment {assessment_id}: ")
    out = tmp_path / "r.html"
    wrote = _cli(tmp_path, sqlite_url, str(assessment_id), "--format", "html", "--out", str(out))
    assert wrote.returncode == 0, wrote.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    for args, fragment in ((["999"], "no assessment 999"), (["x"], "must be a number"),
                           (["--format", "pdf"], "invalid choice"),
                           (["--out", str(tmp_path)], "is a directory")):
        proc = _cli(tmp_path, sqlite_url, *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in proc.stderr, lines
