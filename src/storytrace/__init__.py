"""storytrace: find every copy, rewrite and follow-up of a news story in a pile of documents.

Public API::

    import storytrace
    storytrace.extract(html_or_text)      # article text and metadata
    storytrace.normalize(text)            # the comparable form used by every stage
    with storytrace.Corpus("news.db") as corpus:
        corpus.add(["pages/", "feed.jsonl.gz"])
        result = corpus.analyze()

Names are imported lazily, so ``import storytrace`` (and the CLI) start fast.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

_EXPORTS = {
    "Corpus": "storytrace.corpus",
    "IngestReport": "storytrace.corpus",
    "Article": "storytrace.records",
    "RawRecord": "storytrace.records",
    "ReadProblem": "storytrace.records",
    "Relation": "storytrace.records",
    "Extracted": "storytrace.text.extract",
    "extract": "storytrace.text.extract",
    "normalize": "storytrace.text.normalize",
    "compare": "storytrace.match.story",
    "Comparison": "storytrace.match.story",
}

__all__ = [  # the names of _EXPORTS, spelled out for the type checker and linters (a test keeps them equal)
    "Article", "Comparison", "Corpus", "Extracted", "IngestReport", "RawRecord", "ReadProblem", "Relation",
    "__version__", "compare", "extract", "normalize",
]

if TYPE_CHECKING:
    from .corpus import Corpus, IngestReport
    from .records import Article, RawRecord, ReadProblem, Relation
    from .text.extract import Extracted, extract
    from .match.story import Comparison, compare
    from .text.normalize import normalize


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'storytrace' has no attribute {name!r}")
    return getattr(import_module(module), name)
