"""Embedded storage: SQLite by default, behind the ``Store`` interface."""
from .sqlite import SQLiteStore, StoredDocument

__all__ = ["SQLiteStore", "StoredDocument"]
