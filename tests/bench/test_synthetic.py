"""Synthetic corpus: reproducible from a seed, planted kinds present, modes behave."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from storytrace.bench.synthetic import KINDS, SyntheticCorpus


def test_reproducible_from_seed() -> None:
    a = list(SyntheticCorpus(1500, seed=11).docs())
    b = list(SyntheticCorpus(1500, seed=11).docs())
    c = list(SyntheticCorpus(1500, seed=12).docs())
    assert a == b
    assert [d.text for d in a] != [d.text for d in c]


def test_mixed_mode_plants_every_kind(tmp_path) -> None:
    corpus = SyntheticCorpus(2000, seed=1)
    docs = list(corpus.docs())
    kinds = Counter(d.kind for d in docs)
    assert set(kinds) == {"base", *KINDS}
    assert kinds["base"] == corpus.n_base == 1400
    ids = {d.id for d in docs}
    assert len(ids) == 2000 and all(d.base in ids for d in docs)
    bases = [d for d in docs if d.kind == "base"]
    assert 2500 < sum(len(d.text) for d in bases) / len(bases) < 4500  # ~3 KB articles
    assert all(d.base == d.id for d in bases)
    path = corpus.write(tmp_path / "c.jsonl")
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"id", "text", "base", "kind", "param"}
    edited = [d.param for d in docs if d.kind == "edited"]
    assert min(edited) >= 0.05 and max(edited) <= 0.20


def test_modes() -> None:
    unique = list(SyntheticCorpus(300, seed=2, mode="unique").docs())
    assert all(d.kind == "base" for d in unique)
    dup = SyntheticCorpus(3000, seed=2, mode="duplicates")
    docs = list(dup.docs())
    assert dup.n_base == 3 and sum(d.kind == "base" for d in docs) == 3
    with pytest.raises(ValueError):
        SyntheticCorpus(10, mode="bogus")  # type: ignore[arg-type]


def test_real_texts_are_used_once() -> None:
    texts = tuple(f"real text number {i} " * 30 for i in range(50))
    corpus = SyntheticCorpus(400, seed=3, real_texts=texts, real_fraction=0.1)
    bases = [d.text for d in corpus.docs() if d.kind == "base"]
    real = [t for t in bases if t.startswith("real text")]
    assert len(real) == len(set(real)) > 10
