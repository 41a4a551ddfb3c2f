"""Containment index: excerpts and chrome-wrapped articles are found; boilerplate is guarded."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storytrace.bench.synthetic import TRAILERS, SyntheticCorpus
from storytrace.fingerprint import DedupConfig, fingerprint
from storytrace.match.containment import AnchorIndex, containment_candidates
from storytrace.match.lsh import unique_pairs
from storytrace.match.verify import verify, verify_pairs
from storytrace.text.normalize import normalize


def _shared() -> Path | None:
    for candidate in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


def _article(words: int, seed: int) -> str:
    corpus = SyntheticCorpus(10, seed=seed)
    rng = np.random.default_rng(seed)
    text = ""
    while len(text.split()) < words:
        text += "\n" + corpus.article(rng)
    return normalize(" ".join(text.split()[:words]))


def _candidates(texts: list[str], config: DedupConfig | None = None) -> set[tuple[int, int]]:
    fp = fingerprint(texts, config or DedupConfig())
    pairs, _ = containment_candidates(fp.anchors, fp.anchor_offsets, config)
    return {tuple(p) for p in pairs.tolist()}


def test_excerpt_of_long_article_is_found() -> None:
    article = _article(2000, 1)
    words = article.split()
    excerpt = " ".join(words[850:1150])  # 300 words, 15% of the article
    unrelated = _article(2000, 2)
    pairs = _candidates([article, excerpt, unrelated])
    assert (0, 1) in pairs and (0, 2) not in pairs and (1, 2) not in pairs
    m = verify(article, excerpt)
    assert m.relation == "contains" and m.direction == "a_contains_b"
    assert m.containment_ba > 0.95 and m.jaccard < 0.2


def test_article_inside_chrome_is_found() -> None:
    corpus = SyntheticCorpus(10, seed=3)
    rng = np.random.default_rng(3)
    raw = corpus.article(rng)
    page = normalize(corpus.wrap(rng, raw))
    article = normalize(raw)
    assert (0, 1) in _candidates([article, page, _article(500, 4)])
    m = verify(page, article)
    assert m.relation == "contains" and m.direction == "a_contains_b"


def test_seed_002_contains_000_without_extraction() -> None:
    shared = _shared()
    if shared is None:
        pytest.skip("shared/ not available")
    try:
        a = normalize(next((shared / "seeds").glob("000_*.txt")).read_text(encoding="utf-8"))
        b = normalize(next((shared / "seeds").glob("002_*.txt")).read_text(encoding="utf-8"))
    except StopIteration:
        pytest.skip("seed files 000/002 absent")
    assert (0, 1) in _candidates([a, b])
    m = verify(b, a)
    assert m.relation == "contains" and m.direction == "a_contains_b"
    assert m.containment_ba > 0.95 and m.coverage_ba > 0.95  # 000 is (almost) all inside 002
    assert m.coverage_ab < 0.6  # 002 has much of its own (chrome)


def test_shared_boilerplate_does_not_match_and_stays_linear() -> None:
    corpus = SyntheticCorpus(10, seed=5)
    rng = np.random.default_rng(5)
    texts = [normalize(corpus.article(rng) + "\n" + TRAILERS[1]) for _ in range(300)]
    texts += [normalize(TRAILERS[1])] * 3000  # cookie banner alone, thousands of times
    config = DedupConfig()
    fp = fingerprint(texts, config)
    index = AnchorIndex(config)
    pairs, shared = index.add(fp.anchors, fp.anchor_offsets)
    raw_bound = config.anchor_df_cap ** 2 + len(texts) * 10
    assert len(pairs) < raw_bound
    table = verify_pairs(texts, pairs, config)
    articles_matched = table.matched & (table.pairs[:, 1] < 300)
    assert not articles_matched.any()


def test_incremental_equals_bulk_with_counts() -> None:
    texts = [_article(400, s) for s in range(6)]
    texts += [" ".join(t.split()[100:250]) for t in texts] + texts[:2] * 40
    config = DedupConfig(anchor_df_cap=5)
    fp = fingerprint(texts, config)
    bulk_pairs, bulk_counts = containment_candidates(fp.anchors, fp.anchor_offsets, config)
    index = AnchorIndex(config)
    got_pairs, got_counts = [], []
    for lo, hi in ((0, 7), (7, 40), (40, len(texts))):
        p, c = index.add(fp.anchors, fp.anchor_offsets[lo:hi + 1])
        got_pairs.append(p)
        got_counts.append(c)
    pairs, counts = np.concatenate(got_pairs), np.concatenate(got_counts)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    assert np.array_equal(pairs[order], bulk_pairs)
    assert np.array_equal(counts[order], bulk_counts)
    assert np.array_equal(unique_pairs(bulk_pairs), bulk_pairs)


def test_state_round_trip(tmp_path: Path) -> None:
    texts = [_article(300, s) for s in range(4)]
    texts.append(" ".join(texts[0].split()[50:200]))
    fp = fingerprint(texts)
    index = AnchorIndex()
    index.add(fp.anchors, fp.anchor_offsets[:5])
    index.save(tmp_path / "anchors")
    restored = AnchorIndex.load(tmp_path / "anchors")
    pairs, _ = restored.add(fp.anchors, fp.anchor_offsets[4:])
    assert pairs.tolist() == [[0, 4]]
