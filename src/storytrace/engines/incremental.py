"""Incremental duplicate detection over the SQLite store: only new documents are fingerprinted.

State: ``fingerprints`` rows (one per document, ``seq`` = its id in the candidate index), verified
``dup_pairs``, and the candidate index as immutable segments in ``<db>.index/`` (``match.segments``):
an update memory-maps the segments (O(segments), nothing is read whole), probes them for the new
documents' candidates and writes those documents as one new segment, so its cost follows the number
of new documents, not the size of the store. One update runs in one transaction; the new segment and
the manifest listing it are written inside it, just before the commit, and the index's document count
is recorded in the database: when the two disagree (a crash between the manifest swap and the commit),
the index was built with another configuration or a document changed since it was fingerprinted, the
index is rebuilt from scratch (the recovery path). A crash before the manifest swap leaves the old
index valid (the orphan segment is removed by the next save). Segments are merged by the size-tiered
policy after the commit (a merge changes no candidate, so a crash during it loses nothing).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..cluster.dedup import Deduplicator
from ..fingerprint import DedupConfig
from ..match.candidates import CandidateIndex
from ..match.verify import RELATION_NAMES
from ..store import SQLiteStore

BATCH = 2000  # documents fingerprinted per step (bounded memory)

log = logging.getLogger("storytrace.engines.incremental")


@dataclass(slots=True)
class UpdateReport:
    """What one update did."""

    new_documents: int
    candidate_pairs: int
    verified_pairs: int
    rebuilt: bool
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per step

    def tick(self, step: str, since: float) -> float:
        """Add the time since ``since`` to ``step``; return now."""
        now = time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - since
        return now


class SeqTexts(Sequence[str]):
    """Normalised texts by index sequence number, fetched from the store on demand (new ones cached)."""

    def __init__(self, store: SQLiteStore, fresh: dict[int, str]) -> None:
        self.store, self.fresh = store, fresh

    def __len__(self) -> int:  # pragma: no cover - verify_pairs only indexes
        return self.store.fingerprint_count() + len(self.fresh)

    def __getitem__(self, seq: int) -> str:  # type: ignore[override]  # by int only: verify_pairs takes no slices
        return self.fresh[seq] if seq in self.fresh else self.store.norm_at(seq)


def index_dir(store: SQLiteStore) -> Path:
    """Where the candidate index of a store lives."""
    return store.path.with_name(store.path.name + ".index")


def _load_index(store: SQLiteStore, config: DedupConfig) -> CandidateIndex | None:
    """The saved index when it matches the database and the configuration, else None (rebuild needed)."""
    size = store.recorded_index_size()
    if size == 0:
        return CandidateIndex(config)
    try:
        index = CandidateIndex.load(index_dir(store), config, strict=True)
    except (OSError, ValueError, KeyError):
        return None
    return index if index.size == size else None


def update_duplicates(store: SQLiteStore, config: DedupConfig | None = None) -> UpdateReport:
    """Fingerprint documents not yet indexed, find their candidates, verify and store the pairs."""
    config = config or DedupConfig()
    start = time.perf_counter()
    index = None if store.index_stale() else _load_index(store, config)
    rebuilt = index is None
    if index is None:
        store.reset_duplicate_state()
        index = CandidateIndex(config)
    new_rows = store.unindexed_documents()
    report = UpdateReport(len(new_rows), 0, 0, rebuilt)
    start = report.tick("open", start)
    if not new_rows:
        return report
    with store.transaction():
        for first in range(0, len(new_rows), BATCH):
            _add_batch(store, index, new_rows[first : first + BATCH], config, report)
        start = time.perf_counter()
        store.record_index_size(index.size)
        index.save(index_dir(store), merge=False)  # inside the transaction: a failure here rolls the rows back
        start = report.tick("save", start)
    start = report.tick("commit", start)
    try:
        index.merge()  # after the commit: merging changes no candidate, a failure here loses nothing
    except OSError as exc:  # e.g. disk full: the unmerged index stays valid, the next update retries
        log.warning("candidate index: segment merge failed (%s); the index stays valid, unmerged", exc)
    report.tick("merge", start)
    return report


def _add_batch(store: SQLiteStore, index: CandidateIndex, rows: list[tuple[int, str, str]],
               config: DedupConfig, report: UpdateReport) -> None:
    """Fingerprint, index, verify and store one batch of new documents."""
    start = time.perf_counter()
    norms = [r[1] for r in rows]
    dedup = Deduplicator(config, index=index)  # the first stages of cluster.dedup; groups come at analysis
    first = index.size
    fp, pairs, _ = dedup.add(norms)
    report.timings["fingerprint"] = report.timings.get("fingerprint", 0.0) + dedup.clock.wall["fingerprint"]
    report.timings["candidates"] = report.timings.get("candidates", 0.0) + dedup.clock.wall["candidates"]
    start = time.perf_counter()
    store.add_fingerprints(
        (pk, first + i, chash, int(fp.n_words[i]), int(fp.n_shingles[i]), fp.signatures[i].tobytes())
        for i, (pk, _, chash) in enumerate(rows)
    )
    report.candidate_pairs += len(pairs)
    start = report.tick("write", start)
    if len(pairs) == 0:
        return
    texts = SeqTexts(store, {first + i: t for i, t in enumerate(norms)})
    table, _ = dedup.verify(texts, pairs)
    keep = np.flatnonzero(table.matched)
    start = report.tick("verify", start)
    store.add_dup_pairs(
        (int(table.pairs[k, 0]), int(table.pairs[k, 1]), _relation_name(int(table.relation[k])), int(table.direction[k]),
         float(table.score[k]), float(table.jaccard[k]), float(table.coverage_ab[k]), float(table.coverage_ba[k]))
        for k in keep
    )
    report.verified_pairs += len(keep)
    report.tick("write", start)


def _relation_name(code: int) -> str:
    """The name of a verified pair's relation code (a kept pair always has one)."""
    name = RELATION_NAMES[code]
    if name is None:
        raise ValueError(f"relation code {code} of a verified pair has no name")
    return name


def stored_pairs(store: SQLiteStore) -> list[tuple[str, str, str, int, float, dict[str, float]]]:
    """Verified duplicate pairs as (id of a, id of b, relation, direction, score, measures)."""
    rows = store.dup_pairs()
    return [
        (a, b, rel, direction, score, {"jaccard": j, "coverage_ab": cab, "coverage_ba": cba})
        for a, b, rel, direction, score, j, cab, cba in rows
    ]
