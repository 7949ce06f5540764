"""Reading archive files, and turning their records into rows ready to store.

Accepted files: CSV (columns ``claim``, ``verdict``, ``source``; optional ``date``, ``reviewer``,
``url``), JSON (an array of objects with the same keys, e.g. ``factdesk export json``), and
schema.org ClaimReview JSON-LD (one object, an array, or an ``@graph``; as exported by this tool or
by other fact-checkers). Factdesk's own CSV/JSON column names (``reviewed_at``, ``article_url``)
are read too, so every export is also an importable archive.

A file is read whole, recognised, and cut into chunks of whole records; each chunk is prepared
(checked, normalised, written to a scratch file) independently, which is what lets large imports
run in worker processes. That is also why this module imports only light modules: a worker loads
it, not the bot or the HTTP stack. Verdict words are mapped by :mod:`domain.verdict_words`. A
row's ``key`` is a hash of its claim, verdict, source, date and reviewer: stored unique, it makes
importing a file twice add nothing.

Hostile or broken files are refused in one line rather than exhausting the machine: a CSV line
longer than `MAX_CSV_LINE_BYTES` is found while streaming the file, before it is read whole; JSON
nested too deeply for the parser is refused; a quoted CSV field that is never closed properly is
reported on the line where it opens, and the lines after it are read again instead of being
swallowed into its claim. NUL characters are dropped (PostgreSQL cannot store them). A claim or
reviewer that Factdesk's CSV export protected against spreadsheet formulas (``'=…``) gets its
leading apostrophe back off, so an export still imports as what was exported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from domain.source_links import LinkError, check_source_link
from domain.verdict_words import rating_from_word

REQUIRED_COLUMNS = ("claim", "verdict", "source")
FIELDS = ("claim", "verdict", "source", "date", "reviewer", "url")
_ALIASES = {
    "claim": ("claim", "claimreviewed", "claim_reviewed", "text"),
    "verdict": ("verdict", "rating", "alternatename", "label"),
    "source": ("source", "source_url", "link"),
    "date": ("date", "reviewed_at", "datepublished", "date_published"),
    "reviewer": ("reviewer", "author", "fact_checker"),
    "url": ("url", "article_url", "appearance", "appearance_url"),
}
_MAX_REVIEWER = 200
MAX_CSV_LINE_BYTES = 1 << 20
MAX_JSON_WRAPPING = 16  # arrays in arrays, @graph and "claims" wrappers around the records
_FORMULA_START = frozenset("=+-@\t\r")


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, format, columns, empty); one line."""


@dataclass(frozen=True, slots=True)
class Rejection:
    where: str  # "line 7" or "record 3"
    reason: str
    unknown_verdict: str | None = None


class ImportRow(NamedTuple):
    """One good record. A tuple, because an import builds a hundred thousand of them."""

    where: str
    claim: str
    rating: str
    source_url: str | None
    reviewer: str | None
    appearance_url: str | None
    reviewed_at: datetime | None
    key: str


# --- chunks of records -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvChunk:
    """Whole CSV records: ``text`` starts at the start of a record and ends at the end of one."""

    text: str
    first_line: int  # the file's line number of text's first line
    columns: tuple[int, ...]  # index of each of FIELDS in a record, -1 when the file lacks it
    delimiter: str


@dataclass(frozen=True, slots=True)
class JsonChunk:
    """Records reduced to their values in the order of FIELDS (None: not an object).

    Reducing them before they go to a worker process costs less than pickling nested objects
    there (a ClaimReview file's records are three levels deep)."""

    records: list[tuple[str, ...] | str | None]  # a str: why the record cannot be read
    first_record: int  # the 1-based record number of records[0]


Chunk = CsvChunk | JsonChunk


@dataclass(frozen=True, slots=True)
class ImportSource:
    """A readable file: its kind, how many records it holds, and how to cut it into chunks."""

    kind: str
    total: int
    split: Callable[[int], Iterator[Chunk]]

    def chunks(self, records: int) -> Iterator[Chunk]:
        """Chunks of about `records` records each."""
        return self.split(max(records, 1))

    def rows(self) -> Iterator[ImportRow | Rejection]:
        """Every record, parsed in this process (for a look at a file; imports use chunks)."""
        for chunk in self.chunks(self.total):
            yield from chunk_rows(chunk)


def read_import_file(path: Path) -> ImportSource:
    """Decode and recognise the file; record-level problems come later, as Rejections."""
    suffix = path.suffix.lower()
    with path.open("rb") as stream:
        head = stream.read(4096)
    start = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")[:1]
    is_json = suffix in {".json", ".jsonld"} or (suffix != ".csv" and start in (b"[", b"{"))
    if not is_json:
        _check_line_lengths(path)
    text = _decode(path.read_bytes())
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.strip():
        raise ImportFileError("the file is empty: nothing to import")
    if is_json:
        return _json_source(text)
    return _csv_source(text)


def _check_line_lengths(path: Path) -> None:
    """Refuse a file with an absurdly long line while streaming it, before it is read whole
    (one 1 GB line would otherwise cost several GB of memory in copies).

    Each step looks for the last line end within the next `MAX_CSV_LINE_BYTES` + 1 bytes: none
    means a longer line; otherwise reading jumps past it, so a file costs a few C-level searches
    per megabyte, not a Python step per line."""
    limit = MAX_CSV_LINE_BYTES
    line, tail = 1, b""
    with path.open("rb") as stream:
        while block := stream.read(8 << 20):
            buffer = tail + block
            position = 0
            while position + limit + 1 <= len(buffer):
                last = buffer.rfind(b"\n", position, position + limit + 1)
                if last == -1:
                    raise ImportFileError(_long_line(line + buffer.count(b"\n", 0, position)))
                position = last + 1
            line += buffer.count(b"\n", 0, position)
            tail = buffer[position:]


def _long_line(line: int) -> str:
    return (
        f"line {line} is longer than {MAX_CSV_LINE_BYTES >> 20} MB, which no archive record is; "
        "is this really a CSV file?"
    )


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "save it as UTF-8 and import again"
        ) from None


def _csv_source(text: str) -> ImportSource:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    header = next(reader, None) or []
    names = [name.strip().lower() for name in header]
    columns = tuple(
        next((names.index(alias) for alias in _ALIASES[name] if alias in names), -1)
        for name in FIELDS
    )
    missing = [name for name in REQUIRED_COLUMNS if columns[FIELDS.index(name)] < 0]
    if missing:
        raise ImportFileError(
            f"missing column(s): {', '.join(missing)} (found: {', '.join(header) or 'none'}); "
            f"a CSV needs {', '.join(REQUIRED_COLUMNS)} and may have date, reviewer, url"
        )
    start, data_line = stream.tell(), reader.line_num + 1
    lines = text.count("\n", start) + (0 if text.endswith("\n") else 1)
    total = max(lines, 0) if start < len(text) else 0

    def split(records: int) -> Iterator[Chunk]:
        size = max(len(text) - start, 1) * records // max(total, 1)
        line = data_line
        for begin, end in _record_boundaries(text, start, size):
            yield CsvChunk(text[begin:end], line, columns, delimiter)
            line += text.count("\n", begin, end)

    return ImportSource(kind="csv", total=total, split=split)


def _record_boundaries(text: str, start: int, size: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:]`` at line ends about `size` characters apart, never inside a quoted
    field: in CSV a line end is a record end exactly when an even number of quotes precede it."""
    begin = start
    while begin < len(text):
        end = text.find("\n", min(begin + size, len(text)) - 1)
        quotes = text.count('"', begin, len(text) if end == -1 else end)
        while end != -1 and quotes % 2:
            following = text.find("\n", end + 1)
            quotes += text.count('"', end, len(text) if following == -1 else following)
            end = following
        end = len(text) if end == -1 else end + 1
        yield begin, end
        begin = end


def _json_source(text: str) -> ImportSource:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ImportFileError(
            "the JSON is nested too deeply to read (hundreds of levels); an archive's records "
            "are a few levels deep"
        ) from None
    items = _json_items(document)
    if not items:
        raise ImportFileError("the JSON holds no records: nothing to import")
    kind = "claimreview" if any(_is_claimreview(item) for item in items) else "json"

    def split(records: int) -> Iterator[Chunk]:
        for offset in range(0, len(items), records):
            values = [_safe_json_record(item) for item in items[offset : offset + records]]
            yield JsonChunk(values, offset + 1)

    return ImportSource(kind=kind, total=len(items), split=split)


def _json_items(document: Any, depth: int = 0) -> list[Any]:
    if depth > MAX_JSON_WRAPPING:
        raise ImportFileError(
            f"the records are wrapped in more than {MAX_JSON_WRAPPING} levels of arrays or "
            "@graph objects; an archive needs a few"
        )
    if isinstance(document, dict):
        if "@graph" in document:
            return _json_items(document["@graph"], depth + 1)
        for key in ("claims", "items", "records", "verdicts"):
            if isinstance(document.get(key), list):
                return _json_items(document[key], depth + 1)
        return [document]
    if isinstance(document, list):
        items: list[Any] = []
        for element in document:
            items.extend(
                _json_items(element, depth + 1) if isinstance(element, list) else [element]
            )
        return items
    return []


def _is_claimreview(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "ClaimReview" in kinds or "claimReviewed" in item


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name_or_url(value: Any, key: str) -> Any:
    value = _first(value)
    return value.get(key) if isinstance(value, dict) else value


def _safe_json_record(item: Any) -> tuple[str, ...] | str | None:
    try:
        return _json_record(item)
    except RecursionError:
        return "a value is nested too deeply to read"


def _json_record(item: Any) -> tuple[str, ...] | None:
    """The values of a record in the order of FIELDS, as text; None when it is not an object."""
    if not isinstance(item, dict):
        return None
    values = _claimreview_values(item) if _is_claimreview(item) else _json_values(item)
    return tuple([_as_text(value) for value in values])


def _json_values(item: dict[str, Any]) -> tuple[Any, ...]:
    return tuple([None if key is None else item[key] for key in _field_keys(tuple(item))])


@lru_cache(maxsize=256)
def _field_keys(keys: tuple[str, ...]) -> tuple[str | None, ...]:
    """Which of an object's keys holds each of FIELDS (any case, aliases in order of preference;
    None when none does). The records of a file share their keys, so this is worked out once."""
    by_lowered = {key.lower(): key for key in keys}
    return tuple(
        next((by_lowered[alias] for alias in _ALIASES[name] if alias in by_lowered), None)
        for name in FIELDS
    )


def _claimreview_values(item: dict[str, Any]) -> tuple[Any, ...]:
    rating = _first(item.get("reviewRating"))
    item_reviewed = _first(item.get("itemReviewed"))
    appearance = None
    if isinstance(item_reviewed, dict):
        appearance = _name_or_url(
            item_reviewed.get("appearance") or item_reviewed.get("firstAppearance"), "url"
        )
    return (
        item.get("claimReviewed"),
        rating.get("alternateName") if isinstance(rating, dict) else None,
        item.get("url"),
        item.get("datePublished"),
        _name_or_url(item.get("author"), "name"),
        appearance,
    )


# --- records to rows -------------------------------------------------------------------------


def chunk_rows(chunk: Chunk) -> Iterator[ImportRow | Rejection]:
    """Each record of the chunk as a row, or as the reason it cannot be imported."""
    if isinstance(chunk, CsvChunk):
        return _csv_rows(chunk)
    return _json_rows(chunk)


def _csv_rows(chunk: CsvChunk) -> Iterator[ImportRow | Rejection]:
    """Records in strict CSV (a closing quote must end its field), so a broken quote is an error
    where it shows; a record that broke across lines is reported on the line where it started,
    and reading starts again on the line after that, so the records it swallowed come back."""
    # Absent columns read the "" appended to every record (index -1); short records are padded.
    pick = itemgetter(*(index if index >= 0 else -1 for index in chunk.columns))
    width = max(chunk.columns) + 2
    first, position = chunk.first_line, 0  # where the current reader starts: line, character
    while True:
        text = chunk.text[position:] if position else chunk.text
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=chunk.delimiter, strict=True)
        offset = first - 1
        restart = None
        while restart is None:
            before = reader.line_num
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                opened, failed = offset + before + 1, offset + reader.line_num
                if failed > opened:
                    yield Rejection(
                        f"line {opened}",
                        f"a quoted field opened on line {opened} is not closed properly "
                        f"({error} on line {failed}); the lines after it are read on their own",
                    )
                    restart = opened + 1
                else:
                    yield Rejection(f"line {failed}", f"unreadable CSV ({error})")
                continue
            if not "".join(record).strip():
                continue
            if len(record) < width:
                record.extend([""] * (width - len(record)))
            else:
                record.append("")
            yield parse_row(*pick(record), where=f"line {offset + reader.line_num}")
        position += _line_start(text, restart - first)
        first = restart


def _line_start(text: str, lines: int) -> int:
    """The offset in `text` where its line number `lines` (counting from 0) starts."""
    position = 0
    for _ in range(lines):
        found = text.find("\n", position)
        if found == -1:
            return len(text)
        position = found + 1
    return position


def _json_rows(chunk: JsonChunk) -> Iterator[ImportRow | Rejection]:
    for number, values in enumerate(chunk.records, start=chunk.first_record):
        where = f"record {number}"
        if values is None:
            yield Rejection(where, "not a JSON object")
        elif isinstance(values, str):
            yield Rejection(where, values)
        else:
            yield parse_row(*values, where=where)


def _as_text(value: Any) -> str:
    """JSON values as CSV would have them: absent is empty, numbers are their digits; no NULs."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    return text.replace("\x00", "") if "\x00" in text else text


def _unprotect(text: str) -> str:
    """Drop the apostrophe a CSV export puts before a value that a spreadsheet would run."""
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_START else text


# Most archive links are plain http(s) URLs: accept those at a glance; anything else goes through
# the reviewers' link check, which explains what is wrong.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:[/?#][^\s<>]*)?")


def _link(text: str) -> str:
    if len(text) <= 2048 and _PLAIN_URL.fullmatch(text):
        return text
    return check_source_link(text)


def parse_row(
    claim: str, verdict: str, source: str, when: str, reviewer: str, url: str, *, where: str
) -> ImportRow | Rejection:
    """Check one record's values (in the order of FIELDS) and make a row of them, or say why not.

    Claim and reviewer are shown to people, so runs of white space in them become one space;
    the other values only need trimming (a link with a space inside is refused anyway).
    This runs for every row of an import, so it is written for speed.
    """
    if claim[:1] == "'":
        claim = _unprotect(claim)
    claim = " ".join(claim.split())
    if not claim:
        return Rejection(where, "no claim text")
    word = verdict.strip()
    if not word:
        return Rejection(where, "no verdict")
    facts = _rating_facts(word)
    if facts is None:
        word = " ".join(word.split())
        return Rejection(where, f"unknown verdict {word!r}", unknown_verdict=word)
    rating, needs_source, label = facts
    source_url = source.strip() or None
    if source_url is not None:
        try:
            source_url = _link(source_url)
        except LinkError as error:
            return Rejection(where, f"bad source link: {error}")
    elif needs_source:
        return Rejection(where, f"a {label} verdict needs a source link")
    appearance_url = url.strip() or None
    if appearance_url is not None:
        try:
            appearance_url = _link(appearance_url)
        except LinkError as error:
            return Rejection(where, f"bad url: {error}")
    raw_date = when.strip()
    reviewed_at = None
    if raw_date:
        reviewed_at = _parse_when(raw_date)
        if reviewed_at is None:
            return Rejection(where, f"bad date {raw_date!r} (expected e.g. 2026-11-01)")
    if reviewer[:1] == "'":
        reviewer = _unprotect(reviewer)
    reviewer_name = " ".join(reviewer.split())[:_MAX_REVIEWER] or None
    identity = (
        claim,
        rating,
        source_url or "",
        _isoformat(reviewed_at) if reviewed_at else "",
        reviewer_name or "",
    )
    key = hashlib.sha256("\x1f".join(identity).encode("utf-8")).hexdigest()
    return ImportRow(
        where, claim, rating, source_url, reviewer_name, appearance_url, reviewed_at, key
    )


@lru_cache(maxsize=1024)
def _rating_facts(word: str) -> tuple[str, bool, str] | None:
    """The stored value, whether a source is needed, and the label of a verdict word's rating."""
    rating = rating_from_word(word)
    return None if rating is None else (rating.value, rating.needs_source, rating.label)


@lru_cache(maxsize=4096)
def _parse_when(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(text[:10]), time(0))
        except ValueError:
            return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@lru_cache(maxsize=4096)
def _isoformat(when: datetime) -> str:
    return when.isoformat()
