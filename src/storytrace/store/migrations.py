"""Versioned schema migrations for the SQLite store, applied in order and recorded in a table."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone


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
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
    """Split a migration script into statements (executescript would commit implicitly)."""
    return [s.strip() for s in script.split(";") if s.strip()]
