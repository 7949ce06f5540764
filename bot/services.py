"""The domain services the handlers call, built once per application and kept in bot_data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from telegram.ext import Application, CallbackContext

from db.engine import make_engine
from domain.access import AccessService
from domain.archive import ClaimArchive
from domain.disputes import DisputeService
from domain.links import ArticleFetcher
from domain.queue import QueueService
from domain.records import RecordService
from domain.reports import Organization, ReportService
from domain.review import ReviewService
from domain.stats import StatsService
from domain.team import TeamService
from factdesk.config import Settings

_KEY = "services"


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engine: Engine
    access: AccessService
    archive: ClaimArchive
    review: ReviewService
    reports: ReportService
    fetcher: ArticleFetcher
    team: TeamService
    queue: QueueService
    disputes: DisputeService
    records: RecordService
    stats: StatsService

    @classmethod
    def build(cls, settings: Settings, engine: Engine | None = None) -> Services:
        engine = engine or make_engine(settings.database_url)
        archive = ClaimArchive(
            engine,
            same_threshold=settings.factdesk_same_threshold,
            similar_threshold=settings.factdesk_similar_threshold,
        )
        review = ReviewService(
            engine,
            archive,
            max_claims=settings.factdesk_max_claims,
            max_article_chars=settings.factdesk_max_article_chars,
            reviews_required=settings.factdesk_reviews_required,
        )
        return cls(
            settings=settings,
            engine=engine,
            access=AccessService(engine, settings.factdesk_admins),
            archive=archive,
            review=review,
            reports=ReportService(
                engine, Organization(settings.factdesk_org_name, settings.factdesk_org_url)
            ),
            fetcher=ArticleFetcher(
                allow_private=settings.factdesk_allow_private_urls,
                timeout=settings.factdesk_fetch_timeout,
            ),
            team=TeamService(
                engine, settings.factdesk_admins, invite_hours=settings.factdesk_invite_hours
            ),
            queue=QueueService(engine, review, lock_minutes=settings.factdesk_lock_minutes),
            disputes=DisputeService(
                engine,
                reviews_required=settings.factdesk_reviews_required,
                undo_minutes=settings.factdesk_undo_minutes,
            ),
            records=RecordService(engine, reviews_required=settings.factdesk_reviews_required),
            stats=StatsService(engine),
        )


def attach(application: Application, services: Services) -> None:  # type: ignore[type-arg]
    application.bot_data[_KEY] = services


def services(context: CallbackContext) -> Services:  # type: ignore[type-arg]
    found = context.bot_data[_KEY]
    assert isinstance(found, Services)
    return found
