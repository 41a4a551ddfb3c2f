"""Input readers: files, directories and stdin to a stream of RawRecord / ReadProblem.

``read_paths(paths, options)`` is the entry point. The format comes from ``options.input_format``, else
the extension under any .gz/.zst/.zstd suffix (``detect_format``), else, on stdin, the first bytes.
Per-file and per-record problems are yielded as ReadProblem and reading goes on; nothing raises.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from ..records import RawRecord, ReadProblem
from .base import (
    FORMATS,
    DecompressingReader,
    NativeReaderFunc,
    ReaderFunc,
    ReaderOptions,
    ReadResult,
    ReadStats,
    detect_format,
    file_records_from,
    opened,
    os_error_reason,
    sniff_format,
    stream_error_reason,
)
from .html import read_html
from .jsonl import FALLBACK_TEXT_FIELDS, read_jsonl
from .parquet import read_parquet
from .text import read_text
from .warc import native_warc, read_warc

__all__ = [
    "FALLBACK_TEXT_FIELDS", "FORMATS", "ReadProblem", "ReadResult", "ReadStats", "RawRecord", "ReaderOptions",
    "detect_format", "iter_sources", "read_path", "read_paths", "sniff_format",
]

STREAM_READERS: dict[str, ReaderFunc] = {"txt": read_text, "html": read_html, "jsonl": read_jsonl}
NATIVE_READERS: dict[str, NativeReaderFunc] = {"warc": read_warc, "parquet": read_parquet}  # take a path or a stream
NATIVE_PATH_FORMATS = frozenset(NATIVE_READERS)  # given the path itself when it is a plain file...
NATIVE_DECOMPRESSION = frozenset({"warc"})  # ...or even a compressed one (FastWARC decodes gzip/zstd itself)
SNIFF_BYTES = 4096


def read_paths(
    paths: Iterable[str], options: ReaderOptions = ReaderOptions(), stats: ReadStats | None = None
) -> Iterator[ReadResult]:
    """Stream records from files, directories (recursive) and ``-`` (stdin), in the order given."""
    for item in iter_sources(paths):
        if isinstance(item, ReadProblem):
            _count(item, stats)
            yield item
        else:
            yield from read_path(item, options, stats)


def iter_sources(paths: Iterable[str]) -> Iterator[str | ReadProblem]:
    """Files to read: paths as given, directories expanded recursively (a problem if they hold none)."""
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path
            continue
        try:
            files = list(file_records_from([path]))
        except OSError as exc:
            yield ReadProblem(path, "", os_error_reason(exc))
            continue
        if not files:
            yield ReadProblem(path, "", "directory has no readable files")
        yield from files


def read_path(path: str, options: ReaderOptions = ReaderOptions(), stats: ReadStats | None = None) -> Iterator[ReadResult]:
    """Stream the records of one file (or ``-``; a directory is expanded); never raises for bad input."""
    if path != "-" and os.path.isdir(path):
        yield from read_paths([path], options, stats)
        return
    if stats is not None:
        stats.files += 1
    try:
        for item in _read_one(path, options, stats):
            _count(item, stats)
            yield item
    except Exception as exc:  # noqa: BLE001 - a bad file must not stop the run
        problem = ReadProblem(path, "", stream_error_reason(exc))
        _count(problem, stats)
        yield problem


def _read_one(path: str, options: ReaderOptions, stats: ReadStats | None) -> Iterator[ReadResult]:
    """Open, check for emptiness, choose the format and run its reader."""
    fmt = options.input_format or (None if path == "-" else detect_format(path))
    if fmt is not None and fmt not in FORMATS:
        yield ReadProblem(path, "", f"unknown input format {fmt!r} (known: {', '.join(FORMATS)})")
        return
    with opened(path) as stream:  # open errors become a problem in read_path
        head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
        if not head:
            yield ReadProblem(path, "", "empty file")
            return
        fmt = fmt or sniff_format(head)
        if fmt in STREAM_READERS:
            yield from STREAM_READERS[fmt](path, stream, options)
        elif fmt == "warc" and stats is not None:
            yield from read_warc(path, _reader_input(path, fmt, stream), options, stats.skipped)
        else:
            yield from NATIVE_READERS[fmt](path, _reader_input(path, fmt, stream), options)


def _reader_input(path: str, fmt: str, stream: BinaryIO) -> BinaryIO | str:
    """The path itself for readers that open files natively (faster), else our decoded stream."""
    if path == "-" or fmt not in NATIVE_PATH_FORMATS:
        return stream
    compressed = isinstance(getattr(stream, "raw", None), DecompressingReader)
    if not compressed:
        return path
    return path if fmt in NATIVE_DECOMPRESSION and native_warc(path) else stream


def _count(item: ReadResult, stats: ReadStats | None) -> None:
    """Add one result to the run's counts."""
    if stats is None:
        return
    if isinstance(item, RawRecord):
        stats.records += 1
    else:
        stats.problems += 1
