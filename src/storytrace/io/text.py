"""Plain-text files: one record per file (``.txt``, ``.md`` and any unknown text extension)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from ..records import BodyKind, RawRecord, ReadProblem
from .base import ReaderOptions, ReadResult, decode_text, read_limited, whole_file_problem


def read_text(source: str, stream: BinaryIO, options: ReaderOptions) -> Iterator[ReadResult]:
    """Yield the whole stream as one text record, or the reason it is not usable text."""
    return read_whole_file(source, stream, options, "text", decode_text)


def read_whole_file(source: str, stream: BinaryIO, options: ReaderOptions, kind: BodyKind,
                    decode: Callable[[bytes], str]) -> Iterator[ReadResult]:
    """One record of ``kind`` from a whole file (text and HTML share this), or why it is unusable."""
    data = read_limited(stream, options.max_record_bytes)
    problem = whole_file_problem(source, data, options.max_record_bytes)
    if problem is not None:
        yield problem
        return
    body = decode(data)
    if not body.strip():
        yield ReadProblem(source, "", "blank file (whitespace only)")
        return
    yield RawRecord(source=source, locator="", content=data, kind=kind, body=body)
