"""Paths: directories (recursive), stdin (sniffed or forced), several files in one run, stats."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

import storytrace
from storytrace.io import ReaderOptions, ReadStats, read_paths


def test_directories_are_read_recursively_in_sorted_order(write, read, split, tmp_path):
    write("corpus/b.txt", "B text.")
    write("corpus/a/deep/c.html", "<p>C</p>")
    write("corpus/a/one.jsonl", '{"text": "A1"}\n{"text": "A2"}\n')
    write("corpus/.hidden.txt", "hidden")
    write("corpus/.git/x.txt", "hidden too")
    recs, probs = split(read(tmp_path / "corpus"))
    assert probs == []
    assert [r.body for r in recs] == ["<p>C</p>", "A1", "A2", "B text."]


def test_empty_directory_is_one_problem(read, split, tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / ".only-hidden").write_text("x")
    _, probs = split(read(tmp_path / "empty"))
    assert [str(p) for p in probs] == [f"{tmp_path / 'empty'}: directory has no readable files"]


def test_several_paths_and_problems_do_not_stop_the_run(write, read, split, tmp_path):
    good = write("good.txt", "Good.")
    recs, probs = split(read([tmp_path / "missing.txt", write("empty.txt", b""), good]))
    assert [r.body for r in recs] == ["Good."]
    assert [str(p) for p in probs] == [f"{tmp_path / 'missing.txt'}: no such file or directory", f"{tmp_path / 'empty.txt'}: empty file"]


def test_stats_count_files_records_and_problems(write, tmp_path):
    stats = ReadStats()
    paths = [str(write("a.jsonl", '{"text": "x"}\nnot json\n')), str(tmp_path / "nope")]
    results = list(read_paths(paths, ReaderOptions(), stats))
    assert (stats.files, stats.records, stats.problems) == (2, 1, 2) and len(results) == 3


@pytest.mark.parametrize(
    ("data", "kind", "body"),
    [
        (b'{"id": 1, "text": "from stdin"}\n', "text", "from stdin"),
        (b"<html><body><p>Page</p></body></html>", "html", "<html><body><p>Page</p></body></html>"),
        (b"Plain words on stdin.", "text", "Plain words on stdin."),
        (gzip.compress(b'{"text": "zipped"}\n', mtime=0), "text", "zipped"),
    ],
    ids=["jsonl", "html", "txt", "jsonl.gz"],
)
def test_stdin_is_sniffed(stdin, read, split, data, kind, body):
    stdin(data)
    recs, probs = split(read("-"))
    assert probs == [] and [(r.source, r.kind, r.body) for r in recs] == [("-", kind, body)]


@pytest.mark.parametrize("zipped", [False, True])
def test_stdin_warc_is_sniffed(stdin, read, split, make_warc, zipped):
    data = make_warc([{"url": "https://x/1"}, {"url": "https://x/2"}])
    stdin(gzip.compress(data) if zipped else data)
    recs, probs = split(read("-"))
    assert probs == [] and [r.url for r in recs] == ["https://x/1", "https://x/2"]


def test_stdin_parquet_is_spooled(stdin, read, split):
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": ["p0", "p1"]}), sink)
    stdin(sink.getvalue().to_pybytes())
    recs, probs = split(read("-"))
    assert probs == [] and [(r.locator, r.body) for r in recs] == [("row:0", "p0"), ("row:1", "p1")]


def test_stdin_forced_format(stdin, read, split):
    stdin(b'{"text": "not parsed as JSON"}')
    recs, _ = split(read("-", input_format="txt"))
    assert recs[0].body == '{"text": "not parsed as JSON"}' and recs[0].kind == "text"


def test_forced_format_overrides_extension(write, read, split):
    recs, _ = split(read(write("data.txt", '{"text": "a"}\n'), input_format="jsonl"))
    assert recs[0].body == "a" and recs[0].locator == "line:1"


def test_unknown_forced_format_is_a_problem(write, read, split):
    _, probs = split(read(write("a.txt", "x"), input_format="pdf"))
    assert "unknown input format 'pdf'" in probs[0].reason


def test_empty_stdin(stdin, read, split):
    stdin(b"")
    _, probs = split(read("-"))
    assert [str(p) for p in probs] == ["-: empty file"]


def test_stdin_through_a_real_pipe(tmp_path):
    src = Path(storytrace.__file__).resolve().parents[1]
    code = ("from storytrace.io import read_paths\n"
            "for r in read_paths(['-']): print(getattr(r, 'locator', ''), getattr(r, 'body', r))")
    env = {**os.environ, "PYTHONPATH": str(src)}
    data = gzip.compress(b'{"text": "one"}\n{"text": "two"}\n')
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, env=env, check=True, timeout=60)
    assert out.stdout.decode().splitlines() == ["line:1 one", "line:2 two"]


def test_stats_count_skipped_warc_records(write, make_warc):
    stats = ReadStats()
    data = make_warc([{"url": "https://x/1"}, {"type": "request", "body": b"GET / HTTP/1.1\r\n\r\n"},
                      {"content_type": "image/gif", "body": b"GIF89a"}])
    results = list(read_paths([str(write("s.warc", data))], ReaderOptions(), stats))
    assert stats.records == 1 and stats.problems == 1 and len(results) == 2
    assert stats.skipped == {"warc warcinfo": 1, "warc request": 1, "warc image/gif": 1}
