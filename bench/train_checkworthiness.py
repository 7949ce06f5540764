"""Train the shipped check-worthiness weights (domain/data/checkworthiness_model.json).

Training data: ClaimBuster 2.5xNCS (CC BY 4.0) from ``../shared/data/claimbuster_2class_ncs``.
Please attribute: Arslan, Hassan, Li, Tremayne, "A Benchmark Dataset of Check-worthy Factual
Claims", ICWSM 2020 (arXiv 2004.14425); Meng et al. 2020 (arXiv 2002.07725).

The model is a class-balanced logistic regression over the sparse binary features of
``domain.checkworthiness.features``: words, word pairs, character 3-5-grams, and hand-made signals
(figures, money, names, attributions, comparisons; opinion, hedging, first person, future talk).

``--static`` adds the mean static embedding of the sentence's words, distilled from
all-MiniLM-L6-v2 (see ``bench/minilm_static.py``); being linear, that part ships folded into one
score per word. Measured, not shipped: on top of the features without character n-grams it
raised the ClaimBuster cross-validated F1 from 0.779 to 0.788, but CheckThat! 2024 hardly moved
(dev-test 0.734, test_gold 0.587), where character n-grams reached 0.753 and 0.602 (CV 0.783).
For reference, the full MiniLM sentence embedding plus the features without character n-grams
reached test_gold 0.651 (dev-test 0.778), but a transformer per sentence (100-150 sentences a
second on this kind of CPU) cannot meet 50 ms for a 1,000-word article.

The CheckThat! 2024 files are research-only: nothing is trained on them and nothing from them
ships. The regularisation comes from 5-fold cross-validation on ClaimBuster; the decision
threshold is then chosen on CT24 dev-test (selection only, one number), as sentences reach it
through the extractor (a sentence that cannot be a claim, such as a question, never counts as
one): cross-validation on ClaimBuster picked 0.47, which on dev-test gave F1 0.753 (P 0.90,
R 0.65) and on test_gold 0.602; dev-test picks 0.22, which gave 0.812 and 0.623 (P 0.53,
R 0.76) through ``bench/extraction_quality.py``. ``--cv-threshold`` keeps the ClaimBuster one.
Report on CT24 test_gold with ``bench/extraction_quality.py``.

    .venv/bin/pip install -e ".[train]"
    nice -n 10 .venv/bin/python bench/train_checkworthiness.py
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from domain.checkworthiness import MODEL_RESOURCE, embedding_tokens, features  # noqa: E402

DATA = REPO / ".." / "shared" / "data" / "claimbuster_2class_ncs" / "2.5xNCS.json"
DEV_TEST = (
    REPO
    / ".."
    / "shared"
    / "data"
    / "clef2024_task1_checkworthy_en"
    / "CT24_checkworthy_english_dev-test.tsv"
)
OUT = REPO / "domain" / "data" / MODEL_RESOURCE
MIN_DF = 3
MIN_DF_CHARS = 5
FOLDS = 5
SEED = 13
C_GRID = (0.01, 0.03, 0.1, 0.3)
PRUNE_BELOW = 0.01
_WHOLE_WORD = re.compile(r"^[a-z]{2,}$")

FloatArray = npt.NDArray[np.float64]


def _sparse_matrix(texts: list[str]) -> tuple[Any, list[str]]:
    from scipy import sparse

    feats = [features(t) for t in texts]
    df = Counter(f for fs in feats for f in fs)
    vocab = sorted(
        f
        for f, c in df.items()
        if c >= (MIN_DF_CHARS if f.startswith("c:") else MIN_DF) or f.startswith(("s:", "len:"))
    )
    index = {f: i for i, f in enumerate(vocab)}
    rows, cols = [], []
    for row, fs in enumerate(feats):
        for f in fs:
            if f in index:
                rows.append(row)
                cols.append(index[f])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)))
    return matrix, vocab


def _static_part(texts: list[str]) -> tuple[FloatArray, list[str], FloatArray]:
    """Mean word vector of each sentence, the word list, and the vectors (same order)."""
    from minilm_static import MiniLM, encoder_folder, word_vectors

    encoder_words = [w for w in MiniLM(encoder_folder()).vocabulary() if _WHOLE_WORD.match(w)]
    corpus_words = {w for t in texts for w in embedding_tokens(t)}
    words = sorted(set(encoder_words) | corpus_words)
    print(f"embedding {len(words)} words with MiniLM (a few minutes)…", flush=True)
    vectors = word_vectors(words).astype(np.float64)
    index = {w: i for i, w in enumerate(words)}
    dense = np.zeros((len(texts), vectors.shape[1]))
    for row, text in enumerate(texts):
        ids = [index[w] for w in embedding_tokens(text) if w in index]
        if ids:
            dense[row] = vectors[ids].mean(0)
    return dense, words, vectors


def best_threshold(y: FloatArray, p: FloatArray) -> tuple[float, float]:
    best = (0.5, 0.0)
    for threshold in np.arange(0.1, 0.9, 0.01):
        pred = p >= threshold
        tp = float((pred & (y == 1)).sum())
        precision = tp / max(pred.sum(), 1)
        recall = tp / max((y == 1).sum(), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        if f1 > best[1]:
            best = (float(threshold), f1)
    return best


def read_dev_test() -> tuple[list[str], FloatArray]:
    """CT24 dev-test (selection only): its sentences, whitespace-normalised, and 1.0 for Yes."""
    with DEV_TEST.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    texts = [" ".join(row["Text"].split()) for row in rows]
    return texts, np.array([float(row["class_label"] == "Yes") for row in rows])


def _dev_test_threshold(model: Any, vocab: list[str]) -> tuple[float, float]:
    """The threshold with the best F1 on CT24 dev-test, for sentences as the extractor sees
    them: one that cannot be a claim (a question, a fragment) scores 0."""
    from domain.extraction import can_be_claim

    if not DEV_TEST.is_file():
        sys.exit(f"CT24 dev-test not found at {DEV_TEST} (or pass --cv-threshold)")
    texts, gold = read_dev_test()
    index = {f: i for i, f in enumerate(vocab)}
    matrix = np.zeros((len(texts), len(vocab)))
    for row, text in enumerate(texts):
        for name in features(text):
            if name in index:
                matrix[row, index[name]] = 1.0
    eligible = np.array([can_be_claim(text) for text in texts])
    return best_threshold(gold, model.predict_proba(matrix)[:, 1] * eligible)


def main() -> None:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--static",
        action="store_true",
        help="add MiniLM static word embeddings (measured, not shipped)",
    )
    parser.add_argument(
        "--cv-threshold",
        action="store_true",
        help="keep the threshold of ClaimBuster cross-validation instead of CT24 dev-test's",
    )
    args = parser.parse_args()
    if not DATA.is_file():
        sys.exit(f"ClaimBuster data not found at {DATA}")
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    texts = [str(r["text"]) for r in rows]
    y = np.array([float(r["label"]) for r in rows])
    x_sparse, vocab = _sparse_matrix(texts)
    x: Any = x_sparse
    words: list[str] = []
    vectors = np.zeros((0, 0))
    scale = 1.0
    if args.static:
        dense, words, vectors = _static_part(texts)
        scale = float(1.0 / dense.std(0).mean())
        x = sparse.hstack([x_sparse, sparse.csr_matrix(dense * scale)]).tocsr()
    print(f"{len(texts)} sentences, {len(vocab)} sparse features, {len(words)} embedded words")

    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    best_c, best_f1, best_thr = C_GRID[0], -1.0, 0.5
    for c in C_GRID:
        oof = np.zeros(len(y))
        for train, test in folds.split(np.zeros(len(y)), y):
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
            model.fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        thr, f1 = best_threshold(y, oof)
        print(f"C={c:<5} CV F1(1)={f1:.3f} at threshold {thr:.2f}", flush=True)
        if f1 > best_f1:
            best_c, best_f1, best_thr = c, f1, thr

    model = LogisticRegression(C=best_c, class_weight="balanced", max_iter=5000).fit(x, y)
    coef = model.coef_[0]
    cv_thr = best_thr
    if not args.cv_threshold and not words:
        best_thr, dev_f1 = _dev_test_threshold(model, vocab)
        print(
            f"threshold {best_thr:.2f} chosen on CT24 dev-test (F1 {dev_f1:.3f}); CV's {cv_thr:.2f}"
        )
    weights = {
        f: round(float(v), 4)
        for f, v in zip(vocab, coef[: len(vocab)], strict=True)
        if abs(v) >= PRUNE_BELOW
    }
    out: dict[str, object] = {
        "about": "Logistic regression trained on ClaimBuster 2.5xNCS (CC BY 4.0; Arslan et al. "
        "ICWSM 2020, Meng et al. 2020) by bench/train_checkworthiness.py"
        + (
            "; word_scores fold in static word embeddings distilled from all-MiniLM-L6-v2 "
            "(Apache-2.0; Wang et al. 2020, Reimers and Gurevych 2019)"
            if words
            else ""
        ),
        "c": best_c,
        "cv_f1": round(best_f1, 4),
        "bias": round(float(model.intercept_[0]), 4),
        "threshold": round(best_thr, 2),
        "cv_threshold": round(cv_thr, 2),
        "weights": dict(sorted(weights.items())),
    }
    if words:
        scores = vectors @ (coef[len(vocab) :] * scale)
        out["word_scores"] = {w: round(float(s), 3) for w, s in zip(words, scores, strict=True)}
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(weights)} weights)")


if __name__ == "__main__":
    main()
