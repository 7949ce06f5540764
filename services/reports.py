"""Exports of recorded verdicts, streamed from one unit of work."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from db.uow import Database
from domain.reports import ExportRequest, Organization, PreparedExport, write_export
from domain.reports.upload import TELEGRAM_UPLOAD_LIMIT, package_for_upload


class ReportService:
    def __init__(
        self, db: Database, org: Organization, *, upload_limit: int = TELEGRAM_UPLOAD_LIMIT
    ) -> None:
        self._db = db
        self._org = org
        self._upload_limit = upload_limit

    def export(self, request: ExportRequest, stream: TextIO) -> int:
        """Write the export to a text stream; returns the number of verdicts in it."""
        with self._db.unit() as tx:
            return write_export(request, tx.exports.records(request.filters), stream, self._org)

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
