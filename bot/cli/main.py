"""Entry point of the `idgov` console script.

Sub-commands live in sibling modules that each define ``register(subparsers)``; they set
``func`` on their parser. Errors become one line on stderr: exit 2 for bad input, 1 for
anything unexpected (traceback only with IDGOV_DEBUG=1), so operators never see a stack
trace for a typo.

The cyclic garbage collector is off while a command starts (`bot.startup_gc`): to the end for
one-shot commands, until they are loaded for those that keep running (`serve`, `chat`,
`nudge` without `--once`), which call `bot.startup_gc.loaded()`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from bot import startup_gc
from bot.cli.errors import CliError, OneLineParser
from bot.logsafe import RedactingFilter, redact, settings_message

#: Sub-command modules in help order.
COMMAND_MODULES = (
    "chat",
    "recommend",
    "report",
    "ask",
    "kb",
    "tasks",
    "inventory",
    "evidence",
    "nudge",
    "serve",
    "manifest",
    "data",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that sub-command's module is imported.

    Each sub-command module pulls in its own heavy dependencies (SQLAlchemy, Bolt,
    botbuilder, the knowledge index); importing all of them made a cold `idgov ask` pay
    for the Teams SDK. `--help` and unknown commands still see every sub-command.
    """
    parser = OneLineParser(
        prog="idgov",
        description="Identity-governance advisor: ISO/IEC 27001 or SOC 2, and the gaps to close.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES if only is None else (only,):
        importlib.import_module(f"bot.cli.{name}").register(sub)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command named by the first argument, if it is one we know."""
    return argv[0] if argv and argv[0] in COMMAND_MODULES else None


def _expected_errors() -> tuple[type[BaseException], ...]:
    """The errors that are bad input, from the modules already imported only.

    Evaluated whenever any exception leaves a command (a CliError, a BrokenPipeError of
    `idgov ask ... | head`). An AnswerError or DatabaseUrlError can only have been raised
    once its module was imported, so none is missed; importing storage.db here would make
    those paths of `idgov ask` import SQLAlchemy for nothing.
    """
    expected: list[type[BaseException]] = [CliError]
    if "knowledge.schema" in sys.modules:
        from knowledge.schema import AnswerError

        expected.append(AnswerError)
    if "storage.db" in sys.modules:
        from storage.db import DatabaseUrlError

        expected.append(DatabaseUrlError)
    return tuple(expected)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _database_unavailable(exc: BaseException) -> str | None:
    """The driver's one-line reason when the database cannot be opened or reached
    (SQLAlchemy's OperationalError, or DatabaseError such as "file is not a database" for
    ``sqlite:////etc/passwd``), else None.

    Looked up lazily: commands that never open a database should not import SQLAlchemy.
    """
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DatabaseError, OperationalError

    if isinstance(exc, OperationalError) or (
            isinstance(exc, DatabaseError) and "not a database" in str(exc.orig or exc)):
        return _first_line(exc.orig or exc)
    return None


def _settings_error(exc: BaseException) -> str | None:
    """A pydantic-settings ValidationError as one line naming the variable, else None."""
    if "pydantic" not in sys.modules:
        return None
    from pydantic import ValidationError

    return settings_message(exc) if isinstance(exc, ValidationError) else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code.

    Without `argv`, the process's own command line: `main()` is then its entry point (the
    `idgov` console script, ``python -m bot.cli.main``) and the process exits on return. With
    `argv` (tests, scripts), the caller goes on.

    The cyclic garbage collector is off from here on (`bot.startup_gc`): about 300 ms of a
    cold `idgov ask` went to collections that found nothing while the modules were imported,
    the intent model parsed and the knowledge index built. A one-shot command keeps it off (its
    process exits right after); a long-running one switches it back on once loaded
    (`startup_gc.loaded()`). On return the collector is as it was for a caller that goes on;
    for the entry point a one-shot command's collector stays off until exit.
    """
    entry_point = argv is None
    startup_gc.pause()
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        startup_gc.restore(exiting=entry_point)


def _main(argv: list[str]) -> int:
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    # A server's operators want its start-up and delivery log; a one-shot command's users
    # want only its output. IDGOV_LOG_LEVEL overrides both.
    default_level = "INFO" if args.command == "serve" else "WARNING"
    logging.basicConfig(
        level=os.environ.get("IDGOV_LOG_LEVEL", default_level).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:  # no password of a URL in any log line
        handler.addFilter(RedactingFilter())
    if not os.environ.get("IDGOV_LOG_LEVEL"):
        # Alembic logs "Context impl ..." at INFO before it even connects: seven lines ahead
        # of the one-line error when the database is unreachable.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        result = args.func(args)
    except _expected_errors() as exc:
        print(f"idgov: error: {redact(_first_line(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `idgov tasks list | head`: the reader left; stop quietly like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        if os.environ.get("IDGOV_DEBUG"):
            raise
        unreachable = _database_unavailable(exc)
        if unreachable is not None:
            # DATABASE_URL names a database that cannot be opened or reached: configuration
            # the operator fixes, so say so and exit like any other bad input.
            print(f"idgov: error: cannot use the database: {redact(unreachable)}",
                  file=sys.stderr)
            return 2
        bad_setting = _settings_error(exc)
        if bad_setting is not None:
            print(f"idgov: error: {bad_setting}", file=sys.stderr)
            return 2
        print(f"idgov: internal error: {type(exc).__name__}: {redact(_first_line(exc))}",
              file=sys.stderr)
        return 1
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
