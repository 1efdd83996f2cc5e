"""Read a user-named input file safely: a regular file only, and no more than a cap.

A FIFO, a device or a directory is refused before it is opened for reading (so ``/dev/zero``
cannot hang or exhaust memory), and the read stops one byte past the cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.cli.errors import CliError


def read_capped(path_text: str, limit: int) -> bytes:
    path = Path(path_text)
    try:
        info = path.stat()
    except OSError as exc:
        raise CliError(f"cannot read {path_text}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise CliError(f"{path_text} is not a regular file")
    if info.st_size > limit:
        raise CliError(f"{path_text} is {info.st_size // (1024 * 1024)} MB; the limit is "
                       f"{limit // (1024 * 1024)} MB")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise CliError(f"{path_text} is not a regular file")
            data = fh.read(limit + 1)
    except OSError as exc:
        raise CliError(f"cannot read {path_text}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise CliError(f"{path_text} is larger than {limit // (1024 * 1024)} MB")
    return data
