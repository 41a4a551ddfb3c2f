"""Cut compressed files (issue #14, item 4): every reader warns "truncated" in one line naming the
file and keeps the records decoded before the cut; the CLI prints that line and exits 0."""
from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from storytrace.io.warc import native_warc

PAGE = b"<html><body><p>" + b"Some long text here. " * 200 + b"</p></body></html>"
SPECS = [{"url": f"https://x/{i}", "body": PAGE.replace(b"Some", f"Page {i}: some".encode(), 1)} for i in range(4)]


def _per_record_zstd(plain: bytes) -> bytes:
    """A WARC with one zstd frame per record (as .warc.zst writers do, without a dictionary)."""
    starts = [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", plain)] + [len(plain)]
    cz = zstandard.ZstdCompressor()
    return b"".join(cz.compress(plain[a:b]) for a, b in zip(starts, starts[1:]))


def _layouts(make_warc):
    """(name, data, codec) of one archive compressed four ways."""
    plain = make_warc(SPECS)
    return [
        ("gzip per record", make_warc(SPECS, gzip_records=True), "gzip"),
        ("gzip whole file", gzip.compress(plain), "gzip"),
        ("zstd per record", _per_record_zstd(plain), "zstd"),
        ("zstd whole file", zstandard.ZstdCompressor(write_checksum=True).compress(plain), "zstd"),
    ]


@pytest.mark.parametrize("layout", range(4), ids=["gz-records", "gz-whole", "zst-records", "zst-whole"])
def test_every_cut_of_a_compressed_warc_is_reported_and_keeps_earlier_records(write, read, split, make_warc, layout):
    name, data, codec = _layouts(make_warc)[layout]
    recs, probs = split(read(write("full.warc." + codec[:2].replace("zs", "zst"), data)))
    assert len(recs) == 4 and probs == []
    suffix = "gz" if codec == "gzip" else "zst"
    silent = []
    for cut in range(1, len(data), 3):
        path = write(f"c{cut}.warc.{suffix}", data[:cut])
        recs, probs = split(read(path))
        assert [r.url for r in recs] == [f"https://x/{i}" for i in range(len(recs))], (name, cut)
        assert all(r.body == SPECS[i]["body"].decode() for i, r in enumerate(recs)), (name, cut)
        truncated = [p for p in probs if p.reason.startswith(f"truncated {codec} stream")]
        if not truncated:
            silent.append(cut)
            continue
        assert len(truncated) == 1 and truncated[0].source == str(path) and "\n" not in str(truncated[0])
        if recs:
            assert truncated[0].reason == f"truncated {codec} stream after record {recs[-1].record_id}"
    # A cut exactly between two members leaves a well-formed shorter archive: nothing to see there.
    assert len(silent) <= 4, (name, silent)
    if "whole" in name:
        assert silent == []


def test_whole_file_gzip_warc_cut_in_its_trailer_keeps_every_record(write, read, split, make_warc):
    """The case issue #14 found: the data decodes, only the CRC/size trailer is missing."""
    data = gzip.compress(make_warc(SPECS))
    path = write("trailer.warc.gz", data[:-8])
    recs, probs = split(read(path))
    assert len(recs) == 4
    assert [str(p) for p in probs] == [f"{path}: truncated gzip stream after record {recs[-1].record_id}"]


def test_native_fastwarc_only_for_per_record_compression(write, make_warc):
    plain = make_warc(SPECS)
    assert native_warc(str(write("a.warc.gz", make_warc(SPECS, gzip_records=True))))
    assert native_warc(str(write("b.warc.zst", _per_record_zstd(plain))))
    assert not native_warc(str(write("c.warc.gz", gzip.compress(plain + b"\n" * 200_000))))
    assert not native_warc(str(write("d.warc.zst", zstandard.ZstdCompressor().compress(plain))))


def test_cut_warc_on_stdin(read, split, stdin, make_warc):
    data = make_warc(SPECS, gzip_records=True)
    stdin(data[: len(data) - 100])
    recs, probs = split(read("-"))
    assert [r.url for r in recs] == ["https://x/0", "https://x/1", "https://x/2"]
    assert [p.reason for p in probs] == [f"truncated gzip stream after record {recs[-1].record_id}"]


def test_cut_compressed_parquet_is_one_truncation(write, read, split):
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": [f"row {i}" for i in range(100)]}), sink)
    data = gzip.compress(sink.getvalue().to_pybytes())
    path = write("cut.parquet.gz", data[:-8])
    recs, probs = split(read(path))  # Parquet's footer is at the end: a cut file has no readable rows
    assert recs == [] and [str(p) for p in probs] == [f"{path}: truncated gzip stream"]


def _storytrace(*args: str) -> subprocess.CompletedProcess[bytes]:
    exe = Path(sys.executable).with_name("storytrace")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.run([str(exe), *args], capture_output=True, timeout=300, env=env)


@pytest.mark.parametrize(("suffix", "pack", "codec"), [
    ("jsonl.gz", gzip.compress, "gzip"), ("jsonl.zst", zstandard.ZstdCompressor(write_checksum=True).compress, "zstd"),
])
def test_analyze_prints_one_truncated_line_and_exits_zero(tmp_path, suffix, pack, codec):
    lines = b"".join(
        json.dumps({"id": f"s{i}", "text": f"Story {i}: the harbour council voted on the new budget. " * 10}).encode() + b"\n"
        for i in range(20)
    )
    path = tmp_path / f"feed.{suffix}"
    path.write_bytes(pack(lines)[:-4])  # cut in the trailer: every record still decodes
    done = _storytrace("analyze", "--quiet", "--format", "json", str(path))
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.decode().splitlines() if "truncated" in line]
    assert warnings == [f"storytrace: {path}:line:21: truncated {codec} stream"]
    assert len(json.loads(done.stdout)["documents"]) == 20


def test_analyze_cut_text_file_keeps_the_document(tmp_path):
    path = tmp_path / "story.txt.gz"
    text = b"Some long text here. " * 500  # the example
    path.write_bytes(gzip.compress(text)[:-8])
    done = _storytrace("analyze", "--quiet", "--format", "json", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().splitlines() == [f"storytrace: {path}: truncated gzip stream ({len(text)} bytes recovered)"]
    assert len(json.loads(done.stdout)["documents"]) == 1


@pytest.mark.parametrize("final_newline", [False, True])
@pytest.mark.parametrize("last_line_chars", [20, 300_000])  # a last line shorter and longer than one read chunk
@pytest.mark.parametrize("cut", [4, 8])  # inside the gzip trailer: every record decoded
def test_jsonl_cut_in_the_trailer_keeps_every_record(tmp_path, final_newline: bool, last_line_chars: int,
                                                     cut: int) -> None:
    import gzip
    import json

    from storytrace.io import read_path
    from storytrace.records import RawRecord

    lines = [json.dumps({"id": f"r{i}", "text": "y" * (last_line_chars if i == 29 else 20) + f" {i}"}) for i in range(30)]
    data = gzip.compress(("\n".join(lines) + ("\n" if final_newline else "")).encode())
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(data[:-cut])
    out = list(read_path(str(path)))
    records = [r for r in out if isinstance(r, RawRecord)]
    problems = [str(r) for r in out if not isinstance(r, RawRecord)]
    assert [r.record_id for r in records] == [f"r{i}" for i in range(30)]
    assert len(records[-1].body) == last_line_chars + 3
    assert len(problems) == 1 and "truncated" in problems[0] and str(path) in problems[0]
