"""Health of what the bot depends on, for the webhook server's /healthz."""

from __future__ import annotations

from db.health import database_reachable
from db.uow import Database


def database_answers(db: Database) -> bool:
    """Whether the database answers a trivial query now."""
    return database_reachable(db.engine)
