"""Each Telegram update takes effect at most once, on every replica.

Telegram delivers an update again when the bot died before confirming it, and a webhook behind
several replicas may hand the same update to two of them. The update's id is stored in the same
transaction as its effect (`db.uow`), so a second delivery finds it and writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from db.models import utcnow
from db.uow import AlreadyHandled, Database, UpdateMark, handling

KEEP = timedelta(days=1)

__all__ = ["AlreadyHandled", "UpdateLog"]


class UpdateLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def begin(self, update_id: int) -> None:
        """From here on, in this task and the threads it starts, work belongs to this update.

        Call it on the event loop (not in a worker thread): the mark travels with the context.
        """
        handling.set(UpdateMark(update_id))

    def seen(self, update_id: int) -> bool:
        """Whether the update's effect is already stored (a cheap look before any reply)."""
        return self._db.run(lambda tx: tx.updates.seen(update_id), reads_only=True)

    def prune(self) -> int:
        """Forget update ids older than a day; Telegram stops redelivering long before that."""
        return self._db.run(lambda tx: tx.updates.prune(utcnow() - KEEP), effect=False)
