"""Fixtures for the reader tests: a reader call, compressors and a WARC writer (warcio)."""
from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard

from storytrace.io import ReaderOptions, read_paths
from storytrace.records import RawRecord, ReadProblem

Results = list["RawRecord | ReadProblem"]


def compress(data: bytes, codec: str | None) -> bytes:
    """``data`` compressed with "gz" / "zst" (or unchanged for None)."""
    if codec == "gz":
        return gzip.compress(data)
    if codec == "zst":
        return zstandard.ZstdCompressor().compress(data)
    return data


@pytest.fixture
def read() -> Callable[..., Results]:
    """``read(paths_or_path, **options)`` -> every result of read_paths, as a list."""

    def _read(paths: Any, **options: Any) -> Results:
        names = [str(p) for p in paths] if isinstance(paths, (list, tuple)) else [str(paths)]
        return list(read_paths(names, ReaderOptions(**options)))

    return _read


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(name, data, codec=None)``: a file under tmp_path (suffix .gz/.zst added for a codec)."""

    def _write(name: str, data: bytes | str, codec: str | None = None) -> Path:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path = tmp_path / (f"{name}.{codec}" if codec else name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(compress(raw, codec))
        return path

    return _write


def warc_bytes(records: list[dict[str, Any]], gzip_records: bool = False) -> bytes:
    """A WARC written by warcio: a warcinfo record, then one record per dict.

    Keys: type ("response" default, or "request"/"metadata"/"resource"/"revisit"), url, body (bytes),
    content_type, status ("200 OK"), headers (extra HTTP headers).
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip_records)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "storytrace-tests"}))
    for spec in records:
        kind = spec.get("type", "response")
        url = spec.get("url", "https://news.example/a")
        body = spec.get("body", b"<html><body><p>Hello</p></body></html>")
        if kind in ("response", "revisit"):
            headers = [("Content-Type", spec.get("content_type", "text/html; charset=utf-8")), *spec.get("headers", [])]
            http = StatusAndHeaders(spec.get("status", "200 OK"), headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(url, kind, payload=io.BytesIO(body), http_headers=http)
        else:
            record = writer.create_warc_record(url, kind, payload=io.BytesIO(body),
                                               warc_content_type=spec.get("content_type", "text/plain"))
        writer.write_record(record)
    return out.getvalue()


@pytest.fixture
def make_warc() -> Callable[..., bytes]:
    """The ``warc_bytes`` helper as a fixture."""
    return warc_bytes


class FakeStdin:
    """Stands in for sys.stdin: only ``.buffer`` (a BytesIO) is used by the readers."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes], None]:
    """``stdin(data)``: make ``-`` read ``data``."""

    def _set(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", FakeStdin(data))

    return _set


def records(results: Results) -> list[RawRecord]:
    """Only the records."""
    return [r for r in results if isinstance(r, RawRecord)]


def problems(results: Results) -> list[ReadProblem]:
    """Only the problems."""
    return [r for r in results if isinstance(r, ReadProblem)]


@pytest.fixture
def split() -> Callable[[Results], tuple[list[RawRecord], list[ReadProblem]]]:
    """``split(results)`` -> (records, problems)."""
    return lambda results: (records(results), problems(results))
