"""Verification of candidate pairs from real shingle sets, and the relation decision.

Measures (5-gram shingles of the normalised texts, ``config.ngram``):

* jaccard = |A n B| / |A u B|; containment_ab = |A n B| / |A| (how much of a is in b);
  containment_ba = |A n B| / |B|.
* coverage_ab = fraction of a's WORDS that lie inside at least one shingle of a also found in b
  (coverage_ba likewise). Set measures drop by up to ``ngram`` shingles per edited word, so a copy
  with 10% of its words edited keeps only ~0.9**5 = 59% of its shingles (Jaccard ~0.4) while
  ~85% of its words are still covered: coverage is the edit-tolerant score the decision uses.
  Different articles on one topic share a few stock phrases, so their coverage stays < ~0.1.

Decision rule (defaults: containment_threshold 0.7, containment_margin 0.2, near_threshold 0.5;
"shorter" = the text with fewer words):

1. ``exact``: identical normalised text (content hashes equal).
2. ``contains``: the shorter text's coverage >= containment_threshold and exceeds the longer
   text's coverage by >= containment_margin (the longer one has material of its own: chrome, the
   rest of the article; an edited copy loses coverage on both sides alike and is not "contains");
   ``direction`` "a_contains_b" or "b_contains_a".
3. ``near_duplicate``: coverage_ab >= near_threshold and coverage_ba >= near_threshold
   (edited, reordered, lightly truncated copies).
4. otherwise ``None``.

``score`` = 1.0 for exact, min(coverages) for near duplicates, the shorter's coverage for
contains, and max(coverages) for rejected pairs.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash
from numba import njit

from ..fingerprint import kernels as K
from ..fingerprint.config import DedupConfig
from ..fingerprint.minhash import char_table, encode_batch

RELATION_NAMES: tuple[str | None, ...] = (None, "exact", "near_duplicate", "contains")
NONE, EXACT, NEAR, CONTAINS = 0, 1, 2, 3
_DIRECTIONS = {1: "a_contains_b", -1: "b_contains_a", 0: None}
_DEFAULT = DedupConfig()


@dataclass(frozen=True, slots=True)
class Match:
    """Verdict on one pair: relation, which side contains which, and the measures behind it."""

    relation: str | None  # "exact" | "near_duplicate" | "contains" | None
    direction: str | None  # "a_contains_b" | "b_contains_a" | None
    jaccard: float
    containment_ab: float  # share of a's shingles found in b
    containment_ba: float  # share of b's shingles found in a
    coverage_ab: float  # share of a's words covered by shingles shared with b
    coverage_ba: float
    score: float


@dataclass(frozen=True, slots=True, eq=False)
class MatchTable:
    """Verdicts on many pairs as parallel arrays (row k is pair ``pairs[k]``)."""

    pairs: np.ndarray  # (k, 2) int64
    relation: np.ndarray  # int8 code, index into RELATION_NAMES
    direction: np.ndarray  # int8: 1 a contains b, -1 b contains a, 0 none
    jaccard: np.ndarray
    containment_ab: np.ndarray
    containment_ba: np.ndarray
    coverage_ab: np.ndarray
    coverage_ba: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.pairs)

    @property
    def matched(self) -> np.ndarray:
        """Boolean mask of pairs with a relation."""
        mask: np.ndarray = self.relation != NONE
        return mask

    def row(self, k: int) -> Match:
        """Row ``k`` as a ``Match``."""
        return Match(RELATION_NAMES[int(self.relation[k])], _DIRECTIONS[int(self.direction[k])],
                     float(self.jaccard[k]), float(self.containment_ab[k]),
                     float(self.containment_ba[k]), float(self.coverage_ab[k]),
                     float(self.coverage_ba[k]), float(self.score[k]))


def verify(a: str, b: str, config: DedupConfig = _DEFAULT) -> Match:
    """Relation between two normalised texts (see the module doc for the rule)."""
    table = verify_pairs([a, b], np.array([[0, 1]], dtype=np.int64), config)
    return table.row(0)


def verify_pairs(texts: Sequence[str], pairs: np.ndarray, config: DedupConfig = _DEFAULT,
                 block: int = 4096, threads: int = 1) -> MatchTable:
    """Verify pairs of indexes into ``texts`` (normalised; any indexable, e.g. a lazy disk reader),
    a block of pairs at a time so memory stays bounded; only texts named in a block are read.
    ``threads`` > 1 verifies blocks in that many threads (the kernels release the GIL; same result)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    metrics = np.zeros((len(pairs), 7), dtype=np.float64)
    starts = range(0, len(pairs), block)
    if threads > 1 and len(starts) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            for _ in pool.map(lambda lo: _verify_block(texts, pairs, lo, block, config, metrics), starts):
                pass
    else:
        for lo in starts:
            _verify_block(texts, pairs, lo, block, config, metrics)
    return decide(pairs, metrics, config)


def _verify_block(texts: Sequence[str], pairs: np.ndarray, lo: int, block: int, config: DedupConfig,
                  metrics: np.ndarray) -> None:
    """Metric rows of pairs ``lo:lo + block`` into ``metrics``."""
    part = pairs[lo:lo + block]
    docs, local = np.unique(part, return_inverse=True)
    local = local.reshape(-1, 2)
    buf, offsets = encode_batch([texts[int(i)] for i in docs])
    flat, offs, nwords = K.batch_shingle_sequences(buf, offsets, char_table(), config.ngram)
    uniq, uoffs = K.sorted_unique_csr(flat, offs)
    raw = buf.tobytes()
    digest = np.fromiter((xxhash.xxh3_64_intdigest(raw[offsets[i]:offsets[i + 1]])
                          for i in range(len(docs))), dtype=np.uint64, count=len(docs))
    _pair_metrics(flat, offs, nwords, uniq, uoffs, config.ngram, local[:, 0], local[:, 1],
                  metrics[lo:lo + len(part)])
    metrics[lo:lo + len(part), 6] = digest[local[:, 0]] == digest[local[:, 1]]


@dataclass(slots=True, frozen=True)
class Edges:
    """Verified duplicate pairs after the wrapper rule: relation code, direction, score."""

    pairs: np.ndarray  # (k, 2) int64
    relation: np.ndarray  # int8: EXACT, NEAR or CONTAINS
    direction: np.ndarray  # int8: 1 a contains b, -1 b contains a, 0 symmetric
    score: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.pairs)


def apply_wrapper_rule(relation: np.ndarray, direction: np.ndarray, wrapped_a: np.ndarray,
                       wrapped_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The wrapper rule on arrays (``match.relate`` applies it to one pair): an exact/near pair where
    exactly one side is a page wrapping the article becomes "contains", the wrapper containing it."""
    flip = np.isin(relation, (EXACT, NEAR)) & (wrapped_a != wrapped_b)
    relation = np.where(flip, CONTAINS, relation).astype(np.int8)
    direction = np.where(flip, np.where(wrapped_a, 1, -1), direction).astype(np.int8)
    return relation, direction


def verified_edges(table: MatchTable, wrapped: np.ndarray) -> Edges:
    """The duplicates of a verified table, the wrapper rule applied (``wrapped``: per document)."""
    keep = table.matched
    p = table.pairs[keep]
    relation, direction = apply_wrapper_rule(table.relation[keep], table.direction[keep],
                                             wrapped[p[:, 0]], wrapped[p[:, 1]])
    return Edges(p, relation, direction, table.score[keep])


def decide(pairs: np.ndarray, metrics: np.ndarray, config: DedupConfig) -> MatchTable:
    """Apply the relation rule to metric rows (inter, |A|, |B|, cov_ab, cov_ba, words a - words b, same)."""
    inter, na, nb, cov_ab, cov_ba, word_diff, same = metrics.T
    union = na + nb - inter
    jac = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    c_ab = np.divide(inter, na, out=np.zeros_like(inter), where=na > 0)
    c_ba = np.divide(inter, nb, out=np.zeros_like(inter), where=nb > 0)
    a_shorter = word_diff <= 0
    short_cov = np.where(a_shorter, cov_ab, cov_ba)
    long_cov = np.where(a_shorter, cov_ba, cov_ab)
    exact = (same > 0) & (na > 0)
    contains = ~exact & (short_cov >= config.containment_threshold) & (
        short_cov - long_cov >= config.containment_margin)
    near = ~exact & ~contains & (cov_ab >= config.near_threshold) & (cov_ba >= config.near_threshold)
    relation = np.select([exact, near, contains], [EXACT, NEAR, CONTAINS], NONE).astype(np.int8)
    direction = np.where(contains, np.where(a_shorter, -1, 1), 0).astype(np.int8)
    score = np.select([exact, near, contains],
                      [np.ones_like(jac), np.minimum(cov_ab, cov_ba), short_cov],
                      np.maximum(cov_ab, cov_ba))
    jac = np.where(exact, 1.0, jac)
    return MatchTable(pairs, relation, direction, jac, c_ab, c_ba, cov_ab, cov_ba, score)


@njit(cache=True)
def _coverage(seq: np.ndarray, s0: int, s1: int, span: int, nwords: int, other: np.ndarray,
              o0: int, o1: int) -> float:
    """Share of a text's words inside its shingles (seq[s0:s1]) that occur in other[o0:o1] (sorted)."""
    if nwords == 0 or o1 == o0:
        return 0.0
    covered = 0
    end = 0  # first word not yet counted
    for i in range(s1 - s0):
        v = seq[s0 + i]
        lo = o0
        hi = o1
        while lo < hi:
            mid = (lo + hi) >> 1
            if other[mid] < v:
                lo = mid + 1
            else:
                hi = mid
        if lo < o1 and other[lo] == v:
            start = i if i > end else end
            stop = i + span
            if stop > start:
                covered += stop - start
            end = stop
    return covered / nwords


@njit(cache=True)
def _intersection(x: np.ndarray, x0: int, x1: int, y: np.ndarray, y0: int, y1: int) -> int:
    """Size of the intersection of two sorted unique ranges (merge walk)."""
    i, j, n = x0, y0, 0
    while i < x1 and j < y1:
        if x[i] < y[j]:
            i += 1
        elif x[i] > y[j]:
            j += 1
        else:
            n += 1
            i += 1
            j += 1
    return n


@njit(cache=True, nogil=True)
def _pair_metrics(seq: np.ndarray, offs: np.ndarray, nwords: np.ndarray, uniq: np.ndarray,
                  uoffs: np.ndarray, ngram: int, pa: np.ndarray, pb: np.ndarray,
                  out: np.ndarray) -> None:
    """Fill out[k, :6] = inter, |A|, |B|, coverage_ab, coverage_ba, words_a - words_b per pair."""
    for k in range(pa.shape[0]):
        a = pa[k]
        b = pb[k]
        inter = _intersection(uniq, uoffs[a], uoffs[a + 1], uniq, uoffs[b], uoffs[b + 1])
        out[k, 0] = inter
        out[k, 1] = uoffs[a + 1] - uoffs[a]
        out[k, 2] = uoffs[b + 1] - uoffs[b]
        if inter > 0:
            out[k, 3] = _coverage(seq, offs[a], offs[a + 1], min(ngram, nwords[a]), nwords[a],
                                  uniq, uoffs[b], uoffs[b + 1])
            out[k, 4] = _coverage(seq, offs[b], offs[b + 1], min(ngram, nwords[b]), nwords[b],
                                  uniq, uoffs[a], uoffs[a + 1])
        out[k, 5] = nwords[a] - nwords[b]
