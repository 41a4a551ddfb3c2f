"""Word shingles, MinHash signatures and winnowed anchors of normalised texts, in batches.

Definitions (stable: signatures saved today must equal signatures computed later):

* Word: a maximal run of letters, digits and combining marks (Python's ``str.isalnum`` or
  Unicode category M*; soft hyphen/ZWNJ/ZWJ continue a word but are not hashed); each Han or
  Kana character (the ``storytrace.text.tokens`` ranges) is a word on its own. Everything else
  separates words. Input is ``normalize()``d text, so case and diacritics are already folded.
* Word hash: fmix64(FNV-1a-64(UTF-8 bytes of the word)).
* Shingle: ``ngram`` consecutive words; a text with fewer words has one shingle of all of them.
  Shingle hash: h = 0x9E3779B97F4A7C15; h = fmix64(h ^ word_hash) for each word in order.
* Signature (method "oph"): one-permutation hashing with optimal densification over
  g = fmix64(shingle_hash ^ seed'); ("kperm"): min over shingles of a_j * g + b_j (mod 2**64)
  with a_j (odd), b_j the splitmix64 stream of ``seed``. Empty texts get all-ones rows.
* Anchors: robust winnowing of the shingle hashes with window clamp(n_shingles // 16, 4,
  ``anchor_window``) (short texts get denser anchors; see ``kernels.anchor_window``).

The Unicode tables come from the running Python (``unicodedata.unidata_version``): pin one Python
version across processes that must agree bit for bit (Spark executors).
"""
from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import xxhash

from . import kernels as K
from .config import DedupConfig

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)  #: signature value of an empty text
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_JOINERS = (0x00AD, 0x200C, 0x200D)
_DEFAULT = DedupConfig()


@lru_cache(maxsize=1)
def char_table() -> np.ndarray:
    """uint8 class of every code point (SEP/WORD/SINGLE/JOINER); built once per process (~0.3 s), or read from
    ``__pycache__`` where an earlier process saved it for this Python and Unicode version (~1 ms)."""
    import sys

    cache = Path(__file__).parent / "__pycache__" / (
        f"char_table-{unicodedata.unidata_version}-{sys.implementation.cache_tag}-{_TABLE_VERSION}.npy")
    try:
        table = np.load(cache, allow_pickle=False)
        if table.shape == (0x110000,) and table.dtype == np.uint8:
            table.setflags(write=False)
            loaded: np.ndarray = table
            return loaded
    except (OSError, ValueError):
        pass
    table = _build_char_table()
    try:  # best effort (a read-only install just builds it every time); renamed into place, never half-written
        cache.parent.mkdir(exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, table, allow_pickle=False)
        os.replace(tmp, cache)
    except OSError:
        pass
    return table


_TABLE_VERSION = 1  #: bump when ``_build_char_table`` changes


def _build_char_table() -> np.ndarray:
    chars = list(map(chr, range(0x110000)))
    table = np.fromiter(map(str.isalnum, chars), dtype=np.uint8, count=len(chars))
    category = unicodedata.category
    marks = np.fromiter((category(c)[0] == "M" for c in chars), dtype=bool, count=len(chars))
    table[marks] = K.WORD
    for lo, hi in _CJK_RANGES:
        table[lo:hi + 1] = np.where(table[lo:hi + 1] == K.WORD, K.SINGLE, table[lo:hi + 1])
    table[list(_JOINERS)] = K.JOINER
    table.setflags(write=False)
    return table


@lru_cache(maxsize=64)
def _hash_params(seed: int, num_perm: int) -> tuple[np.uint64, np.ndarray, np.ndarray]:
    """Mixed 64-bit seed and the k-perm multipliers (odd) and offsets: a splitmix64 stream of ``seed``.

    Plain integer arithmetic, not numpy's generators, so the values never change between versions.
    """
    stream = _splitmix64(seed, 1 + 2 * num_perm)
    a = np.array(stream[1:1 + num_perm], dtype=np.uint64) | np.uint64(1)
    b = np.array(stream[1 + num_perm:], dtype=np.uint64)
    return np.uint64(stream[0]), a, b


def _splitmix64(seed: int, count: int) -> list[int]:
    """The first ``count`` outputs of splitmix64 (Steele et al.) started at ``seed``."""
    mask = (1 << 64) - 1
    state = seed & mask
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append(z ^ (z >> 31))
    return out


def encode_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of all texts in one uint8 buffer plus int64 offsets (len(texts) + 1)."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return buf, offsets


def signatures(texts: Sequence[str], config: DedupConfig = _DEFAULT) -> np.ndarray:
    """MinHash signatures (len(texts), num_perm) uint64 of normalised texts; reproducible from seed."""
    buf, offsets = encode_batch(texts)
    sigs = np.empty((len(texts), config.num_perm), dtype=np.uint64)
    nshingles = np.empty(len(texts), dtype=np.int64)
    seed, a, b = _hash_params(config.seed, config.num_perm)
    K.batch_signatures(buf, offsets, char_table(), config.ngram, config.num_perm, seed,
                       _method_code(config), a, b, sigs, nshingles)
    return sigs


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprints:
    """Everything the match stage needs from a batch, as arrays (no per-shingle objects)."""

    signatures: np.ndarray  # (n, num_perm) uint64
    n_shingles: np.ndarray  # (n,) int64
    n_words: np.ndarray  # (n,) int64
    anchors: np.ndarray  # flat uint64, sorted unique per document
    anchor_offsets: np.ndarray  # (n + 1,) int64: anchors[anchor_offsets[i]:anchor_offsets[i+1]]
    content_hash: np.ndarray  # (n,) uint64 xxh3-64 of the normalised UTF-8 text (exact duplicates)

    def __len__(self) -> int:
        return len(self.n_words)


def fingerprint(texts: Sequence[str], config: DedupConfig = _DEFAULT) -> Fingerprints:
    """Signatures, winnowed anchors, sizes and exact-content hashes of normalised texts, one pass."""
    buf, offsets = encode_batch(texts)
    n = len(texts)
    sigs = np.empty((n, config.num_perm), dtype=np.uint64)
    n_shingles = np.empty(n, dtype=np.int64)
    n_words = np.empty(n, dtype=np.int64)
    anchor_offsets = np.zeros(n + 1, dtype=np.int64)
    seed, a, b = _hash_params(config.seed, config.num_perm)
    anchors = K.batch_fingerprints(buf, offsets, char_table(), config.ngram, config.num_perm, seed,
                                   _method_code(config), a, b, config.anchor_window, sigs,
                                   n_shingles, n_words, anchor_offsets)
    raw = buf.tobytes()
    digest = xxhash.xxh3_64_intdigest
    content = np.fromiter((digest(raw[offsets[i]:offsets[i + 1]]) for i in range(n)),
                          dtype=np.uint64, count=n)
    return Fingerprints(sigs, n_shingles, n_words, anchors, anchor_offsets, content)


def fingerprint_rows(fp: Fingerprints, lo: int, hi: int) -> Fingerprints:
    """Documents ``lo:hi`` of a batch's fingerprints (views, anchors re-based)."""
    a0, a1 = int(fp.anchor_offsets[lo]), int(fp.anchor_offsets[hi])
    return Fingerprints(fp.signatures[lo:hi], fp.n_shingles[lo:hi], fp.n_words[lo:hi], fp.anchors[a0:a1],
                        fp.anchor_offsets[lo:hi + 1] - a0, fp.content_hash[lo:hi])


def concat_fingerprints(parts: Sequence[Fingerprints]) -> Fingerprints:
    """One batch from several, in order: equal to fingerprinting their texts together (each document's
    fingerprint depends on its text only)."""
    if len(parts) == 1:
        return parts[0]
    if not parts:
        raise ValueError("no fingerprints to join")
    ends = np.cumsum([0] + [int(p.anchor_offsets[-1]) for p in parts[:-1]])
    offsets = np.concatenate([np.zeros(1, np.int64)] + [p.anchor_offsets[1:] + e for p, e in zip(parts, ends)])
    return Fingerprints(np.concatenate([p.signatures for p in parts]), np.concatenate([p.n_shingles for p in parts]),
                        np.concatenate([p.n_words for p in parts]), np.concatenate([p.anchors for p in parts]),
                        offsets.astype(np.int64), np.concatenate([p.content_hash for p in parts]))


def content_hash(text: str) -> int:
    """xxh3-64 of a normalised text's UTF-8 bytes: equal values are exact duplicates."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))


def shingles(text: str, ngram: int = _DEFAULT.ngram) -> tuple[np.ndarray, int]:
    """Position-ordered shingle hashes (uint64) of a normalised text, and its word count."""
    buf = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    return K.text_shingles(buf, char_table(), ngram)


def shingle_set(text: str, ngram: int = _DEFAULT.ngram) -> np.ndarray:
    """Sorted unique uint64 shingle hashes of a normalised text (for exact set measures)."""
    return np.unique(shingles(text, ngram)[0])


def word_hashes(text: str) -> np.ndarray:
    """uint64 hash of each word of a normalised text, in order (the tokeniser's output)."""
    buf = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    out = np.empty(len(buf) + 1, dtype=np.uint64)
    n = K.word_hashes(buf, 0, len(buf), char_table(), out)
    return out[:n].copy()


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Fraction of equal signature positions: an unbiased estimate of the 5-gram Jaccard."""
    if len(sig_a) != len(sig_b):
        raise ValueError(f"signatures differ in length: {len(sig_a)} vs {len(sig_b)}")
    return float(np.count_nonzero(sig_a == sig_b)) / max(len(sig_a), 1)


def _method_code(config: DedupConfig) -> int:
    """Kernel switch: 0 = one-permutation hashing, 1 = k permutations."""
    return 0 if config.method == "oph" else 1
