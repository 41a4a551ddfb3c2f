"""HTML files: one record per file, ``kind="html"``; extraction is the cleaner's business."""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ..records import RawRecord, ReadProblem
from .base import ReaderOptions, ReadResult, decode_html, read_limited, whole_file_problem


def read_html(source: str, stream: BinaryIO, options: ReaderOptions) -> Iterator[ReadResult]:
    """Yield the whole stream as one HTML record (charset from BOM, UTF-8, <meta> or detection)."""
    data = read_limited(stream, options.max_record_bytes)
    problem = whole_file_problem(source, data, options.max_record_bytes)
    if problem is not None:
        yield problem
        return
    body = decode_html(data)
    if not body.strip():
        yield ReadProblem(source, "", "blank file (whitespace only)")
        return
    yield RawRecord(source=source, locator="", content=data, kind="html", body=body)
