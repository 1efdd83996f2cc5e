"""Values from requests and users, made safe to put in a log line.

A log line is evidence an operator reads: a newline in a user's text must not forge a
second line, an ANSI escape must not repaint the terminal, and one huge value must not
fill the disk. `safe` escapes every control character the way Python's ``repr`` does and
caps the length; request bodies themselves are never logged.
"""

from __future__ import annotations

from typing import Any

#: Characters of one user-supplied value kept in a log line.
LOG_VALUE_LIMIT = 200


def safe(value: Any, limit: int = LOG_VALUE_LIMIT) -> str:
    """`value` as one printable line of at most about `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    clipped = text[:limit]
    escaped = clipped.encode("unicode_escape", "backslashreplace").decode("ascii")
    return escaped + (f"...(+{len(text) - limit} chars)" if len(text) > limit else "")
