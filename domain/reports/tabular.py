"""CSV and JSON exports: one row or object per verdict, written as the rows stream in.

Both carry a `kind` per row: the verdict's own kind (review, settlement, import) or, in an
export that asked for history, what made it history (retraction, retracted, superseded). Both
carry the columns `factdesk import` reads back (claim, verdict, source, reviewer, reviewed_at
as the date, article_url as where the claim appeared), so an export is also an archive to import.

CSV files are opened in spreadsheets, which run a cell that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) as a formula: a claim such as `=HYPERLINK(…)` would become a
live link or worse. Such text cells get a leading apostrophe (OWASP's advice for CSV injection);
`factdesk import` takes it off again.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from domain.reports.records import ExportRecord
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
    "kind",
)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet shows as text rather than running as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(records: Iterable[ExportRecord], stream: TextIO) -> int:
    """Write one row per verdict; returns the number of rows."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(
            (
                spreadsheet_safe(record.claim),
                Rating(record.rating).label,
                spreadsheet_safe(record.source_url or ""),
                spreadsheet_safe(record.reviewer or ""),
                record.created_at.isoformat(timespec="seconds"),
                "" if record.article_id is None else record.article_id,
                spreadsheet_safe(record.article_title or ""),
                spreadsheet_safe(record.appearance_url or ""),
                record.claim_id,
                record.verdict_id,
                record.kind.value,
            )
        )
        count += 1
    return count


def json_object(record: ExportRecord) -> dict[str, Any]:
    return {
        "claim": record.claim,
        "verdict": Rating(record.rating).label,
        "rating": record.rating,
        "source": record.source_url,
        "reviewer": record.reviewer,
        "reviewed_at": record.created_at.isoformat(timespec="seconds"),
        "kind": record.kind.value,
        "article_id": record.article_id,
        "article_title": record.article_title,
        "article_url": record.appearance_url,
        "claim_id": record.claim_id,
        "verdict_id": record.verdict_id,
    }


def write_json(records: Iterable[ExportRecord], stream: TextIO) -> int:
    """A JSON array, one object per line, written item by item (never built whole)."""
    count = 0
    stream.write("[")
    for record in records:
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(json_object(record), ensure_ascii=False))
        count += 1
    stream.write("\n]\n")
    return count
