"""Containment candidates: an inverted index on winnowed anchor shingles with a frequency guard.

Why not LSH: a 300-word excerpt of a 2,000-word article has 5-gram Jaccard ~0.15 with it, and an
article inside a page of chrome can be a third of that page; MinHash LSH at any useful threshold
misses both. Winnowing keeps the minimum shingle hash of every window of ``anchor_window``
shingles, so any passage of >= window + ngram - 1 words shared by two texts yields a shared
anchor whatever surrounds it, and a text has ~2 / (window + 1) anchors per word.

Candidate rule: two documents are candidates when they share >= ``min_shared_anchors`` anchors
and those are >= ``min_anchor_ratio`` of the anchors of the one with fewer anchors (a cheap
containment estimate that throws out pairs sharing only a banner). Frequency guard: an anchor's
posting list links its first ``anchor_df_cap`` documents pairwise and every later document to its
first 4 documents only (``BucketIndex``), so a cookie banner on 100,000 pages costs 400,000 pairs,
not 5 billion, and those pairs fail the ratio test; a story syndicated more than
``anchor_df_cap`` times is still joined through its first copies. Per-document anchor counts are a
``segments.Column``, so an index spread over on-disk segments never loads them whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fingerprint.config import DedupConfig
from .buckets import BucketIndex, load_state, save_state
from .segments import Column


@dataclass(slots=True)
class AnchorIndex:
    """Incremental anchor index: ``add`` a batch's anchors (CSR), get containment candidates."""

    config: DedupConfig = field(default_factory=DedupConfig)
    size: int = 0
    counts: Column = field(default_factory=lambda: Column(np.int32))  # anchors per document
    buckets: BucketIndex = field(init=False)

    def __post_init__(self) -> None:
        self.buckets = BucketIndex(self.config.anchor_df_cap)

    @property
    def n_anchors(self) -> np.ndarray:
        """Anchors per document, as one array (a copy when the index spans segments)."""
        return self.counts.values()

    def add(self, anchors: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index documents ``size .. size + n - 1`` whose sorted unique anchors are
        ``anchors[offsets[i]:offsets[i + 1]]``; return (pairs (k, 2) int64, shared anchor counts)."""
        offsets = np.asarray(offsets, dtype=np.int64)
        n = len(offsets) - 1
        counts = np.diff(offsets)
        ids = np.repeat(np.arange(self.size, self.size + n, dtype=np.int64), counts)
        self.counts.append(counts.astype(np.int32))
        self.size += n
        raw = self.buckets.add(np.asarray(anchors, dtype=np.uint64)[offsets[0]:offsets[-1]], ids)
        return self.filter(raw)

    def filter(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Count shared anchors per pair and keep pairs passing both candidate thresholds."""
        if len(raw) == 0:
            return raw.reshape(0, 2), np.zeros(0, dtype=np.int64)
        code, shared = np.unique((raw[:, 0] << 32) | raw[:, 1], return_counts=True)
        a, b = code >> 32, code & 0xFFFFFFFF
        smaller = np.minimum(self.counts.take(a), self.counts.take(b))
        keep = (shared >= self.config.min_shared_anchors) | (shared >= smaller)
        keep &= shared >= self.config.min_anchor_ratio * smaller
        return np.stack((a[keep], b[keep]), axis=1), shared[keep]

    def state(self) -> dict[str, np.ndarray]:
        """Arrays that restore this index (``from_state``)."""
        out = self.buckets.state("anchor_")
        out["anchor_counts"] = self.counts.values()
        return out

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], config: DedupConfig | None = None) -> AnchorIndex:
        """Rebuild from ``state()`` arrays; later ``add`` calls continue the id sequence."""
        counts = np.asarray(state["anchor_counts"], dtype=np.int32)
        index = cls(config or DedupConfig(), size=len(counts), counts=Column(np.int32, tail=counts))
        index.buckets = BucketIndex.from_state(state, "anchor_")
        return index

    def save(self, directory: str | Path) -> None:
        """Write the index as .npy files into ``directory``."""
        save_state(self.state(), directory)

    @classmethod
    def load(cls, directory: str | Path, config: DedupConfig | None = None) -> AnchorIndex:
        """Read an index written by ``save``."""
        return cls.from_state(load_state(directory), config)


def containment_candidates(anchors: np.ndarray, offsets: np.ndarray,
                           config: DedupConfig | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Bulk containment candidates of one batch: (pairs (k, 2) int64 with i < j, shared counts)."""
    return AnchorIndex(config or DedupConfig()).add(anchors, offsets)
