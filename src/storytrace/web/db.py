"""Read access for the web app: one read-only SQLite connection per worker thread, plus small caches."""
from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from ..store import SQLiteStore
from ..store import queries

T = TypeVar("T")


def prepare_store(path: Path, read_only: bool) -> None:
    """Check (read-only) or create and migrate (writable) the store, and add the page indexes."""
    if read_only:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such database (a read-only server cannot create one)")
        conn = queries.connect_readonly(path)
        try:
            if not queries.has_analysis_tables(conn):
                raise ValueError(f"{path}: store has no analysis tables; open it once without --read-only to upgrade it")
        finally:
            conn.close()
        return
    with SQLiteStore(path) as store:  # runs the migrations
        queries.ensure_indexes(store.conn)


class ReadPool:
    """Thread-local read-only connections: WAL lets them read while the single writer writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = queries.connect_readonly(self.path)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection the pool opened."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


class LRUCache(Generic[T]):
    """A small thread-safe LRU cache (compare results are costly for long texts and asked for again)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._data: OrderedDict[object, T] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: object, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing (outside the lock) and storing it on a miss."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (after the store changed)."""
        with self._lock:
            self._data.clear()


class TimedValue(Generic[T]):
    """A value recomputed at most every ``ttl`` seconds, or after ``invalidate()``."""

    def __init__(self, compute: Callable[[], T], ttl: float = 5.0) -> None:
        self._compute = compute
        self.ttl = ttl
        self._value: T | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def get(self) -> T:
        """The current value."""
        with self._lock:
            if self._value is not None and time.monotonic() - self._at < self.ttl:
                return self._value
        value = self._compute()
        with self._lock:
            self._value, self._at = value, time.monotonic()
        return value

    def invalidate(self) -> None:
        """Recompute on the next ``get``."""
        with self._lock:
            self._value = None
