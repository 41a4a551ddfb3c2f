"""storytrace: find every copy, rewrite and follow-up of a news story in a pile of documents.

Public API::

    import storytrace
    storytrace.extract(html_or_text)      # article text and metadata
    storytrace.normalize(text)            # the comparable form used by every stage
    with storytrace.Corpus("news.db") as corpus:
        corpus.add(["pages/", "feed.jsonl.gz"])
        result = corpus.analyze()
"""
from __future__ import annotations

__version__ = "0.1.0"

from .corpus import Corpus, IngestReport
from .records import Article, RawRecord, ReadProblem, Relation
from .text.extract import Extracted, extract
from .text.normalize import normalize

__all__ = [
    "Article", "Corpus", "Extracted", "IngestReport", "RawRecord", "ReadProblem", "Relation",
    "__version__", "extract", "normalize",
]
