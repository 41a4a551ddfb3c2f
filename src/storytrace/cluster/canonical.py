"""Choosing a group's canonical document: the most complete clean version of the article.

Rule (documented in docs/design.md, overridable with ``--keep`` or a custom key):
1. the article itself before a page that wraps it (lower share of page chrome in the original),
2. the more complete text (longer normalised text) before an excerpt or truncated copy,
3. the earlier publication date, when both have one,
4. the document seen first (ingestion order).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..records import Article
from ..text.clean import WRAPPER_SHARE, chrome_share



@dataclass(slots=True, frozen=True)
class CanonicalCandidate:
    """What the canonical rule looks at for one document."""

    index: int  # ingestion order
    article: Article


def canonical_key(candidate: CanonicalCandidate) -> tuple[int, int, str, int]:
    """Sort key: smallest is canonical (clean before wrapped, complete before partial, early before late)."""
    article = candidate.article
    wrapped = 1 if chrome_share(article) > WRAPPER_SHARE else 0
    return (wrapped, -len(article.norm), article.date or "9999", candidate.index)


KEEP_RULES: dict[str, Callable[[CanonicalCandidate], tuple]] = {  # type: ignore[type-arg]
    "canonical": canonical_key,
    "first": lambda c: (c.index,),
    "longest": lambda c: (-len(c.article.text), c.index),
}


def choose_canonical(candidates: Sequence[CanonicalCandidate], rule: str = "canonical") -> CanonicalCandidate:
    """The candidate the rule ranks first; ``rule`` is one of ``KEEP_RULES``."""
    if not candidates:
        raise ValueError("choose_canonical needs at least one candidate")
    try:
        key = KEEP_RULES[rule]
    except KeyError:
        raise ValueError(f"unknown keep rule {rule!r}; choose one of {', '.join(KEEP_RULES)}") from None
    return min(candidates, key=key)
