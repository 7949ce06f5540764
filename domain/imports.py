"""Importing another desk's archive of fact-checks, so that matching knows it from day one.

Reading and checking files is `domain.import_files`. Each good row becomes a claim without an
article and a verdict of kind ``import``; a row whose key is already stored is a duplicate, so
importing a file twice adds nothing. Bad rows are rejected with their line number (CSV) or record
number (JSON) and the good ones are kept.

Large files are a pipeline: worker processes prepare chunks (parse, check, normalise the claim
text, write a scratch file) while this process loads the chunks already prepared, each in a
transaction of its own. Preparing is the costly part and runs in parallel; loading is one writer
and stays cheap. An interrupted import is finished by running it again. Imported verdicts reach
the matcher on its next refresh, which picks up new verdicts by id.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path

from sqlalchemy.engine import Engine

from db import archive_queries
from domain.import_files import (
    Chunk,
    ImportFileError,
    ImportSource,
    PreparedChunk,
    Rejection,
    prepare_chunk,
    read_import_file,
)

__all__ = [
    "ImportFileError",
    "ImportService",
    "ImportSummary",
    "Rejection",
    "read_import_file",
]

# Below this many records, starting worker processes costs more than it saves.
_POOL_MIN_RECORDS = 20_000


@dataclass
class ImportSummary:
    added: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    unknown_verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.added + self.duplicates + len(self.rejected)


class ImportService:
    """Prepares chunks of a file (in worker processes when it is large) and loads them in order."""

    def __init__(
        self, engine: Engine, *, chunk_size: int = 10_000, workers: int | None = None
    ) -> None:
        self._engine = engine
        self._chunk_size = chunk_size
        self._workers = workers if workers is not None else min(os.cpu_count() or 1, 4)

    def import_source(
        self, source: ImportSource, *, progress: Callable[[int], None] | None = None
    ) -> ImportSummary:
        """Import every record of the file; `progress` hears how many records each step took."""
        summary = ImportSummary()
        imported_at = datetime.now(UTC)
        parallel = self._workers > 1 and source.total >= _POOL_MIN_RECORDS
        with (
            tempfile.TemporaryDirectory(prefix="factdesk-import-") as scratch,
            _executor(self._workers if parallel else 0) as executor,
        ):
            paths = (str(Path(scratch) / f"chunk-{n}.db") for n in count())
            chunks = source.chunks(self._chunk_size)
            for prepared in _in_order(executor, chunks, paths, imported_at, ahead=self._workers):
                self._load(prepared, summary)
                if progress is not None:
                    progress(prepared.records)
        archive_queries.finish_load(self._engine)
        return summary

    def _load(self, prepared: PreparedChunk, summary: ImportSummary) -> None:
        added = archive_queries.load_staged(self._engine, prepared.path)
        Path(prepared.path).unlink()
        summary.added += added
        summary.duplicates += prepared.duplicates + prepared.rows - added
        summary.rejected.extend(prepared.rejected)
        summary.unknown_verdicts.update(
            r.unknown_verdict for r in prepared.rejected if r.unknown_verdict is not None
        )


def _in_order(
    executor: Executor | None,
    chunks: Iterator[Chunk],
    paths: Iterator[str],
    imported_at: datetime,
    *,
    ahead: int,
) -> Iterator[PreparedChunk]:
    """Prepared chunks in file order, keeping up to `ahead` + 1 in preparation meanwhile."""
    if executor is None:
        for chunk, path in zip(chunks, paths, strict=False):
            yield prepare_chunk(chunk, path, imported_at)
        return
    pending: deque[Future[PreparedChunk]] = deque()
    for chunk, path in zip(chunks, paths, strict=False):
        pending.append(executor.submit(prepare_chunk, chunk, path, imported_at))
        if len(pending) > ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@contextmanager
def _executor(workers: int) -> Iterator[Executor | None]:
    """Worker processes forked from a fresh server that has loaded only the preparing code:
    cheap to start, and safe beside threads in this process (which a plain fork is not)."""
    if workers < 1:
        yield None
        return
    context: BaseContext = get_context("spawn")  # Windows has no forkserver
    if "forkserver" in get_all_start_methods():
        server = get_context("forkserver")
        server.set_forkserver_preload(["domain.import_files"])
        context = server
    executor = ProcessPoolExecutor(workers, mp_context=context)
    try:
        yield executor
    finally:
        executor.shutdown(cancel_futures=True)
