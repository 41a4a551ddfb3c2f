"""Incremental key -> documents buckets that emit candidate pairs in time linear in the new batch.

Shared by the LSH (band keys), exact (content hashes) and containment (anchor hashes) indexes.

Linking rule (the giant-bucket guard), defined on arrival order so that adding documents in
batches gives exactly the pairs of adding them all at once: documents carry increasing integer
ids; inside a bucket, the member of rank r (0 = smallest id) is paired with every earlier member
while r < cap, and with the first ``hubs`` members (ranks 0 .. hubs-1) only once r >= cap. A bucket
of n members thus yields at most cap*(cap-1)/2 + hubs*(n - cap) pairs instead of n*(n-1)/2 and
still connects all its members, so union-find over verified pairs can finish the job. Several
hubs rather than one: a hub can be a poor representative (an excerpt, a heavily edited copy)
whose edges fail verification; with 4 hubs every late member meets 4 different early ones.

Storage: a few runs of (uint64 key, uint32 id) postings (12 bytes each), each sorted by (key, id) in
numpy arrays; a new batch becomes a run and runs are merged LSM-style (a run is merged into its
predecessor once it is at least half its size), so each posting is re-sorted O(log n) times and a
batch is queried with ``np.searchsorted`` against O(log n) runs. The first ``sealed`` runs are
immutable (e.g. memory-mapped segments of an on-disk index, see ``match.segments``): queries probe
them, but only the caller merges them (``merge_runs``), never ``add``. Runs can be saved to ``.npy``
files or handed to the caller as arrays and restored without recomputing any fingerprint.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numba import njit

_EMPTY_PAIRS = np.zeros((0, 2), dtype=np.int64)
_NO_ID = np.iinfo(np.int64).max


@dataclass(slots=True)
class BucketIndex:
    """Sorted (key, id) runs plus the arrival-order linking rule with a per-bucket ``cap``."""

    cap: int
    hubs: int = 4
    runs: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    last_id: int = -1  # largest id indexed so far; new ids must exceed it
    sealed: int = 0  # runs[:sealed] are immutable (on-disk segments): add() never merges them

    def __post_init__(self) -> None:
        if self.cap < 1:
            raise ValueError(f"cap must be >= 1, got {self.cap}")
        self.hubs = max(1, min(self.hubs, self.cap))

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self.runs)

    def add(self, keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Insert postings (all ids larger than any already inserted); return (k, 2) int64 pairs
        (earlier id, later id) linking the new postings to old and to each other. Duplicates between
        different keys are kept (callers count or unique them)."""
        keys = np.ascontiguousarray(keys, dtype=np.uint64)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if keys.shape != ids.shape or keys.ndim != 1:
            raise ValueError("keys and ids must be 1-d arrays of equal length")
        if len(keys) == 0:
            return _EMPTY_PAIRS.copy()
        if ids.min() <= self.last_id or ids.max() >= 2**32 - 1:
            raise ValueError(f"ids must exceed every indexed id ({self.last_id}) and be < 2**32 - 1")
        order = np.lexsort((ids, keys))
        keys, ids = keys[order], ids[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        group_keys = keys[starts]
        lengths = np.diff(np.r_[starts, len(keys)])
        old_count = np.zeros(len(starts), dtype=np.int64)
        old_hubs = np.full((len(starts), self.hubs), _NO_ID, dtype=np.int64)  # first members, smallest ids
        spans = []
        for run_keys, run_ids in self.runs:
            if len(run_keys) == 0:  # a segment without postings of this kind
                continue
            lo, hi = _probe(run_keys, group_keys)
            hit = np.flatnonzero(hi > lo)  # most new keys are in no run: work only on those that are
            if len(hit) == 0:
                continue
            take = lo[hit, None] + np.arange(self.hubs)[None, :]
            firsts = np.where(take < hi[hit, None], run_ids[np.minimum(take, len(run_ids) - 1)], _NO_ID)
            old_hubs[hit] = np.sort(np.concatenate((old_hubs[hit], firsts), axis=1), axis=1)[:, : self.hubs]
            old_count[hit] += hi[hit] - lo[hit]
            spans.append((run_ids, lo, hi))
        parts = [_link_new(starts, lengths, ids, old_count, old_hubs, self.cap)]
        for run_ids, lo, hi in spans:
            parts.append(_link_old(starts, lengths, ids, old_count, run_ids, lo, hi, self.cap))
        self.last_id = int(ids.max())
        self._push(keys, ids.astype(np.uint32))
        return np.concatenate(parts)

    def _push(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """Append a sorted run and merge unsealed runs while the newest is at least half its predecessor."""
        self.runs.append((keys, ids))
        while len(self.runs) - self.sealed >= 2 and 2 * len(self.runs[-1][0]) >= len(self.runs[-2][0]):
            self.merge_runs(len(self.runs) - 2, len(self.runs))

    def merge_runs(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Replace the adjacent runs ``runs[start:stop]`` by their merge (pairwise, balanced, so each
        posting is copied O(log(stop - start)) times); return the merged run. Merging sealed runs
        unseals nothing: the caller decides what the merged run is (usually a new segment)."""
        parts = self.runs[start:stop]
        if not parts:
            raise ValueError(f"no runs in [{start}, {stop})")
        while len(parts) > 1:
            merged = [_merge(*_plain(*parts[i]), *_plain(*parts[i + 1])) for i in range(0, len(parts) - 1, 2)]
            parts = merged + ([parts[-1]] if len(parts) % 2 else [])
        self.runs[start:stop] = parts
        if self.sealed > start:
            self.sealed = max(start + 1, self.sealed - (stop - start - 1))
        return parts[0]

    def fresh(self) -> tuple[np.ndarray, np.ndarray]:
        """The unsealed postings (added since the last ``seal``) as one sorted run."""
        if len(self.runs) > self.sealed:
            return self.merge_runs(self.sealed, len(self.runs))
        return np.zeros(0, np.uint64), np.zeros(0, np.uint32)

    def seal(self, run: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Mark the unsealed postings as one immutable run, optionally replaced by an equal ``run``
        (e.g. its memory-mapped copy on disk)."""
        fresh = self.fresh()
        if len(self.runs) == self.sealed:
            self.runs.append(fresh)
        if run is not None:
            self.runs[self.sealed] = run
        self.sealed += 1

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """All postings as one sorted run (the runs themselves are left as they are)."""
        if len(self.runs) == 1:
            return self.runs[0]
        if not self.runs:
            return np.zeros(0, np.uint64), np.zeros(0, np.uint32)
        return BucketIndex(self.cap, self.hubs, runs=list(self.runs)).merge_runs(0, len(self.runs))

    def compact(self) -> None:
        """Merge all runs into one, unsealed (once a stream has ended)."""
        self.runs = [self.merged()] if self.runs else []
        self.sealed = 0

    def state(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The index as named arrays (one merged run), for .npy files or database blobs."""
        keys, ids = self.merged()
        return {f"{prefix}keys": keys, f"{prefix}ids": ids, f"{prefix}cap": np.array([self.cap, self.hubs])}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], prefix: str = "") -> BucketIndex:
        """Rebuild an index from ``state()`` arrays without touching any text."""
        keys = np.asarray(state[f"{prefix}keys"], dtype=np.uint64)
        ids = np.asarray(state[f"{prefix}ids"], dtype=np.uint32)
        cap, hubs = (int(v) for v in np.asarray(state[f"{prefix}cap"])[:2])
        return cls.from_runs(cap, hubs, [(keys, ids)] if len(keys) else [])

    @classmethod
    def from_runs(cls, cap: int, hubs: int, runs: list[tuple[np.ndarray, np.ndarray]], last_id: int | None = None,
                  sealed: bool = False) -> BucketIndex:
        """An index over existing (key, id)-sorted runs in id order (e.g. memory-mapped segments,
        ``sealed`` so that ``add`` never rewrites them); nothing is copied. ``last_id``: the largest id
        indexed (default: read from the runs, which touches every posting)."""
        index = cls(cap, hubs)
        index.runs = list(runs)
        index.sealed = len(index.runs) if sealed else 0
        if last_id is None:
            last_id = max((int(ids.max()) for _, ids in index.runs if len(ids)), default=-1)
        index.last_id = last_id
        return index


def save_state(state: dict[str, np.ndarray], directory: str | Path) -> None:
    """Write each array of a state dict to ``directory/<name>.npy``."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for name, array in state.items():
        np.save(path / f"{name}.npy", array, allow_pickle=False)


def load_state(directory: str | Path) -> dict[str, np.ndarray]:
    """Read every ``<name>.npy`` of ``directory`` back into a state dict."""
    return {p.stem: np.load(p, allow_pickle=False) for p in sorted(Path(directory).glob("*.npy"))}


def _plain(keys: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Base-class views (a ``np.memmap`` is an ndarray subclass numba does not take); no copy."""
    return np.asarray(keys, dtype=np.uint64), np.asarray(ids, dtype=np.uint32)


def _probe(run_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[lo, hi) of each query key in a sorted run, the query keys being sorted and distinct."""
    return _bounds(np.asarray(run_keys, dtype=np.uint64), keys)


@njit(cache=True)
def _gallop(run: np.ndarray, start: int, key: np.uint64, right: bool) -> int:
    """First index >= start whose value is >= key (> key when ``right``), by exponential then
    binary search from ``start``: O(log distance), touching memory near ``start`` first."""
    n = run.shape[0]
    lo, step, hi = start, 1, start
    while hi < n and (run[hi] <= key if right else run[hi] < key):
        lo = hi + 1
        hi = start + step
        step *= 2
    hi = min(hi, n)
    while lo < hi:
        mid = (lo + hi) >> 1
        if run[mid] <= key if right else run[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _bounds(run: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like ``searchsorted`` left and right for sorted distinct queries, in one forward pass: each
    search gallops from where the previous one ended, so a batch of q keys costs O(q log(n / q))
    and reads the run front to back (a memory-mapped segment is paged in once, in order) instead of
    2q full-depth binary searches."""
    m = keys.shape[0]
    lo = np.empty(m, dtype=np.int64)
    hi = np.empty(m, dtype=np.int64)
    pos = 0
    for i in range(m):
        pos = _gallop(run, pos, keys[i], False)
        lo[i] = pos
        if pos < run.shape[0] and run[pos] == keys[i]:
            pos = _gallop(run, pos, keys[i], True)
        hi[i] = pos
    return lo, hi


@njit(cache=True)
def _merge(k1: np.ndarray, i1: np.ndarray, k2: np.ndarray, i2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear merge of two (key, id)-sorted runs whose ids in the second all exceed the first's
    (equal keys: first run first), without sort temporaries."""
    n1, n2 = k1.shape[0], k2.shape[0]
    keys = np.empty(n1 + n2, dtype=k1.dtype)
    ids = np.empty(n1 + n2, dtype=i1.dtype)
    a = b = n = 0
    while a < n1 and b < n2:
        if k2[b] < k1[a]:
            keys[n] = k2[b]
            ids[n] = i2[b]
            b += 1
        else:
            keys[n] = k1[a]
            ids[n] = i1[a]
            a += 1
        n += 1
    while a < n1:
        keys[n] = k1[a]
        ids[n] = i1[a]
        a += 1
        n += 1
    while b < n2:
        keys[n] = k2[b]
        ids[n] = i2[b]
        b += 1
        n += 1
    return keys, ids


@njit(cache=True)
def _link_new(starts: np.ndarray, lengths: np.ndarray, ids: np.ndarray, old_count: np.ndarray,
              old_hubs: np.ndarray, cap: int) -> np.ndarray:
    """Pairs of each new member with earlier NEW members (rank < cap), or with the bucket's first
    ``hubs`` members (rank >= cap; old hubs first, then the earliest new members)."""
    hubs = old_hubs.shape[1]
    total = 0
    for g in range(starts.shape[0]):
        c = old_count[g]
        for p in range(lengths[g]):
            if c + p < cap:
                total += p
            else:
                total += min(hubs, c + p)
    out = np.empty((total, 2), dtype=np.int64)
    n = 0
    for g in range(starts.shape[0]):
        c = old_count[g]
        s = starts[g]
        for p in range(lengths[g]):
            me = ids[s + p]
            if c + p < cap:
                for q in range(p):
                    out[n, 0] = ids[s + q]
                    out[n, 1] = me
                    n += 1
            else:
                from_old = min(hubs, c)
                for q in range(from_old):
                    out[n, 0] = old_hubs[g, q]
                    out[n, 1] = me
                    n += 1
                for q in range(min(hubs - from_old, p)):
                    out[n, 0] = ids[s + q]
                    out[n, 1] = me
                    n += 1
    return out


@njit(cache=True)
def _link_old(starts: np.ndarray, lengths: np.ndarray, ids: np.ndarray, old_count: np.ndarray,
              run_ids: np.ndarray, lo: np.ndarray, hi: np.ndarray, cap: int) -> np.ndarray:
    """Pairs of each new member of rank < cap with every old member held in one run."""
    total = 0
    for g in range(starts.shape[0]):
        c = old_count[g]
        if c >= cap or hi[g] == lo[g]:
            continue
        linked = min(lengths[g], cap - c)
        total += linked * (hi[g] - lo[g])
    out = np.empty((total, 2), dtype=np.int64)
    n = 0
    for g in range(starts.shape[0]):
        c = old_count[g]
        if c >= cap or hi[g] == lo[g]:
            continue
        linked = min(lengths[g], cap - c)
        for p in range(linked):
            me = ids[starts[g] + p]
            for j in range(lo[g], hi[g]):
                out[n, 0] = run_ids[j]
                out[n, 1] = me
                n += 1
    return out
