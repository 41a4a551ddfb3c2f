"""Aligned shared passages between two texts, with character spans in both ORIGINAL texts.

Alignment rule (exact):

1. Seeds. Both texts are tokenized (``storytrace.text.tokens``); every k-word window (k =
   ``min(5, min_words)``) is hashed from the folded-word ids. Windows equal in both texts are
   paired with sort + searchsorted; a window occurring more than ``MAX_OCCURRENCES`` times in
   either text is dropped (boilerplate, repetition), and that cap is halved while the pairs
   exceed ``PAIRS_PER_WORD`` per word, so pairs stay linear in text size.
   Pairs are verified word by word, so a hash collision never makes a match.
2. Runs. Pairs on one diagonal (b - a) whose windows touch or overlap are joined into a run:
   a maximal stretch of identical words, at least k long.
3. Selection. Runs are taken longest first (ties: diagonal nearest the length-weighted median
   diagonal, then earliest in a); a run overlapping already-taken words in a or b is cut to its
   free pieces, which re-enter the queue if still >= k words. The taken runs are disjoint in
   both texts.
4. Main order. Among taken runs, the chain in increasing order in both texts with the most words
   (weighted longest increasing subsequence) is the main alignment; every other taken run is a
   moved block (e.g. a reordered paragraph).
5. Merging. Consecutive runs of the main chain (and, separately, consecutive order-consistent
   moved runs) are merged when the gap between them, after removing the words the two gap
   stretches share (their LCS), leaves <= ``max_gap`` differing words on each side. So an
   edited copy reads as one passage; ``similarity`` = 2 * aligned words / (a words + b words).
6. Output. Merged passages with >= ``min_words`` aligned words, ordered by their start in a.

Unique parts (what only one side has) are the word runs not covered by any passage.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from ..text.tokens import Tokens, tokenize

#: k-gram windows more frequent than this in either text are not used as seeds.
MAX_OCCURRENCES = 50
#: Seed pairs allowed per word of the two texts; beyond it the frequency cap is lowered.
PAIRS_PER_WORD = 2
#: Gaps longer than this (in words, either side) are never merged, whatever their LCS.
GAP_WINDOW = 64
_MULT = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True, slots=True)
class Passage:
    """One shared passage: char spans ``[a_start, a_end)`` in a and ``[b_start, b_end)`` in b."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int  # aligned identical (folded) words in the passage
    a_words: int  # words inside the a span
    b_words: int  # words inside the b span
    similarity: float  # 2 * words / (a_words + b_words); 1.0 = verbatim
    moved: bool = False  # True when outside the main order (a reordered block)


@dataclass(frozen=True, slots=True)
class Alignment:
    """Shared passages of a pair plus the spans only one side has."""

    passages: list[Passage]
    only_a: list[tuple[int, int]]
    only_b: list[tuple[int, int]]


@dataclass(slots=True)
class _Run:
    """Aligned identical words ``A[a0:a0+length] == B[b0:b0+length]`` (word indices)."""

    a0: int
    b0: int
    length: int

    @property
    def a1(self) -> int:
        return self.a0 + self.length

    @property
    def b1(self) -> int:
        return self.b0 + self.length


@dataclass(slots=True)
class _Group:
    """Merged runs: word range ``[a_lo, a_hi)`` x ``[b_lo, b_hi)`` with ``matched`` aligned words."""

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    matched: int


def align(a: str, b: str, min_words: int = 8, *, max_gap: int = 3, max_insert: int = 0) -> Alignment:
    """Shared passages of ``a`` and ``b`` plus each side's unique spans (tokenizing each text once)."""
    ta, tb = tokenize(a), tokenize(b)
    passages = shared_passages(a, b, min_words, max_gap=max_gap, max_insert=max_insert, tokens_a=ta, tokens_b=tb)
    only_a = unique_passages(a, [(p.a_start, p.a_end) for p in passages], tokens=ta)
    only_b = unique_passages(b, [(p.b_start, p.b_end) for p in passages], tokens=tb)
    return Alignment(passages, only_a, only_b)


def shared_passages(
    a: str,
    b: str,
    min_words: int = 8,
    *,
    max_gap: int = 3,
    max_insert: int = 0,
    tokens_a: Tokens | None = None,
    tokens_b: Tokens | None = None,
) -> list[Passage]:
    """Aligned shared passages of ``a`` and ``b`` (see the module docstring for the exact rule)."""
    ta = tokens_a if tokens_a is not None else tokenize(a)
    tb = tokens_b if tokens_b is not None else tokenize(b)
    k = max(1, min(5, min_words))
    if len(ta) < k or len(tb) < k:
        return []
    a0, b0, length = _find_runs(ta.ids, tb.ids, k)
    if len(a0) == 0:
        return []
    taken = _select_disjoint(a0, b0, length, len(ta), len(tb), k)
    main, moved = _split_main_chain(taken)
    groups = [(g, False) for g in _merge(main, ta.ids, tb.ids, max_gap, max_insert)]
    groups += [(g, True) for g in _merge(moved, ta.ids, tb.ids, max_gap)]
    passages = [_to_passage(g, is_moved, ta, tb) for g, is_moved in groups if g.matched >= min_words]
    passages.sort(key=lambda p: (p.a_start, p.b_start))
    return passages


def unique_passages(
    text: str, covered_spans: list[tuple[int, int]], *, min_words: int = 1, tokens: Tokens | None = None
) -> list[tuple[int, int]]:
    """Maximal spans of ``text`` whose words no covered span touches, trimmed to word boundaries.

    Stretches holding no word (whitespace, punctuation between passages) are ignored; spans with
    fewer than ``min_words`` words are dropped. A word counts as covered when its start lies in a
    covered span.
    """
    tk = tokens if tokens is not None else tokenize(text)
    if len(tk) == 0:
        return []
    starts = tk.starts.astype(np.int64)
    covered = np.zeros(len(tk), dtype=bool)
    if covered_spans:
        spans = np.asarray(sorted(covered_spans), dtype=np.int64).reshape(-1, 2)
        reach = np.maximum.accumulate(spans[:, 1])
        idx = np.searchsorted(spans[:, 0], starts, side="right") - 1
        covered = (idx >= 0) & (starts < reach[np.maximum(idx, 0)])
    free = np.concatenate(([0], (~covered).astype(np.int8), [0]))
    edges = np.diff(free)
    firsts, lasts = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [
        (int(tk.starts[first]), int(tk.ends[last - 1])) for first, last in zip(firsts, lasts) if last - first >= min_words
    ]


# ---------------------------------------------------------------------------------------------
# 1-2: seeds and runs
# ---------------------------------------------------------------------------------------------


def _kgram_hashes(ids: np.ndarray, k: int) -> np.ndarray:
    """Polynomial hash (mod 2**64) of every k-word window; verified later, so collisions are harmless."""
    count = len(ids) - k + 1
    h = ids[:count].copy()
    for j in range(1, k):
        h *= _MULT
        h += ids[j : j + count]
    return h


def _occurrences(h: np.ndarray) -> np.ndarray:
    """How often each element's value occurs in ``h`` (per element)."""
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    return counts[inverse]


def _seed_pairs(A: np.ndarray, B: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Word-verified (i, j) pairs with ``A[i:i+k] == B[j:j+k]``, frequent windows dropped."""
    ha, hb = _kgram_hashes(A, k), _kgram_hashes(B, k)
    order_b = np.argsort(hb, kind="stable")
    sorted_b = hb[order_b]
    lo = np.searchsorted(sorted_b, ha, side="left")
    hits = np.searchsorted(sorted_b, ha, side="right") - lo
    occ_a = np.zeros(len(ha), dtype=np.int64)
    present = hits > 0
    if present.any():
        occ_a[present] = _occurrences(ha[present])
    budget = PAIRS_PER_WORD * (len(A) + len(B))
    cap = MAX_OCCURRENCES
    while True:  # halve the cap until the pairs fit the budget (repetitive texts)
        keep = present & (hits <= cap) & (occ_a <= cap)
        if cap == 1 or int(hits[keep].sum()) <= budget:
            break
        cap //= 2
    ia = np.flatnonzero(keep)
    counts = hits[ia]
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    group_start = np.repeat(np.cumsum(counts) - counts, counts)
    ai = np.repeat(ia, counts).astype(np.int64)
    bj = order_b[np.repeat(lo[ia], counts) + np.arange(total) - group_start].astype(np.int64)
    same = np.ones(total, dtype=bool)
    for t in range(k):
        same &= A[ai + t] == B[bj + t]
    return ai[same], bj[same]


def _find_runs(A: np.ndarray, B: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a0, b0, length) of maximal identical-word runs (>= k words): seed pairs joined per diagonal."""
    ai, bj = _seed_pairs(A, B, k)
    if len(ai) == 0:
        return ai, bj, ai.copy()
    diag = bj - ai
    order = np.lexsort((ai, diag))
    ai, diag = ai[order], diag[order]
    new_run = np.ones(len(ai), dtype=bool)
    new_run[1:] = (diag[1:] != diag[:-1]) | (ai[1:] - ai[:-1] > k)
    firsts = np.flatnonzero(new_run)
    lasts = np.append(firsts[1:], len(ai)) - 1
    return ai[firsts], ai[firsts] + diag[firsts], ai[lasts] - ai[firsts] + k


# ---------------------------------------------------------------------------------------------
# 3-4: selection and main order
# ---------------------------------------------------------------------------------------------


def _conflicting(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per interval ``[lo, hi)``: whether it overlaps any other interval of the set."""
    order = np.argsort(lo, kind="stable")
    slo, shi = lo[order], hi[order]
    hit = np.zeros(len(lo), dtype=bool)
    if len(lo) > 1:
        reach = np.maximum.accumulate(shi)
        hit[1:] |= slo[1:] < reach[:-1]
        hit[:-1] |= shi[:-1] > slo[1:]
    out = np.empty_like(hit)
    out[order] = hit
    return out


def _select_disjoint(
    a0: np.ndarray, b0: np.ndarray, length: np.ndarray, n: int, m: int, k: int
) -> list[_Run]:
    """Greedy longest-first choice of runs disjoint in both texts; overlapping runs are cut to free pieces.

    Runs overlapping no other run are taken at once; only the clashing ones go through the
    queue, with word-use flags kept in bytearrays (C-speed slicing, no numpy call per run).
    """
    clash = _conflicting(a0, a0 + length) | _conflicting(b0, b0 + length)
    free = np.flatnonzero(~clash)
    taken = [_Run(x, y, z) for x, y, z in zip(a0[free].tolist(), b0[free].tolist(), length[free].tolist())]
    if not clash.any():
        return taken
    used_a, used_b = bytearray(n), bytearray(m)
    for r in taken:
        used_a[r.a0 : r.a1] = b"\x01" * r.length
        used_b[r.b0 : r.b1] = b"\x01" * r.length
    centre = _weighted_median(b0 - a0, length)
    idx = np.flatnonzero(clash)
    dist = np.abs(b0[idx] - a0[idx] - centre)
    heap = list(zip((-length[idx]).tolist(), dist.tolist(), a0[idx].tolist(), b0[idx].tolist()))
    heapq.heapify(heap)
    while heap:
        neg_len, off, x, y = heapq.heappop(heap)
        size = -neg_len
        seg_a, seg_b = used_a[x : x + size], used_b[y : y + size]
        if 1 not in seg_a and 1 not in seg_b:
            taken.append(_Run(x, y, size))
            used_a[x : x + size] = b"\x01" * size
            used_b[y : y + size] = b"\x01" * size
        elif 0 in seg_a and 0 in seg_b:
            either = int.from_bytes(seg_a, "little") | int.from_bytes(seg_b, "little")
            busy = either.to_bytes(size, "little")
            for s, e in _free_pieces(busy):
                if e - s >= k:
                    heapq.heappush(heap, (s - e, off, x + s, y + s))
    return taken


def _free_pieces(busy: bytes) -> list[tuple[int, int]]:
    """Maximal ``[s, e)`` stretches of zero bytes in ``busy``."""
    pieces, pos, size = [], 0, len(busy)
    while pos < size:
        s = busy.find(0, pos)
        if s < 0:
            break
        e = busy.find(1, s)
        e = size if e < 0 else e
        pieces.append((s, e))
        pos = e
    return pieces


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> int:
    """Median of ``values`` weighted by ``weights`` (the dominant diagonal)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return int(values[order][np.searchsorted(cum, cum[-1] / 2)])


def _split_main_chain(runs: list[_Run]) -> tuple[list[_Run], list[_Run]]:
    """(main, moved): the most-words chain increasing in both texts, and every other run."""
    runs = sorted(runs, key=lambda r: r.a0)
    b0 = [r.b0 for r in runs]
    if all(x < y for x, y in zip(b0, b0[1:])):
        return runs, []
    rank = {v: i + 1 for i, v in enumerate(sorted(b0))}
    size = len(runs)
    tree_score, tree_arg = [0] * (size + 1), [-1] * (size + 1)
    score, prev = [0] * size, [-1] * size
    for i, r in enumerate(runs):
        best, arg, pos = 0, -1, rank[r.b0] - 1
        while pos > 0:  # Fenwick prefix max over smaller b ranks
            if tree_score[pos] > best:
                best, arg = tree_score[pos], tree_arg[pos]
            pos -= pos & -pos
        score[i], prev[i] = best + r.length, arg
        pos = rank[r.b0]
        while pos <= size:
            if score[i] > tree_score[pos]:
                tree_score[pos], tree_arg[pos] = score[i], i
            pos += pos & -pos
    in_chain = [False] * size
    i = max(range(size), key=score.__getitem__)
    while i >= 0:
        in_chain[i] = True
        i = prev[i]
    main = [r for r, c in zip(runs, in_chain) if c]
    moved = [r for r, c in zip(runs, in_chain) if not c]
    return main, moved


# ---------------------------------------------------------------------------------------------
# 5-6: merging and output
# ---------------------------------------------------------------------------------------------


def _merge(runs: list[_Run], A: np.ndarray, B: np.ndarray, max_gap: int, max_insert: int = 0) -> list[_Group]:
    """Merge consecutive order-consistent runs across small gaps into groups (rule 5).

    With ``max_insert`` > 0, a gap that is empty on one side and at most that many words on the
    other (a table of contents or a caption inserted into a copy) is merged across as well.
    """
    groups: list[_Group] = []
    for r in sorted(runs, key=lambda r: r.a0):
        g = groups[-1] if groups else None
        if g is not None and r.b0 >= g.b_hi:
            la, lb = r.a0 - g.a_hi, r.b0 - g.b_hi
            if min(la, lb) == 0 and max(la, lb) <= max_insert:
                g.a_hi, g.b_hi, g.matched = r.a1, r.b1, g.matched + r.length
                continue
            shared = _gap_shared(A[g.a_hi : r.a0], B[g.b_hi : r.b0], max_gap)
            if shared is not None:
                g.a_hi, g.b_hi, g.matched = r.a1, r.b1, g.matched + shared + r.length
                continue
        groups.append(_Group(r.a0, r.a1, r.b0, r.b1, r.length))
    return groups


def _gap_shared(gap_a: np.ndarray, gap_b: np.ndarray, max_gap: int) -> int | None:
    """Aligned words inside a gap if it is small enough to merge across, else None."""
    la, lb = len(gap_a), len(gap_b)
    if la > GAP_WINDOW or lb > GAP_WINDOW or abs(la - lb) > max_gap:
        return None
    shared = _lcs_length(gap_a.tolist(), gap_b.tolist()) if la and lb else 0
    if la - shared > max_gap or lb - shared > max_gap:
        return None
    return shared


def _lcs_length(x: list[int], y: list[int]) -> int:
    """Length of the longest common subsequence (bit-parallel, Hyyrö 2004) of two short id lists."""
    masks: dict[int, int] = {}
    for bit, value in enumerate(y):
        masks[value] = masks.get(value, 0) | (1 << bit)
    full = (1 << len(y)) - 1
    v = full
    for value in x:
        u = v & masks.get(value, 0)
        v = ((v + u) | (v - u)) & full
    return len(y) - v.bit_count()


def _to_passage(g: _Group, moved: bool, ta: Tokens, tb: Tokens) -> Passage:
    """Word-index group -> char-span passage in the original texts."""
    a_words, b_words = g.a_hi - g.a_lo, g.b_hi - g.b_lo
    return Passage(
        a_start=int(ta.starts[g.a_lo]),
        a_end=int(ta.ends[g.a_hi - 1]),
        b_start=int(tb.starts[g.b_lo]),
        b_end=int(tb.ends[g.b_hi - 1]),
        words=g.matched,
        a_words=a_words,
        b_words=b_words,
        similarity=round(2 * g.matched / (a_words + b_words), 4),
        moved=moved,
    )
