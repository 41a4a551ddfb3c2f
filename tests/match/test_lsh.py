"""LSH: band selection, false-negative rate, candidates, incremental == bulk, giant buckets."""
from __future__ import annotations

import time

import numpy as np
import pytest

from storytrace.bench.synthetic import SyntheticCorpus
from storytrace.fingerprint import DedupConfig, signatures
from storytrace.match.buckets import BucketIndex
from storytrace.match.lsh import (
    LSHIndex,
    candidate_pairs,
    candidate_probability,
    false_negative_rate,
    optimal_bands_rows,
    unique_pairs,
)
from storytrace.text.normalize import normalize


def _texts(n: int, seed: int = 0) -> list[str]:
    corpus = SyntheticCorpus(10, seed=seed)
    rng = np.random.default_rng(seed)
    return [normalize(corpus.article(rng)) for _ in range(n)]


def _edit(text: str, rate: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    words = text.split()
    for i in rng.choice(len(words), size=int(rate * len(words)), replace=False):
        words[i] = "zzz"
    return " ".join(words)


@pytest.mark.parametrize("threshold, num_perm, expected", [
    (0.8, 128, (9, 13)), (0.5, 128, (25, 5)), (0.9, 256, (9, 28)), (0.7, 64, (8, 8)),
])
def test_band_selection(threshold: float, num_perm: int, expected: tuple[int, int]) -> None:
    assert optimal_bands_rows(threshold, num_perm) == expected


def test_band_selection_matches_datasketch() -> None:
    lsh = pytest.importorskip("datasketch.lsh")
    for threshold in (0.3, 0.6, 0.85):
        for weights in ((0.5, 0.5), (0.2, 0.8)):
            assert optimal_bands_rows(threshold, 128, *weights) == lsh._optimal_param(threshold, 128, *weights)


def test_false_negative_rate() -> None:
    assert false_negative_rate(0.8, 9, 13) == pytest.approx((1 - 0.8**13) ** 9)
    assert false_negative_rate(0.8, 9, 13) == pytest.approx(0.6012, abs=1e-3)
    assert false_negative_rate(1.0, 9, 13) == 0.0
    assert candidate_probability(0.0, 9, 13) == 0.0
    assert LSHIndex(DedupConfig()).false_negative_rate == pytest.approx(0.6012, abs=1e-3)
    with pytest.raises(ValueError):
        optimal_bands_rows(0.0, 128)


def test_finds_similar_pair_not_unrelated() -> None:
    base, other = _texts(2)
    near = _edit(base, 0.01, 1)  # 5-gram Jaccard ~0.9
    sig = signatures([base, near, other])
    pairs = {tuple(p) for p in candidate_pairs(sig).tolist()}
    assert (0, 1) in pairs
    assert (0, 2) not in pairs and (1, 2) not in pairs


def test_empty_documents_are_not_indexed() -> None:
    sig = signatures(["", "", "some words here"])
    assert len(candidate_pairs(sig, valid=np.array([False, False, True]))) == 0


def _random_keys(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 40, size=n).astype(np.uint64)  # many collisions, some giant buckets
    keys[rng.random(n) < 0.3] = 7  # one giant bucket
    return keys, np.arange(n, dtype=np.int64)


@pytest.mark.parametrize("cap", [1, 3, 32])
def test_bucket_index_incremental_equals_bulk(cap: int) -> None:
    keys, ids = _random_keys(3000, cap)
    bulk = unique_pairs(BucketIndex(cap).add(keys, ids))
    index = BucketIndex(cap)
    parts = []
    for lo, hi in ((0, 5), (5, 700), (700, 701), (701, 2000), (2000, 3000)):
        parts.append(index.add(keys[lo:hi], ids[lo:hi]))
    incremental = unique_pairs(np.concatenate(parts))
    assert np.array_equal(bulk, incremental)
    assert np.all(bulk[:, 0] < bulk[:, 1])


def test_lsh_incremental_equals_bulk_and_persists(tmp_path) -> None:
    base = _texts(40)
    texts = base + [_edit(t, 0.01, i) for i, t in enumerate(base)] + [base[0]] * 50
    sig = signatures(texts)
    config = DedupConfig(max_bucket=8)
    bulk = candidate_pairs(sig, config)
    index = LSHIndex(config)
    first = index.add(sig[:30])
    index.save(tmp_path / "lsh")
    restored = LSHIndex.load(tmp_path / "lsh", config)
    rest = [restored.add(sig[30:61]), restored.add(sig[61:])]
    incremental = unique_pairs(np.concatenate([first, *rest]))
    assert np.array_equal(bulk, incremental)
    assert restored.size == len(texts)
    state = restored.state()
    assert LSHIndex.from_state(state, config).size == len(texts)


def test_giant_bucket_guard() -> None:
    n = 5000
    sig = signatures(["share. exit mobile version"] * n)
    config = DedupConfig()
    start = time.process_time()
    pairs = candidate_pairs(sig, config)
    assert time.process_time() - start < 30  # generous: quadratic would be 12.5M pairs per band
    cap = config.max_bucket
    assert len(pairs) <= cap * (cap - 1) // 2 + 4 * n
    assert len(np.unique(pairs)) == n  # still one connected star


def test_ids_continue_after_empty_batch() -> None:
    index = LSHIndex()
    assert len(index.add(signatures([]))) == 0
    sig = signatures(["a b c d e f", "a b c d e f"])
    assert index.add(sig).tolist() == [[0, 1]]
    assert index.add(sig[:1]).tolist() == [[0, 2], [1, 2]]


def test_candidate_index_combines_sources_and_round_trips(tmp_path) -> None:
    from storytrace.fingerprint import fingerprint
    from storytrace.match import FROM_ANCHORS, FROM_EXACT, FROM_LSH, CandidateIndex

    base = _texts(6)
    texts = base + [base[0], " ".join(base[1].split()[50:250]), ""]
    fp = fingerprint(texts)
    index = CandidateIndex()
    first, _ = index.add(fingerprint(texts[:6]))
    assert len(first) == 0
    index.save(tmp_path / "idx")
    restored = CandidateIndex.load(tmp_path / "idx")
    pairs, flags = restored.add(fingerprint(texts[6:]))
    found = {tuple(p): int(f) for p, f in zip(pairs.tolist(), flags)}
    assert found[(0, 6)] == FROM_LSH | FROM_EXACT | FROM_ANCHORS
    assert found[(1, 7)] & FROM_ANCHORS
    assert restored.size == len(texts) == len(fp)


def test_bucket_index_rejects_old_ids() -> None:
    index = BucketIndex(4)
    index.add(np.array([1, 2], dtype=np.uint64), np.array([0, 1]))
    with pytest.raises(ValueError, match="exceed"):
        index.add(np.array([1], dtype=np.uint64), np.array([1]))
    with pytest.raises(ValueError, match="equal length"):
        index.add(np.array([1, 2], dtype=np.uint64), np.array([5]))
    with pytest.raises(ValueError):
        BucketIndex(0)
