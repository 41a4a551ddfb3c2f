"""Long JSONL lines: a ~50 MB line is read; a line over max_record_bytes is skipped, the next one read."""
from __future__ import annotations

import io

import pytest

from storytrace.io.jsonl import iter_lines

MB = 1024 * 1024


def _long_file(text_mb: int) -> bytes:
    body = b"news " * (text_mb * MB // 5)
    return b'{"id": "before", "text": "short"}\n{"id": "big", "text": "' + body + b'"}\n{"id": "after", "text": "tail"}\n'


def test_fifty_megabyte_line_is_read(write, read, split):
    path = write("long.jsonl", _long_file(50))
    recs, probs = split(read(path))
    assert probs == []
    assert [r.record_id for r in recs] == ["before", "big", "after"]
    assert len(recs[1].body) == 50 * MB and recs[1].locator == "line:2"


@pytest.mark.parametrize("codec", [None, "gz"])
def test_line_over_limit_is_skipped_and_reading_goes_on(write, read, split, codec):
    path = write("long.jsonl", _long_file(50), codec)
    recs, probs = split(read(path, max_record_bytes=8 * MB))
    assert [r.record_id for r in recs] == ["before", "after"] and recs[1].locator == "line:3"
    [problem] = probs
    assert problem.locator == "line:2" and problem.reason.startswith("line too long (52428825 bytes > max_record_bytes 8388608)")


@pytest.mark.parametrize(
    ("data", "limit", "expected"),
    [
        (b"abc\nde\r\nf", 3, [(1, b"abc", 3), (2, b"de", 2), (3, b"f", 1)]),
        (b"abcd\nxy\n", 3, [(1, None, 4), (2, b"xy", 2)]),
        (b"abc\r\n", 3, [(1, b"abc", 3)]),
        (b"\n\n", 3, [(1, b"", 0), (2, b"", 0)]),
    ],
)
def test_iter_lines_limits_and_newlines(data, limit, expected):
    assert list(iter_lines(io.BufferedReader(io.BytesIO(data)), limit)) == expected


def test_iter_lines_long_line_across_chunks(monkeypatch):
    import storytrace.io.jsonl as jsonl

    monkeypatch.setattr(jsonl, "LINE_CHUNK", 4)
    data = b"0123456789\n" + b"x" * 30 + b"\nend"
    assert list(iter_lines(io.BufferedReader(io.BytesIO(data)), 20)) == [(1, b"0123456789", 10), (2, None, 30), (3, b"end", 3)]
