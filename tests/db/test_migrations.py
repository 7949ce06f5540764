"""The migrations build exactly what the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from db.migrate import alembic_config, head_revision, is_current, upgrade


def test_upgrade_head_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_upgrade_is_idempotent_and_downgrade_works(database_url: str, engine: Engine) -> None:
    upgrade(database_url)  # again: nothing to do, no error
    command.downgrade(alembic_config(database_url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(database_url)
    assert {"reviewer", "article", "claim", "verdict", "review_session"} <= set(
        inspect(engine).get_table_names()
    )


def test_the_quick_check_knows_alembic_head(database_url: str, engine: Engine) -> None:
    """Commands skip Alembic when the schema is current: the head it compares with is
    Alembic's own, and an older schema is still brought up to date."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert head_revision() == script.get_current_head()
    assert is_current(database_url)
    command.downgrade(alembic_config(database_url), "-1")
    assert not is_current(database_url)
    upgrade(database_url)
    assert is_current(database_url)
