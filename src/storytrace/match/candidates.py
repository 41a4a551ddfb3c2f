"""All candidate sources behind one incremental index: MinHash LSH, exact content hash, anchors."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fingerprint.config import DedupConfig
from ..fingerprint.minhash import Fingerprints
from .buckets import BucketIndex, load_state, save_state
from .containment import AnchorIndex
from .lsh import LSHIndex, unique_pairs

#: Bit flags telling which sources proposed a pair.
FROM_LSH, FROM_EXACT, FROM_ANCHORS = 1, 2, 4


@dataclass(slots=True)
class CandidateIndex:
    """Incremental candidate search: ``add`` a batch of fingerprints (ids continue from ``size``),
    get unique (earlier, later) pairs against everything indexed so far plus a source bitmask."""

    config: DedupConfig = field(default_factory=DedupConfig)
    lsh: LSHIndex = field(init=False)
    exact: BucketIndex = field(init=False)
    anchors: AnchorIndex = field(init=False)

    def __post_init__(self) -> None:
        self.lsh = LSHIndex(self.config)
        self.exact = BucketIndex(self.config.max_bucket)
        self.anchors = AnchorIndex(self.config)

    @property
    def size(self) -> int:
        """Documents indexed so far (the next batch starts at this id)."""
        return self.lsh.size

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

    def state(self) -> dict[str, np.ndarray]:
        """All arrays needed to continue later (no texts, no signatures)."""
        return {**self.lsh.state(), **self.exact.state("exact_"), **self.anchors.state()}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], config: DedupConfig | None = None) -> CandidateIndex:
        """Rebuild from ``state()`` arrays."""
        index = cls(config or DedupConfig())
        index.lsh = LSHIndex.from_state(state, index.config)
        index.exact = BucketIndex.from_state(state, "exact_")
        index.anchors = AnchorIndex.from_state(state, index.config)
        return index

    def save(self, directory: str | Path) -> None:
        """Write the index as .npy files into ``directory``."""
        save_state(self.state(), directory)

    @classmethod
    def load(cls, directory: str | Path, config: DedupConfig | None = None) -> CandidateIndex:
        """Read an index written by ``save``."""
        return cls.from_state(load_state(directory), config)
