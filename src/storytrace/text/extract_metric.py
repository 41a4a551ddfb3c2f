"""Article-extraction quality metric of the Zyte article-extraction benchmark (shingle P/R/F1).

Tokens are the regex ``\\w+`` (Unicode); each text becomes a multiset of 4-token shingles; per page
tp/fp/fn are counted, normalised by their sum, and precision/recall are averaged over pages; F1
is computed from the two means (``aggregate``).
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter[str]:
    """Multiset of n-token shingles of ``text`` (tokens are ``\\w+``), as the benchmark counts them.

    Like the benchmark's own code, a text of 1..n-1 tokens is one shingle of all its tokens.
    """
    toks = _TOKEN.findall(text or "")
    return Counter(" ".join(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks)


def page_counts(pred: str, truth: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page: shared shingles (multiset min), extra, missed."""
    return shingle_counts(shingles(pred), shingles(truth))


def shingle_counts(p: Counter[str], t: Counter[str]) -> tuple[float, float, float]:
    """``page_counts`` from the two shingle multisets (so a truth's shingles can be made once)."""
    tp = sum((p & t).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def score_extraction(pred: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of one page (1.0 where there is nothing to miss or add)."""
    return score_counts(*page_counts(pred, truth))


def score_counts(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of one page from its normalised (tp, fp, fn)."""
    if fp == 0 and fn == 0:
        return 1.0, 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    return precision, recall, _f1(precision, recall)


def aggregate(pages: Iterable[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision, mean recall and the F1 of those two means over per-page scores."""
    ps, rs = [], []
    for p, r, _ in pages:
        ps.append(p)
        rs.append(r)
    if not ps:
        return 0.0, 0.0, 0.0
    mp, mr = sum(ps) / len(ps), sum(rs) / len(rs)
    return mp, mr, _f1(mp, mr)


def _f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


# The benchmark's fixed split: a page's fold is blake2b of its id modulo K_FOLDS, so it does not
# depend on which other pages are present or on their order. Fold HELD_FOLD is held out (never used
# to fit anything); the rest is the development split; cross-validation rotates over all folds.
K_FOLDS = 5
HELD_FOLD = 0


def fold_of(page_id: str, k: int = K_FOLDS) -> int:
    """The fold of a benchmark page: blake2b (8-byte digest) of its id, as an integer, modulo ``k``."""
    return int.from_bytes(hashlib.blake2b(page_id.encode("utf-8"), digest_size=8).digest(), "big") % k
