"""Alembic environment: runs against the engine handed in by `storage.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from storage import models  # noqa: F401  (registers every table on the metadata)

config = context.config
engine = config.attributes.get("connection_engine")
if engine is None:  # `alembic` CLI use: build from DATABASE_URL
    from storage.config import core_settings
    from storage.db import make_engine

    engine = make_engine(core_settings().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
