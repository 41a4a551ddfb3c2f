"""Parquet: one record per row, read in batches (``iter_batches``) so memory stays bounded.

Fields map as for JSONL (see storytrace.io.jsonl); ``content`` is the row as compact JSON.
Compressed files and stdin are first spooled to a temporary file, since Parquet needs random access.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, Any, BinaryIO

from ..records import ReadProblem
from .base import STREAM_BUFFER, ReaderOptions, ReadResult, stream_error_reason
from .jsonl import body_fields, compact_json, missing_body_reason, record_from_object

BATCH_BYTES = 32 << 20  # aim for about this much data per batch
MAX_BATCH_ROWS = 4096


def read_parquet(source: str, stream: BinaryIO | str, options: ReaderOptions) -> Iterator[ReadResult]:
    """Yield one record per row; a file that cannot be used at all is one problem."""
    if isinstance(stream, str):
        yield from _read_file(source, stream, options)
        return
    try:
        spool = _spool(stream)
    except (OSError, EOFError) as exc:
        yield ReadProblem(source, "", stream_error_reason(exc))
        return
    with spool:
        yield from _read_file(source, spool, options)


def _spool(stream: BinaryIO) -> IO[bytes]:
    """Copy a (decompressed) stream to a seekable temporary file."""
    spool = tempfile.TemporaryFile(prefix="storytrace-", suffix=".parquet")
    try:
        shutil.copyfileobj(stream, spool, STREAM_BUFFER)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _read_file(source: str, where: Any, options: ReaderOptions) -> Iterator[ReadResult]:
    """Open the Parquet file, check it has a body column, then yield its rows batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pfile = pq.ParquetFile(where)
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield ReadProblem(source, "", f"not a readable Parquet file: {_arrow_message(exc)}")
        return
    with pfile:
        columns = pfile.schema_arrow.names
        if not any(name in columns for name, _ in body_fields(options)):
            yield ReadProblem(source, "", f"{missing_body_reason(options, 'column')} (columns: {', '.join(columns) or 'none'})")
            return
        yield from _rows(source, pfile, options)


def _rows(source: str, pfile: Any, options: ReaderOptions) -> Iterator[ReadResult]:
    """Every row as a record; an error mid-file is one problem at the row it stopped on."""
    import pyarrow as pa

    row = 0
    try:
        for batch in pfile.iter_batches(batch_size=_batch_rows(pfile)):
            for values in batch.to_pylist():
                yield row_record(source, row, values, options)
                row += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield ReadProblem(source, f"row:{row}", f"unreadable Parquet data: {_arrow_message(exc)}")


def row_record(source: str, row: int, values: dict[str, Any], options: ReaderOptions) -> ReadResult:
    """One row as a record: content is its compact JSON, fields are JSON-safe (dates ISO, bytes decoded)."""
    text = compact_json(values)
    return record_from_object(json.loads(text), source=source, locator=f"row:{row}",
                              content=text.encode("utf-8"), options=options)


def _batch_rows(pfile: Any) -> int:
    """Rows per batch so one batch holds about BATCH_BYTES of data."""
    meta = pfile.metadata
    if meta.num_rows == 0 or meta.num_row_groups == 0:
        return MAX_BATCH_ROWS
    total: int = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    per_row = max(1, total // int(meta.num_rows))
    return max(1, min(MAX_BATCH_ROWS, BATCH_BYTES // per_row))


def _arrow_message(exc: BaseException) -> str:
    """An Arrow error as one line."""
    return " ".join(str(exc).split()) or stream_error_reason(exc)
