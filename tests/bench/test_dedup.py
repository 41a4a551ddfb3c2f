"""Dedup benchmark: the pipeline runs end to end and keeps its quality floor on a small corpus."""
from __future__ import annotations

import numpy as np

from storytrace.bench.dedup import Truth, ensure_corpus, evaluate, run_pipeline
from storytrace.fingerprint import DedupConfig


def test_pipeline_quality_floor(tmp_path) -> None:
    path = ensure_corpus(1500, 0, "mixed", tmp_path, real=False, workers=1)
    result = run_pipeline(path, DedupConfig(), batch=400)
    quality = result["quality"]
    assert result["documents"] == 1500
    # floors a little below what the 10k benchmark measures (docs/bench_dedup.md)
    assert quality["overall"]["precision"] >= 0.99
    assert quality["overall"]["recall"] >= 0.99
    for kind in ("exact", "boilerplate", "truncated", "excerpt", "edited", "reordered"):
        assert quality["per_kind"][kind]["with_base"] >= 0.97, kind
    assert result["edges"]["precision"] >= 0.99


def test_everything_is_a_duplicate_stays_linear(tmp_path) -> None:
    path = ensure_corpus(2000, 1, "duplicates", tmp_path, real=False, workers=1)
    result = run_pipeline(path, DedupConfig(), batch=500)
    assert result["candidates"]["total"] < 2000 * 200
    assert result["quality"]["overall"]["recall"] >= 0.99


def test_evaluate_counts_pairs() -> None:
    truth = Truth(np.array([0, 0, 2, 2, 4]), np.array([0, 1, 0, 1, 0], dtype=np.int8),
                  np.zeros(5, dtype=np.float32))
    perfect = evaluate(np.array([0, 0, 2, 2, 4]), truth)
    assert perfect["overall"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    merged = evaluate(np.zeros(5, dtype=np.int64), truth)
    assert merged["overall"]["recall"] == 1.0 and merged["overall"]["precision"] == 0.2
