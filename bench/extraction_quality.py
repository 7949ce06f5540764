"""Quality and speed of claim extraction.

Prints F1/P/R of the "Yes" class on CheckThat! 2024 (English) dev-test and test_gold, scored with
the shipped check-worthiness model at its shipped threshold (CT24 is used for evaluation only),
then the time to extract claims from a 1,000-word wire article (mean and p95).

    .venv/bin/python bench/extraction_quality.py
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from domain.checkworthiness import load_model, score  # noqa: E402
from domain.extraction import extract_claims  # noqa: E402

CT24 = REPO / ".." / "shared" / "data" / "clef2024_task1_checkworthy_en"
SPLITS = ("dev-test", "test_gold")
FIXTURES = REPO / "tests" / "domain" / "fixtures"
TARGET_WORDS = 1_000
RUNS = 200
REFERENCE = "reference TF-IDF+LR on test_gold: F1 0.624 (P 0.592, R 0.659)"


def _f1(gold: list[bool], predicted: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    precision = tp / max(sum(predicted), 1)
    recall = tp / max(sum(gold), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f1, precision, recall


def quality_table() -> None:
    if not CT24.is_dir():
        print(f"Skipping CT24 quality: data folder not found at {CT24.resolve()}")
        return
    threshold = load_model().threshold
    print(f"CheckThat! 2024 English, class Yes, threshold {threshold:.2f}")
    print(f"{'split':<10} {'n':>5} {'F1':>6} {'P':>6} {'R':>6}")
    for split in SPLITS:
        path = CT24 / f"CT24_checkworthy_english_{split}.tsv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        gold = [row["class_label"] == "Yes" for row in rows]
        predicted = [score(row["Text"]) >= threshold for row in rows]
        f1, precision, recall = _f1(gold, predicted)
        print(f"{split:<10} {len(rows):>5} {f1:>6.3f} {precision:>6.3f} {recall:>6.3f}")
    print(REFERENCE)


def _thousand_word_article() -> str:
    """Fixture articles, furniture included, concatenated and cut at about 1,000 words."""
    paragraphs: list[str] = []
    words = 0
    sources = sorted(FIXTURES.glob("*.txt"))
    while words < TARGET_WORDS:
        for source in sources:
            for line in source.read_text(encoding="utf-8").splitlines():
                paragraphs.append(line)
                words += len(line.split())
                if words >= TARGET_WORDS:
                    return "\n".join(paragraphs)
    return "\n".join(paragraphs)


def timing_table() -> None:
    article = _thousand_word_article()
    started = time.perf_counter()
    extract_claims(article)
    first = (time.perf_counter() - started) * 1000
    timings: list[float] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        extract_claims(article)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    n_words = len(article.split())
    print(f"\nExtraction of a {n_words}-word article over {RUNS} runs (target < 50 ms)")
    print(f"{'first call (lazy loads)':<26} {first:>8.2f} ms")
    print(f"{'mean':<26} {statistics.fmean(timings):>8.2f} ms")
    print(f"{'p95':<26} {p95:>8.2f} ms")
    huge = (article + "\n") * (5_000_000 // len(article))
    started = time.perf_counter()
    extract_claims(huge)
    print(f"{'5 MB paste (capped)':<26} {(time.perf_counter() - started) * 1000:>8.2f} ms")


def main() -> None:
    quality_table()
    timing_table()


if __name__ == "__main__":
    main()
