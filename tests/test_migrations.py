"""Migrations build the schema the models describe, on both backends, idempotently."""

from __future__ import annotations

import pytest
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


def test_head_detection_matches_alembic() -> None:
    """The cheap file scan `migrate` uses to skip Alembic agrees with Alembic itself."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR, _script_heads

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert _script_heads() == frozenset(ScriptDirectory.from_config(cfg).get_heads())
    assert len(_script_heads()) == 1  # branches are merged


def test_an_up_to_date_database_skips_alembic(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import alembic.command

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("Alembic ran on an up-to-date database")

    monkeypatch.setattr(alembic.command, "upgrade", boom)
    migrate(engine)  # at heads: returns before touching Alembic


def test_an_outdated_database_is_upgraded(engine: Engine) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        # back to before 0006: drop what it (and 0007, 0008) created, so the upgrade has real work
        conn.execute(text("DROP TABLE teams_file_offer"))
        conn.execute(text("DROP TABLE feedback_vote"))
        conn.execute(text("DROP TABLE nhi_task_link"))
        conn.execute(text("DROP TABLE nhi_identity"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0002')"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0003')"))
    migrate(engine)
    with engine.connect() as conn:
        versions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert versions == {"0009"}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM nhi_identity")).scalar() == 0


def _downgrade(engine: Engine, revision: str) -> None:
    """Take the test database back to `revision` with Alembic, as an operator would."""
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection_engine"] = engine
    command.downgrade(cfg, revision)


def test_inventory_migration_downgrades_and_upgrades(engine: Engine) -> None:
    from sqlalchemy import inspect

    _downgrade(engine, "0005")
    assert "nhi_identity" not in inspect(engine).get_table_names()
    migrate(engine)
    assert {"nhi_identity", "nhi_task_link"} <= set(inspect(engine).get_table_names())


def test_feedback_vote_migration_keeps_the_votes_already_cast(engine: Engine) -> None:
    """0007 turns the one vote each answer held into that voter's row, and downgrades."""
    from sqlalchemy import inspect, text

    _downgrade(engine, "0006")
    assert "feedback_vote" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO feedback (workspace, user_ref, question, entry_ids, answered, score, "
            "helpful, voted_by, created_at, voted_at) VALUES ('slack:T1', 'slack:T1:U1', 'q', "
            "'[]', true, 1.0, true, 'slack:T1:U2', '2026-01-01 10:00:00', "
            "'2026-01-01 11:00:00'), ('slack:T1', 'slack:T1:U1', 'q2', '[]', true, 1.0, NULL, "
            "NULL, '2026-01-01 10:00:00', NULL)"))
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT workspace, voter, helpful FROM feedback_vote")).all()
    assert [tuple(r) for r in rows] == [("slack:T1", "slack:T1:U2", True)]


def test_never_used_migration_backfills_from_the_gaps_found(engine: Engine) -> None:
    """0009 adds nhi_identity.never_used: true where the import found the identity unused
    without any last-used date (only an export saying "never used" leads there)."""
    from sqlalchemy import inspect, text

    _downgrade(engine, "0008")
    assert "never_used" not in {c["name"] for c in inspect(engine).get_columns("nhi_identity")}
    with engine.begin() as conn:
        for key, last_used, gaps in [("a", None, '["unused"]'), ("b", None, '["unowned"]'),
                                     ("c", "2026-01-01 00:00:00", '["unused"]')]:
            conn.execute(text(
                "INSERT INTO nhi_identity (workspace, platform, native_key, name, type, "
                "last_used, privileges, shared_with, source_format, gaps, evaluated_at, "
                "first_seen_at, last_seen_at, imported_by) VALUES ('slack:T1', 'aws', :k, :k, "
                "'api_key', :u, '[]', '[]', 'aws', :g, '2026-01-02 00:00:00', "
                "'2026-01-02 00:00:00', '2026-01-02 00:00:00', 'slack:T1:U1')"),
                {"k": key, "u": last_used, "g": gaps})
    migrate(engine)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT native_key, never_used FROM nhi_identity")).all())
    assert {k: bool(v) for k, v in rows.items()} == {"a": True, "b": False, "c": False}
