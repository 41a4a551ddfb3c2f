"""One validated settings object for fingerprinting, candidate search and verification."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MinHashMethod = Literal["oph", "kperm"]


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Settings shared by the fingerprint and match stages; every field is checked on creation.

    threshold: MinHash-LSH Jaccard threshold (5-gram sets) that picks bands x rows.
    num_perm: MinHash signature length. ngram: words per shingle. seed: fixes every hash family.
    method: "oph" (one-permutation hashing with optimal densification, default) or "kperm"
        (classic k independent permutations); see docs/bench_dedup.md for the measurement.
    fp_weight / fn_weight: weights of false positives / negatives when choosing bands x rows.
    max_bucket: an LSH bucket member joining after this many earlier members is linked to the
        first member only (giant-bucket guard, keeps pairs linear).
    anchor_window: winnowing window in shingles (anchor density ~ 2 / (window + 1)).
    anchor_df_cap: a containment-index posting joined after this many documents is linked to its
        first document only (boilerplate guard).
    min_shared_anchors: anchors two documents must share to become a containment candidate.
    min_anchor_ratio: shared anchors / anchors of the smaller document needed to be verified.
    containment_threshold: coverage of the shorter text >= this, and >= the longer text's coverage
        + ``containment_margin`` -> "contains".
    near_threshold: otherwise, both coverages >= this -> "near_duplicate".
    """

    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    method: MinHashMethod = "oph"
    fp_weight: float = 0.5
    fn_weight: float = 0.5
    max_bucket: int = 32
    anchor_window: int = 24
    anchor_df_cap: int = 64
    min_shared_anchors: int = 2
    min_anchor_ratio: float = 0.1
    near_threshold: float = 0.5
    containment_threshold: float = 0.7
    containment_margin: float = 0.2

    def __post_init__(self) -> None:
        _check_unit("threshold", self.threshold, open_low=True)
        _check_unit("near_threshold", self.near_threshold, open_low=True)
        _check_unit("containment_threshold", self.containment_threshold, open_low=True)
        _check_unit("min_anchor_ratio", self.min_anchor_ratio)
        _check_unit("containment_margin", self.containment_margin)
        _check_int("num_perm", self.num_perm, 2, 8192)
        _check_int("ngram", self.ngram, 1, 64)
        _check_int("seed", self.seed, 0, 2**64 - 1)
        _check_int("max_bucket", self.max_bucket, 1, 1 << 30)
        _check_int("anchor_window", self.anchor_window, 1, 1 << 16)
        _check_int("anchor_df_cap", self.anchor_df_cap, 1, 1 << 30)
        _check_int("min_shared_anchors", self.min_shared_anchors, 1, 1 << 16)
        if self.method not in ("oph", "kperm"):
            raise ValueError(f"method must be 'oph' or 'kperm', got {self.method!r}")
        for name in ("fp_weight", "fn_weight"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        if self.fp_weight + self.fn_weight <= 0:
            raise ValueError("fp_weight + fn_weight must be > 0")


def _check_unit(name: str, value: object, open_low: bool = False) -> None:
    """Raise ValueError unless value is a float in [0, 1] ((0, 1] when open_low)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    low_ok = value > 0 if open_low else value >= 0
    if not (low_ok and value <= 1):
        interval = "(0, 1]" if open_low else "[0, 1]"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    """Raise ValueError unless value is an int in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
