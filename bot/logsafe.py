"""Values from requests and users, made safe to put in a log line.

A log line is evidence an operator reads: a newline in a user's text must not forge a
second line, an ANSI escape must not repaint the terminal, and one huge value must not
fill the disk. `safe` escapes every control character the way Python's ``repr`` does and
caps the length; request bodies themselves are never logged.
"""

from __future__ import annotations

import re
from typing import Any

#: Characters of one user-supplied value kept in a log line.
LOG_VALUE_LIMIT = 200


def safe(value: Any, limit: int = LOG_VALUE_LIMIT) -> str:
    """`value` as one printable line of at most about `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    clipped = text[:limit]
    escaped = clipped.encode("unicode_escape", "backslashreplace").decode("ascii")
    return escaped + (f"...(+{len(text) - limit} chars)" if len(text) > limit else "")


_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):(?P<pw>[^@\s/]*)@")


def redact(text: str) -> str:
    """`text` with the password of every ``scheme://user:password@host`` URL hidden."""
    return _URL_PASSWORD.sub(r"\g<head>:***@", text)


def settings_message(exc: Any) -> str:
    """One line for a pydantic-settings ValidationError, naming the environment variable.

    pydantic's own text starts "1 validation error for NudgeSettings", which tells an
    operator nothing about which of their variables is wrong.
    """
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
    msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    value = first.get("input")
    shown = f" (got {safe(value, 60)!r})" if isinstance(value, str) else ""
    return redact(f"{where}: {msg}{shown}")


class RedactingFilter:
    """A logging handler filter that hides URL passwords in every formatted record."""

    def filter(self, record: Any) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
