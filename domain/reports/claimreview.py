"""schema.org ClaimReview JSON-LD: one self-contained object per claim's final verdict.

The output is a JSON array; each element carries its own ``@context`` so a website can embed any
one of them in a page's ``<script type="application/ld+json">`` as it is.

Verdicts become numbers on a 1–5 scale (``worstRating`` 1, ``bestRating`` 5), with the verdict's
label as ``alternateName``, which Google shows to readers:

============  ===========
verdict       ratingValue
============  ===========
False         1
Misleading    2
Unverifiable  3 (neither true nor false: the middle of the scale)
Mostly true   4
True          5
============  ===========

"Not a claim" is not a review of a claim, so it is left out. ``url`` (the page of the fact-check)
is the reviewer's source link; a verdict without one points at the desk's site with the claim's
id as a fragment. ``author`` is the desk (FACTDESK_ORG_NAME / FACTDESK_ORG_URL); verdicts imported
from another fact-checker keep that fact-checker as their author.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from domain.reports.records import ExportRecord
from domain.verdicts import Rating

WORST_RATING = 1
BEST_RATING = 5
RATING_VALUES: dict[Rating, int] = {
    Rating.FALSE: 1,
    Rating.MISLEADING: 2,
    Rating.UNVERIFIABLE: 3,
    Rating.MOSTLY_TRUE: 4,
    Rating.TRUE: 5,
}


@dataclass(frozen=True, slots=True)
class Organization:
    """The desk as the author of its fact-checks."""

    name: str
    url: str


def claimreview_object(record: ExportRecord, org: Organization) -> dict[str, Any] | None:
    """The ClaimReview for one verdict, or None for a verdict that is not a review (Not a claim)."""
    rating = Rating(record.rating)
    if rating not in RATING_VALUES:
        return None
    if record.kind == "import" and record.reviewer:
        author: dict[str, Any] = {"@type": "Organization", "name": record.reviewer}
    else:
        author = {"@type": "Organization", "name": org.name, "url": org.url}
    item: dict[str, Any] = {"@type": "Claim"}
    if record.appearance_url:
        item["appearance"] = {"@type": "CreativeWork", "url": record.appearance_url}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": record.source_url or f"{org.url.rstrip('/')}/#claim-{record.claim_id}",
        "claimReviewed": record.claim,
        "datePublished": record.created_at.date().isoformat(),
        "author": author,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_VALUES[rating],
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": rating.label,
        },
        "itemReviewed": item,
    }


def write_claimreview(records: Iterable[ExportRecord], stream: TextIO, org: Organization) -> int:
    """A JSON array of ClaimReview objects, written one at a time; returns how many."""
    count = 0
    stream.write("[")
    for record in records:
        review = claimreview_object(record, org)
        if review is None:
            continue
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(review, ensure_ascii=False))
        count += 1
    stream.write("\n]\n")
    return count
