"""Articles as they were submitted."""

from __future__ import annotations

from sqlmodel import Session, col, select

from db.models import Article
from domain.walk import ArticleInput


class ArticleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, article: ArticleInput, *, submitted_by_id: int, chat_id: int) -> Article:
        row = Article(
            text=article.text,
            url=article.url,
            title=article.title,
            source_kind=article.source_kind,
            submitted_by_id=submitted_by_id,
            chat_id=chat_id,
        )
        self._session.add(row)
        self._session.flush()
        return row

    def get(self, article_id: int) -> Article | None:
        return self._session.get(Article, article_id)

    def set_found(self, article_id: int, found: int, left_out: int = 0) -> None:
        row = self._session.get(Article, article_id)
        if row is not None:
            row.claims_found, row.not_claims_left_out = found, left_out
            self._session.add(row)
            self._session.flush()

    def recent_of(self, *, reviewer_id: int, chat_id: int, limit: int = 5) -> list[Article]:
        """The reviewer's latest articles in a chat, newest first (for /more)."""
        statement = (
            select(Article)
            .where(Article.submitted_by_id == reviewer_id)
            .where(Article.chat_id == chat_id)
            .order_by(col(Article.id).desc())
            .limit(limit)
        )
        return list(self._session.exec(statement).all())
