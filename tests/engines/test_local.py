"""The local dataset engine: stage functions on arrays, and run_dedup end to end on generated corpora."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from storytrace.bench.dedup import truth_of, ensure_corpus, evaluate
from storytrace.cluster.groups import CANONICAL, R_CONTAINED_IN, R_CONTAINS, R_EXACT, R_NEAR, member_relations
from storytrace.engines.local import DedupOptions, NothingReadable, SourceFile, output_names, run_dedup
from storytrace.fingerprint import DedupConfig
from storytrace.match.verify import CONTAINS, EXACT, NEAR, Edges, apply_wrapper_rule

QUIET = DedupOptions(quiet=True)


def shared_dir() -> Path | None:
    """../shared beside the repository, else /work/shared."""
    for candidate in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


def clusters(out: Path) -> list[dict]:
    """The cluster map rows."""
    return pq.read_table(out / "clusters.parquet").to_pylist()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus with planted copies (exact, wrapped, truncated, excerpts, edits, reordered)."""
    return ensure_corpus(2000, 0, "mixed", tmp_path_factory.mktemp("corpus"), real=False, workers=1)


@pytest.fixture(scope="module")
def corpus_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """run_dedup over the generated corpus (one run shared by several checks)."""
    out = tmp_path_factory.mktemp("run") / "out"
    run_dedup([str(corpus)], out, DedupConfig(), DedupOptions(quiet=True, batch_size=700))
    return out


# -- stage functions ---------------------------------------------------------------------------------

def test_wrapper_rule_turns_exact_into_contains_with_the_page_as_container() -> None:
    relation = np.array([EXACT, NEAR, EXACT, CONTAINS], dtype=np.int8)
    direction = np.array([0, 0, 0, -1], dtype=np.int8)
    wrapped_a = np.array([True, False, False, True])
    wrapped_b = np.array([False, True, False, False])
    rel, dirn = apply_wrapper_rule(relation, direction, wrapped_a, wrapped_b)
    assert rel.tolist() == [CONTAINS, CONTAINS, EXACT, CONTAINS]
    assert dirn.tolist() == [1, -1, 0, -1]  # a wraps b; b wraps a; unchanged; real containment untouched


def test_member_relations_read_member_to_canonical() -> None:
    labels = np.array([0, 0, 0, 3, 3, 5])
    edges = Edges(
        pairs=np.array([[0, 1], [0, 2], [3, 4]]),
        relation=np.array([EXACT, CONTAINS, CONTAINS], dtype=np.int8),
        direction=np.array([0, 1, -1], dtype=np.int8),  # 0 contains 2; 4 contains 3
        score=np.array([1.0, 0.8, 0.9]),
    )
    relation, score, known = member_relations(labels, edges)
    assert relation.tolist() == [CANONICAL, R_EXACT, R_CONTAINED_IN, CANONICAL, R_CONTAINS, CANONICAL]
    assert score.tolist() == [1.0, 1.0, 0.8, 1.0, 0.9, 1.0]
    assert known.all()
    _, _, known = member_relations(np.array([0, 0, 0]), Edges(np.array([[0, 1], [1, 2]]), np.array([NEAR, NEAR], np.int8),
                                                                 np.zeros(2, np.int8), np.ones(2)))
    assert known.tolist() == [True, True, False]  # 2 joined through 1: verified against 0 later
    assert R_NEAR == 2


def test_output_names_mirror_files_and_share_documents_file() -> None:
    files = [SourceFile("a/x.jsonl.gz", "a/x.jsonl.gz", "x.jsonl.gz", kind="jsonl", documents=1),
             SourceFile("b/x.jsonl.gz", "b/x.jsonl.gz", "x.jsonl.gz", kind="jsonl", documents=1),
             SourceFile("d/p.parquet", "d/p.parquet", "sub/p.parquet", kind="parquet", documents=3),
             SourceFile("c.warc.gz", "c.warc.gz", "c.warc.gz", kind="warc", documents=2),
             SourceFile("1.txt", "1.txt", "1.txt", kind="doc", documents=1),
             SourceFile("2.html", "2.html", "2.html", kind="doc", documents=1),
             SourceFile("bad.jsonl", "bad.jsonl", "bad.jsonl")]
    assert output_names(files, None) == ["x.jsonl.gz", "x-2.jsonl.gz", "sub/p.parquet", "c.jsonl",
                                         "documents.jsonl", "documents.jsonl", None]
    assert output_names(files, "parquet")[:4] == ["x.parquet", "x-2.parquet", "sub/p.parquet", "c.parquet"]


# -- quality and the output contract on a generated corpus --------------------------------------------

def test_generated_corpus_groups_match_planted_truth(corpus: Path, corpus_run: Path) -> None:
    meta = [{k: v for k, v in json.loads(line).items() if k != "text"} for line in corpus.open(encoding="utf-8")]
    rows = clusters(corpus_run)
    assert [r["id"] for r in rows] == [m["id"] for m in meta]  # one row per input document, input order
    labels = np.unique(np.array([r["group"] for r in rows]), return_inverse=True)[1].reshape(-1)
    overall = evaluate(labels, truth_of(meta))["overall"]
    assert overall["precision"] >= 0.99 and overall["recall"] >= 0.99, overall
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        canonical = by_id[r["group"]]
        assert canonical["kept"] and canonical["relation"] == "canonical"
        assert r["kept"] == (r["group"] == r["id"])
        assert r["relation"] in ("canonical", "exact", "near_duplicate", "contains", "contained_in")
        assert 0.0 <= r["score"] <= 1.0
    summary = json.loads((corpus_run / "summary.json").read_text())
    assert summary["documents"] == len(rows) and summary["kept"] == sum(r["kept"] for r in rows)
    assert sum(summary["relations"].values()) == len(rows)
    assert (corpus_run / "_SUCCESS").is_file()


def test_jsonl_kept_lines_are_byte_identical(corpus: Path, corpus_run: Path) -> None:
    kept = [r["kept"] for r in clusters(corpus_run)]
    lines = corpus.read_bytes().splitlines(keepends=True)
    expected = b"".join(line for line, k in zip(lines, kept) if k)
    assert sorted(p.name for p in (corpus_run / "data").iterdir()) == [corpus.name]
    assert (corpus_run / "data" / corpus.name).read_bytes() == expected


def test_compressed_jsonl_with_crlf_and_bom_round_trips(tmp_path: Path) -> None:
    raw = ("\ufeff" + json.dumps({"id": "a", "text": "one two three four five six"}) + "\r\n"
           + json.dumps({"id": "b", "text": "one two three four five six"}) + "\r\n"
           + json.dumps({"id": "c", "text": "something else entirely, seven words here"})).encode("utf-8")
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(gzip.compress(raw))
    out = tmp_path / "out"
    summary = run_dedup([str(src)], out, DedupConfig(), QUIET)
    assert summary.kept == 2
    lines = raw.splitlines(keepends=True)
    assert gzip.decompress((out / "data" / "in.jsonl.gz").read_bytes()) == lines[0] + lines[2] + b"\n"


def _parquet_corpus(corpus: Path, path: Path, n: int = 400) -> pa.Table:
    """The first ``n`` documents as Parquet with extra typed columns and schema metadata."""
    rows = [json.loads(line) for _, line in zip(range(n), corpus.open(encoding="utf-8"))]
    table = pa.table({
        "id": [r["id"] for r in rows],
        "text": [r["text"] for r in rows],
        "n": pa.array(list(range(n)), type=pa.int32()),
        "tags": [[r["kind"], r["base"]] for r in rows],
        "published": pa.array(np.datetime64("2024-01-01", "ms") + np.arange(n) * np.timedelta64(1, "D"),
                              type=pa.timestamp("ms")),
    }).replace_schema_metadata({b"origin": b"test"})
    pq.write_table(table, path, compression="zstd", row_group_size=150)
    return table


def test_parquet_round_trip_keeps_schema_and_rows(corpus: Path, tmp_path: Path) -> None:
    _parquet_corpus(corpus, tmp_path / "in.parquet")
    table = pq.read_table(tmp_path / "in.parquet")
    out = tmp_path / "out"
    run_dedup([str(tmp_path / "in.parquet")], out, DedupConfig(), QUIET)
    kept = pa.array([r["kept"] for r in clusters(out)])
    written = pq.read_table(out / "data" / "in.parquet")
    assert written.schema.equals(table.schema, check_metadata=True)
    assert written.equals(table.filter(kept))
    assert 0 < written.num_rows < table.num_rows
    assert pq.ParquetFile(out / "data" / "in.parquet").metadata.row_group(0).column(0).compression == "ZSTD"


def test_output_format_conversions(corpus: Path, tmp_path: Path) -> None:
    table = _parquet_corpus(corpus, tmp_path / "in.parquet", n=200)
    jsonl = tmp_path / "in2.jsonl"
    jsonl.write_bytes(b"".join(line for _, line in zip(range(200), corpus.open("rb"))))
    out = tmp_path / "as_jsonl"
    run_dedup([str(tmp_path / "in.parquet")], out, DedupConfig(), DedupOptions(quiet=True, output_format="jsonl"))
    kept = [r["kept"] for r in clusters(out)]
    rows = [json.loads(line) for line in (out / "data" / "in.jsonl").open(encoding="utf-8")]
    assert [r["id"] for r in rows] == [i for i, k in zip(table.column("id").to_pylist(), kept) if k]
    assert rows[0]["tags"] == table.column("tags")[0].as_py()
    out = tmp_path / "as_parquet"
    run_dedup([str(jsonl)], out, DedupConfig(), DedupOptions(quiet=True, output_format="parquet", map_format="jsonl"))
    kept = [json.loads(line)["kept"] for line in (out / "clusters.jsonl").open(encoding="utf-8")]
    written = pq.read_table(out / "data" / "in2.parquet")
    assert written.column_names == ["id", "text", "base", "kind", "param"]
    assert written.num_rows == sum(kept)


# -- the seed articles: 002 is 000 inside a website's chrome ------------------------------------------

@pytest.fixture(scope="module")
def seed_files() -> dict[str, Path]:
    shared = shared_dir()
    if shared is None or not (shared / "seeds").is_dir():
        pytest.skip("../shared/seeds is not available")
    return {p.name[:3]: p for p in sorted((shared / "seeds").glob("*.txt"))}


def _run_seeds(paths: list[Path], tmp_path: Path, keep: str) -> dict[str, dict]:
    out = tmp_path / f"out-{keep}"
    run_dedup([str(p) for p in paths], out, DedupConfig(), DedupOptions(quiet=True, keep=keep))  # type: ignore[arg-type]
    return {r["id"][:3]: r for r in clusters(out)}


def test_seeds_wrapped_copy_contains_the_article(seed_files: dict[str, Path], tmp_path: Path) -> None:
    rows = _run_seeds(list(seed_files.values()), tmp_path, "canonical")
    assert rows["000"]["group"] == rows["002"]["group"] == rows["000"]["id"]
    assert rows["000"]["kept"] and rows["000"]["relation"] == "canonical"
    assert not rows["002"]["kept"] and rows["002"]["relation"] == "contains"
    assert all(rows[k]["kept"] and rows[k]["relation"] == "canonical" for k in ("001", "003", "004"))
    lines = [json.loads(line) for line in (tmp_path / "out-canonical" / "data" / "documents.jsonl").open()]
    assert [d["id"][:3] for d in lines] == ["000", "001", "003", "004"]
    assert set(lines[0]) == {"id", "text", "source", "title", "date", "url"}


def test_seeds_keep_first_and_longest(seed_files: dict[str, Path], tmp_path: Path) -> None:
    first = _run_seeds([seed_files["002"], seed_files["000"]], tmp_path, "first")
    assert first["002"]["kept"] and first["000"]["group"] == first["002"]["id"]
    assert first["000"]["relation"] == "contained_in"  # the kept page wraps it
    longest = _run_seeds([seed_files["000"], seed_files["002"]], tmp_path, "longest")
    assert longest["002"]["kept"] and not longest["000"]["kept"]
    canonical = _run_seeds([seed_files["002"], seed_files["000"]], tmp_path, "canonical")
    assert canonical["000"]["kept"] and canonical["002"]["relation"] == "contains"


# -- awkward corpora -------------------------------------------------------------------------------------

def _words(rng: np.random.Generator, n: int) -> str:
    return " ".join(f"w{x}" for x in rng.integers(0, 50_000, size=n))


def test_tiny_huge_and_empty_documents(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    huge = "\n".join(_words(rng, 100) + "." for _ in range(14_000))  # ~10 MB, one line of JSON
    docs = [{"id": "empty", "text": ""}, {"id": "blank", "text": "   \n "}, {"id": "one", "text": "Hello"},
            {"id": "one-again", "text": "hello"}, {"id": "punct", "text": "!!!"}, {"id": "huge", "text": huge},
            {"id": "huge-copy", "text": huge + "\nOne more sentence at the end of this copy."},
            {"id": "other", "text": _words(rng, 300)}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    problems: list[str] = []
    summary = run_dedup([str(src)], tmp_path / "out", DedupConfig(),
                        DedupOptions(quiet=True, on_problem=lambda p: problems.append(str(p))))
    rows = {r["id"]: r for r in clusters(tmp_path / "out")}
    assert set(rows) == {"one", "one-again", "huge", "huge-copy", "other"}
    assert rows["one-again"]["group"] == "one" and rows["one-again"]["relation"] == "exact"
    assert rows["huge"]["group"] == "huge-copy" and rows["huge"]["relation"] == "near_duplicate"
    assert rows["other"]["kept"]
    assert summary.problems == {"records": 3, "files": 0} and len(problems) == 3
    assert any("line:1: empty 'text' field" in p for p in problems)
    assert any("line:5: no article text found" in p for p in problems)


def test_thousands_of_identical_boilerplate_documents(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    banner = "We use cookies to improve your experience on our site. By using this site you agree. Accept"
    docs = [{"id": f"b{i}", "text": banner} for i in range(3000)]
    docs += [{"id": f"a{i}", "text": _words(rng, 200) + "\n" + banner} for i in range(50)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    summary = run_dedup([str(src)], tmp_path / "out", DedupConfig(), QUIET)
    rows = clusters(tmp_path / "out")
    assert summary.candidate_pairs < 3050 * 40  # linear, not quadratic
    assert all(r["kept"] for r in rows[3000:])  # articles sharing the banner stay apart
    assert len({r["group"] for r in rows[:3000]}) == 1 and not any(r["kept"] for r in rows[1:3000])
    # the banner-only pages are one group, kept as one page or, when an article carries the banner,
    # represented by that article (they are contained in it)
    assert summary.groups == 1 and summary.kept in (50, 51)
    assert {r["relation"] for r in rows[1:3000]} <= {"exact", "contained_in"}


@pytest.mark.parametrize("mode", ["duplicates", "unique"])
def test_everything_or_nothing_duplicate(mode: str, tmp_path: Path) -> None:
    path = ensure_corpus(1500, 3, mode, tmp_path, real=False, workers=1)
    summary = run_dedup([str(path)], tmp_path / "out", DedupConfig(), QUIET)
    assert summary.documents == 1500 and summary.candidate_pairs < 1500 * 200
    if mode == "unique":
        assert summary.kept >= 1490 and summary.largest_group <= 3
    else:  # one base, 1499 copies: copies that do not verify against the kept copy stay apart (the guard)
        assert summary.kept <= 0.15 * 1500 and summary.largest_group >= 1000


# -- other inputs ----------------------------------------------------------------------------------------

def warc_bytes(pages: list[tuple[str, bytes]]) -> bytes:
    """A WARC (warcio) with one HTML response per (url, body)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for url, body in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    return out.getvalue()


def test_warc_html_and_text_inputs_become_jsonl_records(tmp_path: Path) -> None:
    body = "<p>" + " ".join(f"word{i}" for i in range(120)) + " end of the story here.</p>"
    page = f"<html><head><title>A story</title></head><body><nav>Home News</nav>{body}</body></html>".encode()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crawl.warc").write_bytes(warc_bytes([("https://a.example/1", page),
                                                             ("https://b.example/2", page)]))
    (tmp_path / "in" / "page.html").write_bytes(page)
    (tmp_path / "in" / "note.txt").write_text("A different short note about the weather, nothing more to say.")
    summary = run_dedup([str(tmp_path / "in")], tmp_path / "out", DedupConfig(), QUIET)
    rows = clusters(tmp_path / "out")
    assert summary.documents == 4 and summary.kept == 2
    assert [r["source"] for r in rows][:2] == [str(tmp_path / "in" / "crawl.warc")] * 2
    assert rows[0]["locator"].startswith("record:")
    warc_out = [json.loads(line) for line in (tmp_path / "out" / "data" / "crawl.jsonl").open()]
    assert len(warc_out) == 1 and warc_out[0]["url"] == "https://a.example/1" and "word7" in warc_out[0]["text"]
    docs_out = [json.loads(line) for line in (tmp_path / "out" / "data" / "documents.jsonl").open()]
    assert [d["id"] for d in docs_out] == ["note"]


def test_nothing_readable_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text("not json\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(NothingReadable):
        run_dedup([str(src)], tmp_path / "out", DedupConfig(), QUIET)
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.jsonl"]


def test_output_inside_an_input_directory_is_not_read_back(corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_bytes(b"".join(line for _, line in zip(range(50), corpus.open("rb"))))
    first = run_dedup([str(data)], data / "dedup", DedupConfig(), QUIET)
    again = run_dedup([str(data)], data / "dedup", DedupConfig(), DedupOptions(quiet=True, overwrite=True))
    assert again.documents == first.documents == 50


def test_input_changed_between_passes_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storytrace.engines import local, output

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "some words in a line of text"}) + "\n", encoding="utf-8")
    real = local.dedup_stage

    def touch_then_group(*args, **kwargs):  # type: ignore[no-untyped-def]
        src.write_text(json.dumps({"id": "a", "text": "other words now, and more of them"}) + "\n", encoding="utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(local, "dedup_stage", touch_then_group)
    with pytest.raises(output.InputChanged):
        run_dedup([str(src)], tmp_path / "out", DedupConfig(), QUIET)
    assert not (tmp_path / "out").exists()


def test_stdin_is_spooled_and_named_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [json.dumps({"text": "the same words in both of these lines"}) + "\n"] * 2
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("".join(lines).encode())))
    run_dedup(["-"], tmp_path / "out", DedupConfig(), QUIET)
    rows = clusters(tmp_path / "out")
    assert [r["source"] for r in rows] == ["-", "-"] and rows[1]["relation"] == "exact"
    assert rows[0]["id"].startswith("stdin-")
    assert (tmp_path / "out" / "data" / "stdin.jsonl").read_text() == lines[0]


def test_cleaning_in_worker_processes_gives_the_same_output(corpus: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(line for _, line in zip(range(300), corpus.open("rb"))))
    run_dedup([str(src)], tmp_path / "one", DedupConfig(), QUIET)
    run_dedup([str(src)], tmp_path / "two", DedupConfig(), DedupOptions(quiet=True, workers=2))
    assert clusters(tmp_path / "one") == clusters(tmp_path / "two")
    assert (tmp_path / "one" / "data" / "in.jsonl").read_bytes() == (tmp_path / "two" / "data" / "in.jsonl").read_bytes()
