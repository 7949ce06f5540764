"""Whether the database answers, for the webhook server's /healthz."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)


def database_reachable(engine: Engine) -> bool:
    """One `SELECT 1` on a pooled connection; False (and a log line) when it fails."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        logger.warning("health check: database unreachable (%s)", reason[0] if reason else error)
        return False
    return True
