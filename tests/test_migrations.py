"""Migrations build the schema the models describe, on both backends, idempotently."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from storage.db import migrate


def test_migrations_create_every_table_and_are_idempotent(engine: Engine) -> None:
    migrate(engine)  # second run is a no-op
    tables = set(inspect(engine).get_table_names())
    expected = {t.name for t in SQLModel.metadata.sorted_tables}
    assert expected <= tables, expected - tables
    assert "alembic_version" in tables


def test_migrations_match_models(engine: Engine) -> None:
    """No drift between the models and the migrations (autogenerate finds nothing)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
