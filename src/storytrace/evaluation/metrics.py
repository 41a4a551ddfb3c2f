"""Cluster and pair metrics, implemented once: pairwise P/R/F1, B-cubed, ARI, NMI.

All take two label sequences of equal length (truth, predicted); labels may be any hashable.
Pair counts come from the contingency table, so cost is O(n + clusters), never O(n^2).
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(slots=True, frozen=True)
class PRF:
    """Precision, recall and their harmonic mean."""

    precision: float
    recall: float
    f1: float


def _prf(precision: float, recall: float) -> PRF:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1)


def contingency(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> np.ndarray:
    """Counts n[i, j] of items in true cluster i and predicted cluster j."""
    if len(truth) != len(pred):
        raise ValueError(f"label sequences differ in length: {len(truth)} vs {len(pred)}")
    _, t = np.unique(np.asarray(truth, dtype=object).astype(str), return_inverse=True)
    _, p = np.unique(np.asarray(pred, dtype=object).astype(str), return_inverse=True)
    table = np.zeros((t.max(initial=-1) + 1, p.max(initial=-1) + 1), dtype=np.int64)
    np.add.at(table, (t, p), 1)
    return table


def _pairs(x: np.ndarray) -> float:
    return float((x * (x - 1) // 2).sum())


def pairwise_prf(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """Over all item pairs: precision = same-predicted pairs that are truly together, recall the converse.

    With no predicted (or true) pairs at all the corresponding score is 1 by convention.
    """
    table = contingency(truth, pred)
    together = _pairs(table)
    predicted = _pairs(table.sum(axis=0))
    actual = _pairs(table.sum(axis=1))
    return _prf(together / predicted if predicted else 1.0, together / actual if actual else 1.0)


def bcubed_prf(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """B-cubed (Bagga & Baldwin): per item precision/recall of its cluster, averaged over items."""
    table = contingency(truth, pred).astype(np.float64)
    n = table.sum()
    if n == 0:
        return PRF(1.0, 1.0, 1.0)
    pred_sizes = table.sum(axis=0)
    true_sizes = table.sum(axis=1)
    precision = float((table**2 / pred_sizes[None, :]).sum() / n)
    recall = float((table**2 / true_sizes[:, None]).sum() / n)
    return _prf(precision, recall)


def adjusted_rand_index(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """ARI (Hubert & Arabie): Rand index corrected for chance; 1 = identical, about 0 = random."""
    table = contingency(truth, pred)
    n = int(table.sum())
    if n < 2:
        return 1.0
    index = _pairs(table)
    a, b = _pairs(table.sum(axis=1)), _pairs(table.sum(axis=0))
    total = n * (n - 1) / 2
    expected = a * b / total
    maximum = (a + b) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


def normalized_mutual_info(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """NMI with arithmetic-mean normalisation (scikit-learn's default)."""
    table = contingency(truth, pred).astype(np.float64)
    n = table.sum()
    if n == 0:
        return 1.0
    pt, pp = table.sum(axis=1) / n, table.sum(axis=0) / n
    nz = table > 0
    joint = table[nz] / n
    mi = float((joint * np.log(joint / np.outer(pt, pp)[nz])).sum())
    ht = float(-(pt[pt > 0] * np.log(pt[pt > 0])).sum())
    hp = float(-(pp[pp > 0] * np.log(pp[pp > 0])).sum())
    if ht == 0 and hp == 0:
        return 1.0
    denom = (ht + hp) / 2
    return mi / denom if denom else 0.0


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation of two equal-length sequences (0 when either is constant)."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) != len(b):
        raise ValueError(f"sequences differ in length: {len(a)} vs {len(b)}")
    a, b = a - a.mean(), b - b.mean()
    denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denom) if denom else 0.0


def binary_prf(truth: Sequence[bool], pred: Sequence[bool]) -> PRF:
    """Precision/recall/F1 of a yes/no decision (e.g. same story) against labels."""
    t, p = np.asarray(truth, dtype=bool), np.asarray(pred, dtype=bool)
    tp = int((t & p).sum())
    precision = tp / int(p.sum()) if p.any() else 1.0
    recall = tp / int(t.sum()) if t.any() else 1.0
    return _prf(precision, recall)
