"""Plain-text files: one record per file (``.txt``, ``.md`` and any unknown text extension)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from ..records import BodyKind, RawRecord, ReadProblem
from .base import ReaderOptions, ReadResult, decode_text, read_recovering, truncation_reason, whole_file_problem


def read_text(source: str, stream: BinaryIO, options: ReaderOptions) -> Iterator[ReadResult]:
    """Yield the whole stream as one text record, or the reason it is not usable text."""
    return read_whole_file(source, stream, options, "text", decode_text)


def read_whole_file(source: str, stream: BinaryIO, options: ReaderOptions, kind: BodyKind,
                    decode: Callable[[bytes], str]) -> Iterator[ReadResult]:
    """One record of ``kind`` from a whole file (text and HTML share this), or why it is unusable.

    A compressed file cut short keeps the text decoded before the cut: the record, then one
    "truncated gzip stream (N bytes recovered)" problem for the file.
    """
    data, cut = read_recovering(stream, options.max_record_bytes)
    if data or cut is None:  # nothing recovered from a cut file: the truncation alone says it
        yield from _whole_file_result(source, data, options, kind, decode)
    if cut is not None:
        yield ReadProblem(source, "", truncation_reason(cut, len(data)))


def _whole_file_result(source: str, data: bytes, options: ReaderOptions, kind: BodyKind,
                       decode: Callable[[bytes], str]) -> Iterator[ReadResult]:
    """The record of a whole file's bytes, or the one problem that makes them unusable."""
    problem = whole_file_problem(source, data, options.max_record_bytes)
    if problem is not None:
        yield problem
        return
    body = decode(data)
    if not body.strip():
        yield ReadProblem(source, "", "blank file (whitespace only)")
        return
    yield RawRecord(source=source, locator="", content=data, kind=kind, body=body)
