"""Versioned schema migrations for the SQLite store, applied in order and recorded in a table."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, UTC


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step; ``sql`` runs in a single transaction together with its bookkeeping row."""

    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "documents, sources and problems",
        """
        CREATE TABLE documents (
            pk INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            locator TEXT NOT NULL,
            kind TEXT NOT NULL,
            raw BLOB NOT NULL,
            raw_hash TEXT NOT NULL,
            title TEXT,
            date TEXT,
            author TEXT,
            url TEXT,
            text TEXT NOT NULL,
            norm TEXT NOT NULL,
            language TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            ingested_at TEXT NOT NULL,
            UNIQUE (source, locator)
        );
        CREATE INDEX documents_content_hash ON documents (content_hash);
        CREATE TABLE sources (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            records INTEGER NOT NULL,
            completed_at TEXT NOT NULL
        );
        CREATE TABLE problems (
            pk INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            locator TEXT NOT NULL,
            reason TEXT NOT NULL,
            seen_at TEXT NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "analysis results: relations, groups, stories; full-text search",
        """
        CREATE TABLE relations (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            relation TEXT NOT NULL,
            score REAL NOT NULL,
            details TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (a, b)
        );
        CREATE INDEX relations_b ON relations (b);
        CREATE TABLE groups (
            id TEXT PRIMARY KEY,
            canonical TEXT NOT NULL,
            size INTEGER NOT NULL
        );
        CREATE TABLE group_members (
            doc_id TEXT PRIMARY KEY,
            group_id TEXT NOT NULL
        );
        CREATE INDEX group_members_group ON group_members (group_id);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            canonical TEXT NOT NULL,
            title TEXT,
            start TEXT,
            end TEXT,
            size INTEGER NOT NULL,
            languages TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE story_members (
            doc_id TEXT PRIMARY KEY,
            story_id TEXT NOT NULL,
            relation TEXT,
            score REAL
        );
        CREATE INDEX story_members_story ON story_members (story_id);
        CREATE TABLE story_links (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            relation TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (a, b)
        );
        CREATE VIRTUAL TABLE documents_fts USING fts5 (title, text, content='documents', content_rowid='pk');
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.pk, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.pk, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.pk, old.title, old.text);
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.pk, new.title, new.text);
        END;
        INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')
        """,
    ),
    Migration(
        3,
        "duplicate engine state: fingerprints, verified pairs, candidate index",
        """
        CREATE TABLE fingerprints (
            doc_pk INTEGER PRIMARY KEY REFERENCES documents (pk) ON DELETE CASCADE,
            seq INTEGER NOT NULL UNIQUE,
            content_hash TEXT NOT NULL,
            n_words INTEGER NOT NULL,
            n_shingles INTEGER NOT NULL,
            signature BLOB NOT NULL
        );
        CREATE TABLE dup_pairs (
            a_seq INTEGER NOT NULL,
            b_seq INTEGER NOT NULL,
            relation TEXT NOT NULL,
            direction INTEGER NOT NULL,
            score REAL NOT NULL,
            jaccard REAL NOT NULL,
            coverage_ab REAL NOT NULL,
            coverage_ba REAL NOT NULL,
            PRIMARY KEY (a_seq, b_seq)
        );
        CREATE TABLE index_state (
            name TEXT PRIMARY KEY,
            data BLOB NOT NULL
        )
        """,
    ),
    Migration(
        4,
        "story engine state: document embeddings",
        """
        CREATE TABLE embeddings (
            doc_pk INTEGER PRIMARY KEY REFERENCES documents (pk) ON DELETE CASCADE,
            model TEXT NOT NULL,
            vector BLOB NOT NULL
        )
        """,
    ),
    Migration(
        5,
        "a changed document loses its stale embedding",
        """
        CREATE TRIGGER embeddings_invalidate AFTER UPDATE OF norm ON documents
        WHEN old.norm IS NOT new.norm BEGIN
            DELETE FROM embeddings WHERE doc_pk = new.pk;
        END
        """,
    ),
    Migration(
        6,
        "a fingerprinted document whose text changes marks the candidate index stale",
        # Stores of earlier versions created this trigger at run time (IF NOT EXISTS); a document that changed
        # before the trigger existed is flagged by the INSERT ... SELECT, once.
        """
        CREATE TRIGGER IF NOT EXISTS dup_index_stale AFTER UPDATE OF content_hash ON documents
        WHEN EXISTS (SELECT 1 FROM fingerprints WHERE doc_pk = new.pk AND content_hash IS NOT new.content_hash)
        BEGIN
            INSERT OR REPLACE INTO index_state (name, data) VALUES ('stale', 1);
        END;
        INSERT OR REPLACE INTO index_state (name, data)
            SELECT 'stale', 1 WHERE EXISTS (
                SELECT 1 FROM fingerprints f JOIN documents d ON d.pk = f.doc_pk WHERE f.content_hash != d.content_hash)
        """,
    ),
)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error; the connection runs in autocommit mode."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds: the store's one timestamp format."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_version(conn: sqlite3.Connection) -> int:
    """Highest applied migration, 0 for a new database."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply every migration newer than the database, each atomically; returns the versions applied."""
    applied: list[int] = []
    version = current_version(conn)
    newest = max((m.version for m in migrations), default=0)
    if version > newest:
        raise RuntimeError(f"database schema version {version} is newer than this storytrace ({newest}); upgrade storytrace")
    for migration in migrations:
        if migration.version <= version:
            continue
        with transaction(conn):  # schema change and its record land together or not at all
            for statement in _split_sql(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, now_iso()),
            )
        applied.append(migration.version)
    return applied


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit implicitly).

    Pieces between semicolons are joined until SQLite calls them complete, so triggers
    (``BEGIN ...; ...; END``) stay whole.
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements
