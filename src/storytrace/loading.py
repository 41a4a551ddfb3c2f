"""Resolve a user's reference to a document: a file path, or an id in a store."""
from __future__ import annotations

import os

from .io.ids import derive_id
from .io import read_path
from .io.base import ReaderOptions
from .records import Article, ReadProblem
from .store import SQLiteStore
from .text.clean import NoArticleError, clean_record


class DocumentNotFound(LookupError):
    """The reference names no readable document."""


def load_article(ref: str, db: str | None = None, options: ReaderOptions | None = None) -> Article:
    """The article a reference names: an id in ``db`` first, else the first record of the file ``ref``."""
    if db is not None:
        with SQLiteStore(db) as store:
            stored = store.get(ref)
        if stored is not None:
            return stored.article
    if not os.path.exists(ref):
        where = f" in {db}" if db else ""
        raise DocumentNotFound(f"{ref}: no such file or document id{where}")
    for item in read_path(ref, options or ReaderOptions()):
        if isinstance(item, ReadProblem):
            raise DocumentNotFound(str(item))
        try:
            return clean_record(item, derive_id(item))
        except NoArticleError as exc:
            raise DocumentNotFound(f"{ref}: {exc}") from exc
    raise DocumentNotFound(f"{ref}: no document in this file")
