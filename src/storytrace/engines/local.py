"""The single-machine dataset engine behind ``storytrace dedup``: a deduplicated corpus plus a cluster map.

This module only reads, schedules and writes; the stage logic lives in the stage packages:

1. read + clean  ``storytrace.io`` readers, ``text.clean.clean_document`` (here or in worker processes)
2-6. dedup       ``cluster.dedup.Deduplicator``: fingerprint + candidates batch after batch (``read_pass``),
                 then verify (+ wrapper rule), guarded groups by the ``--keep`` rule, relations (``dedup_stage``)
7. write         ``write_corpus`` (a second streaming pass over the inputs) and ``write_cluster_map``

Memory: per document only a few numbers stay in RAM (numpy columns); normalised texts, ids, locators
and rebuilt records are spilled to disk (``SpillTexts``) and the kept records are copied from the
inputs in a second pass, so a run holds one batch of texts at a time.

Output (``run_dedup``; written atomically, see ``engines.output``):

* ``data/``: the kept documents. JSONL and Parquet inputs are mirrored one output file per input
  file (lines byte for byte, rows with the file's schema and codec); WARC files become one JSONL
  file each and txt/html files share ``documents.jsonl``, as records {id, text (the extracted
  article), source, title, date, url}. ``output_format`` converts everything to JSONL or Parquet.
* ``clusters.<fmt>``: one row per input document, in input order: id (the record's own, else
  ``io.ids.derive_id``), source, locator, group (the kept document's id), kept, relation, score.
  ``relation`` reads "this document <relation> the kept document": canonical (itself), exact,
  near_duplicate, contains (this document contains the kept one: a page wrapping it, a longer
  version), contained_in (this document is inside the kept one: an excerpt, a truncated copy).
* ``summary.json`` (counts, problems, timings, settings) and ``_SUCCESS``.

Records that cannot be read or hold no text are reported and skipped (not written anywhere). A text
document whose extraction leaves no words is compared on its whole text instead of being dropped.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import xxhash

from ..cluster.dedup import Deduplicator
from ..cluster.groups import DATE_BYTES, MAP_RELATIONS, CanonicalKeys, Grouping, date_key, keep_rule_keys
from ..fingerprint import DedupConfig, Fingerprints, concat_fingerprints, fingerprint, fingerprint_rows
from ..io import iter_sources, read_path
from ..io.base import (
    EXTENSION_FORMATS,
    STREAM_BUFFER,
    ReaderOptions,
    detect_format,
    opened,
    sniff_format,
    strip_compression_suffix,
)
from ..io.jsonl import LineRecord, read_jsonl_lines
from ..io.spill import SpillTexts
from ..records import RawRecord, ReadProblem
from ..text.clean import CleanDoc, clean_document, locator_kind
from ..timing import Clock, peak_rss_mb
from . import output as out_io

KeepRule = Literal["canonical", "first", "longest"]
OutputFormat = Literal["jsonl", "parquet"]
MAP_SCHEMA = {"id": "string", "source": "string", "locator": "string", "group": "string", "kept": "bool",
              "relation": "string", "score": "float"}
RECORD_SCHEMA = {"id": "string", "text": "string", "source": "string", "title": "string", "date": "string",
                 "url": "string"}


# --------------------------------------------------------------------------------------------
# Settings and small helpers
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DedupOptions:
    """How ``run_dedup`` reads, chooses canonicals and writes (the DedupConfig holds the matching settings)."""

    reader: ReaderOptions = field(default_factory=ReaderOptions)
    keep: KeepRule = "canonical"
    output_format: OutputFormat | None = None  # None: each input's own format (JSONL for txt/html/warc)
    map_format: OutputFormat = "parquet"
    batch_size: int = 10_000  # documents fingerprinted per step
    batch_bytes: int = 64 << 20  # ...or fewer, once their normalised text reaches this size
    workers: int = 1  # processes that extract and normalise (1: in this process)
    overwrite: bool = False
    quiet: bool = False  # no progress bars
    on_problem: Callable[[ReadProblem], None] | None = None  # called for every skipped file or record

    def __post_init__(self) -> None:
        if self.keep not in ("canonical", "first", "longest"):
            raise ValueError(f"keep must be canonical, first or longest, got {self.keep!r}")
        for name in ("output_format", "map_format"):
            value = getattr(self, name)
            if value not in ("jsonl", "parquet") and not (name == "output_format" and value is None):
                raise ValueError(f"{name} must be jsonl or parquet, got {value!r}")
        if self.batch_size < 1 or self.batch_bytes < 1 or self.workers < 1:
            raise ValueError("batch_size, batch_bytes and workers must be >= 1")

    # The reader fields under the names other engines' option objects use (engines.spark reads them).
    @property
    def text_field(self) -> str:
        """``reader.text_field``."""
        return self.reader.text_field

    @property
    def id_field(self) -> str:
        """``reader.id_field``."""
        return self.reader.id_field

    @property
    def input_format(self) -> str | None:
        """``reader.input_format``."""
        return self.reader.input_format


class NothingReadable(Exception):
    """No input record could be read and cleaned: nothing to deduplicate."""


# --------------------------------------------------------------------------------------------
# Stage 1: read + clean
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class SourceFile:
    """One input file: where it is read from, how the user named it, and its name under ``data/``."""

    path: str  # what is opened (a spooled copy for stdin)
    name: str  # as given by the user ("-" for stdin): the map's ``source``
    rel: str  # relative output name (before any change of format)
    fmt: str | None = None  # reader format forced for this file (stdin: sniffed)
    kind: str = ""  # "jsonl" | "parquet" | "warc" | "doc" (txt/html), from its first record
    documents: int = 0
    stat: tuple[int, int] | None = None  # (size, mtime_ns) when read, to detect changes before pass 2


def _position(locator: str, ordinal: int) -> int:
    """The record's position in its file: JSONL line (1-based), Parquet row (0-based), else its ordinal."""
    head, _, tail = locator.partition(":")
    if head in ("line", "row") and tail.isdigit():
        return int(tail)
    return ordinal


def source_files(inputs: Sequence[str], options: ReaderOptions, workdir: Path, exclude: Path | None,
                 report: Callable[[ReadProblem], None]) -> Iterator[SourceFile]:
    """Every input file in reading order with its output name; stdin is spooled to ``workdir`` first
    (so the second pass can read it again); files under ``exclude`` (the output) are skipped."""
    for arg in inputs:
        if arg == "-":
            yield _spool_stdin(workdir, options)
            continue
        is_dir = os.path.isdir(arg)
        for item in iter_sources([arg]):
            if isinstance(item, ReadProblem):
                report(item)
                continue
            if exclude is not None and is_dir and _inside(item, exclude):
                continue
            rel = os.path.relpath(item, arg) if is_dir else os.path.basename(item)
            yield SourceFile(path=item, name=item, rel=rel, fmt=options.input_format)


def _inside(path: str, directory: Path) -> bool:
    """Whether ``path`` is ``directory`` or lies under it."""
    resolved = Path(os.path.abspath(path))
    return resolved == directory or directory in resolved.parents


def _spool_stdin(workdir: Path, options: ReaderOptions) -> SourceFile:
    """Copy stdin to a file (compressed as it came) and sniff its format."""
    path = workdir / "stdin"
    with path.open("wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, STREAM_BUFFER)
    fmt = options.input_format
    if fmt is None and path.stat().st_size:
        with opened(str(path)) as stream:
            fmt = sniff_format(stream.peek(4096)[:4096])
    return SourceFile(path=str(path), name="-", rel=f"stdin.{fmt or 'txt'}", fmt=fmt or "txt")


def read_records(inputs: Sequence[str], options: DedupOptions, workdir: Path, files: list[SourceFile],
                 clock: Clock, exclude: Path | None = None, lines: bool = False) -> Iterator[tuple[int, Item]]:
    """(file number, record) for every readable record, in input order, ``source`` set to the name the
    user gave; problems go to ``options.on_problem``; ``files`` receives each file as it is opened.
    With ``lines``, a JSONL file's records come as unparsed ``LineRecord``s (for the cleaning processes)."""
    report = options.on_problem or (lambda problem: None)
    for source in source_files(inputs, options.reader, workdir, exclude, report):
        file_no = len(files)
        files.append(source)
        try:
            st = os.stat(source.path)
            source.stat = (st.st_size, st.st_mtime_ns)
        except OSError:
            source.stat = None
        reader = replace(options.reader, input_format=source.fmt)
        if lines and (source.fmt or (source.path != "-" and detect_format(source.path))) == "jsonl":
            records: Iterator[Any] = read_jsonl_lines(source.path, reader)  # parsed in the cleaning processes
        else:
            records = read_path(source.path, reader)
        while True:
            with clock.stage("read"):
                item = next(records, None)
            if item is None:
                break
            if isinstance(item, ReadProblem):
                report(replace(item, source=source.name) if item.source != source.name else item)
                continue
            if isinstance(item, LineRecord):
                source.kind = "jsonl"
                yield file_no, replace(item, source=source.name)
                continue
            item.source = source.name
            source.kind = source.kind or locator_kind(item.locator)
            yield file_no, item


#: what a cleaning process is given: a record, or a JSONL line it parses itself
Item = RawRecord | LineRecord


def clean_item(item: Item, reader: ReaderOptions) -> CleanDoc | ReadProblem:
    """``clean_document(record, derive_id(record))``, a JSONL line parsed first (its problems pass through)."""
    if isinstance(item, LineRecord):
        try:
            parsed = item.parse(reader)
        except Exception as exc:
            return ReadProblem(item.source, f"line:{item.lineno}", f"could not read: {exc!r}")
        if isinstance(parsed, ReadProblem):
            return parsed
        item = parsed
    return clean_document(item, derive_id(item))


def clean_chunk(items: list[tuple[int, Item]], reader: ReaderOptions, config: DedupConfig | None = None
                ) -> tuple[list[tuple[int, CleanDoc | ReadProblem]], Fingerprints | None]:
    """The unit of work of a cleaning process: ``clean_item`` over (file number, item) pairs, then the
    fingerprints of the clean documents in order (with ``config``; None without, or when none is clean)."""
    done = [(file_no, clean_item(item, reader)) for file_no, item in items]
    norms = [doc.norm for _, doc in done if isinstance(doc, CleanDoc)]
    return done, (fingerprint(norms, config) if config is not None and norms else None)


def _chunks(records: Iterator[tuple[int, Item]], size: int) -> Iterator[list[tuple[int, Item]]]:
    """(file number, item) pairs in lists of ``size``."""
    chunk: list[tuple[int, Item]] = []
    for pair in records:
        chunk.append(pair)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


#: a clean document and, when a cleaning process fingerprinted it, (its chunk's fingerprints, its row there)
Cleaned = tuple[int, CleanDoc | ReadProblem, "tuple[Fingerprints, int] | None"]


def clean_in_processes(records: Iterator[tuple[int, Item]], workers: int, clock: Clock, reader: ReaderOptions,
                       config: DedupConfig | None = None, chunk: int = 128, ahead: int = 0) -> Iterator[Cleaned]:
    """``clean_chunk`` in ``workers`` processes, results in input order. At most 2 chunks per worker
    plus ``ahead`` records are in flight: the consumer indexes a whole batch at a time, and the
    workers must have that much queued or they idle meanwhile (bounded memory either way)."""
    import multiprocessing as mp
    from collections import deque

    pool = mp.get_context("spawn").Pool(workers)
    pending: deque[Any] = deque()

    def results(job: Any) -> Iterator[Cleaned]:
        with clock.stage("clean"):
            done, fp = job.get()
        row = 0
        for file_no, doc in done:
            if isinstance(doc, CleanDoc) and fp is not None:
                yield file_no, doc, (fp, row)
                row += 1
            else:
                yield file_no, doc, None

    try:
        for items in _chunks(records, chunk):
            pending.append(pool.apply_async(clean_chunk, (items, reader, config)))
            while len(pending) > 2 * workers + ahead // chunk:
                yield from results(pending.popleft())
        while pending:
            yield from results(pending.popleft())
    except BaseException:  # an error, Ctrl-C, or the consumer stopped early: stop the workers now
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()


def read_documents(inputs: Sequence[str], options: DedupOptions, workdir: Path, files: list[SourceFile],
                   clock: Clock, exclude: Path | None = None, config: DedupConfig | None = None
                   ) -> Iterator[tuple[int, CleanDoc, tuple[Fingerprints, int] | None]]:
    """(file number, clean document, fingerprint reference) for every usable record, in input order: cleaned
    here, or in ``options.workers`` processes that also parse JSONL lines and fingerprint with ``config``
    (the reference: their chunk's fingerprints and the document's row; None when cleaned here).
    Problems go to ``options.on_problem``."""
    report = options.on_problem or (lambda problem: None)
    parallel = options.workers > 1
    records = read_records(inputs, options, workdir, files, clock, exclude, lines=parallel)
    if parallel:
        cleaned: Iterator[Cleaned] = clean_in_processes(records, options.workers, clock, options.reader, config,
                                                        ahead=options.batch_size)
    else:
        cleaned = ((file_no, _timed_clean(record, options.reader, clock), None) for file_no, record in records)
    for file_no, doc, ref in cleaned:
        if isinstance(doc, ReadProblem):
            report(doc)
            continue
        files[file_no].documents += 1
        yield file_no, doc, ref


def _timed_clean(record: Item, reader: ReaderOptions, clock: Clock) -> CleanDoc | ReadProblem:
    """``clean_item`` in this process, timed as the "clean" stage."""
    with clock.stage("clean"):
        return clean_item(record, reader)


def derive_id(record: RawRecord) -> str:
    """The record's own id, else the stable derived id of ``storytrace.io.ids.derive_id``."""
    from ..io.ids import derive_id as corpus_derive_id

    return corpus_derive_id(record)


# --------------------------------------------------------------------------------------------
# Stages 2-3: batches -> spills, fingerprints, candidate pairs
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Columns:
    """Per-document columns (one row per document, input order), grown batch by batch."""

    file_no: np.ndarray
    position: np.ndarray
    wrapped: np.ndarray
    length: np.ndarray
    body_length: np.ndarray
    date: np.ndarray  # S32 date keys (cluster.groups.date_key)
    raw_hash: np.ndarray
    id_hash: np.ndarray

    def __len__(self) -> int:
        return len(self.file_no)


@dataclass(slots=True)
class Spills:
    """Disk-backed per-document strings: normalised texts, ids, locators, rebuilt records."""

    norms: SpillTexts
    ids: SpillTexts
    locators: SpillTexts
    records: SpillTexts

    @classmethod
    def create(cls, workdir: Path) -> Spills:
        """Four empty spill files in ``workdir``."""
        return cls(*(SpillTexts(workdir / f"{name}.spill") for name in ("norms", "ids", "locators", "records")))

    def all(self) -> tuple[SpillTexts, ...]:
        return (self.norms, self.ids, self.locators, self.records)

    def seal(self) -> None:
        for spill in self.all():
            spill.seal()

    def close(self) -> None:
        for spill in self.all():
            spill.close()


@dataclass(slots=True)
class Batch:
    """Documents collected for one fingerprint step."""

    file_no: list[int] = field(default_factory=list)
    position: list[int] = field(default_factory=list)
    docs: list[CleanDoc] = field(default_factory=list)
    norm_bytes: int = 0
    fp_parts: list[list[Any]] = field(default_factory=list)  # [fingerprints, first row, end row] runs
    unfingerprinted: int = 0  # documents cleaned without fingerprints (fingerprinted with the batch)

    def add(self, file_no: int, position: int, doc: CleanDoc, ref: tuple[Fingerprints, int] | None = None) -> None:
        self.file_no.append(file_no)
        self.position.append(position)
        self.docs.append(doc)
        self.norm_bytes += len(doc.norm)
        if ref is None:
            self.unfingerprinted += 1
            return
        fp, row = ref
        last = self.fp_parts[-1] if self.fp_parts else None
        if last is not None and last[0] is fp and last[2] == row:
            last[2] = row + 1
        else:
            self.fp_parts.append([fp, row, row + 1])

    def fingerprints(self) -> Fingerprints | None:
        """The batch's fingerprints when the cleaning processes made them all, else None."""
        if self.unfingerprinted or not self.fp_parts:
            return None
        return concat_fingerprints([fingerprint_rows(fp, lo, hi) for fp, lo, hi in self.fp_parts])

    def columns(self) -> Columns:
        """This batch's rows as numpy columns."""
        docs = self.docs
        dates = [date_key(d.date) for d in docs]
        return Columns(
            file_no=np.array(self.file_no, dtype=np.int32),
            position=np.array(self.position, dtype=np.int64),
            wrapped=np.array([d.wrapped for d in docs], dtype=bool),
            length=np.array([d.length for d in docs], dtype=np.int64),
            body_length=np.array([d.body_length for d in docs], dtype=np.int64),
            date=np.array(dates, dtype=f"S{DATE_BYTES}"),
            raw_hash=np.array([d.raw_hash for d in docs], dtype=np.uint64),
            id_hash=np.array([xxhash.xxh3_64_intdigest(d.id.encode("utf-8", "surrogatepass")) for d in docs],
                             dtype=np.uint64),
        )


def concat_columns(parts: Sequence[Columns]) -> Columns:
    """One Columns from many batches."""
    names = Columns.__dataclass_fields__
    if not parts:
        empty = Batch().columns()
        return empty
    return Columns(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in names})


@dataclass(slots=True)
class Pass1:
    """Everything the read pass produced: files, per-document columns, spills, candidate pairs."""

    files: list[SourceFile]
    columns: Columns
    spills: Spills
    pairs: np.ndarray  # (k, 2) int64 candidate pairs (earlier, later)
    fallbacks: int


def index_batch(batch: Batch, spills: Spills, dedup: Deduplicator, clock: Clock) -> tuple[Columns, np.ndarray]:
    """Spill a batch's strings, then fingerprint it and add it to the candidate index; (columns, new pairs)."""
    norms = [d.norm for d in batch.docs]
    with clock.stage("spill"):
        spills.norms.extend(norms)
        spills.ids.extend([d.id for d in batch.docs])
        spills.locators.extend([d.locator for d in batch.docs])
        spills.records.extend_bytes([d.record_line for d in batch.docs])
        columns = batch.columns()
    fp = batch.fingerprints()
    if fp is None:
        _, pairs, _ = dedup.add(norms)
    else:
        pairs, _ = dedup.add_fingerprints(fp)
    return columns, pairs


def read_pass(inputs: Sequence[str], config: DedupConfig, options: DedupOptions, workdir: Path,
              clock: Clock, exclude: Path | None = None) -> Pass1:
    """Read, clean and the first two stages of ``cluster.dedup`` over all inputs in one streaming pass,
    ``options.batch_size`` documents at a time."""
    from ..progress import progress_bar

    files: list[SourceFile] = []
    spills = Spills.create(workdir)
    dedup = Deduplicator(config, clock=clock)
    parts: list[Columns] = []
    found: list[np.ndarray] = []
    batch, fallbacks = Batch(), 0
    positions: dict[int, int] = {}
    with progress_bar("dedup: read", disable=options.quiet) as bar:
        for file_no, doc, ref in read_documents(inputs, options, workdir, files, clock, exclude, config):
            ordinal = positions.get(file_no, 0)
            positions[file_no] = ordinal + 1
            batch.add(file_no, _position(doc.locator, ordinal), doc, ref)
            fallbacks += doc.fallback
            bar.update(1)
            if len(batch.docs) >= options.batch_size or batch.norm_bytes >= options.batch_bytes:
                columns, pairs = index_batch(batch, spills, dedup, clock)
                parts.append(columns)
                found.append(pairs)
                batch = Batch()
        if batch.docs:
            columns, pairs = index_batch(batch, spills, dedup, clock)
            parts.append(columns)
            found.append(pairs)
    dedup.drop_index()
    spills.seal()
    pairs = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    return Pass1(files, concat_columns(parts), spills, pairs.reshape(-1, 2), fallbacks)


# --------------------------------------------------------------------------------------------
# Stages 4-6: verify, group, relate (pure numpy apart from the text lookups of the verifier)
# --------------------------------------------------------------------------------------------

def canonical_keys(keep: KeepRule, columns: Columns) -> CanonicalKeys:
    """Sort keys of the keep rule (smaller wins): canonical = clean article before a wrapping page,
    longer normalised text, earlier date, first seen; first = first seen; longest = longest document."""
    return keep_rule_keys(keep, columns.wrapped, columns.length, columns.body_length, columns.date)


def dedup_stage(pass1: Pass1, config: DedupConfig, keep: KeepRule, clock: Clock) -> Grouping:
    """The last stages of ``cluster.dedup``: verify candidates, group with the keep rule, relate every member."""
    columns, texts = pass1.columns, pass1.spills.norms
    dedup = Deduplicator(config, clock=clock, threads=os.cpu_count() or 1)  # spill reads are thread-safe
    _, edges = dedup.verify(texts, pass1.pairs, columns.wrapped)
    return dedup.group(texts, edges, canonical_keys(keep, columns), columns.wrapped, len(pass1.pairs))


# --------------------------------------------------------------------------------------------
# Stage 7: write
# --------------------------------------------------------------------------------------------

def output_kind(source: SourceFile, output_format: OutputFormat | None) -> OutputFormat:
    """Format of a file's output: as asked, else the input's own (JSONL for txt/html/warc)."""
    if output_format is not None:
        return output_format
    return "parquet" if source.kind == "parquet" else "jsonl"


def output_names(files: Sequence[SourceFile], output_format: OutputFormat | None) -> list[str | None]:
    """Relative output name (under ``data/``) per input file: JSONL/Parquet/WARC files are mirrored
    one to one, txt/html documents share ``documents.<fmt>``; None for files without documents."""
    names: list[str | None] = []
    taken: set[str] = set()
    shared: dict[str, str] = {}
    for source in files:
        if source.documents == 0 or not source.kind:
            names.append(None)
            continue
        fmt = output_kind(source, output_format)
        if source.kind == "doc":
            if fmt not in shared:
                shared[fmt] = _unique(f"documents.{fmt}", taken)
            names.append(shared[fmt])
            continue
        same = source.kind == fmt
        rel = source.rel if same and source.name != "-" else f"{_stem(source.rel)}.{fmt}"
        names.append(_unique(rel, taken))
    return names


def _stem(rel: str) -> str:
    """A relative name without its compression and format suffixes (``a/b.jsonl.gz`` -> ``a/b``)."""
    base = strip_compression_suffix(rel)
    root, ext = os.path.splitext(base)
    return root if ext.lower() in EXTENSION_FORMATS else base


def _unique(rel: str, taken: set[str]) -> str:
    """``rel``, or ``name-2.ext`` ... when an earlier file already has that output name."""
    folder, base = os.path.split(rel)
    head, dot, tail = base.partition(".")
    candidate, n = rel, 1
    while candidate in taken:
        n += 1
        candidate = os.path.join(folder, f"{head}-{n}{dot}{tail}")
    taken.add(candidate)
    return candidate


def file_ranges(file_no: np.ndarray, n_files: int) -> np.ndarray:
    """(n_files + 1) offsets: the documents of file f are rows ranges[f]:ranges[f + 1] (input order)."""
    return np.searchsorted(file_no, np.arange(n_files + 1), side="left").astype(np.int64)


def write_corpus(data_dir: Path, workdir: Path, pass1: Pass1, kept: np.ndarray,
                 options: DedupOptions, clock: Clock) -> dict[str, int]:
    """Second pass: every kept document into ``data_dir`` in its output format; {relative name: rows}."""
    from ..progress import progress_bar

    files, columns = pass1.files, pass1.columns
    names = output_names(files, options.output_format)
    ranges = file_ranges(columns.file_no, len(files))
    written: dict[str, int] = {}
    shared: dict[str, out_io.RowWriter | IO[bytes]] = {}
    with clock.stage("write_corpus"), progress_bar("dedup: write", total=int(kept.sum()),
                                                   disable=options.quiet) as bar:
        try:
            for f, source in enumerate(files):
                name = names[f]
                if name is None:
                    continue
                check_unchanged(source)
                rows = np.arange(ranges[f], ranges[f + 1])[kept[ranges[f]:ranges[f + 1]]]
                fmt = output_kind(source, options.output_format)
                if source.kind == "doc":
                    writer = shared.get(name) or _record_writer(data_dir / name, fmt)
                    shared[name] = writer
                    count = _write_records(writer, pass1.spills.records, rows)
                else:
                    count = _write_file(data_dir / name, workdir, source, fmt, columns, rows, pass1.spills.records)
                written[name] = written.get(name, 0) + count
                bar.update(count)
        finally:
            for writer in shared.values():
                writer.close()
    return written


def check_unchanged(source: SourceFile) -> None:
    """Raise InputChanged if the file's size or mtime moved since the read pass."""
    if source.stat is None:
        return
    try:
        st = os.stat(source.path)
    except OSError as exc:
        raise out_io.InputChanged(f"{source.name}: cannot be read again ({exc.strerror or exc})") from exc
    if (st.st_size, st.st_mtime_ns) != source.stat:
        raise out_io.InputChanged(f"{source.name}: changed since it was read; rerun on a stable copy")


def _record_writer(path: Path, fmt: OutputFormat) -> out_io.RowWriter | IO[bytes]:
    """Writer of rebuilt records: raw JSON lines, or Parquet rows with RECORD_SCHEMA."""
    if fmt == "jsonl":
        return out_io.open_output(path)
    return out_io.RowWriter(path, "parquet", RECORD_SCHEMA)


def _write_records(writer: out_io.RowWriter | IO[bytes], records: SpillTexts, rows: np.ndarray) -> int:
    """Append the spilled records of ``rows``."""
    for lo in range(0, len(rows), out_io.ROWS_PER_WRITE):
        lines = [records.get_bytes(int(i)) for i in rows[lo:lo + out_io.ROWS_PER_WRITE]]
        if isinstance(writer, out_io.RowWriter):
            objs = [json.loads(line) for line in lines]
            writer.write({key: [o.get(key) for o in objs] for key in RECORD_SCHEMA})
        else:
            writer.write(b"".join(lines))
    return len(rows)


def _write_file(dest: Path, workdir: Path, source: SourceFile, fmt: OutputFormat, columns: Columns,
                rows: np.ndarray, records: SpillTexts) -> int:
    """One mirrored output file (JSONL, Parquet or WARC input) holding its kept documents."""
    positions = columns.position[rows]
    if source.kind == "jsonl" and fmt == "jsonl":
        with out_io.open_output(dest) as fh:
            return out_io.copy_jsonl_lines(source.path, fh, positions, columns.raw_hash[rows])
    if source.kind == "jsonl":
        tmp = workdir / "convert.jsonl"
        try:
            with tmp.open("wb") as fh:
                out_io.copy_jsonl_lines(source.path, fh, positions, columns.raw_hash[rows])
            return out_io.jsonl_to_parquet(tmp, dest, source.name)
        finally:
            tmp.unlink(missing_ok=True)
    if source.kind == "parquet" and fmt == "parquet":
        return out_io.filter_parquet(source.path, dest, positions, workdir)
    if source.kind == "parquet":
        with out_io.open_output(dest) as fh:
            return out_io.parquet_rows_as_jsonl(source.path, fh, positions, workdir)
    writer = _record_writer(dest, fmt)  # warc: rebuilt records
    try:
        return _write_records(writer, records, rows)
    finally:
        writer.close()


def write_cluster_map(path: Path, fmt: OutputFormat, pass1: Pass1, grouping: Grouping, clock: Clock,
                      chunk: int = 65536) -> int:
    """clusters.<fmt>: one row per input document (id, source, locator, group, kept, relation, score)."""
    ids, locators = pass1.spills.ids, pass1.spills.locators
    names = [f.name for f in pass1.files]
    labels, kept = grouping.labels, grouping.kept
    with clock.stage("write_map"), out_io.RowWriter(path, fmt, MAP_SCHEMA) as writer:
        for lo in range(0, len(labels), chunk):
            rows = range(lo, min(lo + chunk, len(labels)))
            group_rows = labels[lo:rows.stop]
            group_ids = {int(g): ids[int(g)] for g in np.unique(group_rows)}
            writer.write({
                "id": [ids[i] for i in rows],
                "source": [names[int(f)] for f in pass1.columns.file_no[lo:rows.stop]],
                "locator": [locators[i] for i in rows],
                "group": [group_ids[int(g)] for g in group_rows],
                "kept": kept[lo:rows.stop].tolist(),
                "relation": [MAP_RELATIONS[int(r)] for r in grouping.relation[lo:rows.stop]],
                "score": np.round(grouping.score[lo:rows.stop], 4).tolist(),
            })
        return writer.rows


# --------------------------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class DedupSummary:
    """What a run did (written as summary.json)."""

    documents: int
    kept: int
    removed: int
    groups: int  # groups with two or more documents
    largest_group: int
    relations: dict[str, int]
    problems: dict[str, int]
    files: int
    candidate_pairs: int
    verified_pairs: int
    duplicate_ids: int
    extraction_fallbacks: int
    outputs: dict[str, int]
    timings_s: dict[str, float]
    cpu_s: dict[str, float]
    docs_per_s: float
    peak_rss_mb: float
    config: dict[str, Any]
    options: dict[str, Any]
    engine: str = "local"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def line(self, out_dir: Path | str) -> str:
        """One human line for stderr."""
        return (f"storytrace: {self.documents:,} documents, {self.kept:,} kept, {self.removed:,} duplicates removed "
                f"({self.groups:,} groups), {sum(self.problems.values()):,} problems -> {out_dir} "
                f"({self.timings_s.get('total', 0.0):,.1f} s)")


@dataclass(slots=True)
class ProblemCounter:
    """Counts problems and forwards them to the caller's handler."""

    forward: Callable[[ReadProblem], None] | None
    records: int = 0
    files: int = 0

    def __call__(self, problem: ReadProblem) -> None:
        if problem.locator:
            self.records += 1
        else:
            self.files += 1
        if self.forward is not None:
            self.forward(problem)


def run_dedup(inputs: Sequence[str], out_dir: str | Path, config: DedupConfig | None = None,
              options: DedupOptions | None = None) -> DedupSummary:
    """Deduplicate ``inputs`` into ``out_dir`` (data/, clusters.<fmt>, summary.json, _SUCCESS), atomically.

    Raises output.OutputExists before any work when ``out_dir`` is not empty (without overwrite),
    NothingReadable when no document could be read (nothing is written), output.InputChanged when an
    input changed between the two passes.
    """
    config = config or DedupConfig()
    options = options or DedupOptions()
    counter = ProblemCounter(options.on_problem)
    options = replace(options, on_problem=counter)
    out = Path(os.path.abspath(out_dir))
    refuse_inputs_inside(inputs, out)
    clock = Clock()
    start = time.perf_counter()
    with out_io.staged_output(out, options.overwrite) as staging:
        workdir = staging / "_work"
        workdir.mkdir()
        pass1: Pass1 | None = None
        try:
            pass1 = read_pass(inputs, config, options, workdir, clock, exclude=out)
            n = len(pass1.columns)
            if n == 0:
                raise NothingReadable(f"nothing could be read from {', '.join(inputs)}")
            grouping = dedup_stage(pass1, config, options.keep, clock)
            outputs = write_corpus(staging / "data", workdir, pass1, grouping.kept, options, clock)
            map_name = f"clusters.{options.map_format}"
            write_cluster_map(staging / map_name, options.map_format, pass1, grouping, clock)
        finally:
            if pass1 is not None:
                pass1.spills.close()
            shutil.rmtree(workdir, ignore_errors=True)
        clock.wall["total"] = time.perf_counter() - start
        summary = summarize(pass1, grouping, counter, outputs, clock, config, options, inputs)
        out_io.write_json(staging / "summary.json", summary.to_dict())
    return summary


def refuse_inputs_inside(inputs: Sequence[str], out: Path) -> None:
    """An input inside (or equal to) the output directory would be destroyed by --overwrite: refuse."""
    for path in inputs:
        if path != "-" and _inside(path, out):
            raise out_io.OutputExists(f"--out {out} contains the input {path}; choose another directory")


def summarize(pass1: Pass1, grouping: Grouping, problems: ProblemCounter, outputs: dict[str, int], clock: Clock,
              config: DedupConfig, options: DedupOptions, inputs: Sequence[str]) -> DedupSummary:
    """The run's counts, timings and settings."""
    n = len(grouping.labels)
    sizes = np.bincount(grouping.labels, minlength=n)
    codes, counts = np.unique(grouping.relation, return_counts=True)
    relations = {MAP_RELATIONS[int(c)]: int(k) for c, k in zip(codes, counts)}
    kept = int(grouping.kept.sum())
    total = clock.wall.get("total", sum(clock.wall.values()))
    opts = {"inputs": list(inputs), "keep": options.keep, "output_format": options.output_format or "same",
            "map_format": options.map_format, "batch_size": options.batch_size, "workers": options.workers,
            "reader": asdict(options.reader)}
    return DedupSummary(
        documents=n, kept=kept, removed=n - kept, groups=int((sizes > 1).sum()),
        largest_group=int(sizes.max(initial=0)),
        relations={name: relations.get(name, 0) for name in MAP_RELATIONS},
        problems={"records": problems.records, "files": problems.files},
        files=len(pass1.files), candidate_pairs=grouping.candidate_pairs, verified_pairs=grouping.verified_pairs,
        duplicate_ids=int(n - len(np.unique(pass1.columns.id_hash))), extraction_fallbacks=pass1.fallbacks,
        outputs=outputs, timings_s={k: round(v, 3) for k, v in clock.wall.items()},
        cpu_s={k: round(v, 3) for k, v in clock.cpu.items()}, docs_per_s=round(n / max(total, 1e-9), 1),
        peak_rss_mb=round(peak_rss_mb(), 1), config=asdict(config), options=opts,
    )
