"""``explain(a, b)``: why two documents are related, as data.

Relation and scores (duplicate level from ``match.relate``), aligned shared passages with character
spans in both originals, what only one side has, sentence alignment for rewrites, fact differences
and provenance. The CLI's ``storytrace explain`` and the web compare page render this object.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..match.passages import Alignment, Passage, align
from ..match.relate import PairRelation, duplicate_relation
from ..records import Article
from ..text.tokens import sentences
from ..match.sentence_align import align_sentences, content_words
from .facts import FactDifference, extract_facts, fact_differences
from ..text.dates import parse_date
from .provenance import Provenance, provenance

_WORD = re.compile(r"[^\W_]+")
MIN_PASSAGE_WORDS = 8
MAX_INSERT_WORDS = 40  # material inserted into a copy (a table of contents, a caption) stays inside one passage


@dataclass(slots=True, frozen=True)
class AlignedSentence:
    """Sentence ``[a_start, a_end)`` of a says what ``[b_start, b_end)`` of b says (reworded or not)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    score: float


@dataclass(slots=True)
class Explanation:
    """Everything storytrace can say about one pair of documents."""

    a: str
    b: str
    relation: str  # one of the relation names, or "unrelated"
    direction: tuple[str, str] | None  # (x, y): reads "x <relation> y" when the relation is directed
    scores: dict[str, float]
    shared_passages: list[Passage]
    only_a: list[tuple[int, int]]
    only_b: list[tuple[int, int]]
    aligned_sentences: list[AlignedSentence]
    fact_differences: list[FactDifference]
    provenance: Provenance
    text_a: str = ""  # the text every span of a indexes (the article, or a wrapping page's original)
    text_b: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``storytrace explain --format json``, ``/api/compare``)."""
        return {
            "a": self.a,
            "b": self.b,
            "relation": self.relation,
            "direction": list(self.direction) if self.direction else None,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "shared_passages": [
                {"a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end, "words": p.words,
                 "similarity": round(p.similarity, 4), "moved": p.moved}
                for p in self.shared_passages
            ],
            "only_a": [list(s) for s in self.only_a],
            "only_b": [list(s) for s in self.only_b],
            "aligned_sentences": [
                {"a_start": s.a_start, "a_end": s.a_end, "b_start": s.b_start, "b_end": s.b_end, "score": round(s.score, 4)}
                for s in self.aligned_sentences
            ],
            "fact_differences": [_difference_dict(d) for d in self.fact_differences],
            "provenance": self.provenance.to_dict(),
            "spans_index": {"a": self.span_source(self.a), "b": self.span_source(self.b)},
        }

    def span_source(self, doc_id: str) -> str:
        """``"article"`` when spans of that side index the extracted article, ``"original"`` for the raw page."""
        wrapper = self.relation == "contains" and self.direction is not None and self.direction[0] == doc_id
        return "original" if wrapper and "wrapper_chrome_share" in self.scores else "article"


def _difference_dict(d: FactDifference) -> dict[str, Any]:
    """JSON form of one fact difference."""
    return {
        "kind": d.kind, "a_value": d.a_value, "b_value": d.b_value, "a_sentence": d.a_sentence,
        "b_sentence": d.b_sentence, "a_span": list(d.a_span) if d.a_span else None,
        "b_span": list(d.b_span) if d.b_span else None, "slot": d.slot,
    }


def ordered_sentence_alignment(a: str, b: str) -> list[AlignedSentence]:
    """Sentences of a paired with their rewording in b, keeping the longest chain in order in both texts."""
    spans_a, spans_b = sentences(a), sentences(b)
    pairs = align_sentences(content_words(a, spans_a), content_words(b, spans_b))
    best: dict[int, tuple[int, float]] = {}
    for p in pairs:  # best partner per sentence of a
        if p.a not in best or p.score > best[p.a][1]:
            best[p.a] = (p.b, p.score)
    chain = _longest_increasing([(ia, ib, sc) for ia, (ib, sc) in sorted(best.items())])
    return [AlignedSentence(*spans_a[ia], *spans_b[ib], score=sc) for ia, ib, sc in chain]


def _longest_increasing(items: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The heaviest subsequence (by score) whose b indexes strictly increase; items come sorted by a.

    A Fenwick tree over b holds the best chain ending below each b: O(n log n), so a 100k-word text is fine.
    """
    if not items:
        return []
    size = max(it[1] for it in items) + 2
    tree_weight = [0.0] * (size + 1)
    tree_item = [-1] * (size + 1)
    weight = [0.0] * len(items)
    prev = [-1] * len(items)
    for i, (_, ib, score) in enumerate(items):
        best, best_item, k = 0.0, -1, ib  # max over b positions 1..ib (i.e. b < ib + 1)
        while k > 0:
            if tree_weight[k] > best:
                best, best_item = tree_weight[k], tree_item[k]
            k -= k & -k
        weight[i], prev[i] = best + score, best_item
        k = ib + 1
        while k <= size:
            if weight[i] > tree_weight[k]:
                tree_weight[k], tree_item[k] = weight[i], i
            k += k & -k
    i = max(range(len(items)), key=weight.__getitem__)
    chain = []
    while i >= 0:
        chain.append(items[i])
        i = prev[i]
    return chain[::-1]


def display_text(article: Article, rel: PairRelation) -> str:
    """The text passages index into: the article, or for a page that wraps the other article its whole
    original text, so the chrome around the article shows as what only that page has."""
    if rel.relation == "contains" and rel.a == article.id and "wrapper_chrome_share" in rel.scores:
        return article.raw.decode("utf-8", errors="replace")
    return article.text


def relate_articles(a: Article, b: Article) -> PairRelation:
    """Duplicate relation when there is one, else the story engine's (rewrite, same_story, related)."""
    rel = duplicate_relation(a, b)
    if rel.relation is not None:
        return rel
    from ..match.story import compare  # the story model loads on first use

    c = compare(a, b)
    relation = None if c.relation == "unrelated" else c.relation
    first, second = c.a or a.id, c.b or b.id
    if relation is not None and (parse_date(a.date) is None or parse_date(b.date) is None):
        # no dates to order them: the copy side is the one provenance says was derived (a reads "a rewrite b")
        facts = (len(extract_facts(a.text)), len(extract_facts(b.text)))
        guess = provenance(a, b, relation, fact_counts=facts)
        if guess.decided and guess.original is not None:
            second = guess.original
            first = b.id if second == a.id else a.id
    return PairRelation(first, second, relation, c.score, {**rel.scores, **c.scores})


def explain(a: Article, b: Article, relation: PairRelation | None = None) -> Explanation:
    """Explain the link between two articles (``relation`` when the caller already decided it)."""
    rel = relation or relate_articles(a, b)
    text_a, text_b = display_text(a, rel), display_text(b, rel)
    alignment: Alignment = align(text_a, text_b, min_words=MIN_PASSAGE_WORDS, max_insert=MAX_INSERT_WORDS)
    name = rel.relation or "unrelated"
    aligned = ordered_sentence_alignment(text_a, text_b) if name not in ("exact",) else []
    differences = fact_differences(text_a, text_b) if name != "exact" else []
    container = rel.a if name == "contains" else None
    facts = (len(extract_facts(a.text)), len(extract_facts(b.text))) if name in ("rewrite", "same_story", "near_duplicate") else None
    scores = dict(rel.scores)
    scores["score"] = rel.score
    shared_words = sum(p.words for p in alignment.passages)
    scores["shared_words"] = float(shared_words)
    return Explanation(
        a=a.id, b=b.id, relation=name, direction=(rel.a, rel.b) if rel.relation else None, scores=scores,
        shared_passages=alignment.passages, only_a=alignment.only_a, only_b=alignment.only_b,
        aligned_sentences=aligned, fact_differences=differences,
        provenance=provenance(a, b, rel.relation, container=container, fact_counts=facts),
        text_a=text_a, text_b=text_b,
    )
