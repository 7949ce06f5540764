"""Sentence embeddings: the meaning of a claim as a unit vector, computed on the CPU.

Why: a claim comes back in other words ("8,000 ISIS fighters imprisoned" / "8,000 Islamic State
militants held in jails"); word overlap misses it, a sentence encoder does not. The encoder is
all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; see ``domain/data/minilm/NOTICE``), exported
once to ONNX by ``bench/export_encoder.py`` with its mean pooling and L2 normalisation inside the
graph, and weights quantised to int8 (23 MB instead of 90 MB, about 1.8x faster per sentence on
this CPU; min cosine to the PyTorch model 0.96 on the export probe), then saved with
onnxruntime's extended graph optimisations applied (fused attention, layer norm and GELU: the
session then opens in 0.03 s instead of 0.16 s). At run time only onnxruntime and tokenizers are
needed, and nothing is downloaded.

The session is created lazily and once per process (about 0.2 s), so commands that never embed
(``factdesk export``) do not pay for it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float32]
else:
    Vectors = Any

__all__ = ["DIMENSIONS", "MODEL_DIR", "MODEL_NAME", "SentenceEncoder", "Vectors", "get_encoder"]

MODEL_DIR = Path(__file__).resolve().parent / "data" / "minilm"
# Written into the index's state, so an index built with another model is rebuilt.
MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
# Claims are one sentence; 128 word pieces hold any real one and bound the cost of a long one.
_MAX_TOKENS = 128
# Texts per onnxruntime call: padding grows with the longest text, so batches stay small.
_BATCH = 32


def load_onnxruntime() -> Any:
    """Import onnxruntime with its telemetry off.

    onnxruntime 1.32's Linux wheels carry Microsoft's 1DS telemetry: on import they write a
    device id and an event store under ``~/.cache/Microsoft`` and a ``.ses`` file in the temporary
    folder, and queue uploads. A fact-checking desk's bot must not report home, so
    ``ORT_DISABLE_TELEMETRY=1`` is set before the first import (an operator may still set it to 0).
    """
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime

    return onnxruntime


class SentenceEncoder:
    """Turns texts into L2-normalised float32 vectors (cosine similarity is a dot product)."""

    def __init__(self, model_dir: Path = MODEL_DIR, *, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        ort = load_onnxruntime()

        options = ort.SessionOptions()
        # One thread by default: a single sentence is no faster on two busy cores, and no
        # spinning threads steal a core from the bot's event loop between queries. Batches
        # (imports, the background fill) ask for more.
        options.intra_op_num_threads = threads or 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        # The shipped graph is already optimised (bench/export_encoder.py saves onnxruntime's
        # extended graph optimisations): optimising it again at every start cost 0.13 s.
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self._session = ort.InferenceSession(
            str(model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    def encode(
        self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None
    ) -> Vectors:
        """One unit vector per text, in order; ``progress`` is told how many texts each batch did.

        Texts are sorted by length before batching so that a batch pads to similar lengths (a
        few long claims would otherwise make every batch as wide as they are).
        """
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            out[chunk] = self._run([texts[i] or " " for i in chunk])
            if progress is not None:
                progress(len(chunk))
        return out

    def encode_one(self, text: str) -> Vectors:
        """The vector of one text (shape ``(DIMENSIONS,)``)."""
        result: Vectors = self._run([text or " "])[0]
        return result

    def _run(self, texts: list[str]) -> Vectors:
        with self._lock:
            encoded = self._tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
        }
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
        result = self._session.run(None, feeds)[0]
        return np.asarray(result, dtype=np.float32)


_shared: SentenceEncoder | None = None
_shared_lock = threading.Lock()


def get_encoder() -> SentenceEncoder:
    """The process-wide encoder, created on first use (onnxruntime sessions are thread-safe)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared
