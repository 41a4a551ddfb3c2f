"""MinHash LSH: bands x rows chosen from the threshold, band keys, bulk and incremental candidates.

A pair with 5-gram Jaccard s becomes a candidate with probability 1 - (1 - s**r)**b. Bands and
rows minimise fp_weight * (area under that curve below the threshold) + fn_weight * (area above
it missed), the criterion of datasketch's ``_optimal_param``; ``false_negative_rate`` states what
the choice misses at any similarity. Candidate pairs come from equal band keys grouped by sorting
(``BucketIndex``), with the giant-bucket guard described there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..fingerprint.config import DedupConfig
from .buckets import BucketIndex, load_state, save_state

_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(96)


def candidate_probability(similarity: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """Probability that a pair of the given Jaccard similarity shares at least one band."""
    s = np.asarray(similarity, dtype=np.float64)
    return 1.0 - (1.0 - s**rows) ** bands


def false_negative_rate(similarity: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """Probability that a pair of the given Jaccard similarity is missed: (1 - s**r)**b."""
    s = np.asarray(similarity, dtype=np.float64)
    return (1.0 - s**rows) ** bands


def _integral(lo: float, hi: float, bands: np.ndarray, rows: np.ndarray, missed: bool) -> np.ndarray:
    """Gauss-Legendre integral over [lo, hi] of the hit (or miss) probability, per (b, r)."""
    s = (hi - lo) / 2 * _NODES + (hi + lo) / 2
    p = (1.0 - s[None, :] ** rows[:, None]) ** bands[:, None]
    values = p if missed else 1.0 - p
    integral: np.ndarray = (hi - lo) / 2 * (values @ _WEIGHTS)
    return integral


@lru_cache(maxsize=256)
def optimal_bands_rows(threshold: float, num_perm: int, fp_weight: float = 0.5,
                       fn_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows), bands * rows <= num_perm, minimising weighted FP + FN probability mass."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if num_perm < 2:
        raise ValueError(f"num_perm must be >= 2, got {num_perm}")
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    bands = np.array([p[0] for p in pairs], dtype=np.float64)
    rows = np.array([p[1] for p in pairs], dtype=np.float64)
    fp = _integral(0.0, threshold, bands, rows, missed=False)
    fn = _integral(threshold, 1.0, bands, rows, missed=True)
    best = int(np.argmin(fp * fp_weight + fn * fn_weight))
    return pairs[best]


def bands_rows(config: DedupConfig) -> tuple[int, int]:
    """(bands, rows) for a config's threshold, num_perm and weights."""
    return optimal_bands_rows(config.threshold, config.num_perm, config.fp_weight, config.fn_weight)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64 keys: each band's rows hashed together with the band number mixed in,
    so keys of different bands never meet in one bucket table."""
    sig = np.ascontiguousarray(signatures, dtype=np.uint64)
    if sig.ndim != 2 or sig.shape[1] < bands * rows:
        raise ValueError(f"signatures must be (n, >= {bands * rows}), got {sig.shape}")
    cube = sig[:, : bands * rows].reshape(len(sig), bands, rows)
    with np.errstate(over="ignore"):
        h = (np.arange(1, bands + 1, dtype=np.uint64) * _GOLDEN)[None, :].repeat(len(sig), axis=0)
        for j in range(rows):
            h = _fmix64((h ^ cube[:, :, j]) * _M1)
    return h


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3 finaliser on a uint64 array (wrapping arithmetic)."""
    s33 = np.uint64(33)
    with np.errstate(over="ignore"):
        x = x ^ (x >> s33)
        x = x * _M1
        x = x ^ (x >> s33)
        x = x * _M2
        mixed: np.ndarray = x ^ (x >> s33)
    return mixed


@dataclass(slots=True)
class LSHIndex:
    """Incremental MinHash LSH: ``add`` a batch of signatures, get its candidate pairs with all
    earlier documents and among itself; old band keys stay in sorted numpy runs."""

    config: DedupConfig = field(default_factory=DedupConfig)
    bands: int = 0
    rows: int = 0
    size: int = 0
    buckets: BucketIndex = field(init=False)

    def __post_init__(self) -> None:
        if self.bands <= 0 or self.rows <= 0:
            self.bands, self.rows = bands_rows(self.config)
        if self.bands * self.rows > self.config.num_perm:
            raise ValueError(f"bands * rows ({self.bands} x {self.rows}) exceeds num_perm")
        self.buckets = BucketIndex(self.config.max_bucket)

    @property
    def false_negative_rate(self) -> float:
        """Probability of missing a pair exactly at the configured threshold."""
        return float(false_negative_rate(self.config.threshold, self.bands, self.rows))

    def add(self, signatures: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        """Index a batch (ids ``size .. size + n - 1``); return unique (k, 2) int64 candidate pairs
        (earlier, later). Rows with ``valid`` False (e.g. empty texts) get ids but no keys."""
        n = len(signatures)
        ids = np.arange(self.size, self.size + n, dtype=np.int64)
        self.size += n
        if valid is not None:
            keep = np.asarray(valid, dtype=bool)
            signatures, ids = signatures[keep], ids[keep]
        keys = band_keys(signatures, self.bands, self.rows)
        pairs = self.buckets.add(keys.ravel(), np.repeat(ids, self.bands))
        return unique_pairs(pairs)

    def state(self) -> dict[str, np.ndarray]:
        """Arrays that restore this index (``from_state``); no signatures are kept."""
        out = self.buckets.state("lsh_")
        out["lsh_meta"] = np.array([self.bands, self.rows, self.size], dtype=np.int64)
        return out

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], config: DedupConfig | None = None) -> LSHIndex:
        """Rebuild from ``state()`` arrays; later ``add`` calls continue the id sequence."""
        bands, rows, size = (int(v) for v in state["lsh_meta"])
        index = cls(config or DedupConfig(), bands=bands, rows=rows, size=size)
        index.buckets = BucketIndex.from_state(state, "lsh_")
        return index

    def save(self, directory: str | Path) -> None:
        """Write the index as .npy files into ``directory``."""
        save_state(self.state(), directory)

    @classmethod
    def load(cls, directory: str | Path, config: DedupConfig | None = None) -> LSHIndex:
        """Read an index written by ``save``."""
        return cls.from_state(load_state(directory), config)


def candidate_pairs(signatures: np.ndarray, config: DedupConfig | None = None,
                    valid: np.ndarray | None = None) -> np.ndarray:
    """Bulk LSH candidates of one batch: unique (k, 2) int64 pairs (i < j) of row numbers."""
    return LSHIndex(config or DedupConfig()).add(signatures, valid)


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """Sorted unique rows of a (k, 2) int64 pair array (ids < 2**32)."""
    if len(pairs) == 0:
        return pairs.reshape(0, 2)
    code = np.unique((pairs[:, 0] << 32) | pairs[:, 1])
    return np.stack((code >> 32, code & 0xFFFFFFFF), axis=1)
