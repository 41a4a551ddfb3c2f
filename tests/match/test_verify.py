"""Verification: measures and the relation rule on constructed pairs."""
from __future__ import annotations

import numpy as np
import pytest

from storytrace.bench.synthetic import SyntheticCorpus
from storytrace.fingerprint import DedupConfig
from storytrace.match.verify import Match, verify, verify_pairs
from storytrace.text.normalize import normalize


def _articles(n: int, seed: int = 0) -> list[str]:
    corpus = SyntheticCorpus(4000, seed=seed)
    rng = np.random.default_rng(seed)
    return [normalize(corpus.article(rng)) for _ in range(n)]


def _edit(text: str, rate: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    words = text.split()
    for _ in range(int(rate * len(words))):
        pos = int(rng.integers(len(words)))
        op = rng.random()
        if op < 0.5:
            words[pos] = f"edit{pos}"
        elif op < 0.75:
            words.insert(pos, f"ins{pos}")
        else:
            del words[pos]
    return " ".join(words)


def test_exact() -> None:
    a = _articles(1)[0]
    m = verify(a, a)
    assert m == Match("exact", None, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("rate", [0.02, 0.05, 0.10, 0.15])
def test_edited_copy_is_near_duplicate(rate: float) -> None:
    a = _articles(1, seed=int(rate * 100))[0]
    m = verify(a, _edit(a, rate, 1))
    assert m.relation == "near_duplicate"
    assert m.direction is None
    if rate >= 0.10:
        assert m.jaccard < 0.6  # bare 5-gram Jaccard >= 0.8 would have missed it


def test_containment_both_directions() -> None:
    a = _articles(1, seed=3)[0]
    words = a.split()
    part = " ".join(words[: len(words) // 3])
    m = verify(a, part)
    assert (m.relation, m.direction) == ("contains", "a_contains_b")
    assert m.containment_ba == pytest.approx(1.0) and m.containment_ab < 0.5
    m = verify(part, a)
    assert (m.relation, m.direction) == ("contains", "b_contains_a")
    assert m.score == pytest.approx(1.0)


def test_reordered_paragraphs_are_near_duplicates() -> None:
    corpus = SyntheticCorpus(10, seed=4)
    rng = np.random.default_rng(4)
    raw = corpus.article(rng)
    shuffled, _ = corpus.copy(rng, raw, "reordered")
    assert verify(normalize(raw), normalize(shuffled)).relation == "near_duplicate"


def test_different_articles_on_one_topic_do_not_match() -> None:
    corpus = SyntheticCorpus(400, seed=5)  # 10 topics: many same-topic pairs with stock phrases
    rng = np.random.default_rng(5)
    texts = [normalize(corpus.article(rng)) for _ in range(60)]
    pairs = np.array([(i, j) for i in range(60) for j in range(i + 1, 60)])
    table = verify_pairs(texts, pairs)
    assert not table.matched.any()
    assert table.score.max() < 0.3


def test_short_empty_and_one_word() -> None:
    assert verify("", "").relation is None
    assert verify("", "word").relation is None
    assert verify("word", "word").relation == "exact"
    assert verify("word", "other").relation is None
    m = verify("breaking news", "breaking news today in paris")
    assert m.relation is None or m.relation == "contains"


def test_verify_pairs_matches_single_calls_and_blocks() -> None:
    texts = _articles(6, seed=6)
    texts += [_edit(texts[0], 0.05, 2), " ".join(texts[1].split()[40:200])]
    pairs = np.array([[0, 6], [1, 7], [2, 3], [0, 1], [6, 7]])
    table = verify_pairs(texts, pairs, DedupConfig(), block=2)
    for k, (i, j) in enumerate(pairs):
        assert table.row(k) == verify(texts[i], texts[j])
    assert table.matched.tolist() == [True, True, False, False, False]
