"""Verdict reports. Writers stream rows so an archive of any size exports in flat memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy.engine import Engine

from db import queries
from db.engine import unit_of_work
from db.queries import VerdictRecord
from domain.verdicts import Rating

CSV_COLUMNS = (
    "claim",
    "verdict",
    "source",
    "reviewer",
    "reviewed_at",
    "article_id",
    "article_title",
    "article_url",
    "claim_id",
    "verdict_id",
)


def write_csv(records: Iterable[VerdictRecord], stream: TextIO) -> int:
    """Write one row per verdict; returns the number of rows."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(
            (
                record.claim,
                Rating(record.rating).label,
                record.source_url or "",
                record.reviewer,
                record.created_at.isoformat(timespec="seconds"),
                record.article_id,
                record.article_title or "",
                record.article_url or "",
                record.claim_id,
                record.verdict_id,
            )
        )
        count += 1
    return count


class ReportService:
    """Exports of recorded verdicts, for the chat and the command line alike."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def write_csv(self, stream: TextIO) -> int:
        with unit_of_work(self._engine) as session:
            return write_csv(queries.iter_verdict_records(session=session), stream)
