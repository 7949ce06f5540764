"""Verdict reports in every format a desk needs, for the chat and the command line alike.

Writers take an iterable of rows streamed from the database, so an archive of any size exports in
flat memory; the formats live in their own modules (tabular, claimreview, html).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from domain.reports.claimreview import Organization, write_claimreview
from domain.reports.html import write_html
from domain.reports.records import ExportRecord, VerdictFilter
from domain.reports.request import (
    ExportFormat,
    ExportRequest,
    ExportRequestError,
    build_request,
    parse_export_words,
)
from domain.reports.tabular import write_csv, write_json
from domain.reports.upload import UploadPart

__all__ = [
    "ExportFormat",
    "ExportRecord",
    "ExportRequest",
    "ExportRequestError",
    "Organization",
    "PreparedExport",
    "VerdictFilter",
    "build_request",
    "parse_export_words",
    "write_export",
]


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """An export written to disk and cut into uploadable parts (a single part, usually)."""

    count: int
    parts: list[UploadPart]
    compressed: bool


def write_export(
    request: ExportRequest, records: Iterable[ExportRecord], stream: TextIO, org: Organization
) -> int:
    """Write the records in the requested format; returns how many verdicts were written."""
    if request.format is ExportFormat.CSV:
        return write_csv(records, stream)
    if request.format is ExportFormat.JSON:
        return write_json(records, stream)
    if request.format is ExportFormat.CLAIMREVIEW:
        return write_claimreview(records, stream, org)
    return write_html(records, stream, org=org, filters=request.describe())
