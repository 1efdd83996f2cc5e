"""Log lines from user values are escaped and capped; URL passwords never reach a log or error."""

from __future__ import annotations

import logging

import pytest

from bot.logsafe import RedactingFilter, redact, safe


def test_safe_escapes_newlines_and_escapes_and_caps_length() -> None:
    assert safe("a\nINFO forged\x1b[2J") == "a\\nINFO forged\\x1b[2J"
    capped = safe("x" * 900_000)
    assert len(capped) < 300 and capped.endswith("(+899800 chars)")


@pytest.mark.parametrize("url", ["postgresql://idgov:hunter2@db:5432/x",
                                 "postgres://u:hunter2@[::1]/x", "redis://:hunter2@cache/0"])
def test_redact_hides_url_passwords(url: str) -> None:
    assert "hunter2" not in redact(f"cannot connect to {url}: refused")


def test_every_log_record_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactingFilter())
    logging.getLogger("idgov.test").warning("bad url %s", "postgresql://u:hunter2@h/db")
    assert "hunter2" not in caplog.text and "u:***@h" in caplog.text
