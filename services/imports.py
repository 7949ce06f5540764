"""Importing another desk's archive of fact-checks, so that matching knows it from day one.

Reading and checking files is `domain.import_files`. Each good row becomes a claim without an
article and a verdict of kind ``import``; a row whose key is already stored is a duplicate, so
importing a file twice adds nothing. Bad rows are rejected with their line number (CSV) or record
number (JSON) and the good ones are kept.

Large files are a pipeline: worker processes prepare chunks (parse, check, normalise the claim
text, write a scratch file; `services.import_workers`) while this process loads the chunks already
prepared, each in a transaction of its own. Preparing is the costly part and runs in parallel;
loading is one writer and stays cheap. An interrupted import is finished by running it again.
Imported verdicts reach the matcher on its next refresh.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from db import imports as loaders
from db.uow import Database
from domain.import_files import (
    ImportFileError,
    ImportSource,
    Rejection,
    read_import_file,
)
from services.import_workers import DEFAULT_CHUNK_SIZE, ChunkPreparation, PreparedChunk

__all__ = [
    "ImportFileError",
    "ImportService",
    "ImportSummary",
    "Rejection",
    "read_import_file",
]


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
    """Loads a file's prepared chunks (`services.import_workers`) in file order, one writer."""

    def __init__(
        self, db: Database, *, chunk_size: int = DEFAULT_CHUNK_SIZE, workers: int | None = None
    ) -> None:
        self._engine = db.engine
        self._chunk_size = chunk_size
        self._workers = workers

    def import_source(
        self, source: ImportSource, *, progress: Callable[[int], None] | None = None
    ) -> ImportSummary:
        """Import every record of the file; `progress` hears how many records each step took."""
        with ChunkPreparation(
            source, chunk_size=self._chunk_size, workers=self._workers
        ) as prepared:
            return self.load(prepared, progress=progress)

    def load(
        self, prepared: Iterable[PreparedChunk], *, progress: Callable[[int], None] | None = None
    ) -> ImportSummary:
        """Load chunks already in preparation (the command starts preparing before it needs
        the database); each chunk is a transaction of its own."""
        summary = ImportSummary()
        for chunk in prepared:
            self._load(chunk, summary)
            if progress is not None:
                progress(chunk.records)
        loaders.finish_load(self._engine)
        return summary

    def _load(self, prepared: PreparedChunk, summary: ImportSummary) -> None:
        added = loaders.load_staged(self._engine, prepared.path)
        Path(prepared.path).unlink()
        summary.added += added
        summary.duplicates += prepared.duplicates + prepared.rows - added
        summary.rejected.extend(prepared.rejected)
        summary.unknown_verdicts.update(
            r.unknown_verdict for r in prepared.rejected if r.unknown_verdict is not None
        )
