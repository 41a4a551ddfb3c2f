"""The Apache Spark dedup engine: the local engine's pipeline, distributed, with the same results.

``run_dedup(inputs, out_dir, config, options, spark_options)`` reads every input format of the local
engine (JSONL, Parquet, plain text, HTML, WARC; gzip/zstd detected by magic bytes for txt/html/WARC),
files or directories, from any Hadoop-compatible path (local, HDFS, S3 through the user's Spark/Hadoop
config), and writes, under ``out_dir``:

* ``data/``: the kept documents in input order: JSONL lines byte for byte, Parquet rows as in the
  input, txt/html/WARC documents as the local engine's JSON records (id, text, source, title, date,
  url; its ``documents.jsonl`` and per-WARC ``<name>.jsonl`` lines, byte for byte); one dataset per
  input kind under ``data/jsonl/``, ``data/parquet/``, ``data/documents/`` (txt/html) and
  ``data/warc/`` when the inputs mix kinds, else ``data/`` itself;
* ``clusters/``: one row per input document: id, source, locator, group, kept, relation, score
  (the local engine's ``clusters.<fmt>`` columns, in input order);
* ``errors/``: skipped records and files (source, locator, reason, record) as JSON lines;
* ``summary.json``, then ``_SUCCESS`` (each dataset also has Spark's own ``_SUCCESS``).

Stages (docs/scaling.md has what each shuffles and costs):

1. arrival order: input files listed like the local engine (sorted, hidden and non-document files
   skipped in directories); each line or row gets ``idx``, its global position, from per-split
   counts (no sort of the corpus); txt/html/WARC files are read whole (Spark's ``binaryFile``
   source), parsed per file on an executor with ``storytrace.io``'s readers (a WARC file through a
   local spooled copy, FastWARC's native path as in the local engine), cleaned and fingerprinted
   there; their results are counted per file and get ``idx`` = file offset + position in the file;
2. read + clean + fingerprint per Arrow batch (``mapInArrow``) with the local engine's functions;
   problems (a malformed line, a truncated WARC, an undecodable file) are counted with an
   accumulator and kept as rows for ``errors/``;
3. candidates: postings (LSH band keys, exact hash, anchors) grouped by key with the giant-bucket
   guard (``spark_graph.bucket_pairs``); anchor links counted per pair and filtered;
4. verification per Arrow batch of pairs joined to their texts (``verify_pairs`` + wrapper rule);
5. groups: connected components (large-star/small-star), canonical = smallest key of the keep rule
   per component, members without a direct edge verified against it, for at most ``MAX_ROUNDS``
   rounds (``cluster.groups.guarded_groups``); relations as ``cluster.groups.member_relations``.
"""
from __future__ import annotations

import json
import logging
import os
import posixpath
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any
from urllib.parse import unquote

from ..cluster.groups import FRAGMENT_RATIO, MAX_ROUNDS
from ..fingerprint import DedupConfig
from ..io.base import DIRECTORY_SUFFIXES, FORMATS, ReaderOptions, detect_format, strip_compression_suffix
from ..match.verify import CONTAINS, EXACT, NEAR
from ..records import ReadProblem
from .spark_batches import SRC_ANCHOR, SRC_EXACT, SRC_LSH, WHOLE_FILE_FORMATS

log = logging.getLogger("storytrace.engines.spark")

SPARK_FORMATS = FORMATS  #: every reader format of storytrace.io
LINE_FORMATS = ("jsonl", "parquet")  #: read by Spark's own text/Parquet sources, split by split
#: output kind of an input format (engines.local.SourceFile.kind) -> its dataset under data/
DATA_DIRS = {"jsonl": "jsonl", "parquet": "parquet", "doc": "documents", "warc": "warc"}
RECORD_STRUCT = "id string, text string, source string, title string, date string, url string"  # local.RECORD_SCHEMA
BINARY_FILE_LIMIT = "spark.sql.sources.binaryFile.maxLength"
MAP_RELATIONS = ("canonical", "exact", "near_duplicate", "contains", "contained_in")  # engines.local's
SMALL_PAIRS = 100_000  #: pair sets up to this size are verified by broadcasting them to the texts
PROBLEMS_FORWARDED = 1000  #: record problems passed to ``on_problem`` (all are in errors/)


@dataclass(frozen=True, slots=True)
class SparkOptions:
    """Where and how Spark runs (the DedupOptions say what to read and write)."""

    master: str | None = None  # None: $STORYTRACE_SPARK_MASTER, else spark-submit's, else local[*]
    app_name: str = "storytrace-dedup"
    shuffle_partitions: int | None = None  # None: Spark's (local masters: 2 x cores)
    conf: Mapping[str, str] = field(default_factory=dict)  # any other Spark setting


def spark_options(options: SparkOptions | Mapping[str, Any] | None) -> SparkOptions:
    """SparkOptions from SparkOptions, a mapping (unknown keys ignored) or None.

    >>> spark_options({"master": "local[2]", "keep": "first"}).master
    'local[2]'
    """
    if options is None:
        return SparkOptions()
    if isinstance(options, SparkOptions):
        return options
    names = {f.name for f in fields(SparkOptions)}
    return replace(SparkOptions(), **{k: v for k, v in options.items() if k in names and v is not None})


MASTER_FORMS = "local, local[N], local[*], local[N,F], spark://HOST:PORT, yarn, k8s://HOST:PORT or SCHEME://..."


def check_master(master: str) -> str:
    """A Spark master URL as given, or ValueError naming the accepted forms (Spark's own message is a
    Java stack trace, after the JVM has started).

    >>> [check_master(m) for m in ("local[2]", "local[*, 3]", "spark://h1:7077,h2:7077", "yarn")]
    ['local[2]', 'local[*, 3]', 'spark://h1:7077,h2:7077', 'yarn']
    >>> check_master("local[two]")
    Traceback (most recent call last):
    ...
    ValueError: --master 'local[two]' is not a Spark master URL (local, local[N], local[*], local[N,F], spark://HOST:PORT, yarn, k8s://HOST:PORT or SCHEME://...)
    """
    import re

    value = master.strip()
    local = re.fullmatch(r"local(\[\s*(\d+|\*)\s*(,\s*\d+\s*)?\]|-cluster\[\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\])?", value)
    remote = re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://\S+", value)
    if value != master or not (local or remote or value == "yarn") or value in ("local[0]",):
        raise ValueError(f"--master {master!r} is not a Spark master URL ({MASTER_FORMS})")
    return master


def dedup_options(options: Any) -> Any:
    """engines.local.DedupOptions from DedupOptions, a mapping of its fields (reader fields too), or None."""
    from .local import DedupOptions

    if isinstance(options, DedupOptions):
        return options
    if not isinstance(options, Mapping):
        return DedupOptions()
    names = {f.name for f in fields(DedupOptions)}
    reader_names = {f.name for f in fields(ReaderOptions)}
    reader = replace(ReaderOptions(), **{k: v for k, v in options.items() if k in reader_names})
    given = {k: v for k, v in options.items() if k in names and k != "reader"}
    return DedupOptions(reader=options.get("reader", reader), **given)


# --------------------------------------------------------------------------------------------
# Pure helpers (driver side)
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class InputFile:
    """One input file: Spark's name for it, the local engine's name for it, its format."""

    uri: str  # the Hadoop path (``Path.toString``: what Spark loads and binaryFile's ``path`` column holds)
    name: str  # as the local engine names it (the map's ``source``)
    fmt: str  # a storytrace.io format: "jsonl" | "parquet" | "txt" | "html" | "warc"
    size: int = 0

    @property
    def kind(self) -> str:
        """The local engine's output kind (``SourceFile.kind``): jsonl, parquet, warc, or doc (txt/html)."""
        return "doc" if self.fmt in ("txt", "html") else self.fmt


def child_name(arg: str, rel: str) -> str:
    """The local engine's name of file ``rel`` found under directory argument ``arg``.

    >>> child_name("corpus/", "a/b.jsonl"), child_name("s3a://bucket/in", "x.jsonl")
    ('corpus/a/b.jsonl', 's3a://bucket/in/x.jsonl')
    """
    if "://" in arg:
        return arg.rstrip("/") + "/" + rel
    from pathlib import Path

    return str(Path(arg) / rel)


def listed(arg: str, rel: str) -> bool:
    """Whether a directory walk keeps this file (``io.base.file_records_from``: no hidden parts,
    a document suffix under any compression suffix).

    >>> listed("d", "a/x.jsonl.gz"), listed("d", ".git/x.jsonl"), listed("d", "notes.md")
    (True, False, False)
    """
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts):
        return False
    name = strip_compression_suffix(parts[-1])
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix in DIRECTORY_SUFFIXES


def segment_offsets(segments: Sequence[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """(file_no, block, idx offset, position offset) from (file_no, block start, rows, first mono).

    A segment is one file split read by one task: its rows are consecutive in arrival order and so
    are its monotonically increasing ids. Segments sort by (file_no, block); then
    idx = idx offset + mono and position in file = position offset + mono.

    >>> segment_offsets([(1, 0, 2, 8589934592), (0, 100, 3, 5), (0, 0, 4, 0)])
    [(0, 0, 0, 0), (0, 100, -1, -1), (1, 0, -8589934585, -8589934592)]
    """
    out, start, file_start, current = [], 0, 0, None
    for file_no, block, rows, first in sorted(segments):
        if file_no != current:
            current, file_start = file_no, 0
        out.append((file_no, block, start - first, file_start - first))
        start += rows
        file_start += rows
    return out


def file_starts(segments: Sequence[tuple[int, int, int, int]], n_files: int) -> list[int]:
    """``idx`` of each file's first row from (file_no, block, rows, first mono) segments (a file without
    rows: where the next one starts), then the end: where a file's driver-side problem sorts in errors/.

    >>> file_starts([(0, 100, 3, 5), (0, 0, 4, 0), (2, 0, 2, 0)], 3)
    [0, 7, 7, 9]
    """
    rows = [0] * n_files
    for file_no, _, count, _ in segments:
        rows[file_no] += count
    starts = [0]
    for count in rows:
        starts.append(starts[-1] + count)
    return starts


def spark_path(uri: str) -> str:
    r"""A listed file's path for Spark's readers, glob characters escaped (Spark globs every path it
    loads, so ``page[1].html`` would match ``page1.html`` and miss itself).

    >>> spark_path("file:/in/page[1] {a}*?.html")
    'file:/in/page\\[1\\] \\{a\\}\\*\\?.html'
    """
    import re

    return re.sub(r"([\\{}\[\]*?])", r"\\\1", uri)


def uri_key(uri: str) -> str:
    """One spelling of a file URI for Spark's ``_metadata.file_path`` and Hadoop listings alike.

    >>> uri_key("file:///tmp/a%20b.jsonl"), uri_key("file:/tmp/a b.jsonl"), uri_key("s3a://b/k%2Bx.jsonl")
    ('file:/tmp/a b.jsonl', 'file:/tmp/a b.jsonl', 's3a://b/k+x.jsonl')
    """
    key = unquote(uri)
    return "file:/" + key[len("file:"):].lstrip("/") if key.startswith("file:") else key


def relation_counts(rows: Iterable[tuple[int, int]]) -> dict[str, int]:
    """{relation name: documents} over MAP_RELATIONS from (code, count) rows.

    >>> relation_counts([(0, 5), (2, 1)])["near_duplicate"]
    1
    """
    found = dict(rows)
    return {name: int(found.get(code, 0)) for code, name in enumerate(MAP_RELATIONS)}


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------

def run_dedup(inputs: Sequence[str], out_dir: str | os.PathLike[str], config: DedupConfig | None = None,
              options: Any = None, spark: SparkOptions | Mapping[str, Any] | None = None) -> Any:
    """Deduplicate ``inputs`` into ``out_dir`` on Spark; returns engines.local.DedupSummary (engine "spark").

    ``options``: engines.local.DedupOptions (or a mapping of its fields; a SparkOptions here is taken as
    ``spark``). Uses the active SparkSession when there is one (left running), else starts one from
    ``spark`` (and stops it at the end). Raises local.NothingReadable when no document could be read,
    output.OutputExists for a non-empty ``out_dir`` without ``overwrite``.
    """
    from pyspark.sql import SparkSession

    if isinstance(options, SparkOptions):
        options, spark = None, options
    config = config or DedupConfig()
    dopts = dedup_options(options)
    sopts = spark_options(spark)
    if sopts.master is not None:
        check_master(sopts.master)
    active = SparkSession.getActiveSession()
    if active is not None and sopts.master not in (None, active.sparkContext.master):
        log.warning("using the active SparkSession (master %s); master %s is not applied",
                    active.sparkContext.master, sopts.master)
    session = active or build_session(sopts, quiet=dopts.quiet)
    try:
        return SparkRun(session, config, dopts).run([str(p) for p in inputs], os.fspath(out_dir).rstrip("/"))
    finally:
        if active is None:
            session.stop()


def resolve_master(given: str | None, submitted: str | None = None) -> str:
    """The master a new session gets: ``given`` (``--master``, SparkOptions.master), else
    $STORYTRACE_SPARK_MASTER, else ``submitted`` (spark-submit's ``spark.master``), else local[*]."""
    return given or os.environ.get("STORYTRACE_SPARK_MASTER") or submitted or "local[*]"


def build_session(opts: SparkOptions, quiet: bool = True) -> Any:
    """A SparkSession: master from the options (``--master``), else $STORYTRACE_SPARK_MASTER, else
    spark-submit's, else local[*]; local masters run executors on this Python (PYSPARK_PYTHON) with
    2 x cores shuffle partitions."""
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    conf = SparkConf()
    master = resolve_master(opts.master, conf.get("spark.master", None))
    builder = SparkSession.builder.master(master).appName(opts.app_name)
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # pyspark reads only the variable
        if opts.shuffle_partitions is None and not conf.contains("spark.sql.shuffle.partitions"):
            builder = builder.config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))
    if opts.shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(opts.shuffle_partitions))
    if quiet and not conf.contains("spark.ui.showConsoleProgress"):
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    if not conf.contains("spark.sql.execution.arrow.maxRecordsPerBatch"):
        builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", "4096")
    if not conf.contains("spark.sql.maxPlanStringLength"):  # plan strings of the iterative stages are logged per query
        builder = builder.config("spark.sql.maxPlanStringLength", "200000")
    for key, value in opts.conf.items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()


class SparkRun:
    """One run: the Spark calls of every stage (the per-batch work is in spark_batches)."""

    def __init__(self, spark: Any, config: DedupConfig, options: Any) -> None:
        self.spark, self.config, self.options = spark, config, options
        self.reader: ReaderOptions = options.reader
        self.persisted: list[Any] = []
        self.wall: dict[str, float] = {}
        self.file_problems = 0
        self.stats: dict[str, Any] = {"cc_rounds": [], "guard_rounds": 0}
        self._report = options.on_problem or (lambda problem: None)
        self.problems: list[tuple[int, str, str, str]] = []  # driver: (files listed before, source, locator, reason)
        self.listed: list[InputFile] = []
        self.unread_files = 0  # files skipped on the driver (missing, empty, too large)
        self.file_starts: list[int] = [0]  # idx of each file's first row, then the end (``file_starts``)
        self.acc: Any = None  # problems counted by the executors

    # -- helpers -------------------------------------------------------------------------------

    def begin_stage(self, name: str) -> float:
        """Name the Spark jobs of an engine stage (Spark UI, event log) and start its clock."""
        self.spark.sparkContext.setJobDescription(f"storytrace {name}")
        return time.perf_counter()

    def _stage(self, name: str, started: float) -> None:
        """Record an engine stage's wall time."""
        self.wall[name] = round(time.perf_counter() - started, 3)
        log.info("spark stage %s: %.1f s", name, self.wall[name])

    def persist(self, df: Any) -> Any:
        """Persist (memory, spilling to disk); released at the end of the run."""
        from pyspark import StorageLevel

        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        self.persisted.append(df)
        return df

    def _problem(self, source: str, locator: str, reason: str, file: bool = True) -> None:
        """A driver-side (file) problem: reported now, written to errors/ later; ``file``: about a file
        that the local engine would have opened (and counted in ``files``), not a directory."""
        self.file_problems += 1
        self.unread_files += file
        self.problems.append((len(self.listed), source, locator, reason))
        self._report(ReadProblem(source, locator, reason))

    def hadoop_fs(self, path: str) -> tuple[Any, Any]:
        """(Hadoop FileSystem, Hadoop Path) of a path."""
        jvm = self.spark.sparkContext._jvm
        hpath = jvm.org.apache.hadoop.fs.Path(path)
        return hpath.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()), hpath

    # -- the run -------------------------------------------------------------------------------

    def run(self, inputs: list[str], out_dir: str) -> Any:
        """All stages; outputs written; persisted DataFrames released."""
        start = time.perf_counter()
        self.check_out(inputs, out_dir)
        try:
            files, sources, docs_all, _, members = self.dedup_stages(inputs)
            self.write(out_dir, files, sources, docs_all, members, start)
        finally:
            for df in self.persisted:
                df.unpersist()
            self.spark.sparkContext.setJobDescription(None)
        return self.summary

    def dedup_stages(self, inputs: list[str]) -> tuple[list[InputFile], dict[str, Any], Any, Any, Any]:
        """Stages 1-5 (list, read, documents, candidates, verify, groups): (files, sources, every document
        row, the usable ones, group members); the story engine runs the same sequence before its own stages."""
        from .local import NothingReadable

        files = self.list_inputs(inputs)
        sources = self.read(files)
        docs_all = self.documents(sources, files)
        docs = docs_all.filter("problem IS NULL")
        if self.stats["documents"] == 0:
            raise NothingReadable(f"nothing could be read from {', '.join(inputs)}")
        pairs = self.candidates(docs)
        verdicts = self.verify(pairs, docs)
        return files, sources, docs_all, docs, self.groups(docs, verdicts)

    def check_out(self, inputs: list[str], out_dir: str) -> None:
        """Refuse a non-empty ``out_dir`` without overwrite, and inputs inside ``out_dir``."""
        from . import output as out_io

        fs, path = self.hadoop_fs(out_dir)
        qualified = fs.makeQualified(path).toString().rstrip("/")
        for arg in inputs:
            afs, apath = self.hadoop_fs(arg)
            inner = afs.makeQualified(apath).toString()
            if inner == qualified or inner.startswith(qualified + "/"):
                raise out_io.OutputExists(f"--out {out_dir} contains the input {arg}; choose another directory")
        if fs.exists(path):
            status = fs.getFileStatus(path)
            if not status.isDirectory():
                raise out_io.OutputExists(f"{out_dir} exists and is not a directory")
            if len(fs.listStatus(path)) and not self.options.overwrite:
                raise out_io.OutputExists(f"{out_dir} exists and is not empty (pass --overwrite to replace it)")

    def list_inputs(self, inputs: list[str]) -> list[InputFile]:
        """Input files in the local engine's reading order (Hadoop FileSystem listing on the driver)."""
        files = self.listed
        for arg in inputs:
            if arg == "-":
                self._problem("-", "", "the spark engine cannot read stdin; pass files or directories")
                continue
            fs, path = self.hadoop_fs(arg)
            if not fs.exists(path):
                self._problem(arg, "", "no such file or directory")  # io.base.os_error_reason's words
                continue
            if not fs.getFileStatus(path).isDirectory():
                self._add_file(files, fs.getFileStatus(path), arg)
                continue
            root = fs.makeQualified(path).toUri().getPath().rstrip("/")
            found = []
            statuses = fs.listFiles(path, True)
            while statuses.hasNext():
                status = statuses.next()
                rel = status.getPath().toUri().getPath()[len(root) + 1:]
                if listed(arg, rel):
                    found.append((rel.split("/"), rel, status))
            if not found:
                self._problem(arg, "", "directory has no readable files", file=False)
            for _, rel, status in sorted(found, key=lambda item: item[0]):
                self._add_file(files, status, child_name(arg, rel))
        return files

    def _add_file(self, files: list[InputFile], status: Any, name: str) -> None:
        """Append a file in the format the local engine would read it in, or report why it is skipped."""
        size = int(status.getLen())
        if size == 0:
            self._problem(name, "", "empty file")
            return
        fmt = self.reader.input_format or detect_format(name)
        if fmt not in SPARK_FORMATS:
            self._problem(name, "", f"unknown input format {fmt!r} (known: {', '.join(FORMATS)})")
            return
        too_large = self._whole_file_too_large(fmt, size) if fmt in WHOLE_FILE_FORMATS else None
        if too_large:
            self._problem(name, "", too_large)
            return
        files.append(InputFile(status.getPath().toString(), name, fmt, size))

    def _whole_file_too_large(self, fmt: str, size: int) -> str | None:
        """Why a txt/html/WARC file is not loaded whole (None: it is): a txt/html file certainly over
        max_record_bytes once decompressed (gzip/zstd expand incompressible data by < 1/128), a file
        over Spark's binaryFile limit."""
        limit = self.reader.max_record_bytes
        if fmt != "warc" and size > limit + limit // 128 + 65536:
            return f"file larger than max_record_bytes ({limit} bytes); skipped"
        try:
            cap = int(self.spark.conf.get(BINARY_FILE_LIMIT))
        except Exception:
            cap = 2**31 - 1
        if size > cap:
            return (f"file larger than {BINARY_FILE_LIMIT} ({cap} bytes): the spark engine reads txt/html/WARC "
                    "files whole; skipped")
        return None

    def read(self, files: list[InputFile]) -> dict[str, Any]:
        """The records in arrival order: for JSONL and Parquet (idx, file_no, pos, value | row) per
        format; under "whole", the DOC_SCHEMA rows of every txt/html/WARC file (read, cleaned and
        fingerprinted already) with their global idx."""
        from pyspark.sql import functions as F

        from .spark_batches import DOC_SCHEMA

        started = self.begin_stage("read")
        self.acc = self.spark.sparkContext.accumulator(0)
        file_no = {uri_key(f.uri): n for n, f in enumerate(files)}
        located: dict[str, Any] = {}
        spark_name: dict[int, str] = {}
        segments: list[tuple[int, int, int, int]] = []  # (file_no, block start, rows, first mono)
        for fmt in LINE_FORMATS:
            uris = [spark_path(f.uri) for f in files if f.fmt == fmt]
            if not uris:
                continue
            if fmt == "jsonl":
                raw = self.spark.read.option("lineSep", "\n").text(uris)
                record = F.col("value").cast("binary").alias("value")
            else:
                raw = self.spark.read.option("mergeSchema", "true").parquet(*uris)
                record = F.struct(*[F.col(f"`{c}`") for c in raw.columns]).alias("row")
            located[fmt] = (raw.select(F.col("_metadata.file_path").alias("file"),
                                       F.col("_metadata.file_block_start").alias("block"), record)
                            .withColumn("mono", F.monotonically_increasing_id()))
            rows = located[fmt].groupBy("file", "block").agg(F.count("*").alias("rows"),
                                                             F.min("mono").alias("first")).collect()
            unknown = sorted({r.file for r in rows if uri_key(r.file) not in file_no})
            if unknown:
                raise RuntimeError(f"Spark read files that were not listed: {unknown[:3]}")
            for r in rows:
                spark_name[file_no[uri_key(r.file)]] = r.file
                segments.append((file_no[uri_key(r.file)], r.block, r.rows, r.first))
        whole = self._read_whole(files)
        if whole is not None:  # results per file: positions 0 .. rows - 1
            counts = whole.groupBy("file_no").agg((F.max("idx") + 1).alias("rows")).collect()
            segments += [(r.file_no, 0, int(r.rows), 0) for r in counts]
        offsets = segment_offsets(segments)
        self.file_starts = file_starts(segments, len(files))
        out: dict[str, Any] = {}
        for fmt, df in located.items():
            table = self.spark.createDataFrame(
                [(spark_name[f], f, block, io, po) for f, block, io, po in offsets if files[f].fmt == fmt],
                "file string, file_no int, block long, idx_off long, pos_off long")
            out[fmt] = df.join(F.broadcast(table), ["file", "block"]).select(
                (F.col("idx_off") + F.col("mono")).alias("idx"), "file_no",
                (F.col("pos_off") + F.col("mono")).alias("pos"), "value" if fmt == "jsonl" else "row")
        if whole is not None:
            table = self.spark.createDataFrame(
                [(f, io) for f, _, io, _ in offsets if files[f].fmt in WHOLE_FILE_FORMATS], "file_no int, idx_off long")
            out["whole"] = whole.join(F.broadcast(table), "file_no").withColumn(
                "idx", F.col("idx_off") + F.col("idx")).select(*DOC_SCHEMA.names)
        self._stage("read", started)
        return out

    def _read_whole(self, files: list[InputFile]) -> Any:
        """DOC_SCHEMA rows of the txt/html/WARC files (``idx``: position in the file), persisted; None
        without such files. Each file is one binaryFile row, read by ``spark_batches.whole_file_batches``."""
        from pyspark.sql.pandas.types import from_arrow_schema

        from . import spark_batches as sb

        wanted = [(n, f) for n, f in enumerate(files) if f.fmt in WHOLE_FILE_FORMATS]
        if not wanted:
            return None
        lookup = self.spark.sparkContext.broadcast((
            {f.uri: n for n, f in wanted}, {uri_key(f.uri): n for n, f in wanted},
            [f.name for f in files], [f.fmt for f in files]))
        reader, config, acc = self.reader, self.config, self.acc

        def body(batches: Iterable[Any]) -> Iterable[Any]:
            exact, keyed, names, fmts = lookup.value

            def file_of(path: str) -> int:
                found = exact.get(path, keyed.get(uri_key(path)))
                if found is None:
                    raise RuntimeError(f"Spark read a file that was not listed: {path}")
                return int(found)

            return sb.whole_file_batches(batches, file_of, names, fmts, reader, config, acc.add)

        raw = self.spark.read.format("binaryFile").load([spark_path(f.uri) for _, f in wanted])
        raw = raw.select("path", "content")
        return self.persist(raw.mapInArrow(body, from_arrow_schema(sb.DOC_SCHEMA)))

    def documents(self, sources: dict[str, Any], files: list[InputFile]) -> Any:
        """DOC_SCHEMA rows for every record (documents and problems), persisted (JSONL/Parquet rows here,
        whole-file rows by ``read``); problems counted (those without a locator are file problems, as
        the local engine counts them)."""
        from functools import reduce

        from pyspark.sql import functions as F
        from pyspark.sql.pandas.types import from_arrow_schema

        from . import spark_batches as sb

        started = self.begin_stage("documents")
        names = [f.name for f in files]
        reader, config, problems = self.reader, self.config, self.acc
        schema = from_arrow_schema(sb.DOC_SCHEMA)
        parts = []
        for fmt, df in sources.items():
            if fmt == "whole":
                continue
            parse_batch = sb.parse_jsonl_batch if fmt == "jsonl" else sb.parse_parquet_batch

            def body(batches: Iterable[Any], parse_batch: Callable[..., Any] = parse_batch) -> Iterable[Any]:
                parse = lambda batch: parse_batch(batch, names, reader)  # noqa: E731
                return sb.document_batches(batches, parse, config, problems.add)

            parts.append(df.mapInArrow(body, schema))
        if parts:
            parts = [self.persist(reduce(lambda a, b: a.unionByName(b), parts))]
        if "whole" in sources:  # read, cleaned and persisted already (only the idx offsets are added)
            parts.append(sources["whole"])
        docs = reduce(lambda a, b: a.unionByName(b), parts)
        whole_file = F.col("problem").isNotNull() & (F.col("locator") == "")
        counts = docs.agg(F.count("problem").alias("problems"), F.count("id").alias("documents"),
                          F.sum(F.col("fallback").cast("int")).alias("fallbacks"),
                          F.countDistinct("id").alias("ids"), F.sum(whole_file.cast("int")).alias("file_problems")
                          ).first()
        file_problems = int(counts.file_problems or 0)
        self.file_problems += file_problems
        self.stats.update(documents=int(counts.documents), record_problems=int(counts.problems) - file_problems,
                          accumulated_problems=int(problems.value), fallbacks=int(counts.fallbacks or 0),
                          duplicate_ids=int(counts.documents - counts.ids))
        log.info("documents: %d, problems: %d (accumulator: %d)", counts.documents, counts.problems, problems.value)
        forwarded = docs.filter("problem IS NOT NULL").orderBy("idx").limit(PROBLEMS_FORWARDED).collect()
        for row in forwarded:
            self._report(ReadProblem(names[row.file_no], row.locator, row.problem))
        if counts.problems > len(forwarded):
            log.warning("%d more record problems: see errors/", counts.problems - len(forwarded))
        self._stage("documents", started)
        return docs

    def candidates(self, docs: Any) -> Any:
        """Unique candidate pairs (a < b) from LSH, exact hash and anchors (persisted)."""
        from pyspark.sql import functions as F

        from .spark_graph import bucket_pairs

        started = self.begin_stage("candidates")
        cfg = self.config
        postings = (
            docs.filter(F.size("bands") > 0).select(F.lit(SRC_LSH).alias("src"), F.explode("bands").alias("key"), "idx",
                                                    F.lit(0).alias("w"))
            .unionByName(docs.filter(F.col("chash").isNotNull())
                         .select(F.lit(SRC_EXACT).alias("src"), F.col("chash").alias("key"), "idx", F.lit(0).alias("w")))
            .unionByName(docs.filter(F.col("n_anchors") > 0)
                         .select(F.lit(SRC_ANCHOR).alias("src"), F.explode("anchors").alias("key"), "idx",
                                 F.col("n_anchors").alias("w"))))
        links = bucket_pairs(postings, {SRC_LSH: cfg.max_bucket, SRC_EXACT: cfg.max_bucket,
                                        SRC_ANCHOR: cfg.anchor_df_cap})
        anchor = F.col("src") == SRC_ANCHOR
        per_pair = links.groupBy("a", "b").agg(
            F.max((~anchor).cast("int")).alias("direct"), F.sum(anchor.cast("int")).alias("shared"),
            F.max(F.when(anchor, F.col("wa"))).alias("na"), F.max(F.when(anchor, F.col("wb"))).alias("nb"))
        smaller = F.least("na", "nb")
        keep = ((F.col("shared") >= cfg.min_shared_anchors) | (F.col("shared") >= smaller)) & (
            F.col("shared") >= F.lit(float(cfg.min_anchor_ratio)) * smaller)
        pairs = self.persist(per_pair.filter((F.col("direct") == 1) | ((F.col("shared") > 0) & keep)).select("a", "b"))
        self.stats["candidate_pairs"] = pairs.count()
        self._stage("candidates", started)
        return pairs

    def _verify(self, pairs: Any, docs: Any, small: bool = False) -> Any:
        """Verdicts on (a, b) pairs: texts and wrapper flags joined on, verified per Arrow batch.

        ``small``: few pairs, broadcast to the (persisted) texts instead of shuffling the texts.
        """
        from pyspark.sql import functions as F
        from pyspark.sql.pandas.types import from_arrow_schema

        from .spark_batches import VERIFY_SCHEMA, verify_batches

        side = docs.select("idx", "norm", "wrapped")
        left = side.select(F.col("idx").alias("a"), F.col("norm").alias("norm_a"), F.col("wrapped").alias("wrapped_a"))
        right = side.select(F.col("idx").alias("b"), F.col("norm").alias("norm_b"), F.col("wrapped").alias("wrapped_b"))
        if small:
            joined = right.join(F.broadcast(left.join(F.broadcast(pairs), "a")), "b")
        else:
            joined = pairs.join(left, "a").join(right, "b")
        joined = joined.select("a", "b", "norm_a", "norm_b", "wrapped_a", "wrapped_b")
        config = self.config
        return joined.mapInArrow(lambda batches: verify_batches(batches, config), from_arrow_schema(VERIFY_SCHEMA))

    def verify(self, pairs: Any, docs: Any) -> Any:
        """Verified duplicate edges (a, b, relation, direction, score), persisted."""
        started = self.begin_stage("verify")
        edges = self.persist(self._verify(pairs, docs).filter("matched").drop("matched"))
        self.stats["verified_pairs"] = edges.count()
        self._stage("verify", started)
        return edges

    def _keys(self, docs: Any) -> Any:
        """(node, wrapped, length, date, order) of the keep rule, plus (text_length, page) for the fragment
        guard (``cluster.groups.keep_rule_keys``)."""
        from pyspark.sql import functions as F

        zero, idx = F.lit(0), F.col("idx")
        rule = self.options.keep
        if rule == "first":
            parts = [zero, F.lit(0).cast("long"), F.lit(b"").cast("binary"), idx]
        elif rule == "longest":
            parts = [zero, F.col("body_length").cast("long"), F.lit(b"").cast("binary"), idx]
        else:
            parts = [F.col("wrapped").cast("int"), F.col("length").cast("long"), F.col("date"), idx]
        names = ("wrapped", "length", "date", "order")
        return docs.select(idx.alias("node"), *[p.alias(n) for p, n in zip(parts, names)],
                           F.col("length").cast("long").alias("text_length"), F.col("wrapped").cast("int").alias("page"))

    def _canonicals(self, labels: Any, keys: Any, round_edges: Any) -> Any:
        """(node, canon, size, fragment) per grouped node: the smallest key struct of its component, as
        ``cluster.groups.canonical_of`` (with the canonical rule: in-group degree after ``wrapped``), and
        whether the canonical is a fragment of the node (``cluster.groups.FRAGMENT_RATIO``)."""
        from pyspark.sql import functions as F
        from pyspark.sql.window import Window

        component = Window.partitionBy("label")
        member = labels.join(keys, "node")
        if self.options.keep == "canonical":
            ends = round_edges.select(F.col("a").alias("node")).unionByName(round_edges.select(F.col("b").alias("node")))
            member = member.join(ends.groupBy("node").agg(F.count("*").alias("degree")), "node", "left")
            degree_key = -F.coalesce(F.col("degree"), F.lit(0)).cast("long")
        else:
            degree_key = F.lit(0).cast("long")
        key = F.struct(F.col("wrapped"), degree_key.alias("degree"), (-F.col("length")).alias("length"),
                       F.col("date"), F.col("order"), F.col("node"))
        ranked = member.select("node", "text_length", "page",
                               F.min(key).over(component).getField("node").alias("canon"),
                               F.count("*").over(component).alias("size"))
        canon_length = keys.select(F.col("node").alias("canon"), F.col("text_length").alias("canon_length"))
        fragment = ((F.col("canon") != F.col("node")) & (F.col("page") == 0)
                    & (F.col("canon_length") * FRAGMENT_RATIO < F.col("text_length")))
        return ranked.join(canon_length, "canon").select("node", "canon", "size", fragment.alias("fragment"))

    def groups(self, docs: Any, edges: Any) -> Any:
        """(node, label, code, score) of documents in groups of two or more: label = canonical's idx,
        code = MAP_RELATIONS index of the member's relation to it (the chaining guard applied)."""
        from pyspark.sql import functions as F

        from .spark_graph import connected_components

        started = self.begin_stage("groups")
        keys = self.persist(self._keys(docs))
        active = None  # None: every document
        settled: list[Any] = []
        for round_no in range(MAX_ROUNDS):
            round_edges = edges if active is None else (
                edges.join(active.withColumnRenamed("node", "a"), "a", "left_semi")
                .join(active.withColumnRenamed("node", "b"), "b", "left_semi")).localCheckpoint()
            if round_no and round_edges.isEmpty():
                break
            self.stats["guard_rounds"] = round_no + 1
            comp = connected_components(round_edges.select(F.col("a").alias("src"), F.col("b").alias("dst")))
            self.stats["cc_rounds"].append(comp.rounds)
            member = self._canonicals(comp.labels, keys, round_edges).localCheckpoint()
            on_edge = round_edges.join(member.select(F.col("node").alias("a"), "canon"), "a")  # canon(a) = canon(b)
            direct = (on_edge.filter(F.col("canon") == F.col("b")).select(
                F.col("a").alias("node"), _member_code(F.col("relation"), F.col("direction")).alias("code"), "score")
                .unionByName(on_edge.filter(F.col("canon") == F.col("a")).select(
                    F.col("b").alias("node"), _member_code(F.col("relation"), -F.col("direction")).alias("code"),
                    "score")))
            check = (member.filter((F.col("canon") != F.col("node")) & (F.col("size") > 2) & ~F.col("fragment"))
                     .join(direct, "node", "left_anti"))
            check = check.select(F.col("node").alias("a"), F.col("canon").alias("b")).localCheckpoint()
            checked = self._verify(check, docs, small=check.count() <= SMALL_PAIRS).localCheckpoint()
            rescued = _near_of_near(round_edges, member, checked)
            kept_rows = F.col("matched") | F.col("rescued")
            checked = (checked.join(rescued, "a", "left")
                       .withColumn("rescued", F.coalesce("rescued", F.lit(False))).localCheckpoint())
            failed = (checked.filter(~kept_rows).select(F.col("a").alias("node"))
                      .unionByName(member.filter("fragment").select("node")))
            ok = checked.filter(kept_rows).select(F.col("a").alias("node"),
                                                  _member_code(F.col("relation"), F.col("direction")).alias("code"),
                                                  "score")
            done = (member.filter(F.col("canon") != F.col("node")).join(failed, "node", "left_anti")
                    .join(direct.unionByName(ok), "node")
                    .select("node", F.col("canon").alias("label"), "code", "score"))
            canonicals = member.filter(F.col("canon") == F.col("node")).select(
                "node", F.col("node").alias("label"), F.lit(0).alias("code"), F.lit(1.0).alias("score"))
            settled.append(done.unionByName(canonicals).localCheckpoint())  # keeps the plan of later stages short
            active = failed.localCheckpoint()
            if active.isEmpty():
                break
        labels = settled[0]
        for part in settled[1:]:
            labels = labels.unionByName(part)
        log.info("groups: %d guard rounds, connected-component rounds %s", self.stats["guard_rounds"],
                 self.stats["cc_rounds"])
        self._stage("groups", started)
        return labels

    def write(self, out_dir: str, files: list[InputFile], sources: dict[str, Any], docs_all: Any,
              members: Any, start: float) -> None:
        """data/, clusters/, errors/, summary.json, then _SUCCESS."""
        from pyspark.sql import functions as F

        from ..timing import peak_rss_mb
        from .local import DedupSummary

        started = self.begin_stage("write")
        fs, root = self.hadoop_fs(out_dir)
        if fs.exists(root):
            fs.delete(root, True)  # checked before the run: empty, or overwrite was asked for
        names = self.spark.createDataFrame([(n, f.name) for n, f in enumerate(files)], "file_no int, source string")
        docs = docs_all.filter("problem IS NULL")
        table = (docs.select("idx", "file_no", "id", "locator").join(members.withColumnRenamed("node", "idx"), "idx", "left")
                 .select("idx", "file_no", "id", "locator", F.coalesce("label", "idx").alias("label"),
                         F.coalesce("code", F.lit(0)).alias("code"), F.coalesce("score", F.lit(1.0)).alias("score")))
        table = self.persist(table)
        canon_ids = table.select(F.col("idx").alias("label"), F.col("id").alias("group"))
        cmap = (table.join(canon_ids, "label").join(F.broadcast(names), "file_no")
                .select("idx", "id", "source", "locator", "group", (F.col("label") == F.col("idx")).alias("kept"),
                        relation_name(F.col("code")).alias("relation"), "score"))
        write_dataset(cmap.orderBy("idx").drop("idx"), f"{out_dir}/clusters", self.options.map_format)
        kept_idx = table.filter(F.col("label") == F.col("idx")).select("idx", "file_no")
        kept_per_file = dict(kept_idx.groupBy("file_no").count().collect())
        outputs = self._write_data(out_dir, files, sources, docs, kept_idx.select("idx"), kept_per_file)
        errors = docs_all.filter("problem IS NOT NULL").join(F.broadcast(names), "file_no").select(
            F.col("idx").alias("at"), F.lit(0).alias("tie"), "source", "locator", F.col("problem").alias("reason"),
            "record")
        n = len(self.problems)  # driver problems sort just before the file listed after them, in their order
        driver = self.spark.createDataFrame(
            [(self.file_starts[min(before, len(files))], k - n, source, locator, reason, None)
             for k, (before, source, locator, reason) in enumerate(self.problems)],
            "at long, tie int, source string, locator string, reason string, record string")
        errors = errors.unionByName(driver).coalesce(1).sortWithinPartitions("at", "tie").drop("at", "tie")
        errors.write.mode("overwrite").json(f"{out_dir}/errors")
        self._stage("write", started)
        agg = table.groupBy("label").agg(F.count("*").alias("size"))
        sizes = agg.agg(F.sum((F.col("size") > 1).cast("int")).alias("groups"), F.max("size").alias("largest"),
                        F.count("*").alias("kept")).first()
        codes = [(r.code, r["count"]) for r in table.groupBy("code").count().collect()]
        n = self.stats["documents"]
        self.wall["total"] = round(time.perf_counter() - start, 3)
        reader = asdict(self.reader)
        self.summary = DedupSummary(
            documents=n, kept=int(sizes.kept), removed=n - int(sizes.kept), groups=int(sizes.groups or 0),
            largest_group=int(sizes.largest or 0), relations=relation_counts(codes),
            problems={"records": self.stats["record_problems"], "files": self.file_problems},
            files=len(files) + self.unread_files, candidate_pairs=self.stats["candidate_pairs"],
            verified_pairs=self.stats["verified_pairs"], duplicate_ids=self.stats["duplicate_ids"],
            extraction_fallbacks=self.stats["fallbacks"], outputs=outputs, timings_s=dict(self.wall),
            cpu_s={}, docs_per_s=round(n / max(self.wall["total"], 1e-9), 1), peak_rss_mb=round(peak_rss_mb(), 1),
            config=asdict(self.config),
            options={"accumulated_problems": self.stats["accumulated_problems"], "keep": self.options.keep, "output_format": self.options.output_format or "same",
                     "map_format": self.options.map_format, "reader": reader, "master": self.spark.sparkContext.master, "guard_rounds": self.stats["guard_rounds"],
                     "cc_rounds": self.stats["cc_rounds"]},
            engine="spark",
        )
        write_text(self.hadoop_fs(f"{out_dir}/summary.json"), json.dumps(self.summary.to_dict(), indent=2) + "\n")
        write_text(self.hadoop_fs(f"{out_dir}/_SUCCESS"), "")

    def _write_data(self, out_dir: str, files: list[InputFile], sources: dict[str, Any], docs: Any, kept_idx: Any,
                    kept_per_file: dict[int, int]) -> dict[str, int]:
        """The kept records under data/, one dataset per input kind (data/<kind>/ when there are
        several: jsonl, parquet, documents for txt/html, warc); {name: rows}."""
        from pyspark.sql import functions as F

        wanted = self.options.output_format
        kinds = [kind for kind in DATA_DIRS if any(f.kind == kind for f in files)]
        outputs: dict[str, int] = {}
        for kind in kinds:
            path = f"{out_dir}/data" if len(kinds) == 1 else f"{out_dir}/data/{DATA_DIRS[kind]}"
            target = wanted or ("parquet" if kind == "parquet" else "jsonl")
            if kind in ("doc", "warc"):  # the local engine's rebuilt records (locator record:ID for WARC)
                locator = F.col("locator")
                mine = locator.startswith("record:") if kind == "warc" else ~locator.startswith("record:")
                kept = (docs.filter(F.col("line").isNotNull() & mine).select("idx", F.col("line").alias("value"))
                        .join(kept_idx, "idx", "left_semi").orderBy("idx"))
                if target == "jsonl":
                    kept.select("value").write.mode("overwrite").text(path)
                else:  # engines.local.RECORD_SCHEMA: string columns
                    kept.select(F.from_json("value", RECORD_STRUCT).alias("r")).select("r.*").write.mode(
                        "overwrite").parquet(path)
            elif kind == "jsonl":
                kept = sources[kind].join(kept_idx, "idx", "left_semi").orderBy("idx")
                lines = kept.select(F.col("value").cast("string").alias("value"))
                if target == "jsonl":
                    lines.write.mode("overwrite").text(path)
                else:  # JSON lines to Parquet: Spark infers the schema, rows stay in input order
                    tmp = f"{out_dir}/_tmp_lines"
                    lines.write.mode("overwrite").text(tmp)
                    schema = self.spark.read.json(tmp).schema
                    parsed = kept.select(F.from_json(F.col("value").cast("string"), schema).alias("r"))
                    parsed.select("r.*").write.mode("overwrite").parquet(path)
                    fs, hpath = self.hadoop_fs(tmp)
                    fs.delete(hpath, True)
            else:
                kept = sources[kind].join(kept_idx, "idx", "left_semi").orderBy("idx")
                rows = kept.select("row.*")
                if target == "parquet":
                    rows.write.mode("overwrite").parquet(path)
                else:
                    rows.select(F.to_json(F.struct(*[F.col(f"`{c}`") for c in rows.columns]))).write.mode(
                        "overwrite").text(path)
            rows_out = sum(k for f, k in kept_per_file.items() if files[f].kind == kind)
            outputs[posixpath.relpath(path, out_dir)] = rows_out
        return outputs


def _near_of_near(round_edges: Any, member: Any, checked: Any) -> Any:
    """(a, rescued=True) for checked members that failed against the canonical but have a near-duplicate
    edge to a member with one to the canonical (``cluster.groups._near_of_near``)."""
    from pyspark.sql import functions as F

    near = round_edges.filter(F.col("relation").isin(EXACT, NEAR)).select("a", "b")
    sym = near.unionByName(near.select(F.col("b").alias("a"), F.col("a").alias("b")))
    anchors = (sym.join(member.filter(~F.col("fragment")).select(F.col("node").alias("a"), "canon"), "a")
               .filter(F.col("canon") == F.col("b")).select(F.col("a").alias("anchor")).distinct())
    failed = checked.filter(~F.col("matched")).select("a")
    return (failed.join(sym, "a").join(anchors, F.col("b") == F.col("anchor"))
            .select("a").distinct().withColumn("rescued", F.lit(True)))


def _member_code(relation: Any, member_direction: Any) -> Any:
    """Column: MAP_RELATIONS code of an edge oriented (member, canonical) (spark_batches.member_code)."""
    from pyspark.sql import functions as F

    return (F.when(relation == EXACT, F.lit(1))
            .when(relation == CONTAINS, F.when(member_direction > 0, F.lit(3)).otherwise(F.lit(4)))
            .otherwise(F.lit(2)))


def relation_name(code: Any) -> Any:
    """Column: MAP_RELATIONS name of a code."""
    from pyspark.sql import functions as F

    return F.element_at(F.array(*[F.lit(name) for name in MAP_RELATIONS]), code + 1)


def write_dataset(df: Any, path: str, fmt: str) -> None:
    """Write a dataset with Spark's committer (``_SUCCESS`` inside) as Parquet or JSON lines."""
    writer = df.write.mode("overwrite")
    if fmt == "jsonl":
        writer.json(path)
    else:
        writer.parquet(path)


def write_text(fs_path: tuple[Any, Any], text: str) -> None:
    """Create a small file through the Hadoop FileSystem (any scheme)."""
    fs, path = fs_path
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()
