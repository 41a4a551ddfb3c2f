"""The story map on Spark vs the local engine: per-stage wall times, the same result.

    .venv/bin/python benchmarks/spark_stories.py --pairs 1283 --synthetic 1000 \
        --workdir /work/scratch/story-bench --json /work/scratch/story-bench/result.json

Corpus: ``storytrace.bench.stories.story_records`` (the seeds, SemEval pairs from ../shared with dates and planted
copies and rewrites, synthetic articles with planted copies). Runs, in this process: the local engine
(``engines.stories.run_stories``), then the same split the Spark engine makes, on one core (the executors'
work: ``unit_features`` over all units; the driver's: ``assign_stream`` over them in unit order), then the Spark
engine (``engines.spark_stories.run_stories``) on ``--master``; checks the two story maps are identical.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from storytrace.bench.stories import story_records, write_jsonl
from storytrace.cluster.stories import StoryConfig, unit_order_key
from storytrace.engines import local
from storytrace.engines.stories import assign_stream, run_stories, story_article, unit_features
from storytrace.fingerprint import DedupConfig
from storytrace.io import read_path
from storytrace.records import RawRecord

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=1283)
    ap.add_argument("--synthetic", type=int, default=1000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/story-bench"))
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    shared = REPO.parent / "shared"
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((shared / "seeds").glob("*.txt"))} or {
        p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((REPO / "examples" / "seeds").glob("*.txt"))}
    pairs = shared / "data" / "story-pairs" / "semeval2022-task8-pairs.csv"
    shutil.rmtree(a.workdir, ignore_errors=True)
    corpus = write_jsonl(a.workdir / "corpus.jsonl", story_records(seeds, pairs if pairs.is_file() else None,
                                                                   pairs=a.pairs, synthetic=a.synthetic))
    options = local.DedupOptions(quiet=True)
    result: dict = {"documents": sum(1 for _ in corpus.open())}

    t = time.perf_counter()
    loc = run_stories([str(corpus)], a.workdir / "local", DedupConfig(), options, StoryConfig())
    result["local"] = {"wall_s": round(time.perf_counter() - t, 2), "timings_s": loc.timings_s,
                       "summary": {k: getattr(loc, k) for k in ("documents", "groups", "stories", "related_links")}}
    print(f"local: {loc.line(a.workdir / 'local')}", flush=True)

    # the Spark split on one core: executor work (views) and driver work (assignment), all units
    rows = pq.read_table(a.workdir / "local" / "stories.parquet", columns=["id", "group"]).to_pylist()
    canon = {r["group"] for r in rows}
    records = [r for r in read_path(str(corpus)) if isinstance(r, RawRecord)]
    articles = [story_article(r, str(i)) for i, r in enumerate(records) if r.record_id in canon]
    keys = [int(x.id) for x in articles]
    t = time.perf_counter()
    features = unit_features(keys, articles)
    views_s = time.perf_counter() - t
    features.sort(key=lambda f: unit_order_key(f.day, f.key))
    t = time.perf_counter()
    _, stats = assign_stream(features, StoryConfig(), spill_dir=str(a.workdir))
    result["split_one_core"] = {"units": len(features), "features_s": round(views_s, 2),
                                "assign_s": round(time.perf_counter() - t, 2), "stats": stats,
                                "view_bytes_per_unit": round(stats["spill_bytes"] / max(1, len(features)))}
    print(f"one core: features of {len(features):,} units {views_s:.1f} s, driver assignment "
          f"{result['split_one_core']['assign_s']:.1f} s ({stats})", flush=True)

    from storytrace.engines.spark_stories import run_stories as spark_stories

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    t = time.perf_counter()
    spk = spark_stories([str(corpus)], str(a.workdir / "spark"), DedupConfig(), options, StoryConfig(),
                        spark={"master": a.master, "conf": {"spark.ui.enabled": "false", "spark.driver.memory": "2g"}},
                        spill_dir=str(a.workdir))
    result["spark"] = {"wall_s": round(time.perf_counter() - t, 2), "timings_s": spk.timings_s, "stats": spk.stats}
    print(f"spark: {spk.line(a.workdir / 'spark')}", flush=True)
    same = (pq.read_table(a.workdir / "local" / "stories.parquet") == pq.read_table(a.workdir / "spark" / "stories.parquet")
            and pq.read_table(a.workdir / "local" / "story_links.parquet")
            == pq.read_table(a.workdir / "spark" / "story_links.parquet"))
    result["identical"] = bool(same)
    print(json.dumps(result, indent=2))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(result, indent=2) + "\n")
    if not same:
        sys.exit("the story maps differ")


if __name__ == "__main__":
    main()
