"""Sentence alignment of two texts by the weighted overlap of their content words.

Candidates come from an inverted index restricted to each sentence's rarest words (and postings of at
most ``MAX_POSTINGS`` sentences), so the work grows with text length, not with its square; every
candidate is then scored exactly. A pair is kept when it is close to the best partner of BOTH its
sentences, which keeps page chrome and unrelated sentences from pairing with the article.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..text.lexicon import STOPWORDS
from ..text.normalize import fold_word

MIN_SCORE = 0.22  # weighted overlap below this is not "the same sentence, reworded"
MIN_SHARED = 2  # shared content words (one is allowed when both sentences are that short)
RELATIVE = 0.6  # a pair must reach this share of the best score of each of its two sentences
MAX_POSTINGS = 40  # words in more sentences than this are too common to generate candidates
RARE_WORDS = 10  # words of a sentence used to look up candidates
MAX_CANDIDATES = 20  # candidate partners (most rare words shared) scored exactly per sentence
MAX_PER_SENTENCE = 3  # partners kept per sentence


@dataclass(frozen=True, slots=True)
class Aligned:
    """Sentence ``a`` of the first text paired with sentence ``b`` of the second, with their similarity."""

    a: int
    b: int
    score: float


def align_sentences(words_a: list[frozenset[str]], words_b: list[frozenset[str]]) -> list[Aligned]:
    """Pairs of sentences (indexes into the two lists) that say the same thing, best first per sentence."""
    if not words_a or not words_b:
        return []
    df = Counter(w for ws in words_a for w in ws)
    df.update(w for ws in words_b for w in ws)
    total = len(words_a) + len(words_b)
    idf = {w: math.log(1.0 + total / c) for w, c in df.items()}
    mass_a = [sum(idf[w] for w in ws) for ws in words_a]
    mass_b = [sum(idf[w] for w in ws) for ws in words_b]
    postings: dict[str, list[int]] = defaultdict(list)
    for ib, ws in enumerate(words_b):
        for w in ws:
            postings[w].append(ib)
    scored: list[Aligned] = []
    for ia, ws in enumerate(words_a):
        rare = sorted((w for w in ws if 0 < len(postings.get(w, ())) <= MAX_POSTINGS), key=lambda w: -idf[w])
        hits: Counter[int] = Counter()
        for w in rare[:RARE_WORDS]:
            hits.update(postings[w])
        for ib, _ in hits.most_common(MAX_CANDIDATES):
            shared = ws & words_b[ib]
            need = 1 if min(len(ws), len(words_b[ib])) <= 3 else MIN_SHARED
            if len(shared) < need:
                continue
            score = sum(idf[w] for w in shared) / math.sqrt(mass_a[ia] * mass_b[ib])
            if score >= MIN_SCORE:
                scored.append(Aligned(ia, ib, score))
    best_a: dict[int, float] = {}
    best_b: dict[int, float] = {}
    for p in scored:
        best_a[p.a] = max(best_a.get(p.a, 0.0), p.score)
        best_b[p.b] = max(best_b.get(p.b, 0.0), p.score)
    kept = [p for p in scored if p.score >= RELATIVE * best_a[p.a] and p.score >= RELATIVE * best_b[p.b]]
    kept.sort(key=lambda p: -p.score)
    count_a: Counter[int] = Counter()
    count_b: Counter[int] = Counter()
    out: list[Aligned] = []
    for p in kept:
        if count_a[p.a] < MAX_PER_SENTENCE and count_b[p.b] < MAX_PER_SENTENCE:
            count_a[p.a] += 1
            count_b[p.b] += 1
            out.append(p)
    return out


_WORD = re.compile(r"[^\W_]+")


def content_words(text: str, spans: list[tuple[int, int]]) -> list[frozenset[str]]:
    """Folded content words (stop words dropped) of each sentence span."""
    return [frozenset(w for w in (fold_word(m) for m in _WORD.findall(text[s:e])) if w not in STOPWORDS) for s, e in spans]
