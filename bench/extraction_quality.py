"""Quality and speed of claim extraction, measured through the command a user runs.

Quality: the CheckThat! 2024 English dev-test and test_gold sentences go, one per line, into
``factdesk extract - --sentences --json --limit 0`` run as a process; a sentence counts as Yes
when it comes back with ``"claim": true``. F1, precision and recall of the Yes class are printed
(CT24 is used for evaluation only; nothing from it is trained on or shipped).

Speed: a 1,000-word wire article (the test fixtures, furniture included) through
``factdesk extract FILE --json``: cold (a fresh process each time, imports and model loading
included) and warm (the same command called again and again in one process).

    .venv/bin/python bench/extraction_quality.py
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CT24 = REPO / ".." / "shared" / "data" / "clef2024_task1_checkworthy_en"
SPLITS = ("dev-test", "test_gold")
FIXTURES = REPO / "tests" / "domain" / "fixtures"
TARGET_WORDS = 1_000
COLD_RUNS = 5
WARM_RUNS = 100
EXTRACT = [sys.executable, "-m", "factdesk", "extract"]
REFERENCES = (
    "references on test_gold: earlier shipped models F1 0.583 (P 0.613, R 0.557), 0.602 (linear "
    "model, character n-grams), 0.623 (its threshold chosen on dev-test); "
    "TF-IDF+LR trained on CT24 train 0.624; CheckThat! 2024 best (fine-tuned LLM) 0.802"
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTDESK_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(REPO)
    return env


def _f1(gold: list[bool], predicted: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    precision = tp / max(sum(predicted), 1)
    recall = tp / max(sum(gold), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f1, precision, recall


def _claims_through_the_command(texts: list[str]) -> list[bool]:
    """Which lines ``factdesk extract - --sentences --json --limit 0`` offers as claims."""
    lines = [" ".join(text.split()) or "." for text in texts]
    completed = subprocess.run(
        [*EXTRACT, "-", "--sentences", "--json", "--limit", "0"],
        input="\n".join(lines).encode("utf-8"),
        capture_output=True,
        env=_env(),
        check=True,
    )
    offered = [False] * len(lines)
    for row in map(json.loads, completed.stdout.decode("utf-8").splitlines()):
        offered[int(row["line"]) - 1] = bool(row["claim"])
    return offered


def quality_table() -> None:
    if not CT24.is_dir():
        print(f"Skipping CT24 quality: the evaluation data is not at {CT24.resolve()}")
        return
    print("CheckThat! 2024 English, class Yes, through `factdesk extract - --sentences --json`")
    print(f"{'split':<10} {'n':>5} {'F1':>6} {'P':>6} {'R':>6}")
    for split in SPLITS:
        path = CT24 / f"CT24_checkworthy_english_{split}.tsv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        gold = [row["class_label"] == "Yes" for row in rows]
        predicted = _claims_through_the_command([row["Text"] for row in rows])
        f1, precision, recall = _f1(gold, predicted)
        print(f"{split:<10} {len(rows):>5} {f1:>6.3f} {precision:>6.3f} {recall:>6.3f}")
    print(REFERENCES)


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


def _warm_runs(path: Path) -> list[float]:
    """The command called again and again in this process (parsing its arguments, reading its
    settings and the file, extracting, printing JSON), after a first call has loaded everything."""
    import typer

    from factdesk.cli import app

    command = typer.main.get_command(app)
    timings: list[float] = []
    for _ in range(WARM_RUNS + 1):
        sink = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            command.main(["extract", str(path), "--json"], standalone_mode=False)
        timings.append((time.perf_counter() - started) * 1000)
    return timings[1:]


def timing_table() -> None:
    article = _thousand_word_article()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_text(article, encoding="utf-8")
        cold: list[float] = []
        for _ in range(COLD_RUNS):
            started = time.perf_counter()
            subprocess.run(
                [*EXTRACT, str(path), "--json"], capture_output=True, env=_env(), check=True
            )
            cold.append((time.perf_counter() - started) * 1000)
        warm = sorted(_warm_runs(path))
    p95 = warm[int(0.95 * (len(warm) - 1))]
    n_words = len(article.split())
    print(f"\n`factdesk extract FILE --json` on a {n_words}-word article (target < 50 ms warm)")
    print(f"{'cold (fresh process), median':<30} {statistics.median(cold):>8.1f} ms")
    print(f"{'warm (same process), mean':<30} {statistics.fmean(warm):>8.1f} ms")
    print(f"{'warm p95':<30} {p95:>8.1f} ms")


def main() -> None:
    quality_table()
    timing_table()


if __name__ == "__main__":
    main()
