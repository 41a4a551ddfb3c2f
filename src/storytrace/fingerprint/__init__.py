"""Fingerprint stage: word shingles, MinHash signatures and winnowed anchors of normalised text."""
from .config import DedupConfig
from .minhash import (
    EMPTY,
    Fingerprints,
    concat_fingerprints,
    content_hash,
    encode_batch,
    estimate_jaccard,
    fingerprint,
    fingerprint_rows,
    shingle_set,
    shingles,
    signatures,
    word_hashes,
)

__all__ = [
    "EMPTY",
    "DedupConfig",
    "Fingerprints",
    "concat_fingerprints",
    "content_hash",
    "encode_batch",
    "estimate_jaccard",
    "fingerprint",
    "fingerprint_rows",
    "shingle_set",
    "shingles",
    "signatures",
    "word_hashes",
]
