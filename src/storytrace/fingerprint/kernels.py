"""Numba kernels of the fingerprint stage: UTF-8 word scan, shingle hashing, MinHash, winnowing.

Every loop over bytes, words or shingles lives here; callers only pass numpy arrays.
All arithmetic is explicit uint64 (wrapping), so results are bit-identical on every platform
numba supports and in every process (the Spark engine calls the same kernels per partition).
"""
from __future__ import annotations

import numpy as np
from numba import njit

U64 = np.uint64
_FNV_OFFSET = U64(0xCBF29CE484222325)
_FNV_PRIME = U64(0x100000001B3)
_M1 = U64(0xFF51AFD7ED558CCD)
_M2 = U64(0xC4CEB9FE1A85EC53)
_GOLDEN = U64(0x9E3779B97F4A7C15)
_S33 = U64(33)
_S32 = U64(32)
_EMPTY = U64(0xFFFFFFFFFFFFFFFF)

# Character classes of the tokeniser table (one uint8 per code point).
SEP = 0  # ends a word
WORD = 1  # letter, digit or combining mark: part of a word
SINGLE = 2  # Han / Kana: a word on its own
JOINER = 3  # soft hyphen, ZWNJ, ZWJ: kept inside a word, not hashed


@njit(cache=True, inline="always")
def fmix64(x: np.uint64) -> np.uint64:
    """MurmurHash3 64-bit finaliser: a fast bijective mixer with full avalanche."""
    x ^= x >> _S33
    x *= _M1
    x ^= x >> _S33
    x *= _M2
    x ^= x >> _S33
    return x


@njit(cache=True, inline="always")
def _finish_word(h: np.uint64, acc: np.uint64, nbytes: int) -> np.uint64:
    """Close a word hash: fold the pending partial chunk and the byte length, then fmix64."""
    h = (h ^ acc) * _M1
    return fmix64(h ^ U64(nbytes))


@njit(cache=True)
def word_hashes(buf: np.ndarray, start: int, end: int, table: np.ndarray, out: np.ndarray) -> int:
    """Write the 64-bit hash of each word of ``buf[start:end]`` (UTF-8) into ``out``; return the count.

    A word is a maximal run of WORD/JOINER code points (JOINERs are skipped in the hash), or a
    single SINGLE code point. Word hash: the word's UTF-8 bytes packed little-endian into 8-byte
    chunks c_1..c_m (last one zero-padded); h = FNV_OFFSET; h = (h ^ c_j) * M1 for each chunk;
    hash = fmix64(h ^ byte_length).
    """
    n = 0
    i = start
    in_word = False
    h = _FNV_OFFSET
    acc = U64(0)
    shift = U64(0)
    nbytes = 0
    while i < end:
        b0 = np.int64(buf[i])
        if b0 < 0x80:
            cp = b0
            ln = 1
        elif b0 >= 0xF0 and i + 3 < end:
            cp = ((b0 & 0x07) << 18) | ((np.int64(buf[i + 1]) & 0x3F) << 12) | (
                (np.int64(buf[i + 2]) & 0x3F) << 6) | (np.int64(buf[i + 3]) & 0x3F)
            ln = 4
        elif b0 >= 0xE0 and i + 2 < end:
            cp = ((b0 & 0x0F) << 12) | ((np.int64(buf[i + 1]) & 0x3F) << 6) | (np.int64(buf[i + 2]) & 0x3F)
            ln = 3
        elif b0 >= 0xC0 and i + 1 < end:
            cp = ((b0 & 0x1F) << 6) | (np.int64(buf[i + 1]) & 0x3F)
            ln = 2
        else:
            cp = np.int64(-1)  # stray continuation byte or truncated sequence
            ln = 1
        cls = table[cp] if 0 <= cp < table.shape[0] else SEP
        if cls == WORD:
            if not in_word:
                in_word = True
                h = _FNV_OFFSET
                acc = U64(0)
                shift = U64(0)
                nbytes = 0
            for k in range(ln):
                acc |= U64(buf[i + k]) << shift
                shift += U64(8)
                nbytes += 1
                if shift == U64(64):
                    h = (h ^ acc) * _M1
                    acc = U64(0)
                    shift = U64(0)
        elif cls == JOINER and in_word:
            pass
        else:
            if in_word:
                out[n] = _finish_word(h, acc, nbytes)
                n += 1
                in_word = False
            if cls == SINGLE:
                acc = U64(0)
                for k in range(ln):
                    acc |= U64(buf[i + k]) << U64(8 * k)
                out[n] = _finish_word(_FNV_OFFSET, acc, ln)
                n += 1
        i += ln
    if in_word:
        out[n] = _finish_word(h, acc, nbytes)
        n += 1
    return n


@njit(cache=True)
def shingle_hashes(words: np.ndarray, nw: int, ngram: int, out: np.ndarray) -> int:
    """Hash each run of ``ngram`` consecutive word hashes into ``out``; return the count.

    A text with 1..ngram-1 words has one shingle made of all its words; an empty text has none.
    Shingle hash: fmix64(sum_k words[i + k] * C_k + span) mod 2**64, C_k = fmix64(k + 1) | 1.
    """
    if nw == 0:
        return 0
    span = ngram if nw >= ngram else nw
    ns = nw - span + 1
    mult = np.empty(span, dtype=np.uint64)
    for k in range(span):
        mult[k] = fmix64(U64(k + 1)) | U64(1)
    for i in range(ns):
        h = U64(span)
        for k in range(span):
            h += words[i + k] * mult[k]
        out[i] = fmix64(h)
    return ns


@njit(cache=True)
def oph_signature(sh: np.ndarray, ns: int, k: int, seed: np.uint64, out: np.ndarray) -> None:
    """One-permutation MinHash with optimal densification (Shrivastava 2017) into ``out[:k]``.

    Each shingle is mixed once: g = fmix64(h ^ seed); bin = high bits of g mapped onto k bins by
    multiply-shift; the bin keeps its minimum g. Empty bins copy the value of a non-empty bin
    chosen by a fixed per-bin probe sequence, so equal sets always give equal signatures.
    """
    for j in range(k):
        out[j] = _EMPTY
    if ns == 0:
        return
    kk = U64(k)
    for i in range(ns):
        g = fmix64(sh[i] ^ seed)
        b = np.int64(((g >> _S32) * kk) >> _S32)
        if g < out[b]:
            out[b] = g
    filled = np.empty(k, dtype=np.bool_)
    nempty = 0
    for j in range(k):
        filled[j] = out[j] != _EMPTY
        if not filled[j]:
            nempty += 1
    if nempty == 0:
        return
    for j in range(k):
        if filled[j]:
            continue
        attempt = U64(0)
        while True:
            p = fmix64(seed ^ (U64(j + 1) * _GOLDEN) ^ (attempt * _M2))
            src = np.int64(((p >> _S32) * kk) >> _S32)
            if filled[src]:
                out[j] = out[src]
                break
            attempt += U64(1)


@njit(cache=True)
def kperm_signature(sh: np.ndarray, ns: int, a: np.ndarray, b: np.ndarray, seed: np.uint64,
                    out: np.ndarray) -> None:
    """Classic MinHash with k multiply-add permutations of the mixed shingle hash into ``out``."""
    k = a.shape[0]
    for j in range(k):
        out[j] = _EMPTY
    for i in range(ns):
        g = fmix64(sh[i] ^ seed)
        for j in range(k):
            v = a[j] * g + b[j]
            if v < out[j]:
                out[j] = v


MIN_WINDOW = 4


@njit(cache=True, inline="always")
def anchor_window(ns: int, window: int) -> int:
    """Winnowing window of a text with ``ns`` shingles: ns // 16 clamped to [MIN_WINDOW, window].

    Short texts get denser anchors (>= ~16 of them); a minimum over a window is also the minimum
    of every smaller window around it, so their anchors still include a long text's anchors
    inside any passage they share.
    """
    w = ns // 16
    if w > window:
        w = window
    if w < MIN_WINDOW:
        w = MIN_WINDOW if window >= MIN_WINDOW else window
    return w


@njit(cache=True)
def winnow(sh: np.ndarray, ns: int, window: int, out: np.ndarray) -> int:
    """Robust winnowing (Schleimer et al. 2003): minimum of every ``window`` consecutive shingle
    hashes (rightmost on ties), each selected position once; writes sorted unique hashes, returns count.

    Any passage of >= window + ngram - 1 words shared by two texts yields a shared anchor.
    """
    if ns == 0:
        return 0
    if ns <= window:
        m = sh[0]
        for i in range(1, ns):
            if sh[i] < m:
                m = sh[i]
        out[0] = m
        return 1
    n = 0
    last = -1
    for s in range(ns - window + 1):
        if last >= s:
            # previous minimum still inside the window: only the new element can beat it
            e = s + window - 1
            if sh[e] <= sh[last]:
                last = e
                out[n] = sh[e]
                n += 1
        else:
            best = s
            for i in range(s + 1, s + window):
                if sh[i] <= sh[best]:
                    best = i
            last = best
            out[n] = sh[best]
            n += 1
    sel = np.sort(out[:n])
    m = 0
    for i in range(n):
        if i == 0 or sel[i] != sel[i - 1]:
            out[m] = sel[i]
            m += 1
    return m


@njit(cache=True, inline="always")
def longest_text(offsets: np.ndarray) -> int:
    """Length in bytes of the longest text ``buf[offsets[i]:offsets[i+1]]`` of a batch (at least 1)."""
    maxlen = 1
    for d in range(offsets.shape[0] - 1):
        ln = offsets[d + 1] - offsets[d]
        if ln > maxlen:
            maxlen = ln
    return maxlen


@njit(cache=True, inline="always")
def signature(sh: np.ndarray, ns: int, k: int, seed: np.uint64, method: int, a: np.ndarray, b: np.ndarray,
              out: np.ndarray) -> None:
    """The MinHash signature of ``sh[:ns]`` into ``out`` (method 0 = OPH, 1 = k-perm)."""
    if method == 0:
        oph_signature(sh, ns, k, seed, out)
    else:
        kperm_signature(sh, ns, a, b, seed, out)


@njit(cache=True)
def batch_signatures(buf: np.ndarray, offsets: np.ndarray, table: np.ndarray, ngram: int, k: int,
                     seed: np.uint64, method: int, a: np.ndarray, b: np.ndarray,
                     sigs: np.ndarray, nshingles: np.ndarray) -> None:
    """Signatures of every text ``buf[offsets[i]:offsets[i+1]]`` (method 0 = OPH, 1 = k-perm)."""
    nd = offsets.shape[0] - 1
    maxlen = longest_text(offsets)
    words = np.empty(maxlen + 1, dtype=np.uint64)
    sh = np.empty(maxlen + 1, dtype=np.uint64)
    for d in range(nd):
        nw = word_hashes(buf, offsets[d], offsets[d + 1], table, words)
        ns = shingle_hashes(words, nw, ngram, sh)
        nshingles[d] = ns
        signature(sh, ns, k, seed, method, a, b, sigs[d])


@njit(cache=True, nogil=True)
def batch_fingerprints(buf: np.ndarray, offsets: np.ndarray, table: np.ndarray, ngram: int, k: int,
                       seed: np.uint64, method: int, a: np.ndarray, b: np.ndarray, window: int,
                       sigs: np.ndarray, nshingles: np.ndarray, nwords: np.ndarray,
                       anchor_offsets: np.ndarray) -> np.ndarray:
    """Signatures plus winnowed anchors (CSR: returned flat array, ``anchor_offsets``) in one pass."""
    nd = offsets.shape[0] - 1
    maxlen = longest_text(offsets)
    words = np.empty(maxlen + 1, dtype=np.uint64)
    sh = np.empty(maxlen + 1, dtype=np.uint64)
    sel = np.empty(maxlen + 1, dtype=np.uint64)
    cap = max(1024, (offsets[nd] - offsets[0]) // 16)
    anchors = np.empty(cap, dtype=np.uint64)
    na = 0
    anchor_offsets[0] = 0
    for d in range(nd):
        nw = word_hashes(buf, offsets[d], offsets[d + 1], table, words)
        ns = shingle_hashes(words, nw, ngram, sh)
        nwords[d] = nw
        nshingles[d] = ns
        signature(sh, ns, k, seed, method, a, b, sigs[d])
        m = winnow(sh, ns, anchor_window(ns, window), sel)
        if na + m > cap:
            while na + m > cap:
                cap *= 2
            grown = np.empty(cap, dtype=np.uint64)
            grown[:na] = anchors[:na]
            anchors = grown
        anchors[na:na + m] = sel[:m]
        na += m
        anchor_offsets[d + 1] = na
    return anchors[:na].copy()


@njit(cache=True)
def text_shingles(buf: np.ndarray, table: np.ndarray, ngram: int) -> tuple[np.ndarray, int]:
    """Position-ordered shingle hashes of one UTF-8 text, and its word count."""
    words = np.empty(buf.shape[0] + 1, dtype=np.uint64)
    nw = word_hashes(buf, 0, buf.shape[0], table, words)
    sh = np.empty(max(nw, 1), dtype=np.uint64)
    ns = shingle_hashes(words, nw, ngram, sh)
    return sh[:ns].copy(), nw


@njit(cache=True, nogil=True)
def batch_shingle_sequences(buf: np.ndarray, offsets: np.ndarray, table: np.ndarray,
                            ngram: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position-ordered shingle hashes of every text as CSR (flat, offsets) plus word counts."""
    nd = offsets.shape[0] - 1
    total = offsets[nd] - offsets[0]
    flat = np.empty(total + nd, dtype=np.uint64)
    offs = np.zeros(nd + 1, dtype=np.int64)
    nwords = np.zeros(nd, dtype=np.int64)
    maxlen = 1
    for d in range(nd):
        maxlen = max(maxlen, offsets[d + 1] - offsets[d])
    words = np.empty(maxlen + 1, dtype=np.uint64)
    n = 0
    for d in range(nd):
        nw = word_hashes(buf, offsets[d], offsets[d + 1], table, words)
        ns = shingle_hashes(words, nw, ngram, flat[n:])
        nwords[d] = nw
        n += ns
        offs[d + 1] = n
    return flat[:n].copy(), offs, nwords


@njit(cache=True, nogil=True)
def sorted_unique_csr(flat: np.ndarray, offs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row sorted unique values of a CSR uint64 array."""
    nd = offs.shape[0] - 1
    out = np.empty(flat.shape[0], dtype=np.uint64)
    out_offs = np.zeros(nd + 1, dtype=np.int64)
    n = 0
    for d in range(nd):
        row = np.sort(flat[offs[d]:offs[d + 1]])
        for i in range(row.shape[0]):
            if i == 0 or row[i] != row[i - 1]:
                out[n] = row[i]
                n += 1
        out_offs[d + 1] = n
    return out[:n].copy(), out_offs
