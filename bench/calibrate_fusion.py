"""Choose the fusion of BM25 and cosine scores on the CheckThat! train/dev queries.

    .venv/bin/python bench/calibrate_fusion.py [--model DIR]

Builds the hybrid index in memory over each set's verified claims (claim text only; embeddings
are cached in ``$TMPDIR/factdesk-fusion-*.npy`` between runs), then prints MAP@5 on train+dev
(for choosing) and on test (for reporting) for several weights of the BM25 share and candidate
depths. Evaluation data only; nothing is written into the package.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

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
from domain.embedding import SentenceEncoder  # noqa: E402
from domain.normalize import normalize_claim  # noqa: E402


def _queries(name: str) -> dict[str, tuple[dict[str, str], dict[str, set[int]]]]:
    """Per split: queries and gold pairs ('tune' = train+dev, 'test')."""
    if name == "CT2020-2":
        import csv

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


def main() -> int:
    model = Path(sys.argv[sys.argv.index("--model") + 1]) if "--model" in sys.argv else None
    encoder = SentenceEncoder(model, threads=2) if model else SentenceEncoder(threads=2)
    tag = "-" + model.name if model else ""
    weights = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
    print(
        f"{'set':10} {'split':5} {'k_lex':>5} {'k_sem':>5} "
        + " ".join(f"w={w:<4}" for w in weights)
    )
    for name, loader in (("CT2020-2", _ct2020), ("CT2021-2B", _ct2021)):
        vclaims, _, _ = loader()
        ids = list(vclaims)
        cache = Path(tempfile.gettempdir()) / f"factdesk-fusion-{name}{tag}.npy"
        if cache.exists():
            vectors = np.load(cache)
        else:
            vectors = encoder.encode([vclaims[i] for i in ids])
            np.save(cache, vectors)
        index = HybridIndex.create(None)
        index.upsert([(i, normalize_claim(vclaims[i])) for i in ids], vectors)
        index.commit()
        for split, (queries, gold) in _queries(name).items():
            asked = [(q, t) for q, t in queries.items() if q in gold]
            qvec = encoder.encode([t for _, t in asked])
            for k_lex, k_sem in ((100, 0), (100, 50), (200, 100)):
                maps = []
                found = [
                    index.candidates(normalize_claim(t), v, lexical_k=k_lex, semantic_k=k_sem)
                    for (_, t), v in zip(asked, qvec, strict=True)
                ]
                for w in weights:
                    scores = []
                    for (qid, _), cands in zip(asked, found, strict=True):
                        ranked = sorted(
                            cands, key=lambda c: -(w * c.lexical + (1 - w) * (c.cosine or 0.0))
                        )
                        scores.append(
                            average_precision_at_k([c.claim_id for c in ranked], gold[qid])
                        )
                    maps.append(sum(scores) / len(scores))
                print(
                    f"{name:10} {split:5} {k_lex:>5} {k_sem:>5} "
                    + " ".join(f"{m:.3f} " for m in maps)
                )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    raise SystemExit(main())
