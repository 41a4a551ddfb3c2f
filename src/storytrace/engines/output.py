"""Atomic dataset output: every file is written into a hidden sibling directory that is renamed into
place only when complete (with a ``_SUCCESS`` marker), plus the streaming writers the engines use.

An interrupted run leaves at most a hidden ``.<name>.tmp-<pid>-<token>`` directory without
``_SUCCESS`` (removed by the next run once its process is gone); ``--overwrite`` moves the old
directory aside only after the new one is complete, then deletes it.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

import numpy as np

from ..io.base import STREAM_BUFFER, compression_of, opened

SUCCESS = "_SUCCESS"
LINE_CHUNK = STREAM_BUFFER
PARQUET_CODECS = {"SNAPPY": "snappy", "GZIP": "gzip", "ZSTD": "zstd", "BROTLI": "brotli", "LZ4": "lz4",
                  "LZ4_RAW": "lz4", "UNCOMPRESSED": "none"}
ROWS_PER_WRITE = 4096


class OutputExists(Exception):
    """``--out`` names a non-empty directory (or a file) and ``--overwrite`` was not given."""


class OutputError(Exception):
    """The output could not be written (bad path, schema conflict, disk error)."""


class InputChanged(Exception):
    """An input file changed between the reading pass and the writing pass."""


# --------------------------------------------------------------------------------------------
# The staged directory
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class StagedDir:
    """A hidden sibling of ``final`` that becomes ``final`` on ``commit`` (or vanishes on ``abort``)."""

    final: Path
    staging: Path

    def commit(self) -> None:
        """Mark complete, then move into place; an old ``final`` is removed only after the swap."""
        (self.staging / SUCCESS).write_bytes(b"")
        _fsync_dir(self.staging)
        old = None
        if self.final.exists():
            old = self.final.with_name(f".{self.final.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
            os.rename(self.final, old)
        os.rename(self.staging, self.final)
        _fsync_dir(self.final.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Delete the staging directory and everything in it."""
        shutil.rmtree(self.staging, ignore_errors=True)


def check_out_dir(out: Path, overwrite: bool) -> None:
    """Raise OutputExists unless ``out`` is absent, an empty directory, or ``overwrite`` is set."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputExists(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise OutputExists(f"{out} exists and is not empty (pass --overwrite to replace it)")


def stage(out: Path, overwrite: bool) -> StagedDir:
    """Check ``out`` and create its staging directory beside it (same filesystem: renames are atomic)."""
    out = Path(os.path.abspath(out))
    check_out_dir(out, overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out)
        staging = out.with_name(f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot create the output beside {out}: {exc.strerror or exc}") from exc
    return StagedDir(out, staging)


@contextmanager
def staged_output(out: Path, overwrite: bool) -> Iterator[Path]:
    """Yield a staging directory; commit it to ``out`` if the block succeeds, delete it if it raises."""
    staged = stage(out, overwrite)
    try:
        yield staged.staging
    except BaseException:
        staged.abort()
        raise
    try:
        staged.commit()
    except OSError as exc:
        staged.abort()
        raise OutputError(f"cannot move the output into place at {out}: {exc.strerror or exc}") from exc


def remove_stale(out: Path) -> None:
    """Delete staging/old directories of ``out`` left by runs whose process no longer exists."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(tmp|old)-(\d+)-[0-9a-f]+$")
    for entry in out.parent.iterdir():
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not _alive(int(match.group(2))):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    """Flush a directory entry to disk (best effort; not every filesystem supports it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# Small writers
# --------------------------------------------------------------------------------------------

def write_json(path: Path, obj: Any) -> None:
    """Pretty JSON (UTF-8, non-ASCII kept) for summaries."""
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n", encoding="utf-8")


def _json_default(value: Any) -> Any:
    """numpy scalars and paths in summaries."""
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def open_output(path: Path) -> BinaryIO:
    """A binary file for writing, gzip/zstd compressed when its name ends in .gz/.zst/.zstd."""
    path.parent.mkdir(parents=True, exist_ok=True)
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "wb", compresslevel=6)  # type: ignore[return-value]  # a GzipFile is a BinaryIO; typeshed types it apart
    if name.endswith((".zst", ".zstd")):
        import zstandard

        raw = open(path, "wb")
        return zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=True)
    return open(path, "wb", buffering=STREAM_BUFFER)


# --------------------------------------------------------------------------------------------
# Second pass over the inputs: copy the kept records
# --------------------------------------------------------------------------------------------

def copy_jsonl_lines(source: str, out: IO[bytes], keep: np.ndarray, hashes: np.ndarray | None = None) -> int:
    """Copy the lines numbered ``keep`` (1-based, sorted) of a JSONL file byte for byte; ``hashes``
    (xxh3 of each line as the reader saw it) detect a file changed since it was read."""
    import xxhash

    k, lineno = 0, 0
    with opened(source) as stream:
        while k < len(keep):
            piece = stream.readline(LINE_CHUNK)
            if not piece:
                break
            lineno += 1
            wanted = lineno == keep[k]
            parts = [piece] if wanted else None
            while not piece.endswith(b"\n"):
                piece = stream.readline(LINE_CHUNK)
                if not piece:
                    break
                if parts is not None:
                    parts.append(piece)
            if parts is None:
                continue
            line = b"".join(parts)
            if hashes is not None and xxhash.xxh3_64_intdigest(_as_read(line, lineno)) != int(hashes[k]):
                raise InputChanged(f"{source}: line {lineno} changed since it was read")
            out.write(line if line.endswith(b"\n") else line + b"\n")
            k += 1
    if k < len(keep):
        raise InputChanged(f"{source}: has fewer lines than when it was read")
    return k


def _as_read(line: bytes, lineno: int) -> bytes:
    """A raw line as the JSONL reader keeps it in ``RawRecord.content`` (no newline, no BOM on line 1)."""
    line = line[:-1] if line.endswith(b"\n") else line
    line = line[:-1] if line.endswith(b"\r") else line
    return line.removeprefix(b"\xef\xbb\xbf") if lineno == 1 else line


@contextmanager
def parquet_file(source: str, workdir: Path) -> Iterator[Any]:
    """A ``pyarrow.parquet.ParquetFile`` for a path; compressed files are first spooled to ``workdir``."""
    import pyarrow.parquet as pq

    with open(source, "rb") as fh:
        compressed = compression_of(fh.read(4)) is not None
    if not compressed:
        with pq.ParquetFile(source) as pfile:
            yield pfile
        return
    spool = workdir / f"spool-{secrets.token_hex(4)}.parquet"
    try:
        with opened(source) as stream, spool.open("wb") as out:
            shutil.copyfileobj(stream, out, STREAM_BUFFER)
        with pq.ParquetFile(spool) as pfile:
            yield pfile
    finally:
        spool.unlink(missing_ok=True)


def _row_batches(pfile: Any, keep: np.ndarray) -> Iterator[Any]:
    """The file's record batches reduced to the rows numbered ``keep`` (0-based, sorted)."""
    import pyarrow as pa

    start = 0
    for batch in pfile.iter_batches(batch_size=ROWS_PER_WRITE):
        stop = start + batch.num_rows
        lo, hi = np.searchsorted(keep, [start, stop])
        if hi > lo:
            mask = np.zeros(batch.num_rows, dtype=bool)
            mask[keep[lo:hi] - start] = True
            yield batch.filter(pa.array(mask))
        start = stop
    if len(keep) and int(keep[-1]) >= start:
        raise InputChanged("has fewer rows than when it was read")


def filter_parquet(source: str, dest: Path, keep: np.ndarray, workdir: Path) -> int:
    """Write the rows numbered ``keep`` of a Parquet file to ``dest`` with the same schema and codec."""
    import pyarrow.parquet as pq

    written = 0
    with parquet_file(source, workdir) as pfile:
        meta = pfile.metadata
        codec = meta.row_group(0).column(0).compression if meta.num_row_groups and meta.num_columns else "SNAPPY"
        dest.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(dest, pfile.schema_arrow, compression=PARQUET_CODECS.get(codec, "snappy")) as writer:
            try:
                for batch in _row_batches(pfile, keep):
                    writer.write_batch(batch)
                    written += batch.num_rows
            except InputChanged as exc:
                raise InputChanged(f"{source}: {exc}") from None
    return written


def parquet_rows_as_jsonl(source: str, out: IO[bytes], keep: np.ndarray, workdir: Path) -> int:
    """Write the rows numbered ``keep`` of a Parquet file as JSON lines (the reader's compact JSON)."""
    from ..io.jsonl import compact_json

    written = 0
    with parquet_file(source, workdir) as pfile:
        try:
            for batch in _row_batches(pfile, keep):
                out.write(b"".join(compact_json(row).encode("utf-8") + b"\n" for row in batch.to_pylist()))
                written += batch.num_rows
        except InputChanged as exc:
            raise InputChanged(f"{source}: {exc}") from None
    return written


def jsonl_to_parquet(lines_path: Path, dest: Path, what: str) -> int:
    """Convert a JSONL file of objects to Parquet, columns unified over all lines (two streaming passes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = None
    try:
        for chunk in _json_chunks(lines_path):
            found = pa.Table.from_pylist(chunk).schema
            schema = found if schema is None else pa.unify_schemas([schema, found], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise OutputError(f"cannot write {what} as Parquet ({exc}); use --output-format jsonl") from None
    if schema is None:
        schema = pa.schema([])
    written = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(dest, schema, compression="zstd") as writer:
        for chunk in _json_chunks(lines_path):
            try:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise OutputError(f"cannot write {what} as Parquet ({exc}); use --output-format jsonl") from None
            written += len(chunk)
    return written


def _json_chunks(path: Path, rows: int = ROWS_PER_WRITE) -> Iterator[list[dict[str, Any]]]:
    """Objects of a JSONL file, ``rows`` at a time."""
    chunk: list[dict[str, Any]] = []
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                chunk.append(json.loads(line))
            if len(chunk) >= rows:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


class RowWriter:
    """Rows with a fixed set of string/bool/float columns to a JSONL or Parquet file, in chunks."""

    def __init__(self, path: Path, fmt: str, schema: Mapping[str, str]) -> None:
        """``schema``: column -> "string" | "bool" | "float"; ``fmt``: "jsonl" or "parquet"."""
        self.path, self.fmt, self.schema = path, fmt, dict(schema)
        self.rows = 0
        self._writer: Any = None
        self._out: BinaryIO | None = None

    def write(self, columns: Mapping[str, Iterable[Any]]) -> None:
        """Append a chunk given as equal-length columns."""
        if self.fmt == "jsonl":
            self._write_jsonl(columns)
        else:
            self._write_parquet(columns)

    def _write_jsonl(self, columns: Mapping[str, Iterable[Any]]) -> None:
        if self._out is None:
            self._out = open_output(self.path)
        names = list(self.schema)
        values = [list(columns[name]) for name in names]
        lines = [json.dumps(dict(zip(names, row)), ensure_ascii=False) + "\n" for row in zip(*values)]
        self._out.write("".join(lines).encode("utf-8"))
        self.rows += len(lines)

    def _write_parquet(self, columns: Mapping[str, Iterable[Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"string": pa.string(), "bool": pa.bool_(), "float": pa.float64()}
        schema = pa.schema([(name, types[kind]) for name, kind in self.schema.items()])
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, schema, compression="zstd")
        table = pa.table({name: pa.array(list(columns[name]), type=schema.field(name).type) for name in self.schema},
                         schema=schema)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file (an empty file with the schema when nothing was written)."""
        if self.fmt == "jsonl":
            if self._out is None:
                self._out = open_output(self.path)
            self._out.close()
        else:
            if self._writer is None:
                self._write_parquet({name: [] for name in self.schema})
            self._writer.close()

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
