"""Check-worthiness from a small fine-tuned transformer: the first layers of all-MiniLM-L6-v2.

Why: the linear model of :mod:`domain.checkworthiness` sees words and hand-made signals; on
CheckThat! 2024 test_gold it stops near F1 0.62 however it is tuned. The first two layers of
all-MiniLM-L6-v2 (Apache-2.0, the encoder already shipped for matching), fine-tuned with a
logistic head on ClaimBuster 2.5xNCS (CC BY 4.0) by ``bench/train_checkworthiness_encoder.py``,
read the sentence as a whole and carry over from 2012-2016 debates to 2020-2024 ones better.
Two of the six layers keep a 1,000-word article within the time budget.

The graph (mean pooling and the head inside, weights quantised to int8) runs on onnxruntime and
uses the matching encoder's tokenizer; the session is created lazily, once per process.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from domain.embedding import MODEL_DIR as TOKENIZER_DIR
from domain.embedding import load_onnxruntime

__all__ = ["MODEL_DIR", "EncoderScorer", "get_scorer"]

MODEL_DIR = Path(__file__).resolve().parent / "data" / "checkworthiness_minilm"
# Sentences a desk reads fit in 48 word pieces; a longer one is judged on its start.
_MAX_TOKENS = 48


@dataclass(frozen=True, slots=True)
class _Config:
    threshold: float
    layers: int


class EncoderScorer:
    """Probability-like check-worthiness (0..1) of sentences, and the threshold to offer one."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        from tokenizers import Tokenizer

        ort = load_onnxruntime()
        options = ort.SessionOptions()
        # One thread: a handful of short sentences gains nothing from a second busy core.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        raw = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.config = _Config(threshold=float(raw["threshold"]), layers=int(raw["layers"]))
        tokenizer = Tokenizer.from_file(str(TOKENIZER_DIR / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    @property
    def threshold(self) -> float:
        return self.config.threshold

    def scores(self, sentences: Sequence[str]) -> list[float]:
        """One score per sentence, in order.

        Each sentence goes through the graph alone: no padding, so no time lost on it (the
        dozen sentences an article asks about differ in length), and a sentence's score does
        not depend on its neighbours (int8 activations are quantised per call, so padding
        nudges them).
        """
        return [self._score(sentence or ".") for sentence in sentences]

    def _score(self, sentence: str) -> float:
        with self._lock:
            encoded = self._tokenizer.encode(sentence)
        feeds = {
            "input_ids": np.array([encoded.ids], dtype=np.int64),
            "attention_mask": np.array([encoded.attention_mask], dtype=np.int64),
        }
        logit = float(self._session.run(None, feeds)[0][0])
        return 1.0 / (1.0 + math.exp(-logit))


_shared: EncoderScorer | None = None
_shared_lock = threading.Lock()


def get_scorer() -> EncoderScorer:
    """The process-wide scorer, created on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EncoderScorer()
        return _shared
