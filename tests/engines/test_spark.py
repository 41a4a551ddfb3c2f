"""The Spark engine gives the local engine's results: cluster map row for row, kept records byte for
byte, on a 20,000-document synthetic corpus with planted copies; plus its distributed pieces
(bucket guard, connected components) against the library's single-machine versions, and malformed
input counted and reported. Skipped without pyspark or Java; one local[2] session for the module.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Java is not installed", allow_module_level=True)
try:
    _java_ok = subprocess.run(["java", "-version"], capture_output=True, timeout=60).returncode == 0
except (OSError, subprocess.TimeoutExpired):
    _java_ok = bool(os.environ.get("JAVA_HOME"))
if not _java_ok:
    pytest.skip("Java does not run here", allow_module_level=True)

import pyarrow.parquet as pq  # noqa: E402

from storytrace.bench.synthetic import SyntheticCorpus  # noqa: E402
from storytrace.cluster.unionfind import connected_components  # noqa: E402
from storytrace.engines import local  # noqa: E402
from storytrace.engines.spark import SparkOptions, build_session, run_dedup  # noqa: E402
from storytrace.engines.spark_batches import bucket_links  # noqa: E402
from storytrace.fingerprint import DedupConfig  # noqa: E402
from storytrace.match.buckets import BucketIndex  # noqa: E402

CORPUS_SIZE = 20_000
pytestmark = pytest.mark.xdist_group("spark")  # one JVM when run with --dist loadgroup


@pytest.fixture(scope="module")
def spark():
    """One small local Spark for the module (2 cores, 2 GB driver, no UI)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = build_session(SparkOptions(master="local[2]", app_name="storytrace-tests", shuffle_partitions=4, conf={
        "spark.ui.enabled": "false", "spark.driver.memory": "2g", "spark.ui.showConsoleProgress": "false",
        "spark.sql.adaptive.coalescePartitions.minPartitionSize": "1m"}))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _cluster_rows(path: Path) -> list[dict]:
    """Rows of a cluster map (a Parquet file or a Spark dataset directory)."""
    return pq.read_table(str(path)).to_pylist()


def _partition(rows: list[dict]) -> set[frozenset[str]]:
    """Groups of document ids, whatever the group names."""
    groups: dict[str, set[str]] = {}
    for row in rows:
        groups.setdefault(row["group"], set()).add(row["id"])
    return {frozenset(g) for g in groups.values()}


def _spark_data(path: Path) -> bytes:
    """Concatenated part files of a Spark text dataset, in part order."""
    return b"".join(p.read_bytes() for p in sorted(path.glob("part-*")))


def _run_both(tmp_path: Path, inputs: list[str], problems: list | None = None, **options):
    """Run the local and the Spark engine with the same options; (local summary, spark summary)."""
    lopts = local.DedupOptions(quiet=True, on_problem=(problems.append if problems is not None else None), **options)
    loc = local.run_dedup(inputs, tmp_path / "local", DedupConfig(), lopts)
    spk = run_dedup(inputs, str(tmp_path / "spark"), DedupConfig(), local.DedupOptions(quiet=True, **options))
    return loc, spk


@pytest.mark.slow
def test_spark_equals_local_on_synthetic_corpus(spark, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="storytrace.engines.spark")
    corpus = SyntheticCorpus(CORPUS_SIZE, seed=3).write(tmp_path / "corpus.jsonl")
    loc, spk = _run_both(tmp_path, [str(corpus)])
    a, b = _cluster_rows(tmp_path / "local" / "clusters.parquet"), _cluster_rows(tmp_path / "spark" / "clusters")
    assert len(a) == len(b) == CORPUS_SIZE
    assert [r["id"] for r in a] == [r["id"] for r in b]  # one row per document, input order
    assert _partition(a) == _partition(b)  # same groups up to renaming
    canon_a = {r["id"]: r["group"] for r in a}
    canon_b = {r["id"]: r["group"] for r in b}
    kept_a = {frozenset(i for i in canon_a if canon_a[i] == g): g for g in set(canon_a.values())}
    kept_b = {frozenset(i for i in canon_b if canon_b[i] == g): g for g in set(canon_b.values())}
    assert kept_a == kept_b  # the same canonical per group
    assert [(r["kept"], r["relation"], r["score"]) for r in a] == [(r["kept"], r["relation"], r["score"]) for r in b]
    assert a == b  # and therefore the very same rows (group = the kept document's id)
    # planted copies really were found, and the guard ran at least once
    assert loc.removed > CORPUS_SIZE // 5 and spk.removed == loc.removed
    assert spk.candidate_pairs == loc.candidate_pairs and spk.verified_pairs == loc.verified_pairs
    assert spk.relations == loc.relations
    local_data = (tmp_path / "local" / "data" / "corpus.jsonl").read_bytes()
    assert _spark_data(tmp_path / "spark" / "data") == local_data  # kept records byte for byte
    for marker in ("_SUCCESS", "clusters/_SUCCESS", "data/_SUCCESS", "errors/_SUCCESS"):
        assert (tmp_path / "spark" / marker).exists()
    assert "large-star/small-star rounds" in caplog.text
    summary = json.loads((tmp_path / "spark" / "summary.json").read_text())
    assert summary["engine"] == "spark" and summary["options"]["cc_rounds"]


def test_bucket_guard_matches_bucket_index(spark):
    from storytrace.engines.spark_graph import bucket_pairs

    rng = np.random.default_rng(7)
    n_docs, cap = 400, 5
    rows = []
    for doc in range(n_docs):  # skewed keys: a few giant buckets, many small ones, singletons
        keys = set(rng.zipf(1.3, size=6).tolist()) | {int(rng.integers(1000, 100000))}
        rows += [(k, doc) for k in keys]
    keys = np.array([k for k, _ in rows], dtype=np.uint64)
    ids = np.array([d for _, d in rows], dtype=np.int64)
    expected = []
    index = BucketIndex(cap)
    for lo in range(0, n_docs, 37):  # arrival in batches, as the local engine adds them
        m = (ids >= lo) & (ids < lo + 37)
        expected += [tuple(p) for p in index.add(keys[m], ids[m]).tolist()]
    postings = spark.createDataFrame([(1, int(k), int(d)) for k, d in rows], "src int, key long, idx long")
    got = [(r.a, r.b) for r in bucket_pairs(postings, {1: cap}).collect()]
    assert sorted(got) == sorted(expected)  # same pairs, same multiplicity (shared-key counts)
    by_key: dict[int, list[int]] = {}
    for k, d in rows:
        by_key.setdefault(k, []).append(d)
    reference = [p for members in by_key.values() for p in bucket_links(members, cap)]
    assert sorted(reference) == sorted(expected)


@pytest.mark.parametrize("shape", ["chain", "reversed_chain", "stars", "random", "many_small"])
def test_connected_components_equal_union_find(spark, shape, caplog):
    from storytrace.engines.spark_graph import connected_components as spark_components

    caplog.set_level(logging.INFO, logger="storytrace.engines.spark")
    rng = np.random.default_rng(11)
    n = 3000
    if shape == "chain":
        edges = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)
    elif shape == "reversed_chain":  # labels must travel the whole chain: the worst case
        perm = rng.permutation(n)
        edges = np.stack([perm[:-1], perm[1:]], axis=1)
    elif shape == "stars":
        centers = rng.integers(0, n, size=20)
        edges = np.stack([centers[rng.integers(0, 20, size=n)], np.arange(n)], axis=1)
    elif shape == "random":
        edges = rng.integers(0, n, size=(n, 2))
    else:
        edges = np.stack([np.arange(0, n, 3), np.arange(0, n, 3) + 1], axis=1)
    df = spark.createDataFrame([(int(a), int(b)) for a, b in edges], "src long, dst long")
    result = spark_components(df)
    got = {r.node: r.label for r in result.labels.collect()}
    expected = connected_components(n + 2, edges[:, 0], edges[:, 1])
    nodes = {int(x) for a, b in edges.tolist() if a != b for x in (a, b)}  # self-loops alone are no edge
    assert {k: got[k] for k in nodes} == {k: int(expected[k]) for k in nodes}
    assert f"connected components: {result.rounds} large-star/small-star rounds" in caplog.text
    if shape.endswith("chain"):
        assert result.rounds >= 2


def test_directory_with_malformed_lines_and_parquet(spark, tmp_path):
    """One small run: a directory walked in the local engine's order (hidden files skipped), JSONL
    with malformed lines (counted, reported, written to errors/) and a Parquet file with dates."""
    import pyarrow as pa

    docs = list(SyntheticCorpus(600, seed=5).docs())
    src = tmp_path / "in"
    (src / "b").mkdir(parents=True)
    (src / ".hidden").mkdir()
    good = [json.dumps({"id": d.id, "text": d.text}) for d in docs[:250]]
    bad = ["{not json", "", '["an", "array"]', '{"id": "x1"}', '{"id": "x2", "text": ""}', '{"id": "x3", "text": 5}']
    lines = [line for k, g in enumerate(good) for line in ([g] + ([bad[(k // 40) % len(bad)]] if k % 40 == 7 else []))]
    (src / "z.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (src / "b" / "a.jsonl").write_text("".join(json.dumps({"text": d.text}) + "\n" for d in docs[250:400]))
    (src / ".hidden" / "x.jsonl").write_text(json.dumps({"id": "hidden", "text": "hidden"}) + "\n")
    pq.write_table(pa.table({"id": [d.id for d in docs[400:]], "text": [d.text for d in docs[400:]],
                             "date": ["2024-01-%02d" % (i % 28 + 1) for i in range(200)]}), src / "c.parquet")
    problems: list = []
    loc, spk = _run_both(tmp_path, [str(src)], problems)
    assert spk.documents == loc.documents == 600 and spk.files == loc.files == 3
    assert spk.problems == loc.problems == {"records": 6, "files": 0}  # the blank line is no problem
    errors = [json.loads(line) for p in sorted((tmp_path / "spark" / "errors").glob("part-*"))
              for line in p.read_text().splitlines()]
    assert [(e["source"], e["locator"], e["reason"]) for e in errors] == [(p.source, p.locator, p.reason)
                                                                          for p in problems]
    assert errors[0]["record"] == "{not json"
    assert _cluster_rows(tmp_path / "spark" / "clusters") == _cluster_rows(tmp_path / "local" / "clusters.parquet")
    assert spk.kept == loc.kept and spk.relations == loc.relations
    local_jsonl = sorted((tmp_path / "local" / "data").rglob("*.jsonl"))
    assert _spark_data(tmp_path / "spark" / "data" / "jsonl") == b"".join(p.read_bytes() for p in local_jsonl)
    spark_rows = pq.read_table(str(tmp_path / "spark" / "data" / "parquet")).to_pylist()
    assert spark_rows == pq.read_table(str(tmp_path / "local" / "data" / "c.parquet")).to_pylist()
