"""CLI error conventions: bad input is one clear line on stderr and exit code 2."""

from __future__ import annotations

import argparse
from typing import NoReturn

from bot.errors import CliError

__all__ = ["CliError", "OneLineParser"]


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage block before an error; operators asked for one line.

    Sub-command parsers inherit this class, so every usage error anywhere reads
    ``idgov: error: <what> (see 'idgov <cmd> --help')``, like every other bad input, and
    exits 2.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"idgov: error: {message} (see '{self.prog} --help')\n")
