"""Fit the story combiner on the TRAIN split of the SemEval-2022 task 8 pairs; report the held-out split.

    python scripts/build_story_model/fit_combiner.py --pairs ../shared/data/story-pairs/semeval2022-task8-pairs.csv \
        --out src/storytrace/data/combiner.json [--cache /tmp/story_feats.npz] [--features cos,cos_title,...]

Features come from ``storytrace.match.story`` (the run-time code), so what is fitted is what runs. Writes
the combiner JSON (bias, one piecewise-linear table per feature, same-story and related thresholds tuned
on train) and prints train 5-fold CV r, held-out r and F1 (threshold from train).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gam import fit_gam, gam_score

from storytrace.evaluation.datasets import load_pairs
from storytrace.evaluation.metrics import binary_prf, pearson

DEFAULT_FEATURES = ("cos,cos_title,cos_lead,align_mean,align_frac,char5_ovl,ent_jac,ent_ovl,num_jac,num_ovl,"
                    "year_ovl,year_conflict,word_jac,title_word_jac")


def pair_feature_table(pairs, cache: str | None) -> dict[str, np.ndarray]:
    """Features of every pair (computed with the package; cached in an .npz when asked)."""
    if cache and os.path.exists(cache):
        with np.load(cache) as z:
            if len(z["cos"]) == len(pairs):
                return {k: z[k] for k in z.files}
    from storytrace.match.story import build_views, pair_features

    texts = list(dict.fromkeys([p.text1 for p in pairs] + [p.text2 for p in pairs]))
    index = {t: i for i, t in enumerate(texts)}
    t0 = time.perf_counter()
    views = build_views(texts)
    print(f"{len(texts)} views in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    rows = [pair_features(views[index[p.text1]], views[index[p.text2]]) for p in pairs]
    table = {k: np.array([r[k] for r in rows], dtype=np.float64) for k in rows[0]}
    if cache:
        np.savez(cache, **table)
    return table


def best_f1_threshold(score: np.ndarray, truth: np.ndarray) -> float:
    """The threshold with the best F1 on the given (train) rows."""
    best = (-1.0, 0.5)
    for t in np.unique(np.quantile(score, np.linspace(0.02, 0.98, 97))):
        f1 = binary_prf(truth, score >= t).f1
        if f1 > best[0]:
            best = (f1, float(t))
    return best[1]


def cv_r(feats, y, names, train_idx, folds=5, alpha=30.0) -> float:
    """5-fold cross-validated Pearson r inside the train split (for choosing features without the held-out)."""
    rng = np.random.default_rng(0)
    fold = rng.integers(0, folds, len(train_idx))
    pred = np.empty(len(train_idx))
    for k in range(folds):
        tr, te = train_idx[fold != k], train_idx[fold == k]
        g = fit_gam({n: feats[n][tr] for n in names}, y[tr], names, alpha)
        pred[fold == k] = gam_score(g, {n: feats[n][te] for n in names})
    return pearson(pred, y[train_idx])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", default=None, help="combiner JSON to write (default: only report)")
    ap.add_argument("--cache", default=None)
    ap.add_argument("--features", default=DEFAULT_FEATURES)
    ap.add_argument("--alpha", type=float, default=30.0)
    a = ap.parse_args()
    pairs = load_pairs(a.pairs)
    feats = pair_feature_table(pairs, a.cache)
    names = a.features.split(",")
    y = -np.array([p.overall for p in pairs])
    held = np.array([p.heldout for p in pairs])
    tr, te = np.flatnonzero(~held), np.flatnonzero(held)
    g = fit_gam({n: feats[n][tr] for n in names}, y[tr], names, a.alpha)
    s = gam_score(g, feats)
    s = np.where(feats["char5_ovl"] >= 0.8, np.maximum(s, feats["char5_ovl"]), s)
    same = -y <= 2
    thr = best_f1_threshold(s[tr], same[tr])
    related = best_f1_threshold(s[tr], (-y <= 2.5)[tr])
    print(f"features: {','.join(names)}")
    print(f"train 5-fold CV r = {cv_r(feats, y, names, tr, alpha=a.alpha):.3f}")
    print(f"train r = {pearson(s[tr], y[tr]):.3f}   HELD-OUT r = {pearson(s[te], y[te]):.3f}   "
          f"held-out F1 (Overall<=2, threshold {thr:.3f} from train) = {binary_prf(same[te], s[te] >= thr).f1:.3f}")
    print(f"related threshold (Overall<=2.5, F1 on train) = {related:.3f}")
    if a.out:
        g.update(
            features=names, same_story_threshold=round(thr, 4), related_threshold=round(related, 4),
            fitted_on="SemEval-2022 task 8 pairs, train split (md5(pair_id) % 100 >= 30)",
            output="(predicted -Overall + 4) / 3 clipped to [0, 1]; same story if >= same_story_threshold",
        )
        with open(a.out, "w", encoding="utf-8") as fh:
            json.dump(g, fh, indent=1)
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
