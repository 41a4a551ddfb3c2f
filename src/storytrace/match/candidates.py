"""All candidate sources behind one incremental index: MinHash LSH, exact content hash, anchors.

In memory (the dataset engine) the index is three ``BucketIndex`` run lists plus the anchor counts.
On disk (the store's incremental engine) it is a directory of immutable segments (``match.segments``):
``load`` memory-maps them in O(segments), ``add`` probes every segment and keeps the new postings in
memory, ``save`` writes only those as one new segment and swaps the manifest, and ``merge`` applies
the size-tiered policy. Adding n documents thus costs O(n log N) amortised, not O(N).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from typing import Any

import numpy as np

from ..fingerprint.config import DedupConfig
from ..fingerprint.minhash import Fingerprints
from .buckets import BucketIndex, load_state
from .containment import AnchorIndex
from .lsh import LSHIndex, unique_pairs
from .segments import FANOUT, Column, Segment, open_arrays, plan_merges, read_manifest, write_arrays, write_manifest

#: Bit flags telling which sources proposed a pair.
FROM_LSH, FROM_EXACT, FROM_ANCHORS = 1, 2, 4

#: The bucket indexes of a segment and the prefix of their files.
_SOURCES = ("lsh", "exact", "anchor")
_FILES = tuple(f"{s}_{a}" for s in _SOURCES for a in ("keys", "ids")) + ("anchor_counts",)


@dataclass(slots=True)
class CandidateIndex:
    """Incremental candidate search: ``add`` a batch of fingerprints (ids continue from ``size``),
    get unique (earlier, later) pairs against everything indexed so far plus a source bitmask."""

    config: DedupConfig = field(default_factory=DedupConfig)
    lsh: LSHIndex = field(init=False)
    exact: BucketIndex = field(init=False)
    anchors: AnchorIndex = field(init=False)
    segments: list[Segment] = field(default_factory=list)  # saved segments, in id order
    directory: Path | None = None  # where ``segments`` live
    next_segment: int = 0  # number of the next segment written to ``directory``

    def __post_init__(self) -> None:
        self.lsh = LSHIndex(self.config)
        self.exact = BucketIndex(self.config.max_bucket)
        self.anchors = AnchorIndex(self.config)

    @property
    def size(self) -> int:
        """Documents indexed so far (the next batch starts at this id)."""
        return self.lsh.size

    @property
    def saved_size(self) -> int:
        """Documents held by the saved segments (the rest are only in memory)."""
        return self.segments[-1].end if self.segments else 0

    def add(self, fp: Fingerprints) -> tuple[np.ndarray, np.ndarray]:
        """Index one batch; return (pairs (k, 2) int64 sorted unique, uint8 source flags per pair)."""
        ids = np.arange(self.size, self.size + len(fp), dtype=np.int64)
        nonempty = fp.n_words > 0
        sources = [
            (self.lsh.add(fp.signatures, fp.n_shingles > 0), FROM_LSH),
            (unique_pairs(self.exact.add(fp.content_hash[nonempty], ids[nonempty])), FROM_EXACT),
            (self.anchors.add(fp.anchors, fp.anchor_offsets)[0], FROM_ANCHORS),
        ]
        pairs = np.concatenate([p for p, _ in sources])
        flags = np.concatenate([np.full(len(p), f, dtype=np.uint8) for p, f in sources])
        if len(pairs) == 0:
            return pairs.reshape(0, 2), flags
        code, inverse = np.unique((pairs[:, 0] << 32) | pairs[:, 1], return_inverse=True)
        merged = np.zeros(len(code), dtype=np.uint8)
        np.bitwise_or.at(merged, inverse, flags)
        return np.stack((code >> 32, code & 0xFFFFFFFF), axis=1), merged

    def _buckets(self) -> dict[str, BucketIndex]:
        return {"lsh": self.lsh.buckets, "exact": self.exact, "anchor": self.anchors.buckets}

    def state(self) -> dict[str, np.ndarray]:
        """All arrays needed to continue later (no texts, no signatures), each merged into one."""
        return {**self.lsh.state(), **self.exact.state("exact_"), **self.anchors.state()}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], config: DedupConfig | None = None) -> CandidateIndex:
        """Rebuild from ``state()`` arrays (everything in memory, nothing saved yet)."""
        index = cls(config or DedupConfig())
        index.lsh = LSHIndex.from_state(state, index.config)
        index.exact = BucketIndex.from_state(state, "exact_")
        index.anchors = AnchorIndex.from_state(state, index.config)
        return index

    # -- segments on disk ------------------------------------------------------------------------

    def save(self, directory: str | Path, merge: bool = True) -> None:
        """Persist the index in ``directory``: the documents added since the last save become one new
        segment and the manifest is swapped atomically; nothing saved before is rewritten. Saving
        into another directory than the one loaded from writes the whole index there as one segment.
        ``merge``: then run the merge policy (``merge``); a caller may also do that later."""
        path = Path(directory)
        if self.directory is None or path.resolve() != self.directory.resolve():
            self._unseal()
            self.directory, self.next_segment = path, 0
            old = _manifest_or_none(path)
            if old is not None:  # never reuse a live segment's name
                self.next_segment = int(old["next"])
        path.mkdir(parents=True, exist_ok=True)
        if self.size > self.saved_size:
            buckets = self._buckets()
            arrays = {}
            for name, buckets_of in buckets.items():
                arrays[f"{name}_keys"], arrays[f"{name}_ids"] = buckets_of.fresh()
            arrays["anchor_counts"] = self.anchors.counts.fresh()
            segment = Segment(self._new_name(), self.saved_size, self.size)
            write_arrays(path / segment.name, arrays)
            mapped = open_arrays(path / segment.name, _FILES)
            for name, buckets_of in buckets.items():
                buckets_of.seal((mapped[f"{name}_keys"], mapped[f"{name}_ids"]))
            self.anchors.counts.seal(mapped["anchor_counts"])
            self.segments.append(segment)
        self._write_manifest()
        if merge:
            self.merge()

    def merge(self, fanout: int = FANOUT) -> int:
        """Merge saved segments by the size-tiered policy (``segments.plan_merges``): each group of
        adjacent segments becomes one new segment, then the manifest is swapped once. Candidates are
        unchanged. Returns the number of segments written."""
        if self.directory is None:
            raise ValueError("merge needs a saved index (call save first)")
        groups = plan_merges([s.docs for s in self.segments], fanout)
        if not groups:
            return 0
        if self.size > self.saved_size:
            raise ValueError("save the documents added since the last save before merging")
        buckets = self._buckets()
        for start, stop in reversed(groups):  # from the end, so earlier positions stay valid
            arrays = {}
            for name, buckets_of in buckets.items():
                arrays[f"{name}_keys"], arrays[f"{name}_ids"] = buckets_of.merge_runs(start, stop)
            arrays["anchor_counts"] = self.anchors.counts.merge(start, stop)
            segment = Segment(self._new_name(), self.segments[start].start, self.segments[stop - 1].end)
            write_arrays(self.directory / segment.name, arrays)
            mapped = open_arrays(self.directory / segment.name, _FILES)
            for name, buckets_of in buckets.items():
                buckets_of.runs[start] = (mapped[f"{name}_keys"], mapped[f"{name}_ids"])
            self.anchors.counts.merge(start, start + 1, mapped["anchor_counts"])
            self.segments[start:stop] = [segment]
        self._write_manifest()
        return len(groups)

    @classmethod
    def load(cls, directory: str | Path, config: DedupConfig | None = None, strict: bool = False) -> CandidateIndex:
        """Open an index written by ``save``: read the manifest and memory-map each segment, O(segments).
        ``strict``: raise ValueError when it was built with another ``config`` (its candidates and the
        pairs verified from them would differ from a rebuild). A directory in the old one-file-per-array
        layout is read whole, and its next ``save`` there rewrites it as segments."""
        path = Path(directory)
        config = config or DedupConfig()
        manifest = read_manifest(path)
        if manifest is None:
            if not (path / "lsh_meta.npy").exists():
                raise FileNotFoundError(f"{path}: no candidate index")
            index = cls.from_state(load_state(path), config)
            index.directory = path
            return index
        if strict and manifest["config"] != _config_dict(config):
            raise ValueError(f"{path}: built with another configuration")
        index = cls(config)
        index.directory = path
        index.next_segment = int(manifest["next"])
        index.segments = [Segment(s["name"], int(s["start"]), int(s["end"])) for s in manifest["segments"]]
        if [s.start for s in index.segments] != [0] + [s.end for s in index.segments[:-1]]:
            raise ValueError(f"{path}: segments do not tile the document ids")
        size = index.saved_size
        if size != int(manifest["size"]):
            raise ValueError(f"{path}: manifest size {manifest['size']} != segments {size}")
        files = [open_arrays(path / s.name, _FILES) for s in index.segments]
        for s, arrays in zip(index.segments, files):
            if len(arrays["anchor_counts"]) != s.docs:
                raise ValueError(f"{path / s.name}: {len(arrays['anchor_counts'])} anchor counts for {s.docs} documents")
        caps = manifest["caps"]
        bands, rows = int(manifest["bands"]), int(manifest["rows"])
        index.lsh = LSHIndex(config, bands=bands, rows=rows, size=size)
        runs = {name: [(f[f"{name}_keys"], f[f"{name}_ids"]) for f in files] for name in _SOURCES}
        last = size - 1
        index.lsh.buckets = BucketIndex.from_runs(int(caps["lsh"][0]), int(caps["lsh"][1]), runs["lsh"], last_id=last, sealed=True)
        index.exact = BucketIndex.from_runs(int(caps["exact"][0]), int(caps["exact"][1]), runs["exact"], last_id=last, sealed=True)
        index.anchors = AnchorIndex(config, size=size, counts=Column(np.int32, [f["anchor_counts"] for f in files]))
        index.anchors.buckets = BucketIndex.from_runs(int(caps["anchor"][0]), int(caps["anchor"][1]), runs["anchor"], last_id=last, sealed=True)
        return index

    def _new_name(self) -> str:
        self.next_segment += 1
        return f"seg-{self.next_segment - 1:08d}"

    def _write_manifest(self) -> None:
        assert self.directory is not None
        write_manifest(self.directory, {
            "size": self.saved_size,
            "next": self.next_segment,
            "bands": self.lsh.bands,
            "rows": self.lsh.rows,
            "caps": {name: [b.cap, b.hubs] for name, b in self._buckets().items()},
            "config": _config_dict(self.config),
            "segments": [{"name": s.name, "start": s.start, "end": s.end} for s in self.segments],
        })

    def _unseal(self) -> None:
        """Forget the segments (all postings become unsaved, to be written as one new segment)."""
        for buckets_of in self._buckets().values():
            buckets_of.compact()
        counts = self.anchors.counts
        self.anchors.counts = Column(np.int32, tail=counts.values())
        self.segments = []


def _config_dict(config: DedupConfig) -> dict[str, Any]:
    return dataclasses.asdict(config)


def _manifest_or_none(path: Path) -> dict[str, Any] | None:
    try:
        return read_manifest(path)
    except (ValueError, OSError):
        return None
