"""`idgov chat` as a user runs it: a real process, piped stdin, a SQLite file on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dialogs.keys import terminal_key
from storage.db import make_engine
from storage.models import Assessment, Conversation, Task

ANSWERS = ["2", "just one platform", "procurement questionnaires", "not regulated",
           "fast growing saas", "US and Europe", "none yet", "a spreadsheet",
           "vault rotates them", "not fully", "not documented", "within a few days",
           "each team owns their own", "yes, our CI/CD token"]


def idgov_chat(
    db: Path, lines: list[str], *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", **env}
    environ.pop("IDGOV_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "chat", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True, text=True, cwd=db.parent, env=environ, timeout=60,
    )


def stored(db: Path, user: str = "local") -> Conversation | None:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as s:
            return s.get(Conversation, str(terminal_key(user)))
    finally:
        engine.dispose()


def test_full_run_with_commands_ends_with_the_recommendation(tmp_path: Path) -> None:
    db = tmp_path / "idgov.db"
    lines = ["help", "purple", ANSWERS[0], ANSWERS[1], "back", ANSWERS[1], "skip", "back",
             *ANSWERS[2:]]
    proc = idgov_chat(db, lines, "--user", "ann")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert out.startswith("Question 1 of")
    assert "1. A lasting management system" in out and "2. An independent report" in out
    assert "I did not understand 'purple'" in out
    assert "Recommended:" in out and "Follow-up tasks" in out
    tail = out[out.rindex("> ") :]  # after the last prompt: the final answer and the card
    assert "Recommended:" in tail and "Question" not in tail
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as s:
        assessment = s.exec(select(Assessment)).one()
        tasks = s.exec(select(Task)).all()
    engine.dispose()
    assert assessment.user_ref == "cli:local:ann" and assessment.workspace == "cli:local"
    assert assessment.answers["driver"] == "customer_procurement"
    assert assessment.answers["regulated"] == "no"
    assert assessment.answers["customer_regions"] == "both"
    assert tasks and {t.owner for t in tasks} == {"cli:local:ann"}


def test_resume_after_the_process_exits(tmp_path: Path) -> None:
    db = tmp_path / "idgov.db"
    first = idgov_chat(db, ANSWERS[:3])
    assert first.returncode == 0, first.stderr
    assert "Saved. Run `idgov chat` again" in first.stdout
    saved = stored(db)
    assert saved is not None and len(saved.state["answers"]) == 3
    second = idgov_chat(db, ANSWERS[3:])
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Picking up your assessment")
    assert "Question 4 of" in second.stdout and "Question 1 of" not in second.stdout
    assert "Recommended:" in second.stdout


def test_restart_flag_discards_the_saved_conversation(tmp_path: Path) -> None:
    db = tmp_path / "idgov.db"
    assert idgov_chat(db, ANSWERS[:2]).returncode == 0
    proc = idgov_chat(db, [], "--restart")
    assert proc.returncode == 0 and proc.stdout.startswith("Question 1 of")
    saved = stored(db)
    assert saved is not None and saved.state["answers"] == {}


def test_cancel_then_a_new_run_starts_fresh(tmp_path: Path) -> None:
    db = tmp_path / "idgov.db"
    proc = idgov_chat(db, ["1", "cancel"])
    assert proc.returncode == 0 and "Assessment cancelled" in proc.stdout
    again = idgov_chat(db, [])
    assert again.stdout.startswith("Question 1 of") and "Picking up" not in again.stdout


def test_expiry_survives_the_process_restart(tmp_path: Path) -> None:
    db = tmp_path / "idgov.db"
    ttl = {"IDGOV_CONVERSATION_TTL_HOURS": "0.0005"}  # 1.8 seconds
    assert idgov_chat(db, ANSWERS[:2], **ttl).returncode == 0
    saved = stored(db)
    assert saved is not None
    expires = saved.expires_at.replace(tzinfo=UTC)
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.2)
    proc = idgov_chat(db, [], **ttl)
    assert proc.returncode == 0, proc.stderr
    assert "expired" in proc.stdout and "starting over" in proc.stdout
    assert "Question 1 of" in proc.stdout


@pytest.mark.parametrize("user", ["bad name", ":x", ""])
def test_bad_user_is_one_line_and_exit_2(tmp_path: Path, user: str) -> None:
    proc = idgov_chat(tmp_path / "idgov.db", [], "--user", user)
    assert proc.returncode == 2
    assert proc.stderr.startswith("idgov: error: --user") and len(proc.stderr.splitlines()) == 1


def test_inventory_typed_in_the_terminal_shows_the_summary(tmp_path: Path) -> None:
    """The terminal's inventory is the CLI's (``cli:local``): imported with `idgov inventory
    import`, then ``inventory`` typed in `idgov chat` shows it, and the assessment goes on."""
    db = tmp_path / "idgov.db"
    sample = Path(__file__).resolve().parent / "inventory_samples" / "chat_upload.csv"
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    imported = subprocess.run([sys.executable, "-m", "bot.cli.main", "inventory", "import",
                               str(sample), "--actor", "cli:local:local"], capture_output=True,
                              text=True, cwd=tmp_path, env=environ, timeout=60)
    assert imported.returncode == 2, imported.stderr  # two rows refused, four imported
    proc = idgov_chat(db, ["inventory", "evidence soc2"])
    assert proc.returncode == 0, proc.stderr
    assert "Non-human identity inventory" in proc.stdout
    assert "4 identities: with an owner 75%" in proc.stdout
    assert "- Secret older than the rotation policy: 3" in proc.stdout
    # the terminal's operator is its admin; it cannot receive files, so it gets the command
    assert "idgov evidence export --framework soc2 --workspace cli:local" in proc.stdout
    assert stored(db) is not None  # the assessment is still there to resume
