"""What an export asks for: a format and filters, from chat words or command-line options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from domain.reports.records import VerdictFilter
from domain.verdict_words import rating_from_word


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    CLAIMREVIEW = "claimreview"
    HTML = "html"

    @property
    def extension(self) -> str:
        return {"claimreview": "jsonld"}.get(self.value, self.value)

    @property
    def mime_type(self) -> str:
        return {
            ExportFormat.CSV: "text/csv",
            ExportFormat.JSON: "application/json",
            ExportFormat.CLAIMREVIEW: "application/ld+json",
            ExportFormat.HTML: "text/html",
        }[self]


class ExportRequestError(ValueError):
    """The export words or options do not make sense; the message says which."""


@dataclass(frozen=True, slots=True)
class ExportRequest:
    format: ExportFormat = ExportFormat.CSV
    filters: VerdictFilter = field(default_factory=VerdictFilter)

    def describe(self) -> str:
        """The filters in words, for captions and report headers ("" when there are none)."""
        parts = []
        f = self.filters
        if f.since is not None:
            parts.append(f"since {f.since.date().isoformat()}")
        if f.until is not None:
            parts.append(f"until {(f.until - timedelta(days=1)).date().isoformat()}")
        if f.article_id is not None:
            parts.append(f"article {f.article_id}")
        if f.reviewer is not None:
            parts.append(f"reviewer {f.reviewer}")
        if f.ratings is not None:
            parts.append("verdict " + ", ".join(sorted(r.value for r in f.ratings)))
        if f.include_history:
            parts.append("with history")
        return ", ".join(parts)


def parse_day(value: str, *, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ExportRequestError(f"{name}: {value!r} is not a date like 2026-11-01") from None


def build_request(
    *,
    fmt: str = "csv",
    since: str | None = None,
    until: str | None = None,
    article: str | None = None,
    reviewer: str | None = None,
    verdict: str | None = None,
    final_only: bool | None = None,
    include_history: bool = False,
) -> ExportRequest:
    """Check and combine the export options; `until` is inclusive (the whole day counts).

    ClaimReview carries one verdict per final claim; the other formats carry every standing
    verdict, and retractions, retracted and superseded rows too with `include_history`.
    """
    try:
        export_format = ExportFormat(fmt.strip().lower())
    except ValueError:
        formats = ", ".join(f.value for f in ExportFormat)
        raise ExportRequestError(f"unknown format {fmt!r}; available: {formats}") from None
    start = _midnight(parse_day(since, name="since")) if since else None
    end = _midnight(parse_day(until, name="until") + timedelta(days=1)) if until else None
    if start and end and start >= end:
        raise ExportRequestError("since must be on or before until")
    article_id = None
    if article is not None:
        if not article.strip().isdigit():
            raise ExportRequestError(f"article: {article!r} is not an article number")
        article_id = int(article)
    ratings = None
    if verdict is not None:
        found = set()
        for word in verdict.split(","):
            rating = rating_from_word(word)
            if rating is None:
                raise ExportRequestError(f"verdict: {word.strip()!r} is not a verdict")
            found.add(rating)
        ratings = frozenset(found)
    if final_only is None:
        final_only = export_format is ExportFormat.CLAIMREVIEW
    return ExportRequest(
        format=export_format,
        filters=VerdictFilter(
            since=start,
            until=end,
            article_id=article_id,
            reviewer=reviewer.strip() if reviewer else None,
            ratings=ratings,
            final_only=final_only,
            include_history=include_history,
        ),
    )


_KEYWORDS = ("since", "until", "article", "reviewer", "verdict")
_FLAGS = ("history",)


def parse_export_words(words: list[str]) -> ExportRequest:
    """`/export html since 2026-11-01 reviewer Alma Admin verdict false,misleading`.

    The format comes first (csv when left out); each filter is a keyword followed by its value,
    which runs to the next keyword (so reviewer names may have spaces). `since=…` works too.
    The word `history` adds retractions and superseded verdicts, marked as such.
    """
    history = any(word.lstrip("-").lower() in _FLAGS for word in words)
    words = [word for word in words if word.lstrip("-").lower() not in _FLAGS]
    tokens: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key.lstrip("-").lower() in _KEYWORDS:
            tokens.extend([key, value])
        else:
            tokens.append(word)
    fmt = "csv"
    if tokens and tokens[0].lstrip("-").lower() not in _KEYWORDS:
        fmt = tokens.pop(0)
    options: dict[str, list[str]] = {}
    current: list[str] | None = None
    for token in tokens:
        keyword = token.lstrip("-").lower()
        if keyword in _KEYWORDS:
            if keyword in options:
                raise ExportRequestError(f"{keyword} is given twice")
            current = options[keyword] = []
        elif current is None:
            raise ExportRequestError(f"{token!r}: expected one of {', '.join(_KEYWORDS)}")
        else:
            current.append(token)
    values: dict[str, str] = {}
    for keyword, parts in options.items():
        if not parts:
            raise ExportRequestError(f"{keyword} needs a value")
        values[keyword] = " ".join(parts)
    return build_request(
        fmt=fmt,
        since=values.get("since"),
        until=values.get("until"),
        article=values.get("article"),
        reviewer=values.get("reviewer"),
        verdict=values.get("verdict"),
        include_history=history,
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
