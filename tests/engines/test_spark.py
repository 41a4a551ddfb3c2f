"""The Spark engine gives the local engine's results: cluster map row for row, kept records byte for
byte, on a 20,000-document synthetic corpus with planted copies and on a mixed txt/html/WARC/JSONL
corpus with copies planted across formats; plus its distributed pieces (bucket guard, connected
components) against the library's single-machine versions, malformed input (lines, a truncated WARC,
undecodable files) counted and reported, and the ``--master`` option. Skipped without pyspark or
Java; one local[2] session for the module.
"""
from __future__ import annotations

import gzip
import html
import io
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

import pyarrow.parquet as pq
import zstandard
from click.testing import CliRunner

from storytrace.bench.synthetic import SyntheticCorpus
from storytrace.cluster.unionfind import connected_components
from storytrace.engines import local
from storytrace.cli.dedup import dedup
from storytrace.engines.spark import (
    SparkOptions,
    build_session,
    check_master,
    resolve_master,
    run_dedup,
    spark_options,
)
from storytrace.engines.spark_batches import bucket_links
from storytrace.fingerprint import DedupConfig
from storytrace.match.buckets import BucketIndex

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


def test_spark_equals_local_with_a_banner_in_thousands_of_documents(spark, tmp_path):
    # the fragment guard: articles carrying a banner copied 600 times are not removed in favour of it
    rng = np.random.default_rng(5)
    banner = "We use cookies to improve your experience on our site. By using this site you agree. Accept"
    words = [f"w{i}" for i in range(3000)]
    docs = [{"id": f"b{i}", "text": banner} for i in range(600)]
    docs += [{"id": f"a{i}", "text": " ".join(rng.choice(words, 200)) + "\n" + banner} for i in range(20)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    for keep in ("canonical", "first"):
        shutil.rmtree(tmp_path / "local", ignore_errors=True)
        shutil.rmtree(tmp_path / "spark", ignore_errors=True)
        _run_both(tmp_path, [str(src)], keep=keep)
        a, b = _cluster_rows(tmp_path / "local" / "clusters.parquet"), _cluster_rows(tmp_path / "spark" / "clusters")
        assert a == b
        assert all(r["kept"] for r in a[600:])  # every article kept
        assert len({r["group"] for r in a[:600]}) == 1


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
                             "date": [f"2024-01-{i % 28 + 1:02d}" for i in range(200)]}), src / "c.parquet")
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


# -- txt, html and WARC inputs ------------------------------------------------------------------------

def _warc(pages: list[tuple[str, bytes, str]], gzip_records: bool = False) -> bytes:
    """A WARC (warcio): one response per (url, body, content type), each record gzipped if asked."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip_records)
    for url, body, ctype in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    return out.getvalue()


def _page(title: str, text: str) -> bytes:
    """An HTML page around an article: navigation, headline, one <p> per line, footer."""
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (f"<html><head><title>{html.escape(title)}</title></head><body><nav>Home World Sports</nav>"
            f"<article><h1>{html.escape(title)}</h1>{paras}</article><footer>Contact us</footer></body></html>"
            ).encode()


HTML = "text/html; charset=utf-8"


def _mixed_corpus(root: Path, n: int = 150, seed: int = 4) -> tuple[Path, str]:
    """A directory of JSONL, txt (plain, .gz, .zst), HTML (.html, .htm, .html.gz) and WARC (.warc.gz
    per-record gzip, plain .warc) files holding a synthetic corpus with planted copies (so copies
    cross formats), the first article copied into every format, and broken files: a truncated
    .warc.gz (its first records intact), binary .txt, corrupt .html.gz, empty and blank .txt, plus a
    hidden directory and a .md file that a directory walk skips. (root, the first article's id)."""
    docs = list(SyntheticCorpus(n, seed=seed).docs())
    src = root / "in"
    for folder in ("txt", "html", ".hidden"):
        (src / folder).mkdir(parents=True, exist_ok=True)
    lines, crawl, plain = [], [], []
    for k, doc in enumerate(docs):
        slot = k % 5
        if slot == 0:
            lines.append(json.dumps({"id": doc.id, "text": doc.text, "date": f"2024-03-{k % 28 + 1:02d}"}))
        elif slot == 1:
            data, name = doc.text.encode("utf-8"), f"{doc.id}.txt"
            if k % 3 == 1:
                data, name = gzip.compress(data), name + ".gz"
            elif k % 3 == 2:
                data, name = zstandard.ZstdCompressor().compress(data), name + ".zst"
            (src / "txt" / name).write_bytes(data)
        elif slot == 2:
            name = f"{doc.id}.html" if k % 4 else f"{doc.id} [page 1].html"  # spaces and glob characters
            (src / "html" / name).write_bytes(_page(doc.id, doc.text))
        else:
            (crawl if slot == 3 else plain).append((f"https://news.example/{doc.id}", _page(doc.id, doc.text), HTML))
    first = docs[0]
    (src / "txt" / "copy-of-first.txt").write_text(first.text, encoding="utf-8")
    (src / "html" / "copy-of-first.htm").write_bytes(_page("copy", first.text))
    (src / "html" / "copy-of-first-2.html.gz").write_bytes(gzip.compress(_page("copy", first.text)))
    crawl.insert(3, ("https://copy.example/first", _page("copy", first.text), HTML))
    plain += [("https://copy.example/first2", _page("copy", first.text), HTML),
              ("https://img.example/logo.png", b"\x89PNG\r\n", "image/png")]
    (src / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (src / "crawl.warc.gz").write_bytes(_warc(crawl, gzip_records=True))
    (src / "z-crawl.warc").write_bytes(_warc(plain))
    whole = _warc(crawl[:6], gzip_records=True)
    (src / "broken.warc.gz").write_bytes(whole[: len(whole) - 900])  # cut inside its last record
    (src / "txt" / "binary.txt").write_bytes(b"\x00\x01\x02 not text \x00" * 50)
    (src / "html" / "bad.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage, not deflate" * 3)
    (src / "txt" / "empty.txt").write_bytes(b"")
    (src / "txt" / "blank.txt").write_bytes(b"  \n\n")
    (src / "notes.md").write_text("not a document format: skipped in a directory walk")
    (src / ".hidden" / "x.txt").write_text(first.text, encoding="utf-8")
    return src, first.id


@pytest.fixture(scope="module")
def mixed_runs(spark, tmp_path_factory):
    """The mixed corpus (and a missing file) through the local engine (Python API) and the Spark engine
    (the command line, with --master): (root, source dir, first id, local summary, local problems, CLI result)."""
    root = tmp_path_factory.mktemp("mixed")
    src, first = _mixed_corpus(root)
    inputs = [str(src), str(root / "missing.txt")]
    problems: list = []
    loc = local.run_dedup(inputs, root / "local", DedupConfig(),
                          local.DedupOptions(quiet=True, on_problem=problems.append))
    result = CliRunner().invoke(dedup, [*inputs, "--out", str(root / "spark"), "--engine", "spark",
                                        "--master", spark.sparkContext.master, "-q"], catch_exceptions=False)
    return root, src, first, loc, problems, result


def test_txt_html_warc_inputs_give_the_local_engines_map_and_data(mixed_runs):
    root, src, first, loc, _, result = mixed_runs
    assert result.exit_code == 0, result.output
    spk = json.loads((root / "spark" / "summary.json").read_text())
    a = _cluster_rows(root / "local" / "clusters.parquet")
    b = _cluster_rows(root / "spark" / "clusters")
    assert len(a) == loc.documents > 150
    assert a == b  # same id, source, locator, group, kept, relation, score, in the same order
    by_group: dict[str, set[str]] = {}
    for row in a:
        name = Path(row["source"]).name
        by_group.setdefault(row["group"], set()).add(name.split(".", 1)[1] if "." in name else name)
    planted = next(kinds for group, kinds in by_group.items() if {"jsonl", "txt", "htm"} <= kinds)
    assert {"jsonl", "txt", "htm", "html.gz", "warc.gz", "warc"} <= planted  # one group across every format
    assert sum(len(kinds) > 1 for kinds in by_group.values()) > 5  # synthetic copies cross formats too
    assert any(r["source"].endswith("[page 1].html") for r in a)
    for key in ("documents", "kept", "removed", "groups", "largest_group", "relations", "problems", "files",
                "candidate_pairs", "verified_pairs", "duplicate_ids", "extraction_fallbacks"):
        assert spk[key] == getattr(loc, key), key
    assert spk["options"]["master"] == "local[2]"
    data = root / "local" / "data"  # local: a.jsonl, documents.jsonl (txt/html), one .jsonl per WARC
    warc_names = ["broken.jsonl", "crawl.jsonl", "z-crawl.jsonl"]  # input order
    assert sorted(p.name for p in data.iterdir()) == sorted(["a.jsonl", "documents.jsonl", *warc_names])
    assert _spark_data(root / "spark" / "data" / "jsonl") == (data / "a.jsonl").read_bytes()
    assert _spark_data(root / "spark" / "data" / "documents") == (data / "documents.jsonl").read_bytes()
    assert _spark_data(root / "spark" / "data" / "warc") == b"".join((data / n).read_bytes() for n in warc_names)
    assert spk["outputs"] == {"data/jsonl": loc.outputs["a.jsonl"], "data/documents": loc.outputs["documents.jsonl"],
                              "data/warc": sum(loc.outputs[n] for n in warc_names)}
    record = json.loads((data / "documents.jsonl").read_text().splitlines()[0])
    assert sorted(record) == ["date", "id", "source", "text", "title", "url"]


def test_truncated_warc_and_undecodable_files_are_reported_and_the_rest_survive(mixed_runs):
    root, src, _, loc, problems, _ = mixed_runs
    errors = [json.loads(line) for p in sorted((root / "spark" / "errors").glob("part-*"))
              for line in p.read_text().splitlines()]
    got = [(e["source"], e["locator"], e["reason"]) for e in errors]
    assert got == [(p.source, p.locator, p.reason) for p in problems]  # the same problems, in reading order
    reasons = {Path(source).name: reason for source, _, reason in got}
    assert reasons["broken.warc.gz"].startswith("truncated gzip stream after record")
    assert reasons["bad.html.gz"].startswith("corrupt gzip stream")
    assert reasons["binary.txt"] == "binary content, not text"
    assert reasons["empty.txt"] == "empty file" and reasons["blank.txt"] == "blank file (whitespace only)"
    assert reasons["z-crawl.warc"] == "skipped 1 non-HTML record (image/png 1)"
    assert reasons["missing.txt"] == "no such file or directory"
    summary = json.loads((root / "spark" / "summary.json").read_text())
    assert summary["problems"] == loc.problems == {"records": 0, "files": 7}
    rows = _cluster_rows(root / "spark" / "clusters")
    survived = [r for r in rows if r["source"].endswith("broken.warc.gz")]
    assert 0 < len(survived) < 6  # the intact records before the cut
    assert not any(Path(r["source"]).name in ("binary.txt", "bad.html.gz", "notes.md", "x.txt") for r in rows)


# -- --master ---------------------------------------------------------------------------------------------

def _jsonl(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "a few words of text in one line"}) + "\n", encoding="utf-8")
    return src


def test_master_option_reaches_the_spark_engine(tmp_path, monkeypatch):
    calls: list = []
    monkeypatch.setattr("storytrace.cli.dedup.load_engine",
                        lambda name: lambda *args, **kwargs: calls.append((name, args, kwargs)))
    src = _jsonl(tmp_path)
    run = CliRunner().invoke
    for master in ("local[3]", "spark://head:7077", "yarn", "k8s://https://api:6443", "local[*]"):
        result = run(dedup, [str(src), "--out", str(tmp_path / "o"), "--engine", "spark", "--master", master, "-q"])
        assert result.exit_code == 0, result.output
        name, args, kwargs = calls.pop()
        assert name == "spark" and kwargs == {"spark": {"master": master}}
        assert spark_options(kwargs["spark"]).master == master  # run_dedup's ``spark`` argument
    assert run(dedup, [str(src), "--out", str(tmp_path / "o"), "--engine", "spark", "-q"]).exit_code == 0
    assert calls.pop()[2] == {}  # no flag: $STORYTRACE_SPARK_MASTER or spark-submit's decide
    for bad in ("local[two]", "local[0]", "yarn-cluster", "", " local"):
        result = run(dedup, [str(src), "--out", str(tmp_path / "o"), "--engine", "spark", "--master", bad])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, bad
        assert "is not a Spark master URL" in result.stderr
    assert calls == [] and not (tmp_path / "o").exists()


def test_master_option_is_refused_with_the_local_engine(tmp_path):
    src = _jsonl(tmp_path)
    result = CliRunner().invoke(dedup, [str(src), "--out", str(tmp_path / "o"), "--master", "local[2]"])
    assert result.exit_code == 2
    assert result.stderr == "storytrace: --master applies to --engine spark only (this run uses --engine local)\n"
    assert not (tmp_path / "o").exists()


def test_master_flag_before_environment_before_spark_submit(monkeypatch):
    monkeypatch.setenv("STORYTRACE_SPARK_MASTER", "local[3]")
    assert resolve_master("yarn", "spark://submitted:7077") == "yarn"
    assert resolve_master(None, "spark://submitted:7077") == "local[3]"
    monkeypatch.delenv("STORYTRACE_SPARK_MASTER")
    assert resolve_master(None, "spark://submitted:7077") == "spark://submitted:7077"
    assert resolve_master(None, None) == "local[*]"
    assert check_master("local-cluster[2, 1, 1024]") == "local-cluster[2, 1, 1024]"
    with pytest.raises(ValueError, match="not a Spark master URL"):
        run_dedup(["in.jsonl"], "out", options=SparkOptions(master="local[x]"))  # before any session starts
