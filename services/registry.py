"""Every service, built once from the settings; the bot and the commands take what they need."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from db.engine import make_engine
from db.uow import Database
from domain.links import ArticleFetcher
from domain.reports import Organization
from factdesk.config import Settings
from services.access import AccessService
from services.archive import ArchiveSearch, ClaimArchive
from services.disputes import DisputeService
from services.queue import QueueService
from services.records import RecordService
from services.reports import ReportService
from services.review import ReviewService
from services.stats import StatsService
from services.team import TeamService
from services.updates import UpdateLog


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    access: AccessService
    archive: ClaimArchive
    search: ArchiveSearch
    review: ReviewService
    reports: ReportService
    fetcher: ArticleFetcher
    team: TeamService
    queue: QueueService
    disputes: DisputeService
    records: RecordService
    stats: StatsService
    updates: UpdateLog

    @classmethod
    def build(cls, settings: Settings, engine: Engine | None = None) -> Services:
        db = Database(engine or make_engine(settings.database_url))
        required = settings.factdesk_reviews_required
        archive = ClaimArchive(
            index_dir=settings.index_dir,
            similar_threshold=settings.factdesk_similar_threshold,
            poll_seconds=settings.factdesk_index_poll_ms / 1000,
            embed_limit=settings.factdesk_embed_now_limit,
        )
        review = ReviewService(
            db,
            archive,
            max_claims=settings.factdesk_max_claims,
            max_article_chars=settings.factdesk_max_article_chars,
            reviews_required=required,
        )
        access = AccessService(db, settings.factdesk_admins)
        return cls(
            settings=settings,
            db=db,
            access=access,
            archive=archive,
            search=ArchiveSearch(db, archive),
            review=review,
            reports=ReportService(
                db, Organization(settings.factdesk_org_name, settings.factdesk_org_url)
            ),
            fetcher=ArticleFetcher(
                allow_private=settings.factdesk_allow_private_urls,
                timeout=settings.factdesk_fetch_timeout,
            ),
            team=TeamService(
                db, access, settings.factdesk_admins, invite_hours=settings.factdesk_invite_hours
            ),
            queue=QueueService(db, review, lock_minutes=settings.factdesk_lock_minutes),
            disputes=DisputeService(
                db,
                reviews_required=required,
                undo_minutes=settings.factdesk_undo_minutes,
                admins=len(settings.factdesk_admins),
            ),
            records=RecordService(db, reviews_required=required),
            stats=StatsService(db),
            updates=UpdateLog(db),
        )

    def close(self) -> None:
        """Close the database connections: on SQLite the last close folds the write-ahead log in.
        The claim archive writes what it caught up with and releases its index folder first."""
        self.archive.close()
        self.db.dispose()
