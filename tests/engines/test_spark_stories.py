"""``storytrace stories --engine spark`` gives the local engine's story map: the same rows (story, story
canonical, role, score for every document) and related links, on the seeds and on a few hundred documents
with planted copies, rewrites, dated follow-ups and undated texts, read from JSONL and Parquet at once.
Skipped without pyspark or Java; the Spark session is shared with test_spark.py (one xdist group).
"""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")

from storytrace.cluster.stories import StoryConfig
from storytrace.engines import local
from storytrace.engines import stories as local_stories
from storytrace.engines.spark_stories import run_stories as spark_stories
from storytrace.fingerprint import DedupConfig

pytestmark = pytest.mark.xdist_group("spark")  # one JVM with test_spark.py when run with --dist loadgroup


def run_both(tmp_path: Path, inputs: list[str], fmt: str = "parquet") -> tuple:
    """The local and the Spark story map of ``inputs``: (local summary, spark summary)."""
    options = local.DedupOptions(quiet=True, map_format=fmt)
    loc = local_stories.run_stories(inputs, tmp_path / "local", DedupConfig(), options, StoryConfig())
    spk = spark_stories(inputs, str(tmp_path / "spark"), DedupConfig(), options, StoryConfig(),
                        spill_dir=str(tmp_path))
    return loc, spk


def rows(path: Path) -> list[dict]:
    return pq.read_table(str(path)).to_pylist()


def same_summary(loc, spk) -> None:
    for name in ("documents", "groups", "stories", "stories_with_several_groups", "largest_story_groups",
                 "largest_story_documents", "related_links", "roles"):
        assert getattr(loc, name) == getattr(spk, name), name
    assert spk.engine == "spark" and {"features", "stream_wait", "assign", "story_map", "write"} <= set(spk.timings_s)


def test_seeds_spark_equals_local(spark, seed_jsonl: Path, tmp_path: Path) -> None:
    loc, spk = run_both(tmp_path, [str(seed_jsonl)], fmt="jsonl")
    for name in ("stories.jsonl", "story_links.jsonl"):  # byte for byte
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    got = [json.loads(line) for line in (tmp_path / "spark" / "stories.jsonl").open(encoding="utf-8")]
    assert [(r["id"], r["story"], r["story_canonical"], r["role"]) for r in got] == [
        ("000", "s000000", "000", "canonical"), ("001", "s000000", "000", "rewrite"),
        ("002", "s000000", "000", "contains"), ("003", "s000000", "000", "same_story"),
        ("004", "s000001", "004", "canonical")]
    assert sorted(p.name for p in (tmp_path / "spark").iterdir()) == [
        "_SUCCESS", "stories.jsonl", "story_links.jsonl", "summary.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".", "st-views-"))]  # staging and spill gone
    same_summary(loc, spk)
    summary = json.loads((tmp_path / "spark" / "summary.json").read_text())
    assert summary["stats"]["units"] == 4 and summary["options"]["master"].startswith("local")


@pytest.mark.slow
def test_story_corpus_spark_equals_local(spark, story_corpus: Path, story_corpus_rich: bool, tmp_path: Path) -> None:
    lines = story_corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    half = len(lines) // 2
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text("".join(lines[:half]), encoding="utf-8")
    records = [json.loads(line) for line in lines[half:]]
    table = pa.table({k: [r.get(k) for r in records] for k in ("id", "text", "date")})
    pq.write_table(table, tmp_path / "in" / "b.parquet")
    loc, spk = run_both(tmp_path, [str(tmp_path / "in")])
    a, b = rows(tmp_path / "local" / "stories.parquet"), rows(tmp_path / "spark" / "stories.parquet")
    assert len(a) == len(lines) and a == b
    assert rows(tmp_path / "local" / "story_links.parquet") == rows(tmp_path / "spark" / "story_links.parquet")
    same_summary(loc, spk)
    # the corpus exercises what it is meant to: copies, rewrites, stories of several groups, related links
    roles = loc.roles
    assert roles["contains"] and roles["rewrite"] and roles["same_story"] > 20 and loc.related_links
    if story_corpus_rich:
        assert roles["exact"] and roles["contained_in"] and roles["rewrite"] >= 3
        assert loc.stories_with_several_groups >= 30 and loc.related_links >= 30
    assert {r["source"].rsplit("/", 1)[-1] for r in b} == {"a.jsonl", "b.parquet"}


def test_whole_file_inputs(spark, seed_dir: Path, tmp_path: Path) -> None:
    """txt files: the Spark engine rebuilds their articles from the dedup output records, not a second read."""
    loc, spk = run_both(tmp_path, [str(seed_dir)], fmt="jsonl")
    assert (tmp_path / "spark" / "stories.jsonl").read_bytes() == (tmp_path / "local" / "stories.jsonl").read_bytes()
    assert spk.stories == 2 and spk.roles["rewrite"] == 1


def test_remote_output_layout(spark, seed_jsonl: Path, tmp_path: Path, monkeypatch) -> None:
    """An ``hdfs://``/``s3a://`` --out gets Spark datasets (here a file: URI taken as remote)."""
    from storytrace.engines import spark_stories as module

    options = local.DedupOptions(quiet=True, map_format="parquet")
    local_stories.run_stories([str(seed_jsonl)], tmp_path / "local", DedupConfig(), options, StoryConfig())
    monkeypatch.setattr(module, "is_local_path", lambda path: False)
    out = tmp_path / "remote"
    summary = spark_stories([str(seed_jsonl)], out.as_uri(), DedupConfig(), options, StoryConfig())
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))  # Hadoop's .crc files aside
    assert names == ["_SUCCESS", "stories", "story_links", "summary.json"]
    assert rows(out / "stories") == rows(tmp_path / "local" / "stories.parquet")
    assert rows(out / "story_links") == rows(tmp_path / "local" / "story_links.parquet")
    assert json.loads((out / "summary.json").read_text())["roles"] == summary.roles
    assert summary.roles["rewrite"] == 1 and summary.related_links == 1
