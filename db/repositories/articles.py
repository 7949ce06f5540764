"""Articles as they were submitted."""

from __future__ import annotations

from sqlmodel import Session

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
