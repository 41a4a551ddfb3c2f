"""Corpus-adaptive evidence for the same-story decision: what two reports share that is specific to an
event in THIS corpus, against what every report of the corpus's topic says.

Every document has TERMS: the folded word ids of its words of 4+ letters (``text.tokens``, the ids the
story view holds) and its capitalised tokens (the multi-script name proxy of ``match.story``: actors and
places, hashed into a separate key space so a name counts twice: once as a word, once as a name). Numbers
of 4+ digits (years, amounts) are words too.

``CorpusStats`` counts in how many documents each term occurs (a hashed table of ``2**22`` counters, 16 MB,
bounded on any corpus; collisions are negligible below a few million distinct terms), updated as
documents arrive, in the order the story engine takes them. The inverse document frequency
``log((n + 1) / (df + 0.5))`` then gives a term's weight: in 100 energy trade-press articles "solar",
"project" and "megawatt" weigh almost nothing, a company, a town or a date shared by two reports weighs a
lot. With fewer than ``MIN_DOCS`` documents counted there is no corpus to learn from and the evidence is
not used (``CorpusStats.ready``): ``compare`` of two documents then decides on the story similarity alone.

``evidence(a, b)``: the IDF-weighted cosine of the two term sets (binary, so a term repeated in one text
does not count more); ``story_evidence``: the same cosine of a document against a story's term profile
(the mean of its members' binary term vectors): whether the document agrees with the story as a WHOLE,
not only with one member (Miranda et al. 2018 keep TF-IDF sub-vectors of tokens and entities per cluster
with IDF updated from the stream; this is that, on binary terms).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import xxhash

BUCKETS = 1 << 22
_MASK = np.uint64(BUCKETS - 1)
MIN_DOCS = 20  # documents counted before the corpus statistics are trusted


def name_keys(names: Iterable[str]) -> np.ndarray:
    """Keys of capitalised-token names (a key space apart from the word ids)."""
    return np.array(sorted(xxhash.xxh3_64_intdigest(b"\x01name:" + n.encode("utf-8", "surrogatepass")) for n in names),
                    dtype=np.uint64)


def terms_of(words: np.ndarray, names: Iterable[str]) -> np.ndarray:
    """Sorted unique term keys of a document: its word ids and its name keys."""
    return np.unique(np.concatenate([np.asarray(words, dtype=np.uint64), name_keys(names)]))


class CorpusStats:
    """Document frequencies of terms, counted as documents arrive (hashed, fixed memory)."""

    __slots__ = ("df", "n")

    def __init__(self) -> None:
        self.df = np.zeros(BUCKETS, dtype=np.uint32)
        self.n = 0

    def add(self, terms: np.ndarray) -> None:
        """Count one document's (unique) terms."""
        if len(terms):
            np.add.at(self.df, (terms & _MASK).astype(np.int64), 1)
        self.n += 1

    def add_many(self, term_lists: Iterable[np.ndarray]) -> None:
        """Count several documents at once."""
        lists = list(term_lists)
        if not lists:
            return
        flat = np.concatenate([np.asarray(t, dtype=np.uint64) for t in lists]) if lists else np.zeros(0, np.uint64)
        if len(flat):
            self.df += np.bincount((flat & _MASK).astype(np.int64), minlength=BUCKETS).astype(np.uint32)
        self.n += len(lists)

    @property
    def ready(self) -> bool:
        """Whether enough documents were counted for the weights to mean something."""
        return self.n >= MIN_DOCS

    def idf(self, terms: np.ndarray) -> np.ndarray:
        """Inverse document frequency of each term (float64)."""
        if not len(terms):
            return np.zeros(0)
        df = self.df[(terms & _MASK).astype(np.int64)].astype(np.float64)
        return np.maximum(np.log((self.n + 1.0) / (df + 0.5)), 0.0)


def evidence(a: np.ndarray, b: np.ndarray, stats: CorpusStats) -> float:
    """IDF-weighted cosine of two sorted unique term arrays, in [0, 1]."""
    if not len(a) or not len(b):
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True)
    if not len(shared):
        return 0.0
    wa, wb, ws = stats.idf(a), stats.idf(b), stats.idf(shared)
    den = float(np.sqrt((wa * wa).sum() * (wb * wb).sum()))
    return float((ws * ws).sum()) / den if den > 0 else 0.0


class TermProfile:
    """The term counts of a story's members (sorted keys, counts), for ``story_evidence``."""

    __slots__ = ("keys", "counts", "members")

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)
        self.counts = np.zeros(0, dtype=np.float64)
        self.members = 0

    def add(self, terms: np.ndarray) -> None:
        keys = np.concatenate([self.keys, terms])
        counts = np.concatenate([self.counts, np.ones(len(terms))])
        self.keys, inverse = np.unique(keys, return_inverse=True)
        self.counts = np.bincount(inverse, weights=counts, minlength=len(self.keys))
        self.members += 1


def story_evidence(terms: np.ndarray, profile: TermProfile, stats: CorpusStats) -> float:
    """IDF-weighted cosine of a document's binary term vector and a story's mean member vector, in [0, 1]."""
    if not len(terms) or not profile.members or not len(profile.keys):
        return 0.0
    w = stats.idf(terms)
    pw = stats.idf(profile.keys) * (profile.counts / profile.members)
    idx = np.searchsorted(profile.keys, terms)
    idx[idx == len(profile.keys)] = 0
    hit = profile.keys[idx] == terms
    num = float((w[hit] * pw[idx[hit]]).sum())
    den = float(np.sqrt((w * w).sum() * (pw * pw).sum()))
    return num / den if den > 0 else 0.0
