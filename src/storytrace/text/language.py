"""Language identification per document (py3langid: BSD licence, model ships in the package)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

UNDETERMINED = "und"
_MIN_LETTERS = 20  # shorter texts get "und": too little evidence for a reliable guess
_SAMPLE_CHARS = 3000  # the first few paragraphs decide; keeps detection O(1) per document


@lru_cache(maxsize=1)
def _identifier() -> Any:  # py3langid ships no types
    """Load the language model once per process (about 0.3 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_model() -> None:
    """Load the model now (e.g. before forking processes that share it)."""
    _identifier()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's main language, or ``und`` when it cannot be told."""
    sample = text[:_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return UNDETERMINED
    lang, prob = _identifier().classify(sample)
    return str(lang) if prob >= 0.5 else UNDETERMINED
