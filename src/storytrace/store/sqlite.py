"""SQLite store: documents with their original bytes, sources ingested, problems seen.

One writer, batched transactions (a killed process loses at most the open batch), WAL journal
so readers (the web UI) never block the writer.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Article, Group, ReadProblem, Relation, Story
from .duplicates import DuplicateState
from .migrations import migrate, now_iso, transaction


@dataclass(slots=True)
class StoredDocument:
    """A document as the store holds it (an ``Article`` plus its row number and ingestion time)."""

    pk: int
    article: Article
    ingested_at: str


def raw_digest(data: bytes) -> str:
    """Digest of a record's original bytes: tells a changed record from the same one seen again."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


DOCUMENT_COLUMNS = "pk, id, source, locator, kind, raw, title, date, author, url, text, norm, language, content_hash, metadata, ingested_at"


class SQLiteStore(DuplicateState):
    """The default store (implements ``store.base.Store``). ``path=None`` makes a temporary database removed on
    ``close()``."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None
        if path is None:
            self._temp_dir = tempfile.TemporaryDirectory(prefix="storytrace-")
            path = Path(self._temp_dir.name) / "store.sqlite"
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(f"{self.path}: directory {self.path.parent} does not exist")
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path}: not a storytrace database ({exc})") from exc
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        migrate(self.conn)

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (and remove a temporary database)."""
        self.conn.close()
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingestion bookkeeping ------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One atomic unit of writes: everything inside commits together or rolls back."""
        return transaction(self.conn)

    def document_pks(self) -> dict[str, int]:
        """Document id -> row number, for every stored document."""
        return dict(self.conn.execute("SELECT id, pk FROM documents").fetchall())

    def source_done(self, path: str, size: int, mtime_ns: int) -> bool:
        """True when this file, unchanged, was read to its end by an earlier run."""
        row = self.conn.execute("SELECT size, mtime_ns FROM sources WHERE path = ?", (path,)).fetchone()
        return row is not None and row[0] == size and row[1] == mtime_ns

    def mark_source_done(self, path: str, size: int, mtime_ns: int, records: int) -> None:
        """Record that a file was read completely, so a re-run skips it without reading."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO sources (path, size, mtime_ns, records, completed_at) VALUES (?, ?, ?, ?, ?)",
                (path, size, mtime_ns, records, now_iso()),
            )

    def known_record(self, source: str, locator: str) -> str | None:
        """The raw digest stored for (source, locator), or None when the record is new."""
        row = self.conn.execute(
            "SELECT raw_hash FROM documents WHERE source = ? AND locator = ?", (source, locator)
        ).fetchone()
        return None if row is None else str(row[0])

    def id_taken(self, doc_id: str) -> bool:
        """True when a document already has this id."""
        return self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    # -- writes ----------------------------------------------------------------------------------
    def add_articles(self, articles: Iterable[Article]) -> int:
        """Insert (or replace a changed version of) a batch of articles in one transaction."""
        rows = [
            (
                a.id, a.source, a.locator, a.kind, a.raw, raw_digest(a.raw), a.title, a.date, a.author, a.url,
                a.text, a.norm, a.language, a.content_hash, json.dumps(a.metadata, ensure_ascii=False, default=str),
                now_iso(),
            )
            for a in articles
        ]
        if not rows:
            return 0
        with transaction(self.conn):
            self.conn.executemany(
                """INSERT INTO documents (id, source, locator, kind, raw, raw_hash, title, date, author, url,
                       text, norm, language, content_hash, metadata, ingested_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (source, locator) DO UPDATE SET
                       id = excluded.id, kind = excluded.kind, raw = excluded.raw, raw_hash = excluded.raw_hash,
                       title = excluded.title, date = excluded.date, author = excluded.author, url = excluded.url,
                       text = excluded.text, norm = excluded.norm, language = excluded.language,
                       content_hash = excluded.content_hash, metadata = excluded.metadata,
                       ingested_at = excluded.ingested_at""",
                rows,
            )
        return len(rows)

    def add_problems(self, problems: Iterable[ReadProblem]) -> None:
        """Keep the problems of a run, so a user can list what was skipped and why."""
        rows = [(p.source, p.locator, p.reason, now_iso()) for p in problems]
        if rows:
            with transaction(self.conn):
                self.conn.executemany("INSERT INTO problems (source, locator, reason, seen_at) VALUES (?, ?, ?, ?)", rows)

    # -- reads -----------------------------------------------------------------------------------
    def count(self) -> int:
        """Number of documents."""
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def documents(self, batch_size: int = 1000) -> Iterator[StoredDocument]:
        """All documents in ingestion order, fetched in batches (bounded memory)."""
        last = 0
        while True:
            rows = self.conn.execute(
                f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE pk > ? ORDER BY pk LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row_to_document(row)
            last = rows[-1][0]

    def get(self, doc_id: str) -> StoredDocument | None:
        """One document by id, or None."""
        row = self.conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else row_to_document(row)

    def problems(self) -> list[ReadProblem]:
        """Every problem recorded, oldest first."""
        rows = self.conn.execute("SELECT source, locator, reason FROM problems ORDER BY pk").fetchall()
        return [ReadProblem(*row) for row in rows]


    # -- analysis results ---------------------------------------------------------------------------
    def save_analysis(self, groups: Sequence[Group], stories: Sequence[Story], relations: Sequence[Relation]) -> None:
        """Replace the stored relations, groups and stories with a new analysis, in one transaction."""
        with transaction(self.conn):
            for table in ("relations", "groups", "group_members", "stories", "story_members", "story_links"):
                self.conn.execute(f"DELETE FROM {table}")
            self.conn.executemany(
                "INSERT OR REPLACE INTO relations (a, b, relation, score, details) VALUES (?, ?, ?, ?, ?)",
                [(r.a, r.b, r.relation, float(r.score), json.dumps(r.details, default=str)) for r in relations],
            )
            self.conn.executemany(
                "INSERT INTO groups (id, canonical, size) VALUES (?, ?, ?)", [(g.id, g.canonical, len(g.members)) for g in groups]
            )
            self.conn.executemany(
                "INSERT INTO group_members (doc_id, group_id) VALUES (?, ?)", [(m, g.id) for g in groups for m in g.members]
            )
            languages = dict(self.conn.execute("SELECT id, language FROM documents").fetchall())
            self.conn.executemany(
                "INSERT INTO stories (id, canonical, title, start, end, size, languages) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (s.id, s.canonical, s.title, s.start, s.end, len(s.documents),
                     ",".join(sorted({languages.get(d, "und") for d in s.documents})))
                    for s in stories
                ],
            )
            self.conn.executemany(
                "INSERT INTO story_members (doc_id, story_id, relation, score) VALUES (?, ?, ?, ?)",
                [(d, s.id, *s.roles.get(d, (None, None))) for s in stories for d in s.documents],
            )
            self.conn.executemany(
                "INSERT OR REPLACE INTO story_links (a, b, relation, score) VALUES (?, ?, 'related', 0)",
                [(s.id, other) for s in stories for other in s.related],
            )

    def load_stories(self) -> list[Story]:
        """The stories of the last saved analysis (members in story order, roles, related links)."""
        stories: dict[str, Story] = {}
        for sid, canonical, title, start, end in self.conn.execute(
            "SELECT id, canonical, title, start, end FROM stories ORDER BY id"
        ).fetchall():
            stories[sid] = Story(id=sid, canonical=canonical, documents=[], title=title, start=start, end=end)
        for doc_id, sid, relation, score in self.conn.execute(
            "SELECT m.doc_id, m.story_id, m.relation, m.score FROM story_members m JOIN documents d ON d.id = m.doc_id "
            "ORDER BY m.story_id, d.pk"
        ).fetchall():
            story = stories.get(sid)
            if story is not None:
                story.documents.append(doc_id)
                if relation is not None:
                    story.roles[doc_id] = (relation, float(score or 0.0))
        for a, b in self.conn.execute("SELECT a, b FROM story_links ORDER BY a, b").fetchall():
            if a in stories:
                stories[a].related.append(b)
        return [s for s in stories.values() if s.documents]

    def embeddings_for(self, pks: list[int], model: str) -> dict[int, np.ndarray]:
        """Stored float16 document vectors of ``model`` by document row number."""
        out: dict[int, np.ndarray] = {}
        for start in range(0, len(pks), 900):
            chunk = pks[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for pk, vector in self.conn.execute(
                f"SELECT doc_pk, vector FROM embeddings WHERE model = ? AND doc_pk IN ({marks})", (model, *chunk)
            ).fetchall():
                out[int(pk)] = np.frombuffer(vector, dtype=np.float16)
        return out

    def save_embeddings(self, rows: list[tuple[int, np.ndarray]], model: str) -> None:
        """Keep document vectors so a later analysis does not embed the same documents again."""
        if rows:
            with transaction(self.conn):
                self.conn.executemany(
                    "INSERT OR REPLACE INTO embeddings (doc_pk, model, vector) VALUES (?, ?, ?)",
                    [(pk, model, np.asarray(v, dtype=np.float16).tobytes()) for pk, v in rows],
                )

    def search(self, query: str, limit: int = 50) -> list[str]:
        """Document ids matching a full-text query (SQLite FTS5 syntax; plain words are ANDed)."""
        terms = " ".join('"' + t.replace('"', '""') + '"' for t in query.split())
        if not terms:
            return []
        rows = self.conn.execute(
            "SELECT d.id FROM documents_fts f JOIN documents d ON d.pk = f.rowid WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?",
            (terms, limit),
        ).fetchall()
        return [r[0] for r in rows]


def row_to_document(row: tuple[Any, ...]) -> StoredDocument:
    """Build a StoredDocument from a row selected with ``DOCUMENT_COLUMNS``."""
    (pk, doc_id, source, locator, kind, raw, title, date, author, url, text, norm, language, content_hash,
     metadata, ingested_at) = row
    article = Article(
        id=doc_id, source=source, locator=locator, kind=kind, raw=bytes(raw), text=text, norm=norm,
        content_hash=content_hash, language=language, title=title, date=date, url=url, author=author,
        metadata=json.loads(metadata),
    )
    return StoredDocument(pk=pk, article=article, ingested_at=ingested_at)
