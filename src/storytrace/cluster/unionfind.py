"""Union-find over integer ids held in numpy arrays: connected components without Python objects per edge."""
from __future__ import annotations

import numpy as np


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label (smallest member index) for each of ``n`` nodes linked by edges (left[i], right[i]).

    Pointer jumping with numpy (min-label propagation): O((n + e) log n) array work, no recursion.
    """
    labels = np.arange(n, dtype=np.int64)
    if len(left) == 0:
        return labels
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while True:
        lo = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, left, lo)
        np.minimum.at(labels, right, lo)
        labels = labels[labels]  # pointer jumping: follow labels to their roots
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels
