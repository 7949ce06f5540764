"""Preparing the chunks of an import file ahead of the writer, in worker processes when it pays.

This module is light on purpose (no database layer): the `factdesk import` command starts the
workers on the file first and only then loads SQLAlchemy and checks the schema, so those half
seconds of start-up are spent preparing rows. Loading the prepared chunks is `domain.imports`.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import UTC, datetime
from itertools import count
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from types import TracebackType

from domain.import_files import ImportSource, PreparedChunk, prepare_chunk

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
