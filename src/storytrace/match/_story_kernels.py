"""Numba kernels of the story pair features (``match.story``): integer results, identical to the numpy code
they replace on the hot path (every candidate pair of the story clustering)."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def common_sorted(a: np.ndarray, b: np.ndarray) -> int:  # pragma: no cover - compiled
    """Size of the intersection of two sorted arrays of unique values (a merge: ~1 µs for 1,000 values,
    against ~10 µs for numpy's searchsorted, fancy index and compare)."""
    i = 0
    j = 0
    n = 0
    na = a.shape[0]
    nb = b.shape[0]
    while i < na and j < nb:
        x = a[i]
        y = b[j]
        if x == y:
            n += 1
            i += 1
            j += 1
        elif x < y:
            i += 1
        else:
            j += 1
    return n
