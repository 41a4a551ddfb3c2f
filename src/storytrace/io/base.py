"""Shared reader plumbing: transparent decompression, text decoding, reader results."""
from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Union

from ..records import RawRecord, ReadProblem

ReadResult = Union[RawRecord, ReadProblem]

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd")


def strip_compression_suffix(name: str) -> str:
    """``a.jsonl.gz`` -> ``a.jsonl``: the format is named by the suffix under the compression."""
    lower = name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def open_binary(source: str) -> BinaryIO:
    """Open a path (or ``-`` for stdin) for streaming reads, undoing gzip/zstd by magic bytes."""
    raw: BinaryIO
    if source == "-":
        raw = io.BufferedReader(sys.stdin.buffer)  # type: ignore[arg-type]
    else:
        raw = open(source, "rb")  # noqa: SIM115 - returned to the caller
    peek = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    if peek.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if peek.startswith(ZSTD_MAGIC):
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)  # type: ignore[return-value]
    return raw


def decode_bytes(data: bytes) -> str:
    """Decode bytes of unknown encoding: UTF-8 (with BOM), else the best charset guess, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    return bytes_to_str(data, detect_encoding(data), fallback_encodings=["cp1252", "latin-1"])


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes or many control characters in its first 8 KB."""
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.05


def file_records_from(paths: list[str]) -> Iterator[str]:
    """Expand directories recursively (sorted, hidden files skipped); keep files and ``-`` as given."""
    for p in paths:
        if p == "-":
            yield p
            continue
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield str(child)
        else:
            yield p


from dataclasses import dataclass  # noqa: E402


@dataclass(slots=True, frozen=True)
class ReaderOptions:
    """Field names for record formats (JSONL, Parquet) and reading limits; one object for all readers."""

    text_field: str = "text"
    id_field: str = "id"
    title_field: str = "title"
    date_field: str = "date"
    url_field: str = "url"
    html_field: str | None = None  # a field holding raw HTML instead of text (e.g. "html")
    input_format: str | None = None  # force a format ("txt", "html", "jsonl", "warc", "parquet")
    max_record_bytes: int = 64 * 1024 * 1024  # larger records are reported and skipped
