"""Match stage: candidate pairs (MinHash LSH, exact hash, winnowed-anchor containment index) and
their verification into relations ("exact", "near_duplicate", "contains")."""
from .buckets import BucketIndex
from .candidates import FROM_ANCHORS, FROM_EXACT, FROM_LSH, CandidateIndex
from .containment import AnchorIndex, containment_candidates
from .lsh import (
    LSHIndex,
    band_keys,
    bands_rows,
    candidate_pairs,
    candidate_probability,
    false_negative_rate,
    optimal_bands_rows,
    unique_pairs,
)
from .verify import Match, MatchTable, verify, verify_pairs

__all__ = [
    "FROM_ANCHORS",
    "FROM_EXACT",
    "FROM_LSH",
    "CandidateIndex",
    "AnchorIndex",
    "BucketIndex",
    "LSHIndex",
    "Match",
    "MatchTable",
    "band_keys",
    "bands_rows",
    "candidate_pairs",
    "candidate_probability",
    "containment_candidates",
    "false_negative_rate",
    "optimal_bands_rows",
    "unique_pairs",
    "verify",
    "verify_pairs",
]
