"""Embedded storage: SQLite by default, behind the ``Store`` interface (``store.base``). All SQL of the
project lives in this package: schema and migrations (``migrations``), the store (``sqlite``), the duplicate
engine's tables (``duplicates``) and the web pages' read queries (``queries``)."""
from .base import Store
from .sqlite import SQLiteStore, StoredDocument

__all__ = ["SQLiteStore", "Store", "StoredDocument"]
