"""The duplicate-level relation of two articles: exact, near-duplicate or containment, with direction.

Verification runs on the extracted, normalised article texts (``match.verify``). One rule is added on
top: when the articles are the same but one document is a page that wraps the article in chrome
(menus, banners, link lists that extraction removed), the page ``contains`` the article.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..fingerprint.config import DedupConfig
from ..records import Article
from ..text.clean import chrome_share, is_wrapped_article
from .verify import Match, verify

_DEFAULT = DedupConfig()


@dataclass(slots=True)
class PairRelation:
    """``container``/``a`` side first: relation holds as ``a <relation> b`` (a contains b, a rewrites b ...)."""

    a: str
    b: str
    relation: str | None
    score: float
    scores: dict[str, float] = field(default_factory=dict)


def duplicate_relation(x: Article, y: Article, config: DedupConfig = _DEFAULT, match: Match | None = None) -> PairRelation:
    """Relation of two articles at the duplicate level, oriented so that it reads ``a <relation> b``."""
    m = match if match is not None else verify(x.norm, y.norm, config)
    scores = {
        "jaccard": m.jaccard, "containment_ab": m.containment_ab, "containment_ba": m.containment_ba,
        "coverage_ab": m.coverage_ab, "coverage_ba": m.coverage_ba,
    }
    if m.relation == "contains":
        a, b = (x, y) if m.direction == "a_contains_b" else (y, x)
        return PairRelation(a.id, b.id, "contains", m.score, scores)
    if m.relation in ("exact", "near_duplicate"):
        wrapper_x, wrapper_y = is_wrapped_article(x), is_wrapped_article(y)
        if wrapper_x != wrapper_y:  # one is the article, the other a page around it
            a, b = (x, y) if wrapper_x else (y, x)
            return PairRelation(a.id, b.id, "contains", m.score, {**scores, "wrapper_chrome_share": chrome_share(a)})
        return PairRelation(x.id, y.id, m.relation, m.score, scores)
    return PairRelation(x.id, y.id, None, m.score, scores)
