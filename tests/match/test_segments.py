"""Segmented on-disk candidate index: merge policy, lookups across segments, equality with one-shot
indexing (giant-bucket guard and anchor df cap included), crash safety of a torn save."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storytrace.bench.synthetic import TRAILERS, SyntheticCorpus
from storytrace.fingerprint import DedupConfig, fingerprint
from storytrace.match import segments as seg
from storytrace.match.buckets import BucketIndex
from storytrace.match.candidates import CandidateIndex
from storytrace.match.lsh import unique_pairs
from storytrace.match.segments import Column, next_merge, plan_merges, tier
from storytrace.text.normalize import normalize

# -- merge policy ---------------------------------------------------------------------------------


def test_tier() -> None:
    assert [tier(n) for n in (0, 1, 3, 4, 15, 16, 10_000, 1_000_000)] == [0, 0, 0, 1, 1, 2, 6, 9]
    assert tier(8, fanout=2) == 3


def test_next_merge_rules() -> None:
    assert next_merge([]) is None and next_merge([10]) is None
    assert next_merge([1000, 10, 10, 10]) is None  # three of a tier: not yet
    assert next_merge([1000, 10, 10, 10, 10]) == (1, 5)  # four of a tier
    assert next_merge([1000, 5, 10, 100]) == (1, 4)  # a bigger newcomer absorbs the smaller ones before it
    assert next_merge([10, 1000]) == (0, 2)
    assert next_merge([1000, 1000, 1000]) is None
    assert next_merge([1000, 10, 10, 10, 10, 10, 1]) == (1, 6)  # a backlog left by failed merges
    assert next_merge([10, 10, 10, 10, 1000, 1]) == (0, 5)  # anywhere, not only at the end


def _simulate(updates: list[int], fanout: int = 4) -> tuple[list[int], int]:
    """Segment sizes after each update + merge, and the documents rewritten by merges."""
    sizes: list[int] = []
    rewritten = 0
    for n in updates:
        sizes.append(n)
        for i, j in reversed(plan_merges(sizes, fanout)):
            rewritten += sum(sizes[i:j])
            sizes[i:j] = [sum(sizes[i:j])]
        tiers = [tier(s, fanout) for s in sizes]
        assert tiers == sorted(tiers, reverse=True), sizes  # never a smaller tier before a larger one
        assert max(tiers.count(t) for t in set(tiers)) < fanout, sizes
    return sizes, rewritten


def test_policy_bounds_segments_and_rewrites() -> None:
    sizes, rewritten = _simulate([10_000] * 400)  # 4M documents in equal updates
    assert sum(sizes) == 4_000_000
    assert len(sizes) <= 3 * (tier(4_000_000) + 1)
    assert rewritten <= 4_000_000 * (tier(4_000_000) - tier(10_000) + 1)  # each document once per tier
    rng = np.random.default_rng(0)
    updates = rng.integers(1, 50_000, size=300).tolist()
    updates[100] = 2_000_000  # one huge update among small ones
    sizes, rewritten = _simulate(updates)
    assert len(sizes) <= 3 * (tier(sum(updates)) + 1)
    assert rewritten <= sum(updates) * (tier(sum(updates)) + 2)


def test_plan_merges_is_the_fixpoint_of_next_merge() -> None:
    assert plan_merges([1000, 10, 10, 10, 10]) == [(1, 5)]
    # four 10s make a tier-3 segment of 40; with three tier-3 segments before it, all four merge
    assert plan_merges([50, 50, 50, 10, 10, 10, 10]) == [(0, 7)]
    assert plan_merges([100_000, 50, 50, 50, 10, 10, 10, 10]) == [(1, 8)]


# -- columns and runs across segments --------------------------------------------------------------


def test_column_take_across_parts_and_tail() -> None:
    col = Column(np.int32, [np.arange(0, 5), np.arange(5, 7)])
    col.append(np.arange(7, 10))
    col.append(np.arange(10, 3000))
    ids = np.array([9, 0, 6, 5, 4, 2999, 7])
    assert col.take(ids).tolist() == ids.tolist()
    assert len(col) == 3000 and col.values().tolist() == list(range(3000))
    col.seal()
    col.merge(0, 2)
    assert col.take(ids).tolist() == ids.tolist() and len(col.parts) == 2


@pytest.mark.parametrize("n, q, high", [(0, 5, 10), (10, 0, 10), (1, 3, 3), (1000, 50, 100), (5000, 3000, 20),
                                         (200_000, 20_000, 2**64 - 1)])
def test_galloping_bounds_equal_searchsorted(n: int, q: int, high: int) -> None:
    from storytrace.match.buckets import _probe

    rng = np.random.default_rng(n + q)
    run = np.sort(rng.integers(0, high, size=n, dtype=np.uint64, endpoint=True))
    keys = np.unique(np.concatenate([rng.integers(0, high, size=q, dtype=np.uint64, endpoint=True), run[:2], run[-2:]]))
    lo, hi = _probe(run, keys)
    assert np.array_equal(lo, np.searchsorted(run, keys, side="left"))
    assert np.array_equal(hi, np.searchsorted(run, keys, side="right"))


def _keys(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 60, size=n).astype(np.uint64)
    keys[rng.random(n) < 0.25] = 7  # one giant bucket
    return keys


@pytest.mark.parametrize("cap", [1, 3, 32])
def test_bucket_lookups_across_sealed_runs(cap: int) -> None:
    keys = _keys(4000, cap)
    ids = np.arange(len(keys), dtype=np.int64)
    bulk = unique_pairs(BucketIndex(cap).add(keys, ids))
    index, parts = BucketIndex(cap), []
    bounds = [0, 3, 400, 401, 1200, 1900, 2500, 2600, 4000]
    for n, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        parts.append(index.add(keys[lo:hi], ids[lo:hi]))
        index.seal()  # every batch becomes an immutable run, as a saved segment
        if n == 5:
            index.merge_runs(1, 4)  # a merge in the middle changes nothing
    assert index.sealed == len(index.runs) == 6
    assert np.array_equal(bulk, unique_pairs(np.concatenate(parts)))


# -- candidate index on disk ------------------------------------------------------------------------


def _texts() -> list[str]:
    """Articles with planted copies, one article repeated past every cap, excerpts and banners."""
    corpus = SyntheticCorpus(400, seed=3)
    texts = [normalize(d.text) for d in corpus.docs()]
    texts += [texts[5]] * 30 + [" ".join(texts[9].split()[40:200])] * 12  # giant exact / LSH / anchor buckets
    texts += [normalize(TRAILERS[1])] * 20 + ["", "a b"]
    order = np.random.default_rng(1).permutation(len(texts))
    return [texts[i] for i in order]


CONFIG = DedupConfig(max_bucket=5, anchor_df_cap=6)  # small caps: the guards trigger across segments


def _one_shot(texts: list[str]) -> dict[tuple[int, int], int]:
    pairs, flags = CandidateIndex(CONFIG).add(fingerprint(texts, CONFIG))
    return {tuple(p): int(f) for p, f in zip(pairs.tolist(), flags)}


def test_many_incremental_adds_equal_one_shot(tmp_path: Path) -> None:
    texts = _texts()
    expected = _one_shot(texts)
    assert len(expected) > 300
    path = tmp_path / "idx"
    found: dict[tuple[int, int], int] = {}
    sizes = [1, 2, 7, 30, 3, 3, 3, 3, 60, 5, 5, 5, 5, 5, 5, 150, 1, 1, 1, 1, 1]
    bounds = np.cumsum([0, *sizes, len(texts) - sum(sizes)])
    merges = 0
    for lo, hi in zip(bounds, bounds[1:]):
        index = CandidateIndex.load(path, CONFIG, strict=True) if path.exists() else CandidateIndex(CONFIG)
        assert index.size == lo
        pairs, flags = index.add(fingerprint(texts[lo:hi], CONFIG))
        for p, f in zip(pairs.tolist(), flags):
            assert tuple(p) not in found
            found[tuple(p)] = int(f)
        index.save(path, merge=False)
        merges += index.merge()
        assert len(index.segments) <= 3 * (tier(hi) + 1)
    assert merges > 0
    assert found == expected
    manifest = json.loads((path / seg.MANIFEST).read_text())
    assert manifest["size"] == len(texts)
    assert sorted(p.name for p in path.iterdir()) == sorted([seg.MANIFEST] + [s["name"] for s in manifest["segments"]])


def test_in_memory_adds_then_save_equal_one_shot(tmp_path: Path) -> None:
    texts = _texts()
    index = CandidateIndex(CONFIG)
    found = {}
    for lo in range(0, len(texts), 97):
        pairs, flags = index.add(fingerprint(texts[lo:lo + 97], CONFIG))
        found.update({tuple(p): int(f) for p, f in zip(pairs.tolist(), flags)})
        if lo in (97, 291):
            index.save(tmp_path / "idx")  # saving midway changes no later candidate
    assert found == _one_shot(texts)
    restored = CandidateIndex.load(tmp_path / "idx", CONFIG)
    assert restored.size == 388
    assert np.array_equal(restored.anchors.n_anchors, index.anchors.n_anchors[:388])


def test_load_is_memory_mapped_and_rejects_other_config(tmp_path: Path) -> None:
    texts = _texts()[:100]
    index = CandidateIndex(CONFIG)
    index.add(fingerprint(texts, CONFIG))
    index.save(tmp_path / "idx")
    restored = CandidateIndex.load(tmp_path / "idx", CONFIG, strict=True)
    keys, _ = restored.anchors.buckets.runs[0]
    assert isinstance(keys.base, np.memmap) and keys.base.mode == "c"  # mapped, never written through
    with pytest.raises(ValueError, match="configuration"):
        CandidateIndex.load(tmp_path / "idx", DedupConfig(), strict=True)
    assert CandidateIndex.load(tmp_path / "idx", DedupConfig()).size == 100  # lenient by default


def test_torn_save_leaves_the_previous_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    path = tmp_path / "idx"
    index = CandidateIndex(CONFIG)
    index.add(fingerprint(texts[:200], CONFIG))
    index.save(path)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    index = CandidateIndex.load(path, CONFIG)
    index.add(fingerprint(texts[200:300], CONFIG))
    monkeypatch.setattr("storytrace.match.candidates.write_manifest", crash)
    with pytest.raises(OSError):
        index.save(path)  # the new segment is written, the manifest is not swapped
    monkeypatch.undo()
    assert len([p for p in path.iterdir() if p.is_dir()]) == 2  # an orphan segment
    index = CandidateIndex.load(path, CONFIG)
    assert index.size == 200  # the old index, intact
    found = {}
    for lo, hi in ((200, 300), (300, len(texts))):
        pairs, flags = index.add(fingerprint(texts[lo:hi], CONFIG))
        found.update({tuple(p): int(f) for p, f in zip(pairs.tolist(), flags)})
        index.save(path)
    expected = {k: v for k, v in _one_shot(texts).items() if k[1] >= 200}
    assert found == expected
    manifest = json.loads((path / seg.MANIFEST).read_text())
    assert sorted(p.name for p in path.iterdir()) == sorted([seg.MANIFEST] + [s["name"] for s in manifest["segments"]])


def test_torn_merge_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()[:120]
    path = tmp_path / "idx"
    real_replace = seg.os.replace
    calls = []

    def replace_then_crash(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 2:  # the manifest after the merge
            raise OSError("crash")
        real_replace(src, dst)

    for lo in range(0, 120, 10):
        index = CandidateIndex.load(path, CONFIG) if path.exists() else CandidateIndex(CONFIG)
        index.add(fingerprint(texts[lo:lo + 10], CONFIG))
        if lo == 30:  # the fourth segment of a tier: this save merges
            monkeypatch.setattr(seg.os, "replace", replace_then_crash)
            with pytest.raises(OSError):
                index.save(path)
            monkeypatch.undo()
            index = CandidateIndex.load(path, CONFIG)
            assert index.size == 40 and len(index.segments) == 4  # saved, not merged
            assert len([p for p in path.iterdir() if p.is_dir()]) == 5  # plus the orphan merge result
            continue
        index.save(path)
    index = CandidateIndex.load(path, CONFIG)
    assert index.size == 120 and len(index.segments) < 12
    more, _ = index.add(fingerprint(texts[:5], CONFIG))  # copies of the first five, found across segments
    assert {(i, 120 + i) for i in range(5)} <= {tuple(p) for p in more.tolist()}


def test_old_single_file_layout_is_read_and_rewritten(tmp_path: Path) -> None:
    texts = _texts()[:150]
    index = CandidateIndex(CONFIG)
    index.add(fingerprint(texts[:100], CONFIG))
    seg_free = tmp_path / "old"
    from storytrace.match.buckets import save_state

    save_state(index.state(), seg_free)  # what earlier versions wrote
    old = CandidateIndex.load(seg_free, CONFIG)
    assert old.size == 100
    pairs, _ = old.add(fingerprint(texts[100:], CONFIG))
    old.save(seg_free)
    assert not list(seg_free.glob("*.npy")) and (seg_free / seg.MANIFEST).exists()
    assert CandidateIndex.load(seg_free, CONFIG).size == 150
    full, _ = CandidateIndex(CONFIG).add(fingerprint(texts, CONFIG))
    assert pairs.tolist() == [p for p in full.tolist() if p[1] >= 100]
