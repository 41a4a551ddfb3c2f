"""Additive combiner fitted with numpy only: score = bias + sum_f g_f(x_f), each g_f piecewise linear.

Each continuous feature is expanded into hat functions on knots at its quantiles (piecewise-linear
splines), each binary feature enters as is; the blocks are standardised and one ridge regression of
-Overall is solved in closed form. Because the basis is piecewise linear, the fitted g_f is exactly a
table of (knot, value) pairs that ``np.interp`` evaluates: the shipped combiner is plain JSON.
"""
from __future__ import annotations

import numpy as np

BINARY = frozenset({"year_conflict"})
QUANTILES = (0.005, 0.25, 0.5, 0.75, 0.995)


def hat_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """(n, k) matrix: column j is the piecewise-linear function that is 1 at knot j and 0 at the others."""
    x = np.clip(x, knots[0], knots[-1])
    eye = np.eye(len(knots))
    return np.stack([np.interp(x, knots, eye[j]) for j in range(len(knots))], axis=1)


def fit_gam(features: dict[str, np.ndarray], y: np.ndarray, names: list[str], alpha: float = 10.0) -> dict:
    """Ridge fit of y on the additive basis; returns {"bias", "tables": {name: {"x", "y"}}}."""
    blocks, specs = [], []
    for name in names:
        x = np.asarray(features[name], dtype=np.float64)
        if name in BINARY:
            knots = np.array([0.0, 1.0])
            basis = x[:, None]
        else:
            knots = np.unique(np.quantile(x, QUANTILES))
            if len(knots) < 2:
                knots = np.array([x.min(), x.min() + 1e-6])
            basis = hat_basis(x, knots)
        mu, sd = basis.mean(0), basis.std(0) + 1e-9
        blocks.append((basis - mu) / sd)
        specs.append((name, knots, mu, sd, basis.shape[1]))
    X = np.hstack(blocks)
    ym = y.mean()
    coef = np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ (y - ym))
    out: dict = {"bias": float(ym), "tables": {}}
    k = 0
    for name, knots, mu, sd, n in specs:
        c = coef[k:k + n]
        k += n
        if name in BINARY:
            xs = knots
            ys = ((xs[:, None] - mu) / sd) @ c
        else:
            xs = knots
            ys = ((np.eye(n) - mu) / sd) @ c  # value at each knot
        out["tables"][name] = {"x": [round(float(v), 6) for v in xs], "y": [round(float(v), 6) for v in ys]}
    return out


def gam_raw(gam: dict, feats: dict[str, np.ndarray]) -> np.ndarray:
    """Predicted -Overall."""
    s = gam["bias"]
    for name, t in gam["tables"].items():
        s = s + np.interp(feats[name], t["x"], t["y"])
    return s


def gam_score(gam: dict, feats: dict[str, np.ndarray]) -> np.ndarray:
    """Mapped onto [0, 1] like ``storytrace.match.story.score_features``."""
    return np.clip((gam_raw(gam, feats) + 4.0) / 3.0, 0.0, 1.0)
