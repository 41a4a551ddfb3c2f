"""The duplicate engine's tables (``fingerprints``, ``dup_pairs``, ``index_state``): every query the
incremental engine needs, so no SQL lives outside the store. Rows are plain tuples; the engine owns what
they mean. ``seq`` is a document's position in the candidate index, ``doc_pk`` its row in ``documents``."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .migrations import transaction

#: (doc_pk, seq, content_hash, n_words, n_shingles, signature bytes)
FingerprintRow = tuple[int, int, str, int, int, bytes]
#: (a_seq, b_seq, relation, direction, score, jaccard, coverage_ab, coverage_ba)
PairRow = tuple[int, int, str, int, float, float, float, float]
#: (id of a, id of b, relation, direction, score, jaccard, coverage_ab, coverage_ba)
StoredPairRow = tuple[str, str, str, int, float, float, float, float]


class DuplicateState:
    """Read and write the duplicate engine's state in one SQLite connection (the store's)."""

    conn: sqlite3.Connection

    def fingerprint_count(self) -> int:
        """Documents fingerprinted (indexed) so far."""
        return int(self.conn.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0])

    def norm_at(self, seq: int) -> str:
        """The normalised text of the document at index position ``seq``; KeyError when there is none."""
        row = self.conn.execute(
            "SELECT d.norm FROM fingerprints f JOIN documents d ON d.pk = f.doc_pk WHERE f.seq = ?", (int(seq),)
        ).fetchone()
        if row is None:
            raise KeyError(f"no document with index sequence {seq}")
        return str(row[0])

    def recorded_index_size(self) -> int:
        """The candidate index's document count as of the last committed update (0: none yet)."""
        row = self.conn.execute("SELECT data FROM index_state WHERE name = 'size'").fetchone()
        return int(row[0]) if row else 0

    def record_index_size(self, size: int) -> None:
        """Record the candidate index's document count (inside the update's transaction)."""
        self.conn.execute("INSERT OR REPLACE INTO index_state (name, data) VALUES ('size', ?)", (int(size),))

    def index_stale(self) -> bool:
        """Whether a fingerprinted document changed since it was indexed (set by the trigger of migration 6)."""
        return self.conn.execute("SELECT 1 FROM index_state WHERE name = 'stale'").fetchone() is not None

    def unindexed_documents(self) -> list[tuple[int, str, str]]:
        """(pk, norm, content_hash) of the documents not fingerprinted yet: those after the last fingerprinted
        one. Row numbers only grow (the store deletes no document; an upsert keeps its row) and every update
        indexes all documents present, so this is a range read of the new rows, not a scan."""
        return self.conn.execute(
            "SELECT pk, norm, content_hash FROM documents "
            "WHERE pk > (SELECT COALESCE(MAX(doc_pk), 0) FROM fingerprints) ORDER BY pk"
        ).fetchall()

    def reset_duplicate_state(self) -> None:
        """Forget every fingerprint, verified pair and index record (before a rebuild), atomically."""
        with transaction(self.conn):
            for table in ("fingerprints", "dup_pairs", "index_state"):
                self.conn.execute(f"DELETE FROM {table}")

    def add_fingerprints(self, rows: Iterable[FingerprintRow]) -> None:
        """Store new documents' fingerprints (inside the update's transaction)."""
        self.conn.executemany(
            "INSERT INTO fingerprints (doc_pk, seq, content_hash, n_words, n_shingles, signature) "
            "VALUES (?, ?, ?, ?, ?, ?)", rows)

    def add_dup_pairs(self, rows: Iterable[PairRow]) -> None:
        """Store verified duplicate pairs (inside the update's transaction)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO dup_pairs (a_seq, b_seq, relation, direction, score, jaccard, coverage_ab, "
            "coverage_ba) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def dup_pairs(self) -> list[StoredPairRow]:
        """Every verified pair with the two documents' ids, in index order."""
        return self.conn.execute(
            """SELECT da.id, db.id, p.relation, p.direction, p.score, p.jaccard, p.coverage_ab, p.coverage_ba
               FROM dup_pairs p
               JOIN fingerprints fa ON fa.seq = p.a_seq JOIN documents da ON da.pk = fa.doc_pk
               JOIN fingerprints fb ON fb.seq = p.b_seq JOIN documents db ON db.pk = fb.doc_pk
               ORDER BY p.a_seq, p.b_seq"""
        ).fetchall()
