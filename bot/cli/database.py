"""The database a CLI command uses: the configured one for writes, or none for reads.

Kept light on purpose: `idgov ask` imports this module, and with no database configured it
must not import SQLAlchemy, SQLModel or the storage models (about 300 ms of a cold start);
they are imported only when an engine is actually opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.errors import CliError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def engine_for_writes() -> Engine:
    """The configured database (DATABASE_URL, default sqlite:///idgov.db), migrated."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import get_engine

    try:
        return get_engine()
    except SQLAlchemyError as exc:
        raise CliError(f"cannot open the database: {type(exc).__name__}") from None


def existing_engine() -> Engine | None:
    """The database for reads, or None when none is configured and ./idgov.db does not exist.

    Read-only commands (`ask`, `kb list`) must not create a database file as a side effect.
    """
    from storage.config import DEFAULT_DATABASE_URL, core_settings

    url = core_settings().database_url
    configured = "DATABASE_URL" in os.environ or url != DEFAULT_DATABASE_URL
    if not configured and not Path("idgov.db").exists():
        return None
    return engine_for_writes()
