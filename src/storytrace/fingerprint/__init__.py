"""Fingerprint stage: word shingles, MinHash signatures and winnowed anchors of normalised text."""
from .config import DedupConfig
from .minhash import (
    EMPTY,
    Fingerprints,
    content_hash,
    encode_batch,
    estimate_jaccard,
    fingerprint,
    shingle_set,
    shingles,
    signatures,
    word_hashes,
)

__all__ = [
    "EMPTY",
    "DedupConfig",
    "Fingerprints",
    "content_hash",
    "encode_batch",
    "estimate_jaccard",
    "fingerprint",
    "shingle_set",
    "shingles",
    "signatures",
    "word_hashes",
]
