"""Membership, checked once per update before any handler runs.

A member's standing is cached for a short while per process: a reviewer's tap then costs no
transaction of its own, which is what keeps one button press at one unit of work. Changes made
through this process (add, remove, join) take effect at once; a change made through another
replica reaches this one within `CACHE_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Set

from db.uow import Database, UnitOfWork
from domain.access import Member, Person, role_of
from domain.verdicts import Role

CACHE_SECONDS = 30.0
MAX_CACHED = 10_000


class AccessService:
    def __init__(
        self, db: Database, admin_ids: Set[int], *, cache_seconds: float = CACHE_SECONDS
    ) -> None:
        self._db = db
        self._admin_ids = frozenset(admin_ids)
        self._cache_seconds = cache_seconds
        self._cache: dict[Person, tuple[float, Member | None]] = {}
        self._lock = threading.Lock()

    def member(self, person: Person) -> Member | None:
        """The person's membership, or None for a stranger.

        Nothing is written for strangers. An admin's reviewer row is created on first contact, so
        verdicts always point at a row; the stored role follows the settings.
        """
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(person)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        member = self._db.run(lambda tx: self._member(tx, person), effect=False)
        with self._lock:
            if len(self._cache) > MAX_CACHED:  # strangers writing in must not grow it forever
                self._cache.clear()
            self._cache[person] = (now, member)
        return member

    def forget(self, telegram_id: int) -> None:
        """Drop the cached membership of someone whose standing just changed here."""
        with self._lock:
            for person in [p for p in self._cache if p.telegram_id == telegram_id]:
                del self._cache[person]

    def _member(self, tx: UnitOfWork, person: Person) -> Member | None:
        role = role_of(person.telegram_id, self._admin_ids)
        reviewer = tx.reviewers.by_telegram_id(person.telegram_id)
        if reviewer is None:
            if role is not Role.ADMIN:
                return None
            reviewer = tx.reviewers.ensure(person, role)
        if role is not Role.ADMIN and not reviewer.active:
            return None
        if role is Role.ADMIN and not reviewer.active:
            tx.reviewers.activate(reviewer)
        if reviewer.role is not role:
            reviewer.role = role
            tx.reviewers.save(reviewer)
        if reviewer.name != person.name or reviewer.username != person.username:
            reviewer.name, reviewer.username = person.name, person.username
            tx.reviewers.save(reviewer)
        assert reviewer.id is not None
        return Member(reviewer.id, reviewer.telegram_id, reviewer.name, role)
