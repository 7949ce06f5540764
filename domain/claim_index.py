"""The persistent search index of archived claims: words (tantivy BM25) and meaning (embeddings).

Why this shape:

* **Lexical**: tantivy, an embedded Rust search engine, with its English stemming analyser over
  the claim's ``normalize_claim`` form (so "8,000" and "8k" are one term). It answers BM25 top-k
  in milliseconds at a million claims, persists in a folder and opens in milliseconds.
* **Semantic**: one float16 row per claim in a memory-mapped matrix (``vectors.f16``; the exact
  cosine of any candidate costs microseconds and no RAM until read), and a usearch HNSW graph over
  int8 copies of those rows (``ann.usearch``) to find claims that share no word with the query.
  The graph is memory-mapped too; claims added since it was last written sit in a small graph in
  memory until the next :meth:`HybridIndex.commit` folds them in.
* Claims are upserted and removed by claim id; nothing here ever re-reads the archive. A removed
  or replaced claim's matrix row is marked dead (its slot's claim id becomes -1) and skipped.
* ``state.json`` (written last, atomically) records the format, the model and whatever the caller
  wants to persist with the index (the archive keeps its verdict watermark there). An index whose
  state is missing, unreadable or for another model is :class:`IndexUnusable`; the caller rebuilds.

Embeddings may lag: a large import indexes words first and fills vectors in the background
(:meth:`HybridIndex.missing_vectors`, :meth:`HybridIndex.set_vectors`). Until a claim has its
vector, only BM25 finds it and its cosine is ``None``.

This module is pure: it knows nothing of the database. One process writes a folder at a time
(tantivy's writer lock); :meth:`HybridIndex.open` with ``writable=False`` opens it for reading.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tantivy

from domain.embedding import DIMENSIONS, MODEL_NAME, Vectors, load_onnxruntime
from domain.matching import STOPWORDS

# onnxruntime must be loaded before usearch: the other order crashes the process when the encoder
# starts (onnxruntime 1.32 / usearch 2.26). Loading it here fixes the order for every process,
# since this module is the only one that imports usearch.
load_onnxruntime()
from usearch.index import Index as AnnIndex  # noqa: E402

__all__ = ["Candidate", "HybridIndex", "IndexLocked", "IndexUnusable", "query_terms"]

FORMAT = 2
_STATE = "state.json"
_LEXICAL = "lexical"
_VECTORS = "vectors.f16"
_SLOTS = "slots.i64"
_ANN = "ann-{start}-{end}.usearch"
# Rows added to the matrix file at a time (it grows in steps, not per claim).
_GROW = 65_536
# Vectors in the in-memory graph from which commit() writes it out as a graph segment (fewer are
# simply added again when the index is next opened: a fraction of a second).
_SEGMENT_MIN = 256
# Segments beyond which commit() merges them all into one.
_MAX_SEGMENTS = 12
_WRITER_HEAP = 200_000_000

# Words that carry no topic are dropped from the BM25 query (not from the index), so that a query
# does not walk the postings of "the" across a million claims.
_QUERY_STOPWORDS = STOPWORDS
# Likewise a query word found in more than this share of the archived claims (once the archive is
# large): its IDF is below ln 10, so it barely moves the ranking, but scoring its postings was
# most of a query's time on a templated archive (4.4 ms -> 1.2 ms at 1,000,000 claims). MAP@5 of
# BM25 on CheckThat! claim text: unchanged on CT2020-2, +0.005 on CT2021-2B.
_COMMON_SHARE = 0.1
_COMMON_FROM = 10_000
# The analyser of the "body" field (tantivy's built-in "en_stem"), to ask for a word's frequency.
_EN_STEM = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)


class IndexUnusable(Exception):
    """The index folder is missing, damaged, or was built by another format or model."""


class IndexLocked(Exception):
    """Another process writes this index folder; open it with ``writable=False``."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An archived claim retrieved for a query, with the evidence for ranking it."""

    claim_id: int
    lexical: float  # BM25 score / the query's best BM25 score (0 when BM25 did not retrieve it)
    cosine: float | None  # cosine of the two embeddings; None while the claim has no vector

    def fused(self, cosine: float | None = None) -> float:
        """The ranking score: mostly meaning, some wording (0.2 BM25/max + 0.8 cosine).

        Weights from the issue's measurement on CheckThat! claim text, confirmed by
        ``bench/matching_quality.py``. Without a vector the lexical score stands alone.
        """
        cos = self.cosine if cosine is None else cosine
        if cos is None:
            return self.lexical
        return 0.2 * self.lexical + 0.8 * cos


def query_terms(normalized: str) -> str:
    """The BM25 query for a normalised claim: its words without stop words, syntax-free."""
    words = [w for w in normalized.split() if w not in _QUERY_STOPWORDS and w.isalnum()]
    return " ".join(words or normalized.split())


def _without_common(terms: str, searcher: tantivy.Searcher) -> str:
    """The query's words without those found in more than ``_COMMON_SHARE`` of a large archive
    (all of them when every word is that common)."""
    if searcher.num_docs < _COMMON_FROM:
        return terms
    limit = _COMMON_SHARE * searcher.num_docs

    def common(word: str) -> bool:
        stems = _EN_STEM.analyze(word)
        return bool(stems) and all(searcher.doc_freq("body", stem) > limit for stem in stems)

    kept = [word for word in terms.split() if not common(word)]
    return " ".join(kept) if kept else terms


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("claim_id", stored=False, indexed=True, fast=True)
    builder.add_text_field("body", stored=False, tokenizer_name="en_stem")
    return builder.build()


class HybridIndex:
    """BM25 + embeddings over archived claims, in a folder (or in memory with ``folder=None``)."""

    def __init__(
        self,
        folder: Path | None,
        lexical: tantivy.Index,
        *,
        writable: bool,
        meta: dict[str, Any],
    ) -> None:
        self.folder = folder
        self.writable = writable
        self.meta: dict[str, Any] = meta
        self._lexical = lexical
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.RLock()
        # tantivy's writer serves one call at a time; taken before ``_lock`` wherever both are.
        self._writing = threading.Lock()
        self._slots = np.zeros(0, dtype=np.int64)  # slot -> claim id, -1 when dead
        self._used = 0  # slots in use (the rest of the arrays is spare room)
        self._matrix: np.ndarray[Any, np.dtype[np.float16]] = np.zeros(
            (0, DIMENSIONS), dtype=np.float16
        )
        self._slot_of: dict[int, int] = {}
        # Persistent graph segments, memory-mapped: (first slot, end slot, graph). Slots from the
        # last segment's end on are in the in-memory graph.
        self._segments: list[tuple[int, int, AnnIndex]] = []
        self._ann_delta = AnnIndex(ndim=DIMENSIONS, metric="cos", dtype="i8")
        self._dirty_vectors = False

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path | None) -> HybridIndex:
        """A new empty index; an existing folder is wiped first."""
        if folder is not None:
            if folder.exists():
                shutil.rmtree(folder)
            (folder / _LEXICAL).mkdir(parents=True)
            lexical = tantivy.Index(_schema(), path=str(folder / _LEXICAL), reuse=False)
        else:
            lexical = tantivy.Index(_schema())
        index = cls(folder, lexical, writable=True, meta={})
        index.commit()
        return index

    @classmethod
    def open(cls, folder: Path, *, writable: bool = True) -> HybridIndex:
        """Open an index folder written by :meth:`commit`.

        :class:`IndexLocked` when another process writes it (checked first, so that a folder
        being written is never judged damaged and rebuilt under its writer);
        :class:`IndexUnusable` when it is missing, damaged or outdated.
        """
        try:
            lexical = tantivy.Index.open(str(folder / _LEXICAL))
        except (OSError, ValueError, RuntimeError) as error:
            raise IndexUnusable(f"{folder} has no readable word index: {error}") from None
        writer: tantivy.IndexWriter | None = None
        if writable:
            try:
                writer = lexical.writer(heap_size=_WRITER_HEAP, num_threads=1)
            except ValueError as error:
                if "Lock" in str(error):
                    raise IndexLocked(str(folder)) from None
                raise IndexUnusable(f"{folder}: {error}") from None
        try:
            state = json.loads((folder / _STATE).read_text(encoding="utf-8"))
            if state.get("format") != FORMAT or state.get("model") != MODEL_NAME:
                raise ValueError("built by another format or model")
            lexical.reload()
            if lexical.searcher().num_docs != state.get("documents"):
                raise ValueError("the word index and its state disagree")
            index = cls(folder, lexical, writable=writable, meta=dict(state.get("meta", {})))
            index._writer = writer
            segments = [(int(a), int(b)) for a, b in state.get("segments", [])]
            index._load_vectors(int(state.get("slots", 0)), segments)
        except (OSError, ValueError, RuntimeError) as error:
            del writer  # releases the lock before the caller rebuilds
            raise IndexUnusable(f"{folder}: {error}") from None
        return index

    def _load_vectors(self, used: int, segments: list[tuple[int, int]]) -> None:
        assert self.folder is not None
        if used:
            slots = np.fromfile(self.folder / _SLOTS, dtype=np.int64)
            if len(slots) < used:
                raise ValueError("slot table shorter than its state says")
            capacity = len(slots)
            matrix = np.memmap(
                self.folder / _VECTORS,
                dtype=np.float16,
                mode="r+" if self.writable else "r",
                shape=(capacity, DIMENSIONS),
            )
            self._slots = slots
            self._matrix = matrix
            self._used = used
            live = slots[:used]
            ids = np.flatnonzero(live >= 0)
            self._slot_of = dict(zip(live[ids].tolist(), ids.tolist(), strict=True))
        for start, end in segments:
            graph = AnnIndex.restore(
                str(self.folder / _ANN.format(start=start, end=end)), view=True
            )
            if graph is None:
                raise ValueError("a graph segment cannot be read")
            self._segments.append((start, end, graph))
        covered = segments[-1][1] if segments else 0
        for start in range(covered, used, 4096):
            self._add_to_delta(range(start, min(used, start + 4096)))

    # -- writing ------------------------------------------------------------------------------

    def _writer_now(self) -> tantivy.IndexWriter:
        if not self.writable:
            raise RuntimeError("this index was opened for reading only")
        if self._writer is None:
            self._writer = self._lexical.writer(heap_size=_WRITER_HEAP, num_threads=1)
        return self._writer

    def upsert(
        self,
        items: Sequence[tuple[int, str]],
        vectors: Vectors | None = None,
        *,
        fresh: bool = False,
    ) -> None:
        """Index ``(claim_id, normalized_text)`` pairs, replacing earlier text with those ids.

        ``vectors`` (one row per item, unit length) is optional: without it the claims are found
        by their words until :meth:`set_vectors` gives them meaning. A claim's text never
        changes, so a claim upserted again without vectors keeps the vector it has.
        """
        with self._writing, self._lock:
            writer = self._writer_now()
            for claim_id, normalized in items:
                if not fresh:  # ``fresh``: the caller knows these ids are not indexed yet
                    writer.delete_documents_by_term("claim_id", claim_id)
                doc = tantivy.Document()
                doc.add_integer("claim_id", claim_id)
                doc.add_text("body", normalized)
                writer.add_document(doc)
            if vectors is not None:
                self.set_vectors([claim_id for claim_id, _ in items], vectors)

    def remove(self, claim_ids: Iterable[int]) -> None:
        """Forget claims (a retracted or disputed verdict); unknown ids are ignored."""
        with self._writing, self._lock:
            writer = self._writer_now()
            ids = list(claim_ids)
            for claim_id in ids:
                writer.delete_documents_by_term("claim_id", claim_id)
            self._kill(ids)

    def set_vectors(self, claim_ids: Sequence[int], vectors: Vectors) -> None:
        """Give claims their embeddings (replacing any they had)."""
        with self._lock:
            self._kill(claim_ids)
            start = self._used
            self._reserve(start + len(claim_ids))
            end = start + len(claim_ids)
            self._matrix[start:end] = vectors.astype(np.float16)
            self._slots[start:end] = np.asarray(claim_ids, dtype=np.int64)
            for offset, claim_id in enumerate(claim_ids):
                self._slot_of[claim_id] = start + offset
            self._used = end
            self._add_to_delta(range(start, end))
            self._dirty_vectors = True

    def _kill(self, claim_ids: Iterable[int]) -> None:
        for claim_id in claim_ids:
            slot = self._slot_of.pop(claim_id, None)
            if slot is not None:
                self._slots[slot] = -1
                self._dirty_vectors = True

    def _reserve(self, rows: int) -> None:
        """Make room for ``rows`` slots, growing the (memory-mapped) arrays in steps."""
        capacity = len(self._slots)
        if rows <= capacity:
            return
        capacity = rows + _GROW
        slots = np.full(capacity, -1, dtype=np.int64)
        slots[: self._used] = self._slots[: self._used]
        if self.folder is None:
            matrix = np.zeros((capacity, DIMENSIONS), dtype=np.float16)
            matrix[: self._used] = self._matrix[: self._used]
        else:
            # Grown in place: the rows written so far stay where they are on disk.
            path = self.folder / _VECTORS
            if isinstance(self._matrix, np.memmap):
                self._matrix.flush()
            path.touch()
            os.truncate(path, capacity * DIMENSIONS * 2)
            matrix = np.memmap(path, dtype=np.float16, mode="r+", shape=(capacity, DIMENSIONS))
        self._matrix = matrix
        self._slots = slots

    def _add_to_delta(self, slots: range) -> None:
        live = [s for s in slots if self._slots[s] >= 0]
        if live:
            keys = np.asarray(live, dtype=np.uint64)
            self._ann_delta.add(keys, np.asarray(self._matrix[live], dtype=np.float32))

    def commit(self, meta: dict[str, Any] | None = None) -> None:
        """Make every change durable, then record ``meta`` with them (atomically, last).

        New words become searchable here, new vectors at once. A commit writes to disk for
        about a tenth of a second; lookups go on meanwhile (tantivy searches the last commit
        and releases the GIL), only changes wait.
        """
        with self._writing:
            if self._writer is not None:
                self._writer.commit()
                self._lexical.reload()
            with self._lock:
                if meta is not None:
                    self.meta = dict(meta)
                self._save_vectors()

    def _save_vectors(self) -> None:
        """The vector files and the state, consistent with each other (under ``_lock``)."""
        if self.folder is None:
            return
        if self._dirty_vectors:
            np.asarray(self._slots).tofile(self.folder / _SLOTS)
            if isinstance(self._matrix, np.memmap):
                self._matrix.flush()
            if len(self._ann_delta) >= _SEGMENT_MIN:
                self._write_segment()
            if len(self._segments) > _MAX_SEGMENTS:
                self.compact()
            self._dirty_vectors = False
        self._write_state()

    def _write_segment(self) -> None:
        """Write the in-memory graph out as a memory-mapped segment."""
        assert self.folder is not None
        start = self._segments[-1][1] if self._segments else 0
        end = self._used
        path = self.folder / _ANN.format(start=start, end=end)
        self._ann_delta.save(str(path))
        graph = AnnIndex.restore(str(path), view=True)
        assert graph is not None
        self._segments.append((start, end, graph))
        self._ann_delta = AnnIndex(ndim=DIMENSIONS, metric="cos", dtype="i8")

    def compact(self) -> None:
        """Merge every graph segment into one (dead slots left out); the caller commits."""
        with self._lock:
            if self.folder is None or len(self._segments) <= 1:
                return
            merged = AnnIndex(ndim=DIMENSIONS, metric="cos", dtype="i8")
            end = self._segments[-1][1]
            live = np.flatnonzero(self._slots[:end] >= 0)
            for start in range(0, len(live), 65_536):
                part = live[start : start + 65_536]
                rows = np.asarray(self._matrix[part], dtype=np.float32)
                merged.add(part.astype(np.uint64), rows)
            path = self.folder / _ANN.format(start=0, end=end)
            scratch = path.with_suffix(".tmp")
            merged.save(str(scratch))
            os.replace(scratch, path)
            old = self._segments
            graph = AnnIndex.restore(str(path), view=True)
            assert graph is not None
            self._segments = [(0, end, graph)]
            for start, stop, _ in old:
                if (start, stop) != (0, end):
                    (self.folder / _ANN.format(start=start, end=stop)).unlink(missing_ok=True)
            self._write_state()

    def _write_state(self) -> None:
        assert self.folder is not None
        state = {
            "format": FORMAT,
            "model": MODEL_NAME,
            "documents": self._lexical.searcher().num_docs,
            "slots": self._used,
            "segments": [[start, end] for start, end, _ in self._segments],
            "meta": self.meta,
        }
        scratch = self.folder / (_STATE + ".tmp")
        scratch.write_text(json.dumps(state), encoding="utf-8")
        os.replace(scratch, self.folder / _STATE)

    def close(self) -> None:
        """Release the writer lock (the index stays as last committed)."""
        with self._writing, self._lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None

    # -- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._lexical.searcher().num_docs)

    def __contains__(self, claim_id: object) -> bool:
        if not isinstance(claim_id, int):
            return False
        query = tantivy.Query.term_query(self._lexical.schema, "claim_id", claim_id)
        return bool(self._lexical.searcher().search(query, 1, count=False).hits)

    @property
    def vector_count(self) -> int:
        """Claims that have their embedding."""
        return len(self._slot_of)

    def has_vector(self, claim_id: int) -> bool:
        return claim_id in self._slot_of

    def missing_vectors(self, claim_ids: Iterable[int]) -> list[int]:
        """Of ``claim_ids``, those without an embedding yet."""
        return [cid for cid in claim_ids if cid not in self._slot_of]

    def candidates(
        self,
        normalized: str,
        vector: Vectors | None,
        *,
        lexical_k: int = 100,
        semantic_k: int = 50,
        lexical: dict[int, float] | None = None,
    ) -> list[Candidate]:
        """Claims retrieved by BM25 (top ``lexical_k``) or by meaning (top ``semantic_k``), each
        once, best fused score first. ``lexical``: the result of :meth:`bm25`, when the caller
        ran it already (while the query was being embedded)."""
        with self._lock:
            if lexical is None:
                lexical = self._bm25(normalized, lexical_k)
            semantic = (
                self._nearest(vector, semantic_k) if vector is not None and semantic_k > 0 else {}
            )
            ids = list(dict.fromkeys([*lexical, *semantic]))
            cosines = self._cosines(ids, vector) if vector is not None else {}
        found = [
            Candidate(claim_id=cid, lexical=lexical.get(cid, 0.0), cosine=cosines.get(cid))
            for cid in ids
        ]
        found.sort(key=lambda c: (-c.fused(), c.claim_id))
        return found

    def bm25(self, normalized: str, k: int = 100) -> dict[int, float]:
        """BM25 top ``k``: claim id -> score relative to the best."""
        with self._lock:
            return self._bm25(normalized, k)

    def _bm25(self, normalized: str, k: int) -> dict[int, float]:
        terms = query_terms(normalized)
        if not terms:
            return {}
        searcher = self._lexical.searcher()
        query, _errors = self._lexical.parse_query_lenient(
            _without_common(terms, searcher), ["body"]
        )
        hits = searcher.search(query, k, count=False).hits
        if not hits:
            return {}
        ids = searcher.fast_field_values("claim_id", [address for _, address in hits])
        best = float(hits[0][0]) or 1.0
        result: dict[int, float] = {}
        for (score, _), claim_id in zip(hits, ids, strict=True):
            if claim_id is not None:
                result.setdefault(int(claim_id), float(score) / best)
        return result

    def _nearest(self, vector: Vectors, k: int) -> dict[int, float]:
        found: dict[int, float] = {}
        for graph in (*(g for _, _, g in self._segments), self._ann_delta):
            if graph is None or len(graph) == 0:
                continue
            matches = graph.search(vector, k)
            for slot, distance in zip(matches.keys, matches.distances, strict=True):
                claim_id = int(self._slots[int(slot)])
                if claim_id >= 0:
                    found[claim_id] = 1.0 - float(distance)
        return dict(sorted(found.items(), key=lambda kv: -kv[1])[:k])

    def _cosines(self, claim_ids: Sequence[int], vector: Vectors) -> dict[int, float]:
        pairs = [(cid, self._slot_of[cid]) for cid in claim_ids if cid in self._slot_of]
        if not pairs:
            return {}
        rows = np.asarray(self._matrix[[slot for _, slot in pairs]], dtype=np.float32)
        scores = rows @ np.asarray(vector, dtype=np.float32)
        return {cid: float(s) for (cid, _), s in zip(pairs, scores, strict=True)}


def encode_missing(
    index: HybridIndex,
    texts: dict[int, str],
    encode: Callable[[list[str]], Vectors],
) -> dict[int, Vectors]:
    """Vectors for the claims of ``texts`` that the index has none for, computed now."""
    missing = index.missing_vectors(texts)
    if not missing:
        return {}
    vectors = encode([texts[cid] for cid in missing])
    return dict(zip(missing, vectors, strict=True))
