"""CLI error conventions: bad input is one clear line on stderr and exit code 2."""

from __future__ import annotations


class CliError(Exception):
    """A user-facing error; `main` prints ``idgov: error: <message>`` and exits 2."""

    exit_code = 2
