"""Files named on the command line, read only when they are regular files of bounded size.

`idgov tasks import /dev/zero` (or a Markdown symlink to it in `kb add`) read until a
MemoryError at 2 GB; a FIFO would block forever. The target (symlinks followed) must be a
regular file no larger than the limit, and an error names the file, never its content (a
symlink to a secret file must not have a line of it echoed back).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.cli.errors import CliError

MB = 1024 * 1024


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`; CliError (one line) unless a regular file of at most `limit`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise CliError(f"cannot read {what} {str(path)!r}: no such file") from None
    except OSError as exc:
        raise CliError(f"cannot read {what} {str(path)!r}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CliError(f"cannot read {what} {str(path)!r}: not a regular file")
        if info.st_size > limit:
            raise CliError(f"cannot read {what} {str(path)!r}: larger than {limit // MB} MB")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise CliError(f"cannot read {what} {str(path)!r}: larger than {limit // MB} MB")
    return data


def read_text_bounded(path: Path, limit: int, what: str) -> str:
    data = read_bounded(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliError(f"cannot read {what} {str(path)!r}: not UTF-8 text") from None
