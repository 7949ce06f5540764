"""Services on a real, migrated database (SQLite file or PostgreSQL), without Telegram."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from db.migrate import upgrade
from domain.access import Member, Person
from factdesk.config import Settings
from services.registry import Services

ADMIN = Person(1001, "Alma Admin", "alma")

MakeServices = Callable[..., Services]


@pytest.fixture
def make_services(database_url: str) -> Iterator[MakeServices]:
    """`make_services(factdesk_reviews_required=2)`: the desk's services on this test's database
    (SQLite and PostgreSQL)."""
    yield from _builder(database_url)


@pytest.fixture
def pg_services(postgres_url: str) -> Iterator[MakeServices]:
    """Like `make_services`, on PostgreSQL only: for races between replicas."""
    yield from _builder(postgres_url)


def _builder(database_url: str) -> Iterator[MakeServices]:
    upgrade(database_url)
    built: list[Services] = []

    def make(**overrides: Any) -> Services:
        values: dict[str, Any] = {
            "database_url": database_url,
            "factdesk_admins": "1001",
            "factdesk_index_dir": tempfile.mkdtemp(prefix="factdesk-index-"),
        }
        values.update(overrides)
        services = Services.build(Settings(_env_file=None, **values))
        services.archive.load(services.db)
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()


def join(services: Services, admin: Member, telegram_id: int, name: str) -> Member:
    """A reviewer added by the admin, as they are on their first message."""
    services.team.add_reviewer(admin, telegram_id)
    member = services.access.member(Person(telegram_id, name))
    assert member is not None
    return member


def admin_of(services: Services) -> Member:
    member = services.access.member(ADMIN)
    assert member is not None
    return member
