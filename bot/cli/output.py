"""Stored text made safe for where the CLI sends it: a terminal, or a spreadsheet.

A task title is user input (Slack, Teams, CSV imports). Printed raw, an ANSI escape repaints
the operator's terminal and a carriage return hides what came before it; in a CSV opened by
Excel or LibreOffice a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage
return) is a formula (OWASP "CSV injection").
"""

from __future__ import annotations

import unicodedata
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal(text: str) -> str:
    """`text` with control and bidi-format characters escaped (``\\x1b``, ``\\r``...)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else
                   (ch.encode("unicode_escape").decode("ascii")
                    if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch)
                   for ch in text)


def csv_cell(value: Any) -> Any:
    """A value for a CSV export: text that a spreadsheet would run gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
