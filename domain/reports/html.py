"""A self-contained HTML report: summary, three inline SVG charts, and the table of verdicts.

No script, no external file: it opens in any browser and survives being mailed around. Every piece
of text from the database is escaped; only http(s) links become anchors.

The charts sit above the table but are computed from the same single pass over the rows: the table
goes to a spooled temporary file while counts accumulate, then header, charts and table are
written out in order, so memory stays flat however many verdicts there are.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import TextIO

from domain.reports.claimreview import Organization
from domain.reports.records import ExportRecord
from domain.verdicts import RATING_ORDER, Rating

COLOURS = {
    Rating.TRUE: "#1a7f37",
    Rating.MOSTLY_TRUE: "#6aa84f",
    Rating.MISLEADING: "#e69138",
    Rating.FALSE: "#cc0000",
    Rating.UNVERIFIABLE: "#7f7f7f",
    Rating.NOT_A_CLAIM: "#b7b7b7",
}
_MAX_REVIEWERS = 15
_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222}
h1{margin-bottom:.2em}.sub{color:#666;margin-top:0}
.summary{display:flex;gap:1.5em;flex-wrap:wrap;margin:1em 0}
.summary div{background:#f4f4f4;border-radius:6px;padding:.6em 1em}
.summary b{display:block;font-size:1.6em}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1.5em}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3em}
table{border-collapse:collapse;width:100%;margin-top:1.5em}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#fafafa;position:sticky;top:0}
.tag{color:#fff;border-radius:4px;padding:0 .4em;white-space:nowrap}
td.when{white-space:nowrap;color:#555}
"""


def write_html(
    records: Iterable[ExportRecord], stream: TextIO, *, org: Organization, filters: str
) -> int:
    """Write the report; returns the number of verdicts in it.

    History rows (in an export that asked for them) are listed, marked, and never counted.
    """
    by_rating: Counter[Rating] = Counter()
    by_day: Counter[date] = Counter()
    by_reviewer: Counter[str] = Counter()
    count = 0
    with tempfile.SpooledTemporaryFile(max_size=4 << 20, mode="w+", encoding="utf-8") as rows:
        for record in records:
            rating = Rating(record.rating)
            rows.write(_row(record, rating))
            if record.kind.is_history:
                continue
            by_rating[rating] += 1
            by_day[record.created_at.date()] += 1
            by_reviewer[record.reviewer or "?"] += 1
            count += 1
        stream.write(_head(org, filters, count, by_rating, by_day, by_reviewer))
        stream.write(
            "<table><thead><tr><th>#</th><th>Claim</th><th>Verdict</th><th>Source</th>"
            "<th>Reviewer</th><th>Date</th><th>Article</th></tr></thead><tbody>\n"
        )
        rows.seek(0)
        shutil.copyfileobj(rows, stream)
    stream.write("</tbody></table>\n</body></html>\n")
    return count


def _link(url: str | None, text: str | None = None) -> str:
    if not url:
        return ""
    label = escape(text or url)
    if not url.lower().startswith(("http://", "https://")):
        return label
    return f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer">{label}</a>'


def _history(record: ExportRecord) -> str:
    return f" <em>({escape(record.kind.value)})</em>" if record.kind.is_history else ""


def _row(record: ExportRecord, rating: Rating) -> str:
    article = ""
    if record.article_id is not None:
        title = record.article_title or f"article {record.article_id}"
        article = _link(record.appearance_url, title) if record.appearance_url else escape(title)
    elif record.appearance_url:
        article = _link(record.appearance_url, "where it appeared")
    return (
        f"<tr><td>{record.claim_id}</td><td>{escape(record.claim)}</td>"
        f'<td><span class="tag" style="background:{COLOURS[rating]}">'
        f"{escape(rating.label)}</span>{_history(record)}</td>"
        f"<td>{_link(record.source_url)}</td><td>{escape(record.reviewer or '')}</td>"
        f'<td class="when">{record.created_at.date().isoformat()}</td><td>{article}</td></tr>\n'
    )


def _head(
    org: Organization,
    filters: str,
    count: int,
    by_rating: Counter[Rating],
    by_day: Counter[date],
    by_reviewer: Counter[str],
) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    span = f"{min(by_day).isoformat()} – {max(by_day).isoformat()}" if by_day else "—"
    judged = sum(n for r, n in by_rating.items() if r in {Rating.FALSE, Rating.MISLEADING})
    share = f"{100 * judged / count:.0f}%" if count else "—"
    title = f"{org.name}: fact-check report"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="sub">{_link(org.url, org.name)} · generated {generated}'
        f"{' · filters: ' + escape(filters) if filters else ''}</p>\n"
        '<section class="summary">'
        f"<div><b>{count:,}</b>verdicts</div>"
        f"<div><b>{len(by_reviewer):,}</b>reviewers</div>"
        f"<div><b>{share}</b>false or misleading</div>"
        f"<div><b>{escape(span)}</b>period</div></section>\n"
        '<section class="charts">'
        + _figure("Verdicts by type", _bars(_rating_items(by_rating)))
        + _figure("Verdicts over time", _columns(_timeline(by_day)))
        + _figure("Verdicts by reviewer", _bars(_reviewer_items(by_reviewer)))
        + "</section>\n"
    )


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"


def _rating_items(counts: Counter[Rating]) -> list[tuple[str, int, str]]:
    return [(r.label, counts[r], COLOURS[r]) for r in RATING_ORDER if counts[r]]


def _reviewer_items(counts: Counter[str]) -> list[tuple[str, int, str]]:
    top = counts.most_common(_MAX_REVIEWERS)
    items = [(name, n, "#3d85c6") for name, n in top]
    rest = sum(counts.values()) - sum(n for _, n in top)
    if rest:
        items.append((f"{len(counts) - len(top)} others", rest, "#9fc5e8"))
    return items


def _bars(items: list[tuple[str, int, str]]) -> str:
    """A horizontal bar chart: one labelled bar per item."""
    if not items:
        return "<p>No data.</p>"
    row, label_w, bar_w = 26, 140, 220
    peak = max(n for _, n, _ in items) or 1
    height = row * len(items) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" '
        f'height="{height}" role="img" font-size="13" font-family="sans-serif">'
    ]
    for i, (label, n, colour) in enumerate(items):
        y = i * row + 2
        width = max(1, round(bar_w * n / peak))
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{row - 8}" '
            f'fill="{colour}"><title>{escape(label)}: {n:,}</title></rect>'
            f'<text x="{label_w + width + 5}" y="{y + 16}">{n:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _timeline(by_day: Counter[date]) -> list[tuple[str, int]]:
    """Counts per day, week or month, whichever gives a readable number of columns."""
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    days = (last - first).days
    if days <= 45:
        return [
            ((first + timedelta(d)).isoformat(), by_day.get(first + timedelta(d), 0))
            for d in range(days + 1)
        ]
    if days <= 400:
        weeks: Counter[date] = Counter()
        for day, n in by_day.items():
            weeks[day - timedelta(day.weekday())] += n
        start = first - timedelta(first.weekday())
        return [
            ((start + timedelta(7 * w)).isoformat(), weeks.get(start + timedelta(7 * w), 0))
            for w in range((last - start).days // 7 + 1)
        ]
    months: Counter[tuple[int, int]] = Counter()
    for day, n in by_day.items():
        months[(day.year, day.month)] += n
    result = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        result.append((f"{year}-{month:02d}", months.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def _columns(items: list[tuple[str, int]]) -> str:
    """A column chart over time, first and last period labelled under the axis."""
    if not items:
        return "<p>No data.</p>"
    width, height, pad = 420, 180, 24
    peak = max(n for _, n in items) or 1
    step = (width - 2 * pad) / len(items)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" '
        'role="img" font-size="12" font-family="sans-serif">'
        f'<line x1="{pad}" y1="{height}" x2="{width - pad}" y2="{height}" stroke="#999"/>'
        f'<text x="{pad}" y="14">{peak:,}</text>'
    ]
    for i, (label, n) in enumerate(items):
        bar = (height - 24) * n / peak
        parts.append(
            f'<rect x="{pad + i * step + step * 0.1:.1f}" y="{height - bar:.1f}" '
            f'width="{min(max(step * 0.8, 1), 48):.1f}" height="{bar:.1f}" fill="#3d85c6">'
            f"<title>{escape(label)}: {n:,}</title></rect>"
        )
    parts.append(
        f'<text x="{pad}" y="{height + 18}">{escape(items[0][0])}</text>'
        f'<text x="{width - pad}" y="{height + 18}" text-anchor="end">'
        f"{escape(items[-1][0])}</text></svg>"
    )
    return "".join(parts)
