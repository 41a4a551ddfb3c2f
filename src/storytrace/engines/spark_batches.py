"""Pure per-batch functions of the Spark engine: Arrow record batches in, Arrow record batches out.

Nothing here imports pyspark: each function is what one ``mapInArrow`` call runs on an executor,
built from the same functions the local engine runs (``record_from_line`` / the Parquet row mapping,
the whole-file readers of ``storytrace.io`` for txt/html/WARC, ``text.clean.clean_document``,
``fingerprint``, ``band_keys``, ``verify_pairs``, ``apply_wrapper_rule``), so a document's fields and
a pair's verdict do not depend on which batch or machine computed them. Unsigned 64-bit hashes
travel as signed int64 (Spark has no uint64); only equality is asked of them.
"""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa

from ..fingerprint import DedupConfig, fingerprint
from ..io.base import STREAM_BUFFER, DecompressingReader, ReaderOptions, compression_of, stream_error_reason
from ..match.lsh import band_keys, bands_rows
from ..cluster.groups import date_key
from ..match.verify import CONTAINS, EXACT, NONE, apply_wrapper_rule, verify_pairs
from ..records import RawRecord, ReadProblem

#: Sources of candidate postings (the ``src`` column): LSH band keys, exact content hash, anchors.
SRC_LSH, SRC_EXACT, SRC_ANCHOR = 0, 1, 2
HUBS = 4  #: first members of a capped bucket that later members are linked to (BucketIndex.hubs)
ERROR_RECORD_CHARS = 4096  #: raw record kept in errors/ (truncated)
WHOLE_FILE_FORMATS = ("txt", "html", "warc")  #: read from whole files (Spark's binaryFile source)
FILE_BATCH_DOCS = 1024  #: documents per output batch of the whole-file reader...
FILE_BATCH_BYTES = 32 << 20  #: ...or fewer, once their normalised texts reach this size
SNIFF_BYTES = 4096  #: storytrace.io.SNIFF_BYTES

DOC_SCHEMA = pa.schema([
    ("idx", pa.int64()), ("file_no", pa.int32()), ("problem", pa.string()), ("record", pa.string()), ("id", pa.string()),
    ("locator", pa.string()), ("norm", pa.string()), ("wrapped", pa.bool_()), ("length", pa.int64()),
    ("body_length", pa.int64()), ("date", pa.binary()), ("fallback", pa.bool_()),
    ("n_words", pa.int64()), ("n_shingles", pa.int64()), ("chash", pa.int64()),
    ("bands", pa.list_(pa.int64())), ("anchors", pa.list_(pa.int64())), ("n_anchors", pa.int32()),
    ("line", pa.string()),  # the output JSON line (no newline) of a txt/html/WARC document, else null
])
VERIFY_SCHEMA = pa.schema([
    ("a", pa.int64()), ("b", pa.int64()), ("matched", pa.bool_()), ("relation", pa.int8()),
    ("direction", pa.int8()), ("score", pa.float64()),
])


@dataclass(frozen=True, slots=True)
class Parsed:
    """One input record after reading and cleaning: a document or the reason it was skipped."""

    idx: int
    file_no: int
    doc: Any  # text.clean.CleanDoc, or None for a problem
    problem: str | None = None
    locator: str = ""
    record: str | None = None


def as_signed(values: np.ndarray) -> np.ndarray:
    """uint64 hashes reinterpreted as int64 (bit-identical; Spark's LongType).

    >>> as_signed(np.array([0, 2**64 - 1], dtype=np.uint64)).tolist()
    [0, -1]
    """
    return np.ascontiguousarray(values, dtype=np.uint64).view(np.int64)


def list_array(values: np.ndarray, offsets: np.ndarray) -> pa.ListArray:
    """An Arrow list<int64> column from flat values and CSR offsets (one list per row).

    >>> list_array(np.array([5, 6, 7]), np.array([0, 2, 2, 3])).to_pylist()
    [[5, 6], [], [7]]
    """
    return pa.ListArray.from_arrays(pa.array(np.asarray(offsets, dtype=np.int32)),
                                    pa.array(np.asarray(values, dtype=np.int64)))


def clean_line(source: str, lineno: int, line: bytes, options: ReaderOptions) -> Any:
    """One JSONL line -> CleanDoc or ReadProblem, exactly as the local engine's reader and cleaner."""
    from ..io.jsonl import record_from_line

    if len(line) > options.max_record_bytes:
        return ReadProblem(source, f"line:{lineno}", f"line too long ({len(line)} bytes > max_record_bytes "
                                                      f"{options.max_record_bytes}); skipped")
    record = record_from_line(source, lineno, line, options)
    return _clean(record)


def clean_row(source: str, row: int, values: dict[str, Any], options: ReaderOptions) -> Any:
    """One Parquet row (column -> value) -> CleanDoc or ReadProblem, as the local engine."""
    from ..io.parquet import row_record

    return _clean(row_record(source, row, values, options))


def _clean(record: RawRecord | ReadProblem) -> Any:
    """clean_document(record, derive_id(record)) for a record; a problem passes through."""
    from ..io.ids import derive_id
    from ..text.clean import clean_document

    if isinstance(record, ReadProblem):
        return record
    return clean_document(record, derive_id(record))


def parse_jsonl_batch(batch: pa.RecordBatch, sources: Sequence[str], options: ReaderOptions) -> list[Parsed]:
    """(idx, file_no, pos, value) line batches -> Parsed; blank lines are skipped like the reader does."""
    out = []
    idx = batch.column("idx").to_pylist()
    file_no = batch.column("file_no").to_pylist()
    pos = batch.column("pos").to_pylist()
    for i, f, p, line in zip(idx, file_no, pos, batch.column("value").to_pylist()):
        line = line[:-1] if line.endswith(b"\r") else line
        if not line.strip():
            continue
        out.append(_parsed(i, f, clean_line(sources[f], p + 1, line, options), line))
    return out


def parse_parquet_batch(batch: pa.RecordBatch, sources: Sequence[str], options: ReaderOptions) -> list[Parsed]:
    """(idx, file_no, pos, row struct) batches -> Parsed."""
    rows = batch.column("row").to_pylist()
    idx = batch.column("idx").to_pylist()
    file_no = batch.column("file_no").to_pylist()
    pos = batch.column("pos").to_pylist()
    return [_parsed(i, f, clean_row(sources[f], p, values, options), None)
            for i, f, p, values in zip(idx, file_no, pos, rows)]


def read_file_bytes(source: str, data: bytes, fmt: str, options: ReaderOptions) -> Iterator[Any]:
    """The RawRecords and ReadProblems of one whole input file (txt, html or warc) given as its bytes,
    ``source`` as their source: what ``storytrace.io.read_path`` yields for the file (gzip/zstd undone by
    magic bytes, the same problems). Never raises for bad input."""
    if fmt == "warc":
        yield from _read_through_file(source, data, fmt, options)
        return
    from ..io import STREAM_READERS
    from ..records import ReadProblem

    try:  # storytrace.io._read_one on an in-memory stream, its errors caught as read_path does
        with bytes_stream(data) as stream:
            if not stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]:
                yield ReadProblem(source, "", "empty file")
                return
            yield from STREAM_READERS[fmt](source, stream, options)
    except Exception as exc:
        yield ReadProblem(source, "", stream_error_reason(exc))


def bytes_stream(data: bytes) -> io.BufferedReader:
    """``io.base.open_stream`` for bytes: buffered, gzip/zstd undone, truncation raised.

    >>> import gzip; bytes_stream(gzip.compress(b"abc")).read(), bytes_stream(b"abc").read()
    (b'abc', b'abc')
    """
    raw = io.BytesIO(data)
    codec = compression_of(data[:4])
    if codec is None:
        return io.BufferedReader(raw, STREAM_BUFFER)
    return io.BufferedReader(DecompressingReader(raw, codec), STREAM_BUFFER)


def scratch_dir() -> str | None:
    """Where an executor spools a file: Spark's local directories when the cluster manager names them."""
    for name in ("SPARK_LOCAL_DIRS", "LOCAL_DIRS"):
        for folder in os.environ.get(name, "").split(","):
            if folder and os.path.isdir(folder) and os.access(folder, os.W_OK):
                return folder
    return None  # tempfile's default


def _read_through_file(source: str, data: bytes, fmt: str, options: ReaderOptions) -> Iterator[Any]:
    """``read_path`` on a local spooled copy (the WARC reader's native path: FastWARC's own
    decompression, chosen by the file name's suffix, and the truncation check), results renamed to
    ``source``. The copy ends with the source's own name, so FastWARC sees the same suffix."""
    from ..io import read_path
    from ..records import ReadProblem

    base = source.rstrip("/").rsplit("/", 1)[-1][-120:]
    fd, path = tempfile.mkstemp(prefix="storytrace-", suffix=f"-{base}", dir=scratch_dir())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        for item in read_path(path, replace(options, input_format=fmt)):
            if isinstance(item, ReadProblem):
                yield ReadProblem(source, item.locator, item.reason.replace(path, source))
            else:
                item.source = source
                yield item
    finally:
        os.unlink(path)


def parse_files(paths: Sequence[str], contents: Any, file_of: Callable[[str], int], sources: Sequence[str],
                formats: Sequence[str], options: ReaderOptions) -> Iterator[Parsed]:
    """Parsed results of whole files (``contents[i]``: an Arrow binary scalar), one per reader result in
    reading order; ``idx`` is the result's position in its file (the driver adds the file's offset)."""
    for i, path in enumerate(paths):
        f = file_of(path)
        data = contents[i].as_py() or b""
        for k, result in enumerate(read_file_bytes(sources[f], data, formats[f], options)):
            yield _parsed(k, f, _clean(result), None)


def whole_file_batches(batches: Iterable[pa.RecordBatch], file_of: Callable[[str], int], sources: Sequence[str],
                       formats: Sequence[str], options: ReaderOptions, config: DedupConfig,
                       count_problem: Callable[[int], None] | None = None) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: binaryFile (path, content) batches -> DOC_SCHEMA batches of at most
    FILE_BATCH_DOCS results (a WARC file is streamed, never held parsed in memory whole)."""
    chunk: list[Parsed] = []
    size = 0

    def flush() -> pa.RecordBatch:
        problems = sum(p.doc is None for p in chunk)
        if problems and count_problem is not None:
            count_problem(problems)
        return document_table(chunk, config)

    for batch in batches:
        paths = batch.column("path").to_pylist()
        for parsed in parse_files(paths, batch.column("content"), file_of, sources, formats, options):
            chunk.append(parsed)
            size += len(parsed.doc.norm) if parsed.doc is not None else 0
            if len(chunk) >= FILE_BATCH_DOCS or size >= FILE_BATCH_BYTES:
                yield flush()
                chunk, size = [], 0
    if chunk:
        yield flush()


def _parsed(idx: int, file_no: int, result: Any, line: bytes | None) -> Parsed:
    """Wrap a CleanDoc / ReadProblem with its index and file."""
    if isinstance(result, ReadProblem):
        raw = None if line is None else line[:ERROR_RECORD_CHARS].decode("utf-8", "replace")
        return Parsed(idx, file_no, None, result.reason, result.locator, raw)
    return Parsed(idx, file_no, result, None, result.locator)


def document_table(parsed: Sequence[Parsed], config: DedupConfig) -> pa.RecordBatch:
    """DOC_SCHEMA rows: documents with their fingerprints (LSH band keys only for texts with
    shingles, exact hash only for texts with words, as CandidateIndex.add), problems with reasons."""
    docs = [p for p in parsed if p.doc is not None]
    fp = fingerprint([p.doc.norm for p in docs], config)
    bands, rows = bands_rows(config)
    n, m = len(parsed), len(docs)
    where = np.array([k for k, p in enumerate(parsed) if p.doc is not None], dtype=np.int64)
    keys = band_keys(fp.signatures, bands, rows) if m else np.zeros((0, bands), np.uint64)
    per_doc_bands = np.where(fp.n_shingles > 0, bands, 0)
    per_doc_anchors = np.diff(fp.anchor_offsets)

    def spread(values: np.ndarray, fill: Any = 0, dtype: Any = np.int64) -> np.ndarray:
        full = np.full(n, fill, dtype=dtype)
        full[where] = values
        return full

    def offsets(counts: np.ndarray) -> np.ndarray:
        off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(spread(counts), out=off[1:])
        return off

    is_doc = spread(np.ones(m, dtype=bool), False, bool)
    has_words = spread(fp.n_words > 0, False, bool)
    text: dict[str, list[Any]] = {k: [] for k in ("id", "norm", "date", "wrapped", "fallback", "line")}
    for p in parsed:
        d = p.doc
        text["line"].append(d.record_line[:-1].decode("utf-8") if d and d.record_line else None)
        text["id"].append(d.id if d else None)
        text["norm"].append(d.norm if d else None)
        text["date"].append(date_key(d.date) if d else None)
        text["wrapped"].append(bool(d.wrapped) if d else None)
        text["fallback"].append(bool(d.fallback) if d else None)
    columns = [
        pa.array([p.idx for p in parsed], pa.int64()), pa.array([p.file_no for p in parsed], pa.int32()),
        pa.array([p.problem for p in parsed], pa.string()),
        pa.array([p.record for p in parsed], pa.string()), pa.array(text["id"], pa.string()),
        pa.array([p.locator for p in parsed], pa.string()), pa.array(text["norm"], pa.string()),
        pa.array(text["wrapped"], pa.bool_()),
        pa.array(spread(np.array([d.doc.length for d in docs], dtype=np.int64)), mask=~is_doc),
        pa.array(spread(np.array([d.doc.body_length for d in docs], dtype=np.int64)), mask=~is_doc),
        pa.array(text["date"], pa.binary()), pa.array(text["fallback"], pa.bool_()),
        pa.array(spread(fp.n_words), mask=~is_doc), pa.array(spread(fp.n_shingles), mask=~is_doc),
        pa.array(spread(as_signed(fp.content_hash)), mask=~has_words),
        list_array(as_signed(keys[fp.n_shingles > 0].ravel()), offsets(per_doc_bands)),
        list_array(as_signed(fp.anchors[fp.anchor_offsets[0]:fp.anchor_offsets[-1]]), offsets(per_doc_anchors)),
        pa.array(spread(per_doc_anchors.astype(np.int32), 0, np.int32), mask=~is_doc),
        pa.array(text["line"], pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=DOC_SCHEMA)


Parser = Callable[[pa.RecordBatch], list[Parsed]]


def document_batches(batches: Iterable[pa.RecordBatch], parse: Parser, config: DedupConfig,
                     count_problem: Callable[[int], None] | None = None) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: input batches -> DOC_SCHEMA batches (problems counted with ``count_problem``)."""
    for batch in batches:
        parsed = parse(batch)
        problems = sum(p.doc is None for p in parsed)
        if problems and count_problem is not None:
            count_problem(problems)
        if parsed:
            yield document_table(parsed, config)


def verify_table(a: np.ndarray, b: np.ndarray, norm_a: Sequence[str], norm_b: Sequence[str],
                 wrapped_a: np.ndarray, wrapped_b: np.ndarray, config: DedupConfig) -> pa.RecordBatch:
    """Verdicts (VERIFY_SCHEMA) on pairs (a[k], b[k]) given their texts: ``matched`` is the verifier's,
    relation/direction after the wrapper rule, score rounded to 4 places (the cluster map's)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    docs, inverse = np.unique(np.concatenate((a, b)), return_inverse=True)
    texts: list[str] = [""] * len(docs)
    for pos, text in zip(inverse.tolist(), list(norm_a) + list(norm_b)):
        texts[pos] = text
    table = verify_pairs(texts, inverse.reshape(2, -1).T, config)
    relation, direction = apply_wrapper_rule(table.relation, table.direction, np.asarray(wrapped_a, bool),
                                             np.asarray(wrapped_b, bool))
    columns = [pa.array(a), pa.array(b), pa.array(table.relation != NONE), pa.array(relation),
               pa.array(direction), pa.array(np.round(table.score, 4))]
    return pa.RecordBatch.from_arrays(columns, schema=VERIFY_SCHEMA)


def verify_batches(batches: Iterable[pa.RecordBatch], config: DedupConfig) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (a, b, norm_a, norm_b, wrapped_a, wrapped_b) batches -> VERIFY_SCHEMA batches."""
    for batch in batches:
        col = batch.column
        yield verify_table(col("a").to_numpy(zero_copy_only=False), col("b").to_numpy(zero_copy_only=False),
                           col("norm_a").to_pylist(), col("norm_b").to_pylist(),
                           col("wrapped_a").to_numpy(zero_copy_only=False),
                           col("wrapped_b").to_numpy(zero_copy_only=False), config)


def member_code(relation: int, member_direction: int) -> int:
    """``cluster.groups.member_codes`` for one edge oriented (member, canonical): index into
    MAP_RELATIONS (exact 1, near_duplicate 2, contains 3, contained_in 4; anything else near 2).

    >>> member_code(CONTAINS, 1), member_code(CONTAINS, -1), member_code(EXACT, 0), member_code(NONE, 0)
    (3, 4, 1, 2)
    """
    if relation == EXACT:
        return 1
    if relation == CONTAINS:
        return 3 if member_direction > 0 else 4
    return 2


def bucket_links(members: Sequence[int], cap: int, hubs: int = HUBS) -> list[tuple[int, int]]:
    """Pairs one bucket yields under the giant-bucket guard (reference for the Spark version).

    Members sorted by arrival; rank r < cap links to every earlier member, later ranks to the first
    ``min(hubs, cap)`` members only (``match.buckets.BucketIndex``).

    >>> bucket_links([7, 3, 9, 12], cap=2, hubs=1)
    [(3, 7), (3, 9), (3, 12)]
    >>> bucket_links([1, 2, 3], cap=8)
    [(1, 2), (1, 3), (2, 3)]
    """
    ordered = sorted(members)
    hubs = max(1, min(hubs, cap))
    out: list[tuple[Any, ...]] = []
    for r, me in enumerate(ordered):
        earlier = ordered[:r] if r < cap else ordered[:hubs]
        out.extend((e, me) for e in earlier)
    return out


def anchor_keep(shared: np.ndarray, n_a: np.ndarray, n_b: np.ndarray, config: DedupConfig) -> np.ndarray:
    """The containment candidate rule of ``AnchorIndex.filter`` on shared-anchor counts.

    >>> anchor_keep(np.array([1, 2, 2]), np.array([1, 40, 40]), np.array([9, 9, 30]), DedupConfig()).tolist()
    [True, True, False]
    """
    smaller = np.minimum(np.asarray(n_a, dtype=np.int32), np.asarray(n_b, dtype=np.int32))
    keep = (shared >= config.min_shared_anchors) | (shared >= smaller)
    return keep & (shared >= config.min_anchor_ratio * smaller)
