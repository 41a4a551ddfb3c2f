"""The two-process story clustering (forked view worker, ``cluster._parallel``) gives exactly the stories,
roles, scores and links of the single-process run."""
from __future__ import annotations

import random

import numpy as np
import pytest

import storytrace.cluster.stories as cs
from storytrace.cluster import _parallel
from storytrace.cluster.analysis import Group
from storytrace.cluster.stories import PARALLEL_MIN, StoryConfig, build_stories
from storytrace.records import Article
from storytrace.text.normalize import normalize

pytest.importorskip("sentencepiece")

_TOPICS = [
    ("Riverton", "flooding closed the main bridge after three days of heavy rain"),
    ("the central bank", "raised its key interest rate by a quarter point to 4.5 percent"),
    ("Kosovo", "declared independence and the parliament met in Pristina"),
    ("the airline", "cancelled 300 flights as pilots went on strike over pay"),
    ("the city council", "approved a new tram line through the old town for 1.2 billion euros"),
    ("the football club", "sacked its coach after five defeats in a row"),
    ("the ministry", "recalled 20,000 cars over faulty brakes found in 2023"),
    ("the drone maker", "shipped 5,000 drones to the army this week"),
]
_FILLER = ["Officials said more details would follow.", "Residents were told to stay calm.",
           "The decision drew criticism from the opposition.", "Markets reacted calmly to the news.",
           "A spokesperson declined to comment on Tuesday.", "Experts expect further steps next month.",
           "The report was published on the website.", "Local media carried the story first."]


def _corpus(n: int) -> list[Article]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        who, what = _TOPICS[rng.randrange(len(_TOPICS))]
        lead = f"{who.capitalize() if who.islower() else who} {what}, sources said."
        body = rng.sample(_FILLER, rng.randrange(3, 7))
        text = " ".join([lead, *body, f"(Item {i}, variant {rng.randrange(1000)}.)"])
        date = f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}" if rng.random() < 0.5 else None
        out.append(Article(id=f"d{i}", source="t", locator="", kind="text", raw=b"", text=text, norm=normalize(text),
                           content_hash="", date=date))
    return out


def _summary(stories, relations):
    return ([(s.id, s.canonical, s.documents, s.related, s.roles, s.start, s.end) for s in stories],
            sorted((r.a, r.b, r.relation, r.score) for r in relations))


def test_worker_gives_the_single_process_stories(monkeypatch):
    arts = _corpus(PARALLEL_MIN + 100)
    groups = [Group(id=f"g{i}", canonical=a.id, members=[a.id]) for i, a in enumerate(arts)]
    pools = []
    real_pool = cs._worker_pool

    def spy(size):
        cm = real_pool(size)

        class Spy:
            def __enter__(self):
                pool = cm.__enter__()
                pools.append(pool)
                return pool

            def __exit__(self, *exc):
                return cm.__exit__(*exc)
        return Spy()

    monkeypatch.setattr(cs, "_worker_pool", spy)
    one = _summary(*build_stories(arts, groups, [], config=StoryConfig(workers=1)))
    two = _summary(*build_stories(arts, groups, [], config=StoryConfig(workers=2)))
    assert pools[0] is None and pools[1] is not None  # the second run did use the forked worker
    assert one == two
    assert len(one[0]) < len(arts)  # stories with several documents: views were built and scored


def test_views_of_mixes_given_and_missing_text_vectors():
    arts = _corpus(6)
    given = _parallel.embed_texts([a.text for a in arts])
    plain = cs.sm.build_views(arts)
    mixed = _parallel.views_of(arts, [given[i] if i % 2 else None for i in range(len(arts))])
    for p, m in zip(plain, mixed):
        assert p.id == m.id and np.array_equal(p.vec, m.vec) and np.array_equal(p.sent_vecs, m.sent_vecs)
    sent = _parallel.widen(_parallel.for_transfer(cs.sm.build_views(arts[:1])[0]))
    assert sent.vec.dtype == np.float32 and np.array_equal(sent.sent_vecs, plain[0].sent_vecs)


def test_worker_share_moves_within_bounds():
    share = _parallel.WorkerShare()
    for _ in range(50):
        share.update(False)
    assert share.fraction == pytest.approx(share.low) and share.count(10) >= 1
    for _ in range(50):
        share.update(True)
    assert share.fraction == pytest.approx(share.high) and share.count(10) == 10 and share.count(0) == 0


def test_views_from_the_units_tokens_are_the_views():
    arts = _corpus(6)
    lexical: list = []
    cs.unit_infos([(a.text, a.title) for a in arts], lexical)
    plain = cs.sm.build_views(arts)
    reused = _parallel.views_of(arts, None, lexical)
    for p, r, x in zip(plain, reused, lexical):
        assert x is not None or cs.sm.is_short(p.text)
        assert np.array_equal(p.words, r.words) and np.array_equal(p.title_words, r.title_words) and p.caps == r.caps


def test_evidence_from_cached_weights_is_the_same_float():
    from storytrace.match import story_evidence as se

    texts = [a.text for a in _corpus(12)]
    texts += [t + " " + t + " " + t for t in texts[:3]]  # long shared vocabularies: numpy's sum above 128 terms
    infos = cs.unit_infos([(t, None) for t in texts])
    stats = se.CorpusStats()
    stats.add_many([i.terms[0] for i in infos])
    weights = [se.term_weights(i.terms, stats) for i in infos]
    for i in range(len(texts)):
        for j in range(len(texts)):
            assert se.evidence_of(weights[i], weights[j]) == se.evidence(infos[i].terms, infos[j].terms, stats)


def test_hashed_terms_sums_as_add_at_did():
    from storytrace.match import story_evidence as se
    from storytrace.text.tokens import tokenize

    def reference(ids: np.ndarray, weights: np.ndarray, dim: int = 512) -> np.ndarray:
        out = np.zeros(dim, dtype=np.float64)
        shift = np.uint64(64 - int(np.log2(dim)))
        with np.errstate(over="ignore"):
            for h in se._HASHES:
                mixed = ids * h
                sign = np.where((mixed >> np.uint64(7)) & np.uint64(1), 1.0, -1.0)
                np.add.at(out, (mixed >> shift).astype(np.int64), sign * weights)
        n = float(np.linalg.norm(out))
        return (out / n if n else out).astype(np.float32)

    rng = np.random.default_rng(3)
    for a in _corpus(10):
        ids = tokenize(a.text).ids
        w = rng.random(len(ids)) * 3
        assert se.hashed_terms(ids, w).tobytes() == reference(ids, w).tobytes()
    assert not se.hashed_terms(np.zeros(0, dtype=np.uint64), np.zeros(0)).any()
