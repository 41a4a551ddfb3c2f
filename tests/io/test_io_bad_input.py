"""Bad input: each case is one clear ReadProblem naming the file and line/record, and reading goes on."""
from __future__ import annotations

import gzip
import json
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6" + bytes(200)
CP1252_TEXT = "Le président a déclaré mercredi que la réforme était nécessaire – «très» urgente, dit-il. Coût: 10€."
LATIN1_TEXT = "El niño comió piñata en la fiesta de cumpleaños. Según el periódico, la situación mejoró."


@pytest.mark.parametrize("codec", [None, "gz", "zst"])
@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.jsonl", "empty.warc", "empty.parquet"])
def test_empty_file(write, read, split, name, codec):
    path = write(name, b"", codec)
    recs, probs = split(read(path))
    assert recs == [] and [str(p) for p in probs] == [f"{path}: empty file"]


def test_whitespace_only_file(write, read, split):
    _, probs = split(read(write("blank.txt", "  \n\t\n")))
    assert probs[0].reason == "blank file (whitespace only)"


@pytest.mark.parametrize("data", [PNG, random.Random(1).randbytes(5000)], ids=["png", "random"])
@pytest.mark.parametrize("name", ["image.png", "notes.txt", "page.html"])
def test_binary_file(write, read, split, data, name):
    path = write(name, data)
    recs, probs = split(read(path))
    assert recs == [] and [str(p) for p in probs] == [f"{path}: binary content, not text"]


@pytest.mark.parametrize(("text", "encoding"), [(CP1252_TEXT, "cp1252"), (LATIN1_TEXT, "latin-1")])
def test_legacy_encodings_are_decoded_not_rejected(write, read, split, text, encoding):
    recs, probs = split(read(write("legacy.txt", text.encode(encoding))))
    assert probs == [] and recs[0].body == text
    recs, probs = split(read(write("legacy.jsonl", json.dumps({"text": text}, ensure_ascii=False).encode(encoding) + b"\n")))
    assert probs == [] and recs[0].body == text


def test_invalid_utf8_is_decoded(write, read, split):
    data = "Mostly UTF-8: café, naïve. ".encode() + b"\xff\xfe broken \xc3 bytes."
    recs, probs = split(read(write("mixed.txt", data)))
    assert probs == [] and recs[0].body.startswith("Mostly") and "broken" in recs[0].body


def test_utf16_with_bom_is_text_not_binary(write, read, split):
    recs, probs = split(read(write("u16.txt", "Zürich news".encode("utf-16"))))
    assert probs == [] and recs[0].body == "Zürich news"


def _jsonl(n: int) -> bytes:
    return b"".join(json.dumps({"id": i, "text": f"Story number {i}."}).encode() + b"\n" for i in range(n))


@pytest.mark.parametrize(("codec", "name"), [("gz", "gzip"), ("zst", "zstd")])
def test_truncated_compressed_jsonl(write, read, split, codec, name):
    full = write("full.jsonl", _jsonl(40000), codec).read_bytes()  # zstd blocks are 128 KB
    path = write(f"cut.jsonl.{codec}", full[: len(full) // 2])
    recs, probs = split(read(path))
    assert len(recs) > 100 and [r.record_id for r in recs] == [str(i) for i in range(len(recs))]
    [problem] = probs
    assert problem.reason == f"truncated {name} stream"
    assert problem.locator == f"line:{len(recs) + 1}"
    assert str(problem).startswith(f"{path}:line:")


def test_truncated_gz_text_file_keeps_the_recovered_text(write, read, split):
    text = random.Random(3).randbytes(4000).hex()
    path = write("cut.txt.gz", gzip.compress(text.encode())[:2000])
    recs, probs = split(read(path))
    [rec] = recs
    assert len(rec.body) > 1000 and text.startswith(rec.body)
    assert [str(p) for p in probs] == [f"{path}: truncated gzip stream ({len(rec.body)} bytes recovered)"]


SOME_TEXT = b"Some long text here. " * 500  # the issue's example: compresses to 85 bytes


def _trailer_bytes(full: bytes) -> int:
    """Bytes after the compressed data: gzip's CRC and size (8), a zstd frame's checksum (4 or 0)."""
    if full.startswith(b"\x1f\x8b"):
        return 8
    return 4 if zstandard.get_frame_parameters(full).has_checksum else 0


def _compressors():
    """(suffix, codec name, compress) for gzip and zstd (with and without checksum / content size)."""
    return [
        ("gz", "gzip", gzip.compress),
        ("zst", "zstd", zstandard.ZstdCompressor().compress),
        ("zst", "zstd", zstandard.ZstdCompressor(write_checksum=True, write_content_size=False).compress),
    ]


@pytest.mark.parametrize(("suffix", "name", "pack"), _compressors(), ids=["gzip", "zstd", "zstd-checksum"])
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_every_cut_of_a_compressed_document_warns_and_keeps_what_decodes(write, read, split, suffix, name, pack, fmt):
    """Cut at every byte: before the trailer the whole text still decodes, and is kept with the warning."""
    body = SOME_TEXT if fmt == "txt" else b"<html><body><p>" + SOME_TEXT + b"</p></body></html>"
    full = pack(body)
    for cut in range(1, len(full)):
        path = write(f"cut{cut}.{fmt}.{suffix}", full[:cut])
        recs, probs = split(read(path))
        assert [p.reason.split(" (")[0] for p in probs] == [f"truncated {name} stream"], (cut, probs)
        assert str(probs[0]).startswith(f"{path}: truncated {name} stream")
        assert all(body.startswith(r.content) for r in recs), cut
        if recs:
            assert probs[0].reason == f"truncated {name} stream ({len(recs[0].content)} bytes recovered)"
    trailer = _trailer_bytes(full)
    if trailer:  # cut only in the trailer (gzip CRC and size, zstd checksum): all the text is kept
        recs, probs = split(read(write(f"trailer.{fmt}.{suffix}", full[:-trailer])))
        assert [r.content for r in recs] == [body]
        assert [p.reason for p in probs] == [f"truncated {name} stream ({len(body)} bytes recovered)"]


def _records(n: int) -> bytes:
    return b"".join(json.dumps({"id": i, "text": f"Some long text here, story {i}. " * 8}).encode() + b"\n" for i in range(n))


@pytest.mark.parametrize(("suffix", "name", "pack"), _compressors(), ids=["gzip", "zstd", "zstd-checksum"])
def test_jsonl_cut_before_the_trailer_keeps_every_record(write, read, split, suffix, name, pack):
    data = _records(30)
    full = pack(data)
    for cut in sorted({len(full) - 1, len(full) - 4, len(full) * 3 // 4, len(full) // 2, 12}):
        path = write(f"c{cut}.jsonl.{suffix}", full[:cut])
        recs, probs = split(read(path))
        assert [r.record_id for r in recs] == [str(i) for i in range(len(recs))]
        where = f"line:{len(recs) + 1}" if recs else ""  # a cut before the first line: the whole file
        assert [(p.locator, p.reason) for p in probs] == [(where, f"truncated {name} stream")], cut
    trailer = _trailer_bytes(full)
    if trailer:  # only the trailer (gzip CRC and size, zstd checksum) is missing: every record decodes
        recs, probs = split(read(write("end.jsonl." + suffix, full[:-trailer])))
        assert len(recs) == 30 and [(p.locator, p.reason) for p in probs] == [("line:31", f"truncated {name} stream")]


@pytest.mark.parametrize(("suffix", "name", "pack"), _compressors()[:2], ids=["gzip", "zstd"])
def test_cut_in_a_later_member_or_frame(write, read, split, suffix, name, pack):
    """Concatenated members/frames (``cat a.gz b.gz``): a cut in the second one, even inside its
    magic number, is a truncation; a cut exactly between two members cannot be seen and is none."""
    one, two = pack(_records(5)), pack(_records(7)[len(_records(5)):])
    for extra in (1, 2, 3, 10, len(two) // 2, len(two) - 1):
        recs, probs = split(read(write(f"m{extra}.jsonl.{suffix}", one + two[:extra])))
        assert len(recs) >= 5 and [p.reason for p in probs] == [f"truncated {name} stream"], extra
    recs, probs = split(read(write(f"m0.jsonl.{suffix}", one)))
    assert len(recs) == 5 and probs == []
    recs, probs = split(read(write(f"both.jsonl.{suffix}", one + two)))
    assert len(recs) == 7 and probs == []


@pytest.mark.parametrize(("suffix", "name", "magic"), [("gz", "gzip", b"\x1f\x8b"), ("zst", "zstd", b"\x28\xb5\x2f\xfd")])
@pytest.mark.parametrize("fmt", ["txt", "jsonl", "warc"])
def test_file_cut_inside_its_magic_number(write, read, split, suffix, name, magic, fmt):
    for k in range(1, len(magic)):
        path = write(f"tiny{k}.{fmt}.{suffix}", magic[:k])
        recs, probs = split(read(path))
        assert recs == [] and [str(p) for p in probs] == [f"{path}: truncated {name} stream"]


def test_empty_compressed_members_are_not_a_truncation(write, read, split):
    recs, probs = split(read(write("e.txt.gz", gzip.compress(b"") + gzip.compress(b"Some text.") + gzip.compress(b""))))
    assert [r.body for r in recs] == ["Some text."] and probs == []
    recs, probs = split(read(write("e.txt.gz", gzip.compress(b""))))
    assert recs == [] and [p.reason for p in probs] == ["empty file"]


def test_cut_text_on_stdin_is_kept_with_the_warning(read, split, stdin):
    stdin(gzip.compress(SOME_TEXT)[:-8])
    recs, probs = split(read("-"))
    assert [r.body for r in recs] == [SOME_TEXT.decode()]
    assert [str(p) for p in probs] == [f"-: truncated gzip stream ({len(SOME_TEXT)} bytes recovered)"]


def test_corrupt_gzip(write, read, split):
    data = bytearray(gzip.compress(_jsonl(50)))
    data[len(data) // 2] ^= 0xFF
    recs, probs = split(read(write("bad.jsonl.gz", bytes(data))))
    assert len(probs) == 1 and probs[0].reason.startswith("corrupt gzip stream")


def test_multi_member_gzip_and_multi_frame_zstd(write, read, split):
    one, two = _jsonl(3), b'{"text": "second member"}\n'
    recs, probs = split(read(write("mm.jsonl.gz", gzip.compress(one) + gzip.compress(two))))
    assert probs == [] and len(recs) == 4
    cz = zstandard.ZstdCompressor()
    recs, probs = split(read(write("mf.jsonl.zst", cz.compress(one) + cz.compress(two))))
    assert probs == [] and len(recs) == 4


def test_jsonl_bad_lines_are_reported_and_skipped(write, read, split):
    path = write("feed.jsonl", '{"id": 1, "text": "one"}\n{"id": 2, "text": "two"}\n{"id": 3, "text": \n{"id": 4, "body2": "x"}\n[1, 2]\n{"id": 6, "text": "six"}\n')
    recs, probs = split(read(path))
    assert [r.record_id for r in recs] == ["1", "2", "6"]
    assert [str(p) for p in probs] == [
        f"{path}:line:3: invalid JSON: Expecting value at column 19",
        f"{path}:line:4: no 'text' field",
        f"{path}:line:5: not a JSON object (got array)",
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [('"just a string"', "not a JSON object (got string)"), ("42", "not a JSON object (got number)"),
     ('{"text": null}', "null 'text' field"), ('{"text": ["a"]}', "'text' field is not a string (got array)"),
     ('{"text": "   "}', "empty 'text' field"), ("{'text': 'single quotes'}", "invalid JSON: Expecting property name enclosed in double quotes at column 2")],
)
def test_jsonl_line_problems(write, read, split, line, reason):
    _, probs = split(read(write("x.jsonl", line + "\n")))
    assert [(p.locator, p.reason) for p in probs] == [("line:1", reason)]


def test_missing_html_field_names_both_fields(write, read, split):
    _, probs = split(read(write("x.jsonl", '{"foo": 1}\n'), html_field="html"))
    assert probs[0].reason == "no 'html' or 'text' field"


def test_warc_with_only_non_html_records(write, read, split, make_warc):
    specs = [{"content_type": "image/jpeg", "body": b"\xff\xd8\xff"}, {"content_type": "application/pdf", "body": b"%PDF"}]
    path = write("media.warc", make_warc(specs))
    recs, probs = split(read(path))
    assert recs == [] and [str(p) for p in probs] == [f"{path}: skipped 2 non-HTML records (image/jpeg 1, application/pdf 1)"]


def test_corrupt_warc(write, read, split, make_warc):
    data = make_warc([{"url": "https://x/1"}, {"url": "https://x/2"}, {"url": "https://x/3"}])
    second = data.index(b"WARC/1", data.index(b"https://x/1"))
    path = write("bad.warc", data[:second] + b"GARBAGE" + data[second + 7:])
    recs, probs = split(read(path))
    assert [r.url for r in recs] == ["https://x/1"]
    [problem] = probs
    assert problem.reason.startswith(f"corrupt WARC after record {recs[0].record_id}: ")


def test_not_a_warc(write, read, split):
    _, probs = split(read(write("fake.warc", "this is not a WARC file\n" * 3)))
    assert len(probs) == 1 and probs[0].reason.startswith("corrupt WARC at the start of the file")


@pytest.mark.parametrize("per_record", [True, False])
def test_truncated_warc_gz(write, read, split, make_warc, per_record):
    specs = [{"url": f"https://x/{i}", "body": f"<html><body>{random.Random(i).randbytes(3000).hex()}</body></html>".encode()} for i in range(6)]
    data = make_warc(specs, gzip_records=per_record)
    data = data if per_record else gzip.compress(data)
    path = write("cut.warc.gz", data[: int(len(data) * 0.7)])
    recs, probs = split(read(path))
    assert 1 <= len(recs) < 6 and [r.url for r in recs] == [f"https://x/{i}" for i in range(len(recs))]
    [problem] = probs
    assert problem.reason.startswith("truncated gzip stream")


def test_truncated_plain_warc(write, read, split, make_warc):
    data = make_warc([{"url": f"https://x/{i}", "body": b"<html>" + b"y" * 2000 + b"</html>"} for i in range(3)])
    path = write("cut.warc", data[: data.index(b"y" * 2000, data.index(b"https://x/2")) + 500])
    recs, probs = split(read(path))
    assert [r.url for r in recs] == ["https://x/0", "https://x/1"]
    assert len(probs) == 1 and probs[0].reason.startswith("truncated record") and probs[0].locator.startswith("record:")


def test_parquet_without_text_column(write, read, split):
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"id": [1], "headline": ["h"], "words": ["w"]}), sink)
    path = write("cols.parquet", sink.getvalue().to_pybytes())
    recs, probs = split(read(path))
    assert recs == [] and [str(p) for p in probs] == [f"{path}: no 'text' column (columns: id, headline, words)"]


def test_parquet_null_text_row(write, read, split):
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": ["a", None, "c"]}), sink)
    recs, probs = split(read(write("n.parquet", sink.getvalue().to_pybytes())))
    assert [r.body for r in recs] == ["a", "c"] and [(p.locator, p.reason) for p in probs] == [("row:1", "null 'text' field")]


@pytest.mark.parametrize("data", [b"PAR1 but not really parquet", b"plain words"])
def test_not_a_parquet_file(write, read, split, data):
    _, probs = split(read(write("bad.parquet", data)))
    assert len(probs) == 1 and probs[0].reason.startswith("not a readable Parquet file")


def test_truncated_parquet(write, read, split):
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": [f"row {i}" for i in range(100)]}), sink)
    data = sink.getvalue().to_pybytes()
    _, probs = split(read(write("cut.parquet", data[: len(data) - 20])))
    assert len(probs) == 1 and probs[0].reason.startswith("not a readable Parquet file")


def test_missing_path(read, split, tmp_path):
    path = tmp_path / "nowhere" / "x.jsonl"
    _, probs = split(read(path))
    assert [str(p) for p in probs] == [f"{path}: no such file or directory"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(write, read, split):
    path = write("secret.txt", "x")
    path.chmod(0)
    _, probs = split(read(path))
    assert probs[0].reason == "permission denied"


def test_file_over_the_size_limit(write, read, split):
    _, probs = split(read(write("big.txt", "x" * 2000), max_record_bytes=1000))
    assert "file larger than max_record_bytes" in probs[0].reason


def test_problems_in_one_file_do_not_stop_the_next(write, read, split, make_warc):
    paths = [write("a.png", PNG), write("b.jsonl", "nope\n"), write("c.warc", b"junk"), write("d.txt", "Final.")]
    recs, probs = split(read(paths))
    assert [r.body for r in recs] == ["Final."] and len(probs) == 3


def test_gzip_zero_padding_is_ignored_and_trailing_garbage_reported(write, read, split):
    recs, probs = split(read(write("pad.jsonl.gz", gzip.compress(_jsonl(3)) + bytes(512))))
    assert probs == [] and len(recs) == 3
    recs, probs = split(read(write("junk.jsonl.gz", gzip.compress(_jsonl(3)) + b"trailing junk")))
    assert len(recs) == 3 and [p.reason for p in probs] == ["corrupt gzip stream: unexpected data after the end of the stream"]
