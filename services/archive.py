"""The archive of checked claims that every new claim is matched against (the use case).

The database is the truth; the search index (``domain/claim_index.py``) is a persistent copy of
the archived claims, in a folder beside the database, kept current by following the ``verdict``
table as a log (``domain/log_position.py``): on :meth:`ClaimArchive.open` it catches up with
everything recorded since it was last written, and before a lookup it polls again at most every
``poll_seconds``. A lookup never re-reads the archive. Several replicas on one PostgreSQL
database each keep their own index folder and follow the same log.

A missing, damaged or outdated index is rebuilt from the database (with a progress callback).
Embeddings are computed with the claims when few arrive at once; a large import indexes the words
at once and leaves the vectors to :meth:`ClaimArchive.fill_embeddings` (the bot's job queue, or
``factdesk index fill``), matching by words meanwhile.

One process writes an index folder at a time. A second process on the same folder (``factdesk
search`` while the bot runs) reads it as last committed and keeps what it catches up with in a
small in-memory overlay.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np
from sqlmodel import Session

from db import index_feed
from db.uow import Database, UnitOfWork
from domain.archived import ArchivedVerdict
from domain.claim_index import Candidate, HybridIndex, IndexLocked, IndexUnusable
from domain.embedding import DIMENSIONS, SentenceEncoder, Vectors, get_encoder
from domain.log_position import LogPosition
from domain.matching import compare_claims, warm_up
from domain.normalize import normalize_claim

__all__ = ["ArchiveSearch", "ArchivedVerdict", "ClaimArchive"]

logger = logging.getLogger(__name__)

#: Up to this many claims arriving in one catch-up are embedded at once; more are left to the
#: background fill (a bot must not stall on a million-row import made by another process).
EMBED_NOW_LIMIT = 256
_PAGE = 20_000
_LOOKUP_CANDIDATES = 5
# While embeddings are still filling, at most this many words-only candidates are embedded on the
# fly per lookup (the best by words that nothing but the cosine keeps from being "same"), so that
# "same" can still be decided for them.
_EMBED_ON_THE_FLY = 2
# Candidates scoring below this (0..100) share neither words nor meaning with the text: the
# nearest neighbours of "xyzzy" are not worth listing.
_MIN_SCORE = 25.0
# Standing verdicts kept in memory (the cache is emptied when it grows past this).
_STANDING_CACHE = 100_000
# Vectors of recent texts: a claim is embedded once, when its article arrives, and its card,
# the verdict's catch-up and a re-shown card reuse that vector (~6 MB at most).
_RECENT_VECTORS = 4096
Progress = Callable[[int, int], None]  # (done, total)
T = TypeVar("T")


class ClaimArchive:
    """Archived claims and their verdicts, found by wording and by meaning.

    The surface of the former archive: ``load(db)`` at start-up, then ``lookup(tx, text)`` and
    ``search(tx, text)`` inside the caller's unit of work (``tx`` may be None: the archive then
    reads in units of its own), ``len()``; plus :meth:`fill_embeddings` for a background job and
    :meth:`close` on stop.
    """

    def __init__(
        self,
        *,
        index_dir: Path | None = None,
        similar_threshold: float = 50.0,
        same_threshold: float | None = None,
        poll_seconds: float = 0.0,
        embed_limit: int = 50_000,
        encoder: SentenceEncoder | None = None,
    ) -> None:
        """Only sets up; :meth:`load` (or the first lookup) opens the index.

        ``index_dir`` None keeps the index in memory (rebuilt at every start). ``same_threshold``
        is accepted for the former archive's callers and ignored: "same" is decided by
        :func:`domain.matching.compare_claims`.
        """
        del same_threshold
        self._db: Database | None = None
        self._local = threading.local()  # the caller's session during a tx-scoped call
        self._folder = index_dir
        self._similar = similar_threshold
        self._poll_seconds = poll_seconds
        self._encoder = encoder
        self._batch_encoder: SentenceEncoder | None = None
        self._index: HybridIndex | None = None
        self._overlay: HybridIndex | None = None  # changes seen by a read-only opener
        self._hidden: set[int] = set()  # claims the overlay overrides in the main index
        self._position = LogPosition()
        self._fill_cursor = 0
        self._last_poll = 0.0
        self._unsaved = False  # caught up with changes that no index commit holds yet
        self._lock = threading.RLock()
        self.rebuilt = False
        self._embed_limit = embed_limit
        self._standing: dict[int, index_feed.StandingVerdict | None] = {}
        self._generation = 0
        self._pool: ThreadPoolExecutor | None = None
        self._recent: OrderedDict[str, Vectors] = OrderedDict()
        self._warming: threading.Thread | None = None

    # -- opening, following the log ----------------------------------------------------------

    @classmethod
    def open(
        cls,
        db: Database,
        *,
        index_dir: Path | None,
        similar_threshold: float = 50.0,
        poll_seconds: float = 0.0,
        progress: Progress | None = None,
        embed: bool = True,
        embed_limit: int = 50_000,
    ) -> ClaimArchive:
        """An archive with its index opened (or rebuilt) and caught up: :meth:`load` in one call.

        A rebuild embeds the claims too when there are at most ``embed_limit`` of them and
        ``embed`` is true; otherwise it indexes their words and leaves the embeddings to
        :meth:`fill_embeddings`.
        """
        archive = cls(
            index_dir=index_dir,
            similar_threshold=similar_threshold,
            poll_seconds=poll_seconds,
            embed_limit=embed_limit,
        )
        archive.load(db, progress=progress, embed=embed)
        return archive

    def load(self, db: Database, *, progress: Progress | None = None, embed: bool = True) -> None:
        """Open (or rebuild) the index and catch up with the verdicts recorded since (the bot
        calls this in a thread at start-up, before the first update)."""
        with self._lock:
            self._db = db
            if self._index is None:
                self._open(progress=progress, embed=embed)
            else:
                self.catch_up(everything=True)
                self.save()

    def _read(self, work: Callable[[Session], T]) -> T:
        """Run a read in the caller's unit of work when there is one, else in one of our own."""
        session: Session | None = getattr(self._local, "session", None)
        if session is not None:
            return work(session)
        if self._db is None:
            raise RuntimeError("ClaimArchive.load(db) was not called")
        return self._db.run(lambda tx: work(tx.session), reads_only=True)

    @contextmanager
    def _within(self, tx: UnitOfWork | None) -> Iterator[None]:
        previous = getattr(self._local, "session", None)
        self._local.session = tx.session if tx is not None else previous
        try:
            yield
        finally:
            self._local.session = previous

    def _open(self, *, progress: Progress | None, embed: bool) -> None:
        # The encoder's session and the name dictionary load meanwhile (about half a second),
        # so that the first lookup after start-up does not wait for them.
        self._warming = threading.Thread(target=self._warm_up, name="archive-warm-up", daemon=True)
        self._warming.start()
        folder = self._folder
        index: HybridIndex | None = None
        if folder is not None and folder.exists():
            try:
                index = HybridIndex.open(folder, writable=True)
            except IndexLocked:
                try:
                    index = HybridIndex.open(folder, writable=False)
                    self._overlay = HybridIndex.create(None)
                except IndexUnusable as error:
                    # Another process is writing it and it cannot be read now: never rebuild
                    # under that writer; build a private copy in memory instead.
                    logger.warning("claim index busy and unreadable (%s): in memory", error)
                    self._folder = None
            except IndexUnusable as error:
                logger.warning("rebuilding the claim index: %s", error)
        if index is None:
            self._rebuild(progress=progress, embed=embed)
        elif index.meta.get("database") not in (None, self._database_name()):
            logger.warning("rebuilding the claim index: it was built for another database")
            index.close()
            self._overlay = None
            if not index.writable:  # another process writes that folder: never wipe it
                self._folder = None
            self._rebuild(progress=progress, embed=embed)
        else:
            self._index = index
            self._position = LogPosition.from_json(index.meta.get("position"))
            self._fill_cursor = int(index.meta.get("fill_cursor", 0))
        self.catch_up(everything=True)
        self.save()

    def _rebuild(self, *, progress: Progress | None, embed: bool) -> None:
        """Index every archived claim from the database; the log position is taken first, so a
        verdict recorded meanwhile is caught up with afterwards."""
        index = HybridIndex.create(self._folder)
        self._index = index
        self.rebuilt = True
        high = self._read(lambda s: index_feed.newest_verdict_id(session=s))
        # Ids just below the newest that are not visible yet may still commit (PostgreSQL):
        # they are the gaps to watch. Older missing ids are long rolled back.
        recent = self._read(
            lambda s: index_feed.verdicts_after(session=s, after_id=max(0, high - 1000)),
        )
        self._position = LogPosition(high=max(0, high - 1000))
        self._position.advance([vid for vid, _ in recent if vid <= high], now=time.time())
        cursor = 0
        done = 0
        total = self._read(lambda s: index_feed.count_claims(session=s))
        embed = embed and total <= self._embed_limit
        while True:
            page = self._read(
                lambda s: index_feed.claims_after(
                    session=s,
                    after_claim_id=cursor,  # noqa: B023 (called at once)
                    limit=_PAGE,
                ),
            )
            if not page:
                break
            cursor = page[-1].claim_id
            archived = [c for c in page if c.archived]
            vectors = self._encode([c.text for c in archived]) if embed and archived else None
            index.upsert([(c.claim_id, c.normalized_text) for c in archived], vectors, fresh=True)
            done += len(page)
            if progress is not None:
                progress(done, total)
        self._fill_cursor = cursor if embed else 0
        index.commit(self._meta())

    def catch_up(self, *, everything: bool = False) -> int:
        """Take in the verdicts recorded since the last look; returns how many claims changed.

        Without ``everything`` it looks at most every ``poll_seconds`` (the bot calls this before
        each lookup).
        """
        with self._lock:
            now = time.time()
            if not everything and now - self._last_poll < self._poll_seconds:
                return 0
            self._last_poll = now
            changed = 0
            while True:
                high, gaps = self._position.high, list(self._position.gaps)
                seen = self._read(
                    lambda s: index_feed.verdicts_after(
                        session=s,
                        after_id=high,  # noqa: B023 (called at once)
                        also=gaps,  # noqa: B023
                    ),
                )
                if not seen:
                    break
                claims = {cid for _, cid in seen}
                states = self._read(
                    lambda s: index_feed.claim_states(
                        session=s,
                        claim_ids=claims,  # noqa: B023 (called at once)
                    ),
                )
                self._apply(states)
                self._position.advance([vid for vid, _ in seen], now=now)
                changed += len(claims)
                if len(seen) < 100_000:
                    break
            self._position.expire(now=now)
            if changed:
                self._unsaved = True
            return changed

    def save(self) -> None:
        """Make what was caught up with durable in the index folder, if anything was.

        Not done per verdict: a commit writes to disk for about a tenth of a second, and until
        one the new claims are found by meaning only (their vectors count at once). The bot
        saves every couple of seconds and on stop; a crash before a save only means the next
        start catches up from the last saved position.
        """
        with self._lock:
            index = self._index
            if not self._unsaved or index is None or not index.writable:
                return
            meta, self._unsaved = self._meta(), False
        try:
            index.commit(meta)
        except BaseException:
            self._unsaved = True
            raise

    def refresh(self, tx: UnitOfWork | None = None) -> None:
        """Poll the verdict log now (opening the index first if :meth:`load` was not called)."""
        with self._within(tx):
            with self._lock:
                if self._index is None:
                    self._open(progress=None, embed=True)
                    return
            self.catch_up(everything=True)

    def _opened(self) -> HybridIndex:
        if self._index is None:
            self.refresh()
        assert self._index is not None
        return self._index

    def _apply(self, states: Sequence[index_feed.ClaimState]) -> None:
        index = self._overlay if self._overlay is not None else self._index
        assert index is not None
        self._generation += 1
        for state in states:
            self._standing.pop(state.claim_id, None)
        archived = [s for s in states if s.archived]
        gone = [s.claim_id for s in states if not s.archived]
        if self._overlay is not None:
            self._hidden.update(s.claim_id for s in states)
        if gone:
            index.remove(gone)
        if archived:
            index.upsert([(s.claim_id, s.normalized_text) for s in archived])
            todo = [s for s in archived if not index.has_vector(s.claim_id)]
            if todo and (len(todo) <= EMBED_NOW_LIMIT or self._overlay is not None):
                vectors = self._encode([s.text for s in todo])
                index.set_vectors([s.claim_id for s in todo], vectors)
            elif todo:
                first = min(s.claim_id for s in todo)
                self._fill_cursor = min(self._fill_cursor, first - 1)
        if self._overlay is not None:
            self._overlay.commit()

    def _database_name(self) -> str:
        """Which database the index copies (host, port, name; never the password)."""
        if self._db is None:
            return ""
        url = self._db.engine.url
        return f"{url.get_backend_name()}://{url.host or ''}:{url.port or ''}/{url.database or ''}"

    def _meta(self) -> dict[str, object]:
        return {
            "database": self._database_name(),
            "position": self._position.to_json(),
            "fill_cursor": self._fill_cursor,
        }

    # -- embeddings ------------------------------------------------------------------------

    def _warm_up(self) -> None:
        self._encoder_now()
        warm_up()

    def _encoder_now(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    def embed_ahead(self, texts: Sequence[str]) -> None:
        """Embed an article's claims in one batch before their cards are built (outside any
        transaction), so that each card's lookup and each verdict's catch-up finds its vector."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._recent))
        if todo:
            self._remember(todo, self._encoder_now().encode(todo))

    def _remember(self, texts: Sequence[str], vectors: Vectors) -> None:
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._recent[text] = vector
                self._recent.move_to_end(text)
            while len(self._recent) > _RECENT_VECTORS:
                self._recent.popitem(last=False)

    def _recalled(self, text: str) -> Vectors | None:
        with self._lock:
            return self._recent.get(text)

    def _encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> Vectors:
        if len(texts) <= 16:  # a lookup or a verdict's claims: maybe embedded just before
            known = {t: v for t in texts if (v := self._recalled(t)) is not None}
            todo = list(dict.fromkeys(t for t in texts if t not in known))
            if todo:
                encoded = self._encoder_now().encode(todo, progress=progress)
                self._remember(todo, encoded)
                known.update(zip(todo, encoded, strict=True))
            return (
                np.stack([known[t] for t in texts])
                if texts
                else np.zeros((0, DIMENSIONS), dtype=np.float32)
            )
        if self._batch_encoder is None:
            # Batches use both cores; single lookups one (less contention with the bot's loop).
            self._batch_encoder = SentenceEncoder(threads=2)
        return self._batch_encoder.encode(texts, progress=progress)

    def pending_embeddings(self) -> int:
        """Archived claims still without an embedding (matched by words only until filled)."""
        index = self._opened()
        return len(index) - index.vector_count

    def fill_embeddings(
        self,
        db: Database | None = None,
        *,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
        page_size: int = 2048,
    ) -> int:
        """Embed archived claims that have no vector yet, in claim order, at most about
        ``limit``; returns how many were embedded (0: nothing left).

        Safe to call from a background job while lookups run (``db``: the database to read,
        if not the one given to :meth:`load`): the embedding itself happens outside the
        archive's lock, and each page is committed (so a stop loses little).
        """
        if db is not None:
            self._db = db
        index = self._index
        if index is None or not index.writable:
            return 0
        embedded = 0
        while limit is None or embedded < limit:
            cursor = self._fill_cursor
            size = page_size if limit is None else max(1, min(page_size, limit - embedded))
            page = self._read(
                lambda s: index_feed.claims_after(
                    session=s,
                    after_claim_id=cursor,  # noqa: B023 (called at once)
                    limit=size,  # noqa: B023
                ),
            )
            if not page:
                break
            todo = [c for c in page if c.archived and not index.has_vector(c.claim_id)]
            vectors = self._encode([c.text for c in todo], progress) if todo else None
            with self._lock:
                if vectors is not None:
                    index.set_vectors([c.claim_id for c in todo], vectors)
                if self._fill_cursor == cursor:  # a catch-up may have moved it back meanwhile
                    self._fill_cursor = page[-1].claim_id
                index.commit(self._meta())
            embedded += len(todo)
        return embedded

    # -- matching ---------------------------------------------------------------------------

    def __len__(self) -> int:
        self._opened()
        assert self._index is not None
        if self._overlay is None:
            return len(self._index)
        hidden = sum(1 for claim_id in self._hidden if claim_id in self._index)
        return len(self._index) - hidden + len(self._overlay)

    def lookup(
        self, tx: UnitOfWork | None, text: str, *, exclude: int | None = None
    ) -> tuple[ArchivedVerdict | None, list[ArchivedVerdict]]:
        """The earlier verdict on the same claim, if any, and up to three on similar claims;
        each archived claim once, and never the claim ``exclude`` itself (blind review)."""
        with self._within(tx):
            found = self._match(text, _LOOKUP_CANDIDATES + (exclude is not None))
        found = [m for m in found if m.claim_id != exclude]
        same = next((m for m in found if m.same), None)
        similar = [m for m in found if m is not same and m.score >= self._similar]
        return same, similar[:3]

    def search(self, tx: UnitOfWork | None, text: str, *, limit: int = 5) -> list[ArchivedVerdict]:
        """The best candidates whatever their score, best first, each claim once."""
        with self._within(tx):
            return self._match(text, limit)

    def _match(self, text: str, limit: int) -> list[ArchivedVerdict]:
        self._opened()
        self.catch_up()
        normalized = normalize_claim(text)
        assert self._index is not None
        vector = self._recalled(text)
        if vector is None:
            # The query is embedded in a worker thread while BM25 runs here (both release the GIL).
            embedding = self._worker().submit(self._encoder_now().encode_one, text)
            lexical = self._index.bm25(normalized)
            vector = embedding.result()
            self._remember([text], vector[None, :])
        else:
            lexical = self._index.bm25(normalized)
        candidates = self._candidates(normalized, vector, lexical)
        candidates = candidates[: max(limit, _LOOKUP_CANDIDATES)]
        if not candidates:
            return []
        standing = self._standing_verdicts([c.claim_id for c in candidates])
        missing = [
            c
            for c in candidates
            if c.cosine is None
            and c.claim_id in standing
            and _could_be_same(text, standing[c.claim_id].claim_text)
        ]
        missing = missing[:_EMBED_ON_THE_FLY]
        cosines: dict[int, float] = {}
        if missing:
            # Words-only claims (embeddings still filling): their vectors are computed for the
            # few shown, so "same" is decided the same way as for the rest.
            vectors = self._encode([standing[c.claim_id].claim_text for c in missing])
            cosines = {c.claim_id: float(v @ vector) for c, v in zip(missing, vectors, strict=True)}
            if self._overlay is None and self._index.writable:
                # Kept: the background fill skips them, and the next lookup finds them ready.
                self._index.set_vectors([c.claim_id for c in missing], vectors)
        result: list[ArchivedVerdict] = []
        for candidate in candidates:
            verdict = standing.get(candidate.claim_id)
            if (
                verdict is None
                or 100 * candidate.fused(cosines.get(candidate.claim_id)) < _MIN_SCORE
            ):
                continue
            cosine = cosines.get(candidate.claim_id, candidate.cosine)
            comparison = compare_claims(
                text,
                verdict.claim_text,
                cosine=cosine,
                lexical=candidate.lexical,
                encode=self._encode,
            )
            result.append(
                ArchivedVerdict(
                    claim_id=verdict.claim_id,
                    claim_text=verdict.claim_text,
                    verdict_id=verdict.verdict_id,
                    rating=verdict.rating,
                    source_url=verdict.source_url,
                    reviewer=verdict.reviewer,
                    checked_at=verdict.checked_at,
                    score=comparison.score,
                    same=comparison.same,
                    agrees=comparison.agrees,
                    differs=comparison.differs,
                )
            )
        result.sort(key=lambda m: (-m.score, m.claim_id))
        return result[:limit]

    def _standing_verdicts(self, claim_ids: list[int]) -> dict[int, index_feed.StandingVerdict]:
        """The verdicts to show, from a cache that the log follower keeps exact: every claim a
        new verdict touches is dropped from it (see :meth:`_apply`)."""
        cache = self._standing
        wanted = [cid for cid in claim_ids if cid not in cache]
        if wanted:
            generation = self._generation
            found = self._read(
                lambda s: index_feed.standing_verdicts(session=s, claim_ids=wanted),
            )
            with self._lock:
                if generation == self._generation:  # no change applied meanwhile
                    if len(cache) > _STANDING_CACHE:
                        cache.clear()
                    for cid in wanted:
                        cache[cid] = found.get(cid)
            return {
                cid: v
                for cid in claim_ids
                if (v := found.get(cid) if cid in found else cache.get(cid)) is not None
            }
        return {cid: v for cid in claim_ids if (v := cache.get(cid)) is not None}

    def _worker(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
            return self._pool

    def _candidates(
        self, normalized: str, vector: Vectors, lexical: dict[int, float]
    ) -> list[Candidate]:
        assert self._index is not None
        found = self._index.candidates(normalized, vector, lexical=lexical)
        if self._overlay is None:
            return found
        merged = [c for c in found if c.claim_id not in self._hidden]
        merged += self._overlay.candidates(normalized, vector)
        merged.sort(key=lambda c: (-c.fused(), c.claim_id))
        return merged

    def close(self) -> None:
        """Write what was caught up with and release the index (the bot calls this on stop)."""
        if self._warming is not None:
            # A process must not exit while onnxruntime is still loading in that thread: its
            # C++ threads abort the interpreter ("terminate called without an active exception").
            self._warming.join()
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._index is not None:
                if self._index.writable:
                    self._index.commit(self._meta())
                self._index.close()


def _could_be_same(query: str, archived: str) -> bool:
    """Whether only the cosine is missing to call the claims the same: no figure, negation,
    place, direction or name tells them apart. Only such a candidate is worth embedding during
    a lookup (an encoder call is most of a lookup's time)."""
    return not compare_claims(query, archived, cosine=None).differs


class ArchiveSearch:
    """/search and `factdesk search`: the archive's best candidates for a text."""

    def __init__(self, db: Database, archive: ClaimArchive) -> None:
        self._db = db
        self._archive = archive

    def claims_like(self, text: str, *, limit: int = 5) -> list[ArchivedVerdict]:
        if self._archive._db is None:
            self._archive.load(self._db)
        return self._archive.search(None, text, limit=limit)
