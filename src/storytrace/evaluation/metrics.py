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


@dataclass(slots=True, frozen=True)
class Contingency:
    """The non-zero cells of the contingency table: ``count[k]`` items are in true cluster ``t[k]`` and
    predicted cluster ``p[k]`` (sparse: a million singletons are a million cells, not 10^12)."""

    t: np.ndarray
    p: np.ndarray
    count: np.ndarray
    true_sizes: np.ndarray
    pred_sizes: np.ndarray

    @property
    def n(self) -> int:
        return int(self.count.sum())


def contingency(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> Contingency:
    """Counts of items per (true cluster, predicted cluster) pair that occurs."""
    if len(truth) != len(pred):
        raise ValueError(f"label sequences differ in length: {len(truth)} vs {len(pred)}")
    _, t = np.unique(np.asarray(truth, dtype=object).astype(str), return_inverse=True)
    _, p = np.unique(np.asarray(pred, dtype=object).astype(str), return_inverse=True)
    t, p = t.reshape(-1).astype(np.int64), p.reshape(-1).astype(np.int64)
    width = int(p.max(initial=-1)) + 1
    cells, count = np.unique(t * width + p, return_counts=True)
    return Contingency(cells // max(width, 1), cells % max(width, 1), count.astype(np.int64),
                       np.bincount(t).astype(np.int64), np.bincount(p).astype(np.int64))


def _pairs(x: np.ndarray) -> float:
    return float((x * (x - 1) // 2).sum())


def pairwise_prf(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """Over all item pairs: precision = same-predicted pairs that are truly together, recall the converse.

    With no predicted (or true) pairs at all the corresponding score is 1 by convention.
    """
    table = contingency(truth, pred)
    together = _pairs(table.count)
    predicted = _pairs(table.pred_sizes)
    actual = _pairs(table.true_sizes)
    return _prf(together / predicted if predicted else 1.0, together / actual if actual else 1.0)


def bcubed_prf(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """B-cubed (Bagga & Baldwin): per item precision/recall of its cluster, averaged over items."""
    table = contingency(truth, pred)
    n = table.n
    if n == 0:
        return PRF(1.0, 1.0, 1.0)
    square = table.count.astype(np.float64) ** 2
    precision = float((square / table.pred_sizes[table.p]).sum() / n)
    recall = float((square / table.true_sizes[table.t]).sum() / n)
    return _prf(precision, recall)


def adjusted_rand_index(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """ARI (Hubert & Arabie): Rand index corrected for chance; 1 = identical, about 0 = random."""
    table = contingency(truth, pred)
    n = table.n
    if n < 2:
        return 1.0
    index = _pairs(table.count)
    a, b = _pairs(table.true_sizes), _pairs(table.pred_sizes)
    total = n * (n - 1) / 2
    expected = a * b / total
    maximum = (a + b) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


def normalized_mutual_info(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """NMI with arithmetic-mean normalisation (scikit-learn's default)."""
    table = contingency(truth, pred)
    n = float(table.n)
    if n == 0:
        return 1.0
    pt, pp = table.true_sizes / n, table.pred_sizes / n
    joint = table.count / n
    mi = float((joint * np.log(joint / (pt[table.t] * pp[table.p]))).sum())
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
