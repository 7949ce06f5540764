"""Speed of exports and of the archive import: 100,000 verdicts each way.

    .venv/bin/python bench/reports.py [--rows 100000] [--database-url URL]

Imports a generated 100,000-row CSV into a fresh database (timed), then exports every verdict in
every format (each timed), and prints a table of times and peak memory. Each step runs in a child
process of its own, so its peak RSS is its own: flat memory means an export's peak does not grow
with the number of rows. With the default SQLite file it also times the `factdesk import` command
as a desk runs it, from start to exit, and, when ``<repo>/../shared/data`` holds the CheckThat! 2021
PolitiFact claims, an import of real claim texts (longer than the generated ones, so normalising
them costs more). Targets on a 2-core machine: import < 3 s, each export < 5 s.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import queue
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLITIFACT = REPO.parent / "shared/data/clef2021_task2b_debates_politifact/politifact_vclaims.jsonl"
sys.path.insert(0, str(REPO))

TOPICS = ("jobs", "unemployment", "inflation", "rents", "wages", "taxes", "crime", "exports")
PLACES = ("Texas", "Ohio", "Germany", "France", "Kenya", "Brazil", "India", "Japan")
VERDICTS = ("True", "Mostly-True", "half-true", "pants-fire", "False", "Unproven")
CHECKERS = ("PolitiFact", "Snopes", "AFP", "Full Fact", "Maldita")


def write_archive(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["claim", "verdict", "source", "date", "reviewer", "url"])
        for i in range(rows):
            writer.writerow(
                [
                    f"{rng.choice(PLACES)} {rng.choice(TOPICS)} rose {i % 97}% in "
                    f"{2000 + i % 25}, the minister said in speech {i}",
                    rng.choice(VERDICTS),
                    f"https://factcheck.example/{i}",
                    f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    rng.choice(CHECKERS),
                    f"https://news.example/{i // 10}" if i % 3 else "",
                ]
            )


def write_politifact_archive(path: Path, rows: int) -> None:
    """`rows` rows of real PolitiFact claims with their ratings; the 19,250 claims come round again
    with a marker appended, so that every row is new. Flip-o-meter words are left in: rejected."""
    import json

    with POLITIFACT.open(encoding="utf-8") as stream:
        checks = [json.loads(line) for line in stream]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["claim", "verdict", "source", "reviewer"])
        for i in range(rows):
            check, again = checks[i % len(checks)], i // len(checks)
            claim = check["vclaim"] + (f" (round {again})" if again else "")
            source = f"https://www.politifact.com{check['url']}?round={again}"
            writer.writerow([claim, check["truth_label"], source, "PolitiFact"])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import(url: str, path: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from db.engine import make_engine
    from db.uow import Database
    from services.imports import ImportService, read_import_file

    engine = make_engine(url)
    started = time.perf_counter()
    summary = ImportService(Database(engine)).import_source(read_import_file(Path(path)))
    elapsed = time.perf_counter() - started
    out.put((f"import {summary.added:,} rows", elapsed, _peak_mb(), Path(path).stat().st_size))


def _export(url: str, fmt: str, target: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from db.engine import make_engine
    from db.uow import Database
    from domain.reports import Organization, build_request
    from services.reports import ReportService

    reports = ReportService(
        Database(make_engine(url)), Organization("Bench Desk", "https://bench.example")
    )
    started = time.perf_counter()
    with open(target, "w", encoding="utf-8", newline="") as stream:
        count = reports.export(build_request(fmt=fmt), stream)
    elapsed = time.perf_counter() - started
    out.put((f"export {fmt} ({count:,})", elapsed, _peak_mb(), Path(target).stat().st_size))


def _baseline(out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import db.engine
    import domain.reports
    import services.imports

    assert db.engine and services.imports and domain.reports  # the libraries every step loads

    out.put(("(interpreter + imports)", 0.0, _peak_mb(), 0))


def _step(target: Callable[..., None], *args: object) -> tuple[str, float, float, int]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=target, args=(*args, out))
    process.start()
    while process.is_alive() or not out.empty():
        try:
            result: tuple[str, float, float, int] = out.get(timeout=1)
        except queue.Empty:
            continue
        process.join()
        return result
    raise SystemExit(f"{target.__name__} failed (exit code {process.exitcode}); see above")


def _command_import(url: str, archive: Path) -> tuple[str, float, float, int]:
    """`factdesk import FILE` as a whole: interpreter start, schema, import, final checkpoint."""
    from db.migrate import upgrade

    upgrade(url)
    command = [str(Path(sys.executable).with_name("factdesk")), "import", str(archive)]
    environment = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return ("factdesk import (command)", elapsed, peak, archive.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="an EMPTY database (default: a fresh SQLite file)")
    args = parser.parse_args()

    from db.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="factdesk-bench-") as directory:
        work = Path(directory)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        upgrade(url)
        archive = work / "archive.csv"
        write_archive(archive, args.rows)
        results = [_step(_baseline), _step(_import, url, str(archive))]
        for fmt in ("csv", "json", "claimreview", "html"):
            results.append(_step(_export, url, fmt, str(work / f"export.{fmt}")))
        if args.database_url is None:  # the command as a desk runs it, into another fresh file
            results.append(_command_import(f"sqlite:///{work / 'command.db'}", archive))
            if POLITIFACT.exists():
                real = work / "politifact.csv"
                write_politifact_archive(real, args.rows)
                real_url = f"sqlite:///{work / 'politifact.db'}"
                upgrade(real_url)
                name, seconds, peak, size = _step(_import, real_url, str(real))
                results.append((name.replace("import", "import PolitiFact"), seconds, peak, size))

    print(f"{'step':<34} {'seconds':>8} {'peak RSS MB':>12} {'file MB':>8}  target")
    for name, seconds, peak, size in results:
        target = "< 3 s" if "import " in name else "< 5 s" if "export" in name else ""
        print(f"{name:<34} {seconds:>8.2f} {peak:>12.0f} {size / 1e6:>8.1f}  {target}")


if __name__ == "__main__":
    main()
