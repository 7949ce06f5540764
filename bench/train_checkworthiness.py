"""Train the shipped check-worthiness weights (domain/data/checkworthiness_model.json).

Training data: ClaimBuster 2.5xNCS (CC BY 4.0) from ``../shared/data/claimbuster_2class_ncs``.
Please attribute: Arslan, Hassan, Li, Tremayne, "A Benchmark Dataset of Check-worthy Factual
Claims", ICWSM 2020 (arXiv 2004.14425); Meng et al. 2020 (arXiv 2002.07725).

The CheckThat! 2024 files are research-only: they are never used here, neither for training
nor for choosing the regularisation or the threshold (both come from 5-fold cross-validation on
ClaimBuster). Evaluate on CT24 with ``bench/extraction_quality.py``.

numpy is needed at training time only; the runtime scorer is plain Python.

    .venv/bin/python bench/train_checkworthiness.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from domain.checkworthiness import MODEL_RESOURCE, features  # noqa: E402

DATA = REPO / ".." / "shared" / "data" / "claimbuster_2class_ncs" / "2.5xNCS.json"
OUT = REPO / "domain" / "data" / MODEL_RESOURCE
MIN_DF = 3
FOLDS = 5
SEED = 13
L2_GRID = (0.3, 1.0, 3.0, 10.0)
PRUNE_BELOW = 0.01

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Sparse:
    """Minimal binary CSR matrix: enough for logistic-regression gradients without scipy."""

    def __init__(self, rows: list[list[int]], n_cols: int) -> None:
        self.n_rows = len(rows)
        self.n_cols = n_cols
        self.lengths = np.array([len(r) for r in rows], dtype=np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        self.indices = np.array([i for r in rows for i in r], dtype=np.int64)

    def dot(self, w: FloatArray) -> FloatArray:
        sums = np.add.reduceat(w[self.indices], self.indptr[:-1])
        sums[self.lengths == 0] = 0.0
        return sums

    def tdot(self, g: FloatArray) -> FloatArray:
        weights = np.repeat(g, self.lengths)
        counts = np.bincount(self.indices, weights=weights, minlength=self.n_cols)
        return counts.astype(np.float64)

    def take(self, idx: IntArray) -> Sparse:
        rows = [self.indices[self.indptr[i] : self.indptr[i + 1]].tolist() for i in idx]
        return Sparse(rows, self.n_cols)


def train(x: Sparse, y: FloatArray, l2: float, iters: int = 600) -> tuple[float, FloatArray]:
    """Class-balanced L2 logistic regression fitted with full-batch Adam."""
    pos = y.sum()
    sample_w = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * (len(y) - pos)))
    w = np.zeros(x.n_cols)
    b = 0.0
    m_w = np.zeros_like(w)
    v_w = np.zeros_like(w)
    m_b = v_b = 0.0
    lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    n = len(y)
    for t in range(1, iters + 1):
        p = 1.0 / (1.0 + np.exp(-(x.dot(w) + b)))
        g = (p - y) * sample_w / n
        grad_w = x.tdot(g) + l2 * w / n
        grad_b = float(g.sum())
        m_w = beta1 * m_w + (1 - beta1) * grad_w
        v_w = beta2 * v_w + (1 - beta2) * grad_w**2
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        v_b = beta2 * v_b + (1 - beta2) * grad_b**2
        corr1, corr2 = 1 - beta1**t, 1 - beta2**t
        w -= lr * (m_w / corr1) / (np.sqrt(v_w / corr2) + eps)
        b -= lr * (m_b / corr1) / (np.sqrt(v_b / corr2) + eps)
    return b, w


def best_threshold(y: FloatArray, p: FloatArray) -> tuple[float, float]:
    best = (0.5, 0.0)
    for threshold in np.arange(0.2, 0.9, 0.01):
        pred = p >= threshold
        tp = float((pred & (y == 1)).sum())
        precision = tp / max(pred.sum(), 1)
        recall = tp / max((y == 1).sum(), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        if f1 > best[1]:
            best = (float(threshold), f1)
    return best


def main() -> None:
    if not DATA.is_file():
        sys.exit(f"ClaimBuster data not found at {DATA}")
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    texts = [str(r["text"]) for r in rows]
    y = np.array([float(r["label"]) for r in rows])
    feats = [features(t) for t in texts]
    df = Counter(f for fs in feats for f in fs)
    vocab = sorted(f for f, c in df.items() if c >= MIN_DF or f.startswith(("s:", "len:")))
    index = {f: i for i, f in enumerate(vocab)}
    x = Sparse([sorted(index[f] for f in fs if f in index) for fs in feats], len(vocab))
    print(f"{len(texts)} sentences, {len(vocab)} features")

    rng = np.random.default_rng(SEED)
    fold_of = rng.integers(0, FOLDS, size=len(y))
    best_l2, best_f1, best_thr = L2_GRID[0], -1.0, 0.5
    for l2 in L2_GRID:
        oof = np.zeros(len(y))
        for fold in range(FOLDS):
            tr = np.flatnonzero(fold_of != fold)
            te = np.flatnonzero(fold_of == fold)
            b, w = train(x.take(tr), y[tr], l2)
            oof[te] = 1.0 / (1.0 + np.exp(-(x.take(te).dot(w) + b)))
        thr, f1 = best_threshold(y, oof)
        print(f"l2={l2:<5} CV F1(1)={f1:.3f} at threshold {thr:.2f}")
        if f1 > best_f1:
            best_l2, best_f1, best_thr = l2, f1, thr

    b, w = train(x, y, best_l2)
    weights = {
        f: round(float(v), 4) for f, v in zip(vocab, w, strict=True) if abs(v) >= PRUNE_BELOW
    }
    model = {
        "about": "Logistic regression trained on ClaimBuster 2.5xNCS (CC BY 4.0; Arslan et al. "
        "ICWSM 2020, Meng et al. 2020) by bench/train_checkworthiness.py",
        "l2": best_l2,
        "cv_f1": round(best_f1, 4),
        "bias": round(float(b), 4),
        "threshold": round(best_thr, 2),
        "weights": dict(sorted(weights.items())),
    }
    OUT.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(weights)} weights)")


if __name__ == "__main__":
    main()
