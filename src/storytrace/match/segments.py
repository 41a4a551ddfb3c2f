"""On-disk candidate index as immutable segments: size-tiered merge policy, files, manifest.

An update writes the documents it added as one new *segment* (a directory of sorted ``.npy`` runs
covering a contiguous range of document ids) and then swaps ``manifest.json``, the list of live
segments, in one atomic rename; nothing older is rewritten. Opening an index reads the manifest and
memory-maps each segment (``np.load(mmap_mode="r")``), so it costs O(segments), not O(documents);
queries probe every segment with ``np.searchsorted`` (``BucketIndex.add``).

Merges (``plan_merges``) keep the number of segments logarithmic: a segment's *tier* is
floor(log_fanout(documents)); tiers never grow from oldest to newest (a segment absorbs the
smaller-tier segments before it) and ``fanout`` adjacent segments of one tier are merged into one.
So there are at most (fanout - 1) segments per tier, and a document is rewritten about once per tier
it climbs, O(log_fanout N) times in all: adding n documents costs O(n log N) amortised, independent
of how large the index already is (a single update may pay for a larger merge now and then). Merging changes no candidate: runs are merged in id order and the
linking rule of ``match.buckets`` only depends on (key, id) order.

Crash safety: segment directories are written (and fsynced) under fresh names before the manifest
that lists them; anything a manifest does not list is garbage from an interrupted update and is
removed by the next save.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from typing import Any

import numpy as np

MANIFEST = "manifest.json"
FORMAT = "storytrace-candidate-index"
VERSION = 2
FANOUT = 4  #: segments of one tier merged together (and the base of the tier sizes)


@dataclass(frozen=True, slots=True)
class Segment:
    """One immutable segment: documents ``start .. end - 1`` in ``<index dir>/<name>/``."""

    name: str
    start: int
    end: int

    @property
    def docs(self) -> int:
        return self.end - self.start


def tier(size: int, fanout: int = FANOUT) -> int:
    """floor(log_fanout(size)) for size >= 1 (0 for an empty segment), in integers."""
    t, limit = 0, fanout
    while size >= limit:
        t += 1
        limit *= fanout
    return t


def next_merge(sizes: Sequence[int], fanout: int = FANOUT) -> tuple[int, int] | None:
    """The adjacent range [i, j) of segments the policy merges next, or None when none is due.

    1. A segment absorbs the run of segments just before it whose tier is below its own (normally
       the newest segment after a large update: costs O(size of the update)).
    2. Otherwise ``fanout`` or more adjacent segments of one tier are merged into one (normally the
       newest ones).
    Both rules look at every segment, not only the newest, so an index left unmerged (a merge that
    failed, an older policy) is brought back into shape by the next merge.
    """
    if fanout < 2:
        raise ValueError(f"fanout must be >= 2, got {fanout}")
    tiers = [tier(int(s), fanout) for s in sizes]
    for k in range(len(tiers) - 1, 0, -1):
        if tiers[k - 1] < tiers[k]:
            i = k - 1
            while i > 0 and tiers[i - 1] < tiers[k]:
                i -= 1
            return i, k + 1
    k = len(tiers)
    while k > 0:
        i = k - 1
        while i > 0 and tiers[i - 1] == tiers[k - 1]:
            i -= 1
        if k - i >= fanout:
            return i, k
        k = i
    return None


def plan_merges(sizes: Sequence[int], fanout: int = FANOUT) -> list[tuple[int, int]]:
    """Apply ``next_merge`` until nothing is due; return the resulting groups of the original
    segments as ranges [i, j) with j - i >= 2 (each group is merged once, directly)."""
    groups = [(i, i + 1, int(s)) for i, s in enumerate(sizes)]
    while (span := next_merge([g[2] for g in groups], fanout)) is not None:
        a, b = span
        groups[a:b] = [(groups[a][0], groups[b - 1][1], sum(g[2] for g in groups[a:b]))]
    return [(i, j) for i, j, _ in groups if j - i >= 2]


class Column:
    """Per-document values in id order: sealed parts (one per segment, e.g. memory-mapped) and then
    one growable in-memory tail for documents not saved yet. ``take`` gathers by document id."""

    __slots__ = ("dtype", "parts", "bounds", "tail", "fill")

    def __init__(self, dtype: type | np.dtype, parts: Iterable[np.ndarray] = (), tail: np.ndarray | None = None) -> None:
        self.dtype = np.dtype(dtype)
        self.parts = [np.asarray(p) for p in parts]
        self.bounds = np.cumsum([0] + [len(p) for p in self.parts]).astype(np.int64)
        self.tail = np.zeros(0, self.dtype) if tail is None else np.array(tail, dtype=self.dtype)
        self.fill = len(self.tail)

    @property
    def sealed_size(self) -> int:
        return int(self.bounds[-1])

    def __len__(self) -> int:
        return self.sealed_size + self.fill

    def append(self, values: np.ndarray) -> None:
        """Add values for the next documents (amortised O(len(values)))."""
        need = self.fill + len(values)
        if need > len(self.tail):
            grown = np.zeros(max(need, 2 * len(self.tail), 1024), self.dtype)
            grown[: self.fill] = self.tail[: self.fill]
            self.tail = grown
        self.tail[self.fill : need] = values
        self.fill = need

    def take(self, ids: np.ndarray) -> np.ndarray:
        """Values of the given document ids."""
        ids = np.asarray(ids, dtype=np.int64)
        base = self.sealed_size
        if not self.parts:
            values: np.ndarray = self.tail[ids]
            return values
        out = np.empty(len(ids), self.dtype)
        fresh = ids >= base
        out[fresh] = self.tail[ids[fresh] - base]
        old = np.flatnonzero(~fresh)
        if len(old):
            part = np.searchsorted(self.bounds, ids[old], side="right") - 1
            for p in np.unique(part):
                sel = old[part == p]
                out[sel] = self.parts[p][ids[sel] - self.bounds[p]]
        return out

    def fresh(self) -> np.ndarray:
        """Values not sealed yet."""
        return self.tail[: self.fill]

    def seal(self, part: np.ndarray | None = None) -> None:
        """Turn the tail into a sealed part (or into ``part``, an equal array such as its file)."""
        self.parts.append(np.asarray(self.fresh().copy() if part is None else part))
        self.bounds = np.append(self.bounds, self.bounds[-1] + len(self.parts[-1]))
        self.tail, self.fill = np.zeros(0, self.dtype), 0

    def merge(self, start: int, stop: int, part: np.ndarray | None = None) -> np.ndarray:
        """Replace sealed parts [start, stop) by their concatenation (or by ``part``, equal to it)."""
        merged = np.concatenate(self.parts[start:stop]) if part is None else np.asarray(part)
        self.parts[start:stop] = [merged]
        self.bounds = np.cumsum([0] + [len(p) for p in self.parts]).astype(np.int64)
        return merged

    def values(self) -> np.ndarray:
        """Everything as one array (copies)."""
        return np.concatenate([*self.parts, self.fresh()]).astype(self.dtype, copy=False)


# -- files ------------------------------------------------------------------------------------


def write_arrays(directory: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``<name>.npy`` files into a fresh directory and flush them to disk."""
    if directory.exists():
        shutil.rmtree(directory)  # leftover of an interrupted update (not in any manifest)
    directory.mkdir(parents=True)
    for name, array in arrays.items():
        path = directory / f"{name}.npy"
        with open(path, "wb") as fh:
            np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
            fh.flush()
            os.fsync(fh.fileno())
    _fsync_dir(directory)


def open_arrays(directory: Path, names: Iterable[str]) -> dict[str, np.ndarray]:
    """Memory-map ``<name>.npy`` files (plain ndarray views; nothing is read yet). Copy-on-write
    mappings: the files are never written through them, and unlike read-only arrays they reach the
    numba kernels with the same types as in-memory arrays (no extra compilation per process)."""
    return {name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="c", allow_pickle=False)) for name in names}


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of an index directory, or None when there is none."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"{directory}: not a version {VERSION} {FORMAT}")
    manifest: dict[str, Any] = data
    return manifest


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    """Replace the manifest atomically (write, fsync, rename, fsync the directory), then remove
    whatever it does not list."""
    tmp = directory / (MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"format": FORMAT, "version": VERSION, **manifest}, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, directory / MANIFEST)
    _fsync_dir(directory)
    live = {MANIFEST} | {s["name"] for s in manifest["segments"]}
    for entry in directory.iterdir():
        if entry.name not in live:  # merged-away segments, orphans of interrupted saves, an older layout
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                try:
                    entry.unlink()
                except OSError:  # pragma: no cover - e.g. still mapped on Windows; removed next time
                    pass


def _fsync_dir(directory: Path) -> None:
    """Make a rename or new entry durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
