"""Verdict reports in every format a desk needs, for the chat and the command line alike.

Writers take an iterable of rows streamed from the database, so an archive of any size exports in
flat memory; the formats live in their own modules (tabular, claimreview, html).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine

from db import archive_queries
from db.engine import unit_of_work
from domain.reports.claimreview import Organization, write_claimreview
from domain.reports.html import write_html
from domain.reports.request import (
    ExportFormat,
    ExportRequest,
    ExportRequestError,
    build_request,
    parse_export_words,
)
from domain.reports.tabular import write_csv, write_json
from domain.reports.upload import TELEGRAM_UPLOAD_LIMIT, UploadPart, package_for_upload

__all__ = [
    "ExportFormat",
    "ExportRequest",
    "ExportRequestError",
    "Organization",
    "PreparedExport",
    "ReportService",
    "build_request",
    "parse_export_words",
]


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """An export written to disk and cut into uploadable parts (a single part, usually)."""

    count: int
    parts: list[UploadPart]
    compressed: bool


class ReportService:
    """Exports of recorded verdicts."""

    def __init__(
        self, engine: Engine, org: Organization, *, upload_limit: int = TELEGRAM_UPLOAD_LIMIT
    ) -> None:
        self._engine = engine
        self._org = org
        self._upload_limit = upload_limit

    def export(self, request: ExportRequest, stream: TextIO) -> int:
        """Write the export to a text stream; returns the number of verdicts in it."""
        with unit_of_work(self._engine) as session:
            records = archive_queries.iter_export_records(session=session, filters=request.filters)
            if request.format is ExportFormat.CSV:
                return write_csv(records, stream)
            if request.format is ExportFormat.JSON:
                return write_json(records, stream)
            if request.format is ExportFormat.CLAIMREVIEW:
                return write_claimreview(records, stream, self._org)
            return write_html(records, stream, org=self._org, filters=request.describe())

    def export_for_upload(self, request: ExportRequest, directory: Path) -> PreparedExport:
        """Write the export into `directory`, zipped or split to fit the upload limit.

        The caller owns the directory (a temporary one) and removes it after sending.
        """
        filename = f"factdesk-verdicts.{request.format.extension}"
        path = directory / filename
        with path.open("w", encoding="utf-8", newline="") as stream:
            count = self.export(request, stream)
        parts = package_for_upload(path, filename, limit=self._upload_limit)
        return PreparedExport(count=count, parts=parts, compressed=parts[0].filename != filename)
