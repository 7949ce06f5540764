"""Choose how BM25 and cosine scores are fused, on the CheckThat! train/dev queries.

    .venv/bin/python bench/calibrate_fusion.py [--model DIR]

Builds the hybrid index in memory over each set's verified claims (claim text only; embeddings
are cached in ``$TMPDIR/factdesk-fusion-*.npy`` between runs), then prints MAP@5 on train+dev
("tune", for choosing) and on test (for reporting only):

* the archive's fusion ``w * BM25/max + (1 - w) * cosine`` for several weights ``w`` and
  candidate depths (BM25 top ``k_lex`` + nearest ``k_sem`` by meaning);
* other ways to rank the same candidates (depth 100 + 50): reciprocal rank fusion; the debate
  query cleaned of speaker tags and fillers ("I think", "you know", "by the way") before it is
  embedded; pseudo-relevance feedback (the query vector moved toward the best candidate); a
  rapidfuzz ``token_set_ratio`` share.

Evaluation data only; nothing is written into the package.
"""

from __future__ import annotations

import csv
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from archive_search import _ct2020, _ct2021  # noqa: E402
from calibrate_matching import (  # noqa: E402
    CT20,
    CT21,
    _pol_id,
    _read_qrels,
    average_precision_at_k,
)

from domain.claim_index import HybridIndex  # noqa: E402
from domain.embedding import SentenceEncoder, Vectors  # noqa: E402
from domain.normalize import normalize_claim  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
DEPTHS = ((100, 0), (100, 50), (200, 100))

_SPEAKER = re.compile(r"^[A-Z][A-Z .'-]{1,30}:\s*")
_OPENERS = re.compile(
    r"^(?:and|but|so|well|now|look|listen|also|again|yes|oh|okay|by the way|of course|in fact|"
    r"as you know|you know|i mean|let me tell you|believe me|frankly|i think|i believe|i guess)"
    r"\b(?: that)?[,.]?\s*",
    re.IGNORECASE,
)
_FILLERS = re.compile(r",?\s*\b(?:you know|i think|i mean|by the way|believe me|folks)\b,?", re.I)


def clean_query(text: str) -> str:
    """A debate sentence without its speaker tag and spoken fillers."""
    cleaned = _SPEAKER.sub("", " ".join(text.split()))
    for _ in range(3):
        cleaned = _OPENERS.sub("", cleaned)
    cleaned = " ".join(_FILLERS.sub(" ", cleaned).split()).strip(" ,")
    return cleaned[:1].upper() + cleaned[1:] if cleaned else text


@dataclass(frozen=True, slots=True)
class Found:
    """One candidate of one query, with every feature a variant ranks by."""

    claim_id: int
    lexical: float  # BM25 / the query's best
    lexical_rank: int  # 10**6 when BM25 did not retrieve it
    cosine: float
    cosine_rank: int
    clean_cosine: float  # cosine with the cleaned query
    fuzzy: float  # token_set_ratio of the normal forms, 0..1
    vector: Vectors


Ranker = Callable[[list[Found]], list[Found]]


def _queries(name: str) -> dict[str, tuple[dict[str, str], dict[str, set[int]]]]:
    """Per split: queries and gold pairs ('tune' = train+dev, 'test')."""
    if name == "CT2020-2":
        out = {}
        for label, splits in (("tune", ("train", "dev")), ("test", ("test",))):
            queries: dict[str, str] = {}
            gold: dict[str, set[int]] = {}
            for split in splits:
                with (CT20 / f"{split}.tweets.queries.tsv").open(encoding="utf-8") as fh:
                    reader = csv.reader(fh, delimiter="\t")
                    next(reader)
                    for row in reader:
                        queries[row[0]] = row[1]
                for q, vs in _read_qrels(CT20 / f"{split}.tweet-vclaim-pairs.qrels").items():
                    gold[q] = {int(v) for v in vs}
            out[label] = (queries, gold)
        return out
    lines = (CT21 / "train_dev.iclaims.queries.tsv").read_text(encoding="utf-8").splitlines()
    tune_q = {q.strip(): t for q, _, t in (line.partition("\t") for line in lines)}
    tune_g: dict[str, set[int]] = {}
    for split in ("train", "dev"):
        for q, vs in _read_qrels(CT21 / f"{split}.qrels.tsv").items():
            tune_g[q] = {_pol_id(v) for v in vs}
    _, test_q, test_g = _ct2021()
    return {"tune": (tune_q, tune_g), "test": (test_q, test_g)}


def _cached(encoder: SentenceEncoder, key: str, texts: list[str]) -> Vectors:
    cache = Path(tempfile.gettempdir()) / f"factdesk-fusion-{key}.npy"
    if cache.exists():
        loaded: Vectors = np.load(cache)
        if len(loaded) == len(texts):
            return loaded
    vectors = encoder.encode(texts)
    np.save(cache, vectors)
    return vectors


def _found(
    index: HybridIndex,
    text: str,
    vector: Vectors,
    clean: Vectors,
    k_lex: int,
    k_sem: int,
    claims: dict[int, str],
    rows: dict[int, Vectors],
) -> list[Found]:
    normalized = normalize_claim(text)
    lexical = index.bm25(normalized, k_lex) if k_lex else {}
    found = index.candidates(normalized, vector, lexical=lexical, semantic_k=k_sem)
    lex_rank = {cid: rank for rank, cid in enumerate(lexical)}
    by_cosine = sorted(found, key=lambda c: -(c.cosine or 0.0))
    cos_rank = {c.claim_id: rank for rank, c in enumerate(by_cosine)}
    return [
        Found(
            claim_id=c.claim_id,
            lexical=c.lexical,
            lexical_rank=lex_rank.get(c.claim_id, 10**6),
            cosine=c.cosine or 0.0,
            cosine_rank=cos_rank[c.claim_id],
            clean_cosine=float(rows[c.claim_id] @ clean),
            fuzzy=fuzz.token_set_ratio(normalized, normalize_claim(claims[c.claim_id])) / 100,
            vector=rows[c.claim_id],
        )
        for c in found
    ]


def linear(w: float, cosine: Callable[[Found], float] = lambda f: f.cosine) -> Ranker:
    return lambda found: sorted(found, key=lambda f: -(w * f.lexical + (1 - w) * cosine(f)))


def rrf(k: int) -> Ranker:
    def rank(found: list[Found]) -> list[Found]:
        return sorted(found, key=lambda f: -(1 / (k + f.lexical_rank) + 1 / (k + f.cosine_rank)))

    return rank


def feedback(beta: float, w: float = 0.2) -> Ranker:
    """The query moved toward the best candidate's vector (Rocchio, one document)."""

    def rank(found: list[Found]) -> list[Found]:
        if not found:
            return found
        first = linear(w)(found)[0].vector
        return sorted(
            found,
            key=lambda f: -(w * f.lexical + (1 - w) * (f.cosine + beta * float(f.vector @ first))),
        )

    return rank


def fuzzy(u: float, w: float = 0.2) -> Ranker:
    return lambda found: sorted(
        found, key=lambda f: -(w * f.lexical + (1 - w - u) * f.cosine + u * f.fuzzy)
    )


def _map(found: dict[str, list[Found]], gold: dict[str, set[int]], rank: Ranker) -> float:
    scores = [
        average_precision_at_k([f.claim_id for f in rank(cands)], gold[qid])
        for qid, cands in found.items()
    ]
    return sum(scores) / len(scores)


VARIANTS: dict[str, Ranker] = {
    "archive (w=0.2)": linear(0.2),
    "rrf k=10": rrf(10),
    "rrf k=60": rrf(60),
    "cleaned query": linear(0.2, lambda f: f.clean_cosine),
    "cleaned+raw avg": linear(0.2, lambda f: (f.cosine + f.clean_cosine) / 2),
    "feedback b=0.2": feedback(0.2),
    "feedback b=0.5": feedback(0.5),
    "token_set 0.1": fuzzy(0.1),
}


def main() -> int:
    model = Path(sys.argv[sys.argv.index("--model") + 1]) if "--model" in sys.argv else None
    encoder = SentenceEncoder(model, threads=2) if model else SentenceEncoder(threads=2)
    tag = "-" + model.name if model else ""
    print(
        f"{'set':10} {'split':5} {'k_lex':>5} {'k_sem':>5} "
        + " ".join(f"w={w:<5}" for w in WEIGHTS)
    )
    variants: list[str] = []
    for name, loader in (("CT2020-2", _ct2020), ("CT2021-2B", _ct2021)):
        claims, _, _ = loader()
        ids = list(claims)
        vectors = _cached(encoder, f"{name}{tag}", [claims[i] for i in ids])
        rows = dict(zip(ids, vectors, strict=True))
        index = HybridIndex.create(None)
        index.upsert([(i, normalize_claim(claims[i])) for i in ids], vectors)
        index.commit()
        for split, (queries, gold) in _queries(name).items():
            asked = [(q, t) for q, t in queries.items() if q in gold]
            qvec = _cached(encoder, f"{name}{tag}-{split}-q", [t for _, t in asked])
            cvec = _cached(encoder, f"{name}{tag}-{split}-qc", [clean_query(t) for _, t in asked])
            depth_100_50: dict[str, list[Found]] = {}
            for k_lex, k_sem in DEPTHS:
                found = {
                    qid: _found(index, text, v, c, k_lex, k_sem, claims, rows)
                    for (qid, text), v, c in zip(asked, qvec, cvec, strict=True)
                }
                if (k_lex, k_sem) == (100, 50):
                    depth_100_50 = found
                maps = [_map(found, gold, linear(w)) for w in WEIGHTS]
                print(
                    f"{name:10} {split:5} {k_lex:>5} {k_sem:>5} "
                    + " ".join(f"{m:<7.3f}" for m in maps)
                )
            variants.append(
                f"{name:10} {split:5} "
                + "  ".join(
                    f"{label}: {_map(depth_100_50, gold, rank):.3f}"
                    for label, rank in VARIANTS.items()
                )
            )
    print("\nother rankings of the 100 + 50 candidates:")
    print("\n".join(variants))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    raise SystemExit(main())
