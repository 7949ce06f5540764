"""Running the Alembic migrations from code, so `factdesk run` can bring the schema up to date.

Every command calls :func:`upgrade` first. A schema that is already current is recognised with
one query, without loading Alembic and the migration scripts (0.15 s of every command's start,
measured on `factdesk search`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs with escaped passwords contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration's revision. The migrations are linear and each file's name starts
    with its revision (``0007_walk_state….py`` is revision "0007"); a test holds Alembic's own
    head to this."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def is_current(database_url: str) -> bool:
    """Whether the database's schema is at the newest revision (False when it has none yet, or
    cannot be read: Alembic then says why)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return False
    finally:
        engine.dispose()
    return [row[0] for row in stored] == [head_revision()]


def upgrade(database_url: str, revision: str = "head") -> None:
    """Create or upgrade the schema. Safe to call on every start: a current schema is left alone."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    if revision == "head" and is_current(database_url):
        return
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)
