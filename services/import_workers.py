"""Preparing the chunks of an import file ahead of the writer, in worker processes when it pays.

This module is light on purpose (no SQLAlchemy; only the scratch-file writer `db.staging`): the
`factdesk import` command starts the workers on the file first and only then loads SQLAlchemy and
checks the schema, so those half seconds of start-up are spent preparing rows. Loading the
prepared chunks is `services.imports`.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from types import TracebackType

from db.staging import StagedRow, sqlite_timestamp, write_staged
from domain.import_files import Chunk, ImportRow, ImportSource, Rejection, chunk_rows
from domain.normalize import normalize_claim


@dataclass(slots=True)
class PreparedChunk:
    """What preparing a chunk found; its good rows wait in the scratch file at `path`."""

    path: str
    records: int = 0
    rows: int = 0
    duplicates: int = 0  # repeated within the chunk (repeats across chunks are found on loading)
    rejected: list[Rejection] = field(default_factory=list)


def prepare_chunk(chunk: Chunk, path: str, imported_at: datetime) -> PreparedChunk:
    """Check, deduplicate and normalise a chunk's records and write the good rows to `path`.

    Rows without a date are dated `imported_at`. Runs in a worker process for large imports.
    """
    prepared = PreparedChunk(path)
    rows: dict[str, ImportRow] = {}
    for item in chunk_rows(chunk):
        prepared.records += 1
        if isinstance(item, Rejection):
            prepared.rejected.append(item)
        elif item.key in rows:
            prepared.duplicates += 1
        else:
            rows[item.key] = item
    prepared.rows = len(rows)
    write_staged(
        path,
        (
            StagedRow(
                row.claim,
                normalize_claim(row.claim),
                row.rating,
                row.source_url,
                row.reviewer,
                row.appearance_url,
                sqlite_timestamp(row.reviewed_at or imported_at),
                row.key,
            )
            for row in rows.values()
        ),
    )
    return prepared


DEFAULT_CHUNK_SIZE = 10_000
# Below this many records, starting worker processes costs more than it saves.
_POOL_MIN_RECORDS = 20_000


def default_workers() -> int:
    return min(os.cpu_count() or 1, 4)


class ChunkPreparation:
    """The chunks of a file, prepared (checked, normalised, staged in scratch files) in file order.

    Entering starts the work: up to `workers` + 1 chunks are in preparation at any time, so memory
    stays flat however large the file. Iterating yields each chunk once it is ready; the caller
    loads it and then deletes its scratch file. Leaving stops the workers and removes the
    scratch directory, whether or not every chunk was taken.
    """

    def __init__(
        self,
        source: ImportSource,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        workers: int | None = None,
    ) -> None:
        self.source = source
        self.imported_at = datetime.now(UTC)  # the date of rows that bring none
        self._chunks = source.chunks(chunk_size)
        workers = default_workers() if workers is None else workers
        self._workers = workers if workers > 1 and source.total >= _POOL_MIN_RECORDS else 0
        self._pending: deque[Future[PreparedChunk]] = deque()
        self._executor: Executor | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._paths: Iterator[str] = iter(())

    def __enter__(self) -> ChunkPreparation:
        self._scratch = tempfile.TemporaryDirectory(prefix="factdesk-import-")
        self._paths = (str(Path(self._scratch.name) / f"chunk-{n}.db") for n in count())
        if self._workers:
            self._executor = _process_pool(self._workers)
            self._submit(self._workers + 1)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
        if self._scratch is not None:
            self._scratch.cleanup()

    def __iter__(self) -> Iterator[PreparedChunk]:
        if self._scratch is None:
            raise RuntimeError("ChunkPreparation prepares inside a with block only")
        if self._executor is None:
            for chunk, path in zip(self._chunks, self._paths, strict=False):
                yield prepare_chunk(chunk, path, self.imported_at)
            return
        while self._pending:
            ready = self._pending.popleft().result()
            self._submit(1)
            yield ready

    def _submit(self, chunks: int) -> None:
        assert self._executor is not None
        for chunk, path in zip(self._chunks, self._paths, strict=False):
            self._pending.append(
                self._executor.submit(prepare_chunk, chunk, path, self.imported_at)
            )
            chunks -= 1
            if chunks == 0:
                return


def _process_pool(workers: int) -> Executor:
    """Worker processes forked from a fresh server that has loaded only the preparing code:
    cheap to start, and safe beside threads in this process (which a plain fork is not)."""
    context: BaseContext = get_context("spawn")  # Windows has no forkserver
    if "forkserver" in get_all_start_methods():
        server = get_context("forkserver")
        server.set_forkserver_preload(["domain.import_workers"])
        context = server
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_ctrl_c)


def _ignore_ctrl_c() -> None:
    """Ctrl-C reaches the workers too; the writer answers it and stops them, so they stay quiet
    instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
