"""Incremental duplicate detection over the SQLite store: only new documents are fingerprinted.

State: ``fingerprints`` rows (one per document, ``seq`` = its id in the candidate index), verified
``dup_pairs``, and the candidate index's arrays as .npy files in ``<db>.index/``. One update runs in
one transaction; the index directory is swapped in atomically after it commits, and its document
count is recorded in the database: when the two disagree (a crash between them) or a document changed
since it was fingerprinted, the index is rebuilt from scratch (the recovery path).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fingerprint import DedupConfig, fingerprint
from ..match.candidates import CandidateIndex
from ..match.verify import RELATION_NAMES, verify_pairs
from ..store import SQLiteStore
from ..store.migrations import transaction

BATCH = 2000  # documents fingerprinted per step (bounded memory)


@dataclass(slots=True)
class UpdateReport:
    """What one update did."""

    new_documents: int
    candidate_pairs: int
    verified_pairs: int
    rebuilt: bool


class SeqTexts(Sequence[str]):
    """Normalised texts by index sequence number, fetched from the store on demand (new ones cached)."""

    def __init__(self, conn: sqlite3.Connection, fresh: dict[int, str]) -> None:
        self.conn, self.fresh = conn, fresh

    def __len__(self) -> int:  # pragma: no cover - verify_pairs only indexes
        return int(self.conn.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0]) + len(self.fresh)

    def __getitem__(self, seq: int) -> str:  # type: ignore[override]
        if seq in self.fresh:
            return self.fresh[seq]
        row = self.conn.execute(
            "SELECT d.norm FROM fingerprints f JOIN documents d ON d.pk = f.doc_pk WHERE f.seq = ?", (int(seq),)
        ).fetchone()
        if row is None:
            raise KeyError(f"no document with index sequence {seq}")
        return str(row[0])


def index_dir(store: SQLiteStore) -> Path:
    """Where the candidate index of a store lives."""
    return store.path.with_name(store.path.name + ".index")


def _recorded_size(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT data FROM index_state WHERE name = 'size'").fetchone()
    return int(row[0]) if row else 0


def _load_index(store: SQLiteStore, config: DedupConfig) -> CandidateIndex | None:
    """The saved index when it matches the database, else None (rebuild needed)."""
    size = _recorded_size(store.conn)
    path = index_dir(store)
    if size == 0:
        return CandidateIndex(config)
    if not path.is_dir():
        return None
    try:
        index = CandidateIndex.load(path, config)
    except (OSError, ValueError, KeyError):
        return None
    return index if index.size == size else None


def _stale(conn: sqlite3.Connection) -> bool:
    """Whether a fingerprinted document changed since (its content hash differs)."""
    row = conn.execute(
        "SELECT 1 FROM fingerprints f JOIN documents d ON d.pk = f.doc_pk WHERE f.content_hash != d.content_hash LIMIT 1"
    ).fetchone()
    return row is not None


def _reset(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        for table in ("fingerprints", "dup_pairs", "index_state"):
            conn.execute(f"DELETE FROM {table}")


def update_duplicates(store: SQLiteStore, config: DedupConfig | None = None) -> UpdateReport:
    """Fingerprint documents not yet indexed, find their candidates, verify and store the pairs."""
    config = config or DedupConfig()
    conn = store.conn
    index = None if _stale(conn) else _load_index(store, config)
    rebuilt = index is None
    if index is None:
        _reset(conn)
        index = CandidateIndex(config)
    new_rows = conn.execute(
        "SELECT d.pk, d.norm, d.content_hash FROM documents d LEFT JOIN fingerprints f ON f.doc_pk = d.pk "
        "WHERE f.doc_pk IS NULL ORDER BY d.pk"
    ).fetchall()
    report = UpdateReport(len(new_rows), 0, 0, rebuilt)
    if not new_rows:
        return report
    with transaction(conn):
        for start in range(0, len(new_rows), BATCH):
            _add_batch(conn, index, new_rows[start : start + BATCH], config, report)
        conn.execute("INSERT OR REPLACE INTO index_state (name, data) VALUES ('size', ?)", (index.size,))
        _save_index(index, index_dir(store))  # inside the transaction: a failure here rolls the rows back
    return report


def _add_batch(conn: sqlite3.Connection, index: CandidateIndex, rows: list[tuple[int, str, str]],
               config: DedupConfig, report: UpdateReport) -> None:
    """Fingerprint, index, verify and store one batch of new documents."""
    norms = [r[1] for r in rows]
    fp = fingerprint(norms, config)
    first = index.size
    pairs, _ = index.add(fp)
    conn.executemany(
        "INSERT INTO fingerprints (doc_pk, seq, content_hash, n_words, n_shingles, signature) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (pk, first + i, chash, int(fp.n_words[i]), int(fp.n_shingles[i]), fp.signatures[i].tobytes())
            for i, (pk, _, chash) in enumerate(rows)
        ],
    )
    report.candidate_pairs += len(pairs)
    if len(pairs) == 0:
        return
    texts = SeqTexts(conn, {first + i: t for i, t in enumerate(norms)})
    table = verify_pairs(texts, pairs, config)
    keep = np.flatnonzero(table.matched)
    conn.executemany(
        "INSERT OR REPLACE INTO dup_pairs (a_seq, b_seq, relation, direction, score, jaccard, coverage_ab, coverage_ba) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (int(table.pairs[k, 0]), int(table.pairs[k, 1]), RELATION_NAMES[int(table.relation[k])], int(table.direction[k]),
             float(table.score[k]), float(table.jaccard[k]), float(table.coverage_ab[k]), float(table.coverage_ba[k]))
            for k in keep
        ],
    )
    report.verified_pairs += len(keep)


def _save_index(index: CandidateIndex, path: Path) -> None:
    """Write the index next to the database, replacing the old one in one rename."""
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    index.save(tmp)
    old = path.with_name(path.name + ".old")
    if path.exists():
        os.replace(path, old)
    os.replace(tmp, path)
    if old.exists():
        shutil.rmtree(old)


def stored_pairs(store: SQLiteStore) -> list[tuple[str, str, str, int, float, dict[str, float]]]:
    """Verified duplicate pairs as (id of a, id of b, relation, direction, score, measures)."""
    rows = store.conn.execute(
        """SELECT da.id, db.id, p.relation, p.direction, p.score, p.jaccard, p.coverage_ab, p.coverage_ba
           FROM dup_pairs p
           JOIN fingerprints fa ON fa.seq = p.a_seq JOIN documents da ON da.pk = fa.doc_pk
           JOIN fingerprints fb ON fb.seq = p.b_seq JOIN documents db ON db.pk = fb.doc_pk
           ORDER BY p.a_seq, p.b_seq"""
    ).fetchall()
    return [
        (a, b, rel, direction, score, {"jaccard": j, "coverage_ab": cab, "coverage_ba": cba})
        for a, b, rel, direction, score, j, cab, cba in rows
    ]
