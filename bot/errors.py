"""The one user-facing error type: one clear line on stderr and exit code 2.

Here rather than in `bot.cli` because start-up settings (`bot.teams.settings`) raise it too,
and `bot.cli` imports the platforms: keeping it below both keeps the packages acyclic.
"""

from __future__ import annotations


class CliError(Exception):
    """A user-facing error; `main` prints ``idgov: error: <message>`` and exits 2."""

    exit_code = 2
