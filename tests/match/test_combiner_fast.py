"""The plain-float combiner (``match._combiner``) equals the numpy one bit for bit."""
from __future__ import annotations

import random

import numpy as np
import pytest

from storytrace.match import _combiner
from storytrace.match import story as sm

pytest.importorskip("sentencepiece")


def score_features_numpy(f: dict[str, float]) -> float:
    """``score_features`` with the shipped combiner, in numpy: the reference ``_combiner.score`` is checked against
    (moved here from match.story, where nothing but this test used it)."""
    names, xs, ys, _, bias = sm._tables()
    x = np.array([f[n] for n in names])
    x = np.clip(x, xs[:, 0], xs[:, -1])
    j = np.clip((xs < x[:, None]).sum(1), 1, xs.shape[1] - 1)  # knot interval of each feature
    rows = np.arange(len(names))
    x0, x1, y0, y1 = xs[rows, j - 1], xs[rows, j], ys[rows, j - 1], ys[rows, j]
    t = np.where(x1 > x0, (x - x0) / np.where(x1 > x0, x1 - x0, 1.0), 0.0)
    s = bias + float((y0 + t * (y1 - y0)).sum())
    return float(np.clip((s + 4.0) / 3.0, 0.0, 1.0))


def test_pairwise_sum_matches_numpy() -> None:
    rng = random.Random(0)
    for n in (0, 1, 5, 7, 8, 9, 14, 16, 17, 30, 128):
        for _ in range(300):
            a = [rng.uniform(-1, 1) * 10 ** rng.randint(-4, 4) for _ in range(n)]
            assert _combiner._numpy_sum(a) == float(np.add.reduce(np.array(a, dtype=np.float64)))


def test_score_matches_numpy_scorer() -> None:
    names = sm._tables()[0]
    rng = random.Random(1)
    feats = [{n: rng.choice([rng.random(), rng.uniform(-0.5, 1.5), 0.0, 1.0, rng.random() ** 4]) for n in names}
             for _ in range(5000)]
    texts = [("Flooding closed the main bridge in Riverton on Monday after three days of heavy rain. Officials said "
              "the bridge would stay closed until engineers inspect it."),
             ("The Riverton bridge stays shut after floods on Monday, officials said; engineers will inspect it. "
              "The river rose 2.4 metres, the highest since 1998."),
             "The central bank raised its key interest rate by a quarter point to 4.5 percent on Thursday."]
    views = sm.build_views(texts)
    feats += [sm.pair_features(a, b) for a in views for b in views]
    compiled = sm._compiled()
    assert all(_combiner.score(f, compiled) == score_features_numpy(f) for f in feats)
    assert all(sm.score_features(f) == score_features_numpy(f) for f in feats)
