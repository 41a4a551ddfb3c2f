"""Corpus-adaptive evidence for the same-story decision: what two reports share that is specific to an
event in THIS corpus, against what every report of the corpus's topic says.

Every document has TERMS: the folded word ids of its words (``text.tokens``, repeats counted) and its
capitalised tokens (the multi-script name proxy of ``match.story``: actors and places, hashed into a separate
key space, so a name counts twice: once as a word, once as a name). Numbers are words too.

``CorpusStats`` counts in how many documents each term occurs (a hashed table of ``2**22`` counters, 16 MB,
bounded on any corpus; collisions are negligible below a few million distinct terms), updated as documents
arrive, in the order the story engine takes them (a chunk is counted before any of it is assigned). The inverse
document frequency ``log((n + 1) / (df + 0.5))`` gives a term's weight: in 100 energy trade-press articles
"solar", "project" and "megawatt" weigh almost nothing, a company, a town, a person or a figure shared by two
reports weighs a lot. A term counted in only one document weighs 0 in the evidence (it cannot be shared, and a
unique wire number or byline would dominate the norm). Below ``MIN_DOCS`` documents there is no corpus to learn
from and the engine does not use the evidence: ``compare`` of two documents decides on the story similarity.

``evidence(a, b)``: the TF-IDF cosine (sublinear term frequency) of two documents. ``CorpusStats`` also keeps
the BACKGROUND: the evidence of pairs taken regardless of content (each document with the few before it), whose
quartiles set the engine's gates (``cluster.stories.StoryConfig.evidence_k``): a same-story pair must be an
outlier of what two reports of this corpus share anyway. Miranda et al. 2018 keep TF-IDF sub-vectors of tokens
and entities per cluster with IDF updated from the stream; this is that idea, with the corpus's own background
instead of a learned threshold.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import xxhash

from . import _story_kernels

BUCKETS = 1 << 22
_MASK = np.uint64(BUCKETS - 1)
MIN_DOCS = 12  # documents counted before the corpus statistics are trusted
BACKGROUND_KEEP = 4096  # background evidence values kept (the latest)


def name_keys(names: Iterable[str]) -> np.ndarray:
    """Keys of capitalised-token names (a key space apart from the word ids)."""
    return np.array(sorted(xxhash.xxh3_64_intdigest(b"\x01name:" + n.encode("utf-8", "surrogatepass")) for n in names),
                    dtype=np.uint64)


def terms_of(ids: np.ndarray, names: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique term keys of a document and their counts: its word ids (repeats counted) and its name keys."""
    keys = np.concatenate([np.asarray(ids, dtype=np.uint64), name_keys(names)])
    return np.unique(keys, return_counts=True)


class CorpusStats:
    """Document frequencies of terms, counted as documents arrive (hashed, fixed memory), and the background
    distribution of the evidence between documents of this corpus taken without regard to their content (the
    last ``BACKGROUND_KEEP`` values)."""

    __slots__ = ("df", "n", "_bg", "_bg_n")

    def __init__(self) -> None:
        self.df = np.zeros(BUCKETS, dtype=np.uint32)
        self.n = 0
        self._bg = np.zeros(BACKGROUND_KEEP, dtype=np.float64)
        self._bg_n = 0

    def add_many(self, term_lists: Iterable[np.ndarray]) -> None:
        """Count several documents (their unique term keys)."""
        lists = list(term_lists)
        if not lists:
            return
        flat = np.concatenate([np.asarray(t, dtype=np.uint64) for t in lists])
        if len(flat):
            np.add.at(self.df, (flat & _MASK).astype(np.int64), 1)
        self.n += len(lists)

    def add_background(self, values: Iterable[float]) -> None:
        """Evidence of document pairs taken without regard to their content (a sample of the corpus's pairs)."""
        for v in values:
            self._bg[self._bg_n % BACKGROUND_KEEP] = v
            self._bg_n += 1

    def background_quantiles(self, qs: Iterable[float]) -> list[float]:
        """Quantiles of the background evidence (0 before any was counted)."""
        qs = list(qs)
        if not self._bg_n:
            return [0.0] * len(qs)
        return [float(x) for x in np.quantile(self._bg[:min(self._bg_n, BACKGROUND_KEEP)], qs)]

    @property
    def ready(self) -> bool:
        """Whether enough documents were counted for the weights to mean something."""
        return self.n >= MIN_DOCS

    def idf(self, terms: np.ndarray, shared_only: bool = False) -> np.ndarray:
        """Inverse document frequency of each term (float64). ``shared_only``: 0 for a term counted in at most one
        document (it cannot be evidence for any pair, and a unique wire number or byline would dominate)."""
        if not len(terms):
            return np.zeros(0)
        df = self.df[(terms & _MASK).astype(np.int64)].astype(np.float64)
        w = np.maximum(np.log((self.n + 1.0) / (df + 0.5)), 0.0)
        return np.where(df > 1, w, 0.0) if shared_only else w


def evidence(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], stats: CorpusStats) -> float:
    """TF-IDF cosine (sublinear term frequency, the corpus's IDF) of two documents' terms, in [0, 1]."""
    (ka, ca), (kb, cb) = a, b
    if not len(ka) or not len(kb):
        return 0.0
    _, ia, ib = np.intersect1d(ka, kb, assume_unique=True, return_indices=True)
    if not len(ia):
        return 0.0
    wa = (1.0 + np.log(ca)) * stats.idf(ka, shared_only=True)
    wb = (1.0 + np.log(cb)) * stats.idf(kb, shared_only=True)
    den = float(np.sqrt((wa * wa).sum() * (wb * wb).sum()))
    return float((wa[ia] * wb[ib]).sum()) / den if den > 0 else 0.0


def term_weights(terms: tuple[np.ndarray, np.ndarray], stats: CorpusStats) -> tuple[np.ndarray, np.ndarray, np.float64]:
    """A document's keys, their evidence weights (sublinear tf times the shared-only IDF) and the weights' squared
    norm: what ``evidence`` computes of one side, valid until ``stats`` counts more documents (``evidence_of``)."""
    k, c = terms
    w = (1.0 + np.log(c)) * stats.idf(k, shared_only=True)
    return k, w, (w * w).sum()


def evidence_of(a: tuple[np.ndarray, np.ndarray, np.float64], b: tuple[np.ndarray, np.ndarray, np.float64]) -> float:
    """``evidence`` from both sides' ``term_weights`` (the same float: same operations, same order)."""
    (ka, wa, na), (kb, wb, nb) = a, b
    if not len(ka) or not len(kb):
        return 0.0
    out = np.empty(min(len(ka), len(kb)), dtype=np.float64)
    shared, dot = _story_kernels.shared_products(ka, wa, kb, wb, out)  # a merge, in key order as intersect1d
    if not shared:
        return 0.0
    if shared > 128:
        dot = out[:shared].sum()
    den = float(np.sqrt(na * nb))
    return float(dot) / den if den > 0 else 0.0


def hashed_terms(ids: np.ndarray, weights: np.ndarray, dim: int = 512) -> np.ndarray:
    """Unit-length hashed bag of words (word ids, 4 signed hashes each, each word weighted): a lexical vector
    that needs no fitting, so it works on any stream."""
    if not len(ids):
        return np.zeros(dim, dtype=np.float32)
    w = np.asarray(ids, dtype=np.uint64)
    shift = np.uint64(64 - int(np.log2(dim)))
    with np.errstate(over="ignore"):
        mixed = (w[None, :] * _HASHES[:, None]).ravel()  # hash by hash, each word in order
    col = (mixed >> shift).astype(np.int64)
    sign = np.where((mixed >> np.uint64(7)) & np.uint64(1), 1.0, -1.0)
    # one bincount adds the values in this order, one by one, as np.add.at hash after hash did: the same floats
    out = np.bincount(col, weights=sign * np.tile(np.asarray(weights, dtype=np.float64), len(_HASHES)), minlength=dim)
    n = float(np.linalg.norm(out))
    return (out / n if n else out).astype(np.float32)


_HASHES = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def title_vector(dense: np.ndarray, ids: np.ndarray, weights: np.ndarray, lexical_weight: float) -> np.ndarray:
    """The title vector of a short text: ``[sqrt(1 - w) * embedding, sqrt(w) * hashed weighted words]``, unit
    length (1,024 dims)."""
    w = lexical_weight
    v = np.concatenate([np.sqrt(1 - w) * np.asarray(dense, dtype=np.float32), np.sqrt(w) * hashed_terms(ids, weights)])
    v = v.astype(np.float32)
    n = float(np.linalg.norm(v))
    return v / n if n else v
