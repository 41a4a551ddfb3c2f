"""The story stage on Apache Spark: ``storytrace stories --engine spark``, the local story map (``engines.stories``)
with the per-document work distributed.

``run_stories(inputs, out_dir, config, options, story, spark)`` gives the same stories, story canonicals, roles,
scores and related links as the local engine (docs/scaling.md, "Story stage"):

1. dedup: the Spark dedup engine's stages (``engines.spark``: list, read, documents, candidates, verify,
   groups), so the duplicate groups and their canonicals are the dedup engine's;
2. features, on the executors (``mapInArrow`` over the records of the group canonicals, the story UNITS):
   each JSONL line or Parquet row is read again and rebuilt as its article (``stories.story_article``; a
   txt/html/WARC document from its dedup output record, ``stories.record_article``), then per batch of 256 one
   embedding call builds the story views (``match.story.build_views``: text, title, lead and sentence vectors,
   char 5-grams, words, names, numbers, years, event time) and the retrieval vector; views are packed
   (``stories.pack_view``, about 10-40 kB) and the result persisted;
3. assignment, on the driver: units sorted by (publication day, the undated after, ingestion order) are
   streamed partition by partition (``toLocalIterator``) into ``stories.StreamAssigner``, the online loop of
   ``cluster.stories.build_stories`` (``OnlineStories``, ``_needed`` prefetch, LRU of views) reading the
   views from a driver-local spill file instead of building them. Sequential by definition: each unit's
   story depends on every earlier unit;
4. output: the per-unit result goes back to Spark and is joined to every document (its group, the group's
   story, its role); a local ``out_dir`` gets the local engine's files (``stories.<fmt>``,
   ``story_links.<fmt>``, ``summary.json``, ``_SUCCESS``, staged and renamed into place), a remote one
   (``hdfs://``, ``s3a://``...) Spark datasets ``stories/`` and ``story_links/`` plus ``summary.json`` and
   ``_SUCCESS``.

Inputs are what the Spark dedup engine reads (JSONL, Parquet, txt, html, WARC; no stdin). Candidate generation stays on the driver: it depends
on the story centroids as they are when each unit arrives; the only exact distributed prefilter would be an
all-pairs cosine join, which is not worth it (docs/scaling.md).
"""
from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..cluster.stories import StoryConfig
from ..fingerprint import DedupConfig
from ..io.base import ReaderOptions
from . import output as out_io
from .stories import (
    LINK_SCHEMA,
    STORY_MAP_SCHEMA,
    StoryResult,
    StorySummary,
    StreamAssigner,
    UnitFeatures,
    role_counts,
    round4,
    story_article,
    record_article,
    story_settings,
    unit_features,
    write_links,
)

log = logging.getLogger("storytrace.engines.spark_stories")

FEATURE_SCHEMA = pa.schema([
    ("idx", pa.int64()), ("id", pa.string()), ("size", pa.int64()), ("date", pa.string()), ("undated", pa.int8()),
    ("day", pa.int32()), ("vector", pa.binary()), ("view", pa.binary()),
])
STREAM_PARTITION_BYTES = 64 << 20  #: packed views per partition streamed to the driver (held by its JVM)
RESULT_ROWS = 1 << 20  #: unit results sent back to Spark per DataFrame


# --------------------------------------------------------------------------------------------
# Executor side (pure: Arrow batches in, Arrow batches out)
# --------------------------------------------------------------------------------------------

def _records(batch: pa.RecordBatch, fmt: str, names: Sequence[str], options: ReaderOptions) -> list[tuple[int, Any]]:
    """(idx, RawRecord) of a batch of unit records, read as the dedup engine's ``spark_batches`` reads them."""
    idx = batch.column("idx").to_pylist()
    file_no = batch.column("file_no").to_pylist()
    pos = batch.column("pos").to_pylist()
    out: list[tuple[int, Any]] = []
    if fmt == "jsonl":
        from ..io.jsonl import record_from_line

        for i, f, p, line in zip(idx, file_no, pos, batch.column("value").to_pylist()):
            line = line[:-1] if line.endswith(b"\r") else line
            out.append((i, record_from_line(names[f], p + 1, line, options)))
    elif fmt == "parquet":
        from ..io.parquet import row_record

        for i, f, p, values in zip(idx, file_no, pos, batch.column("row").to_pylist()):
            out.append((i, row_record(names[f], p, values, options)))
    else:
        raise ValueError(f"the spark story stage reads JSONL and Parquet records, not {fmt!r}")
    return out


def feature_table(features: Sequence[UnitFeatures], sizes: Sequence[int]) -> pa.RecordBatch:
    """FEATURE_SCHEMA rows of units."""
    return pa.RecordBatch.from_arrays([
        pa.array([f.key for f in features], pa.int64()), pa.array([f.id for f in features], pa.string()),
        pa.array(list(sizes), pa.int64()), pa.array([f.date for f in features], pa.string()),
        pa.array([0 if f.day is not None else 1 for f in features], pa.int8()),
        pa.array([f.day or 0 for f in features], pa.int32()),
        pa.array([f.vector.tobytes() for f in features], pa.binary()),
        pa.array([f.view for f in features], pa.binary()),
    ], schema=FEATURE_SCHEMA)


def feature_batches(batches: Iterable[pa.RecordBatch], fmt: str, names: Sequence[str], options: ReaderOptions,
                    piece: int = 256) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (idx, file_no, pos, value | row, id, size) unit records -> FEATURE_SCHEMA batches."""
    from ..records import ReadProblem

    for batch in batches:
        ids = dict(zip(batch.column("idx").to_pylist(), batch.column("id").to_pylist()))
        size = dict(zip(batch.column("idx").to_pylist(), batch.column("size").to_pylist()))
        records = _records(batch, fmt, names, options)
        for lo in range(0, len(records), piece):
            part = [(i, r) for i, r in records[lo:lo + piece] if not isinstance(r, ReadProblem)]
            if not part:
                continue
            articles = [story_article(r, str(i)) for i, r in part]
            features = unit_features([i for i, _ in part], articles)
            for f in features:
                f.id = ids[f.key]
            yield feature_table(features, [size[f.key] for f in features])


def line_feature_batches(batches: Iterable[pa.RecordBatch], piece: int = 256) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (idx, id, size, line, norm) units whose dedup output record is at hand (the JSON line
    of a txt/html/WARC document) -> FEATURE_SCHEMA batches; no second read of the file."""
    for batch in batches:
        cols = {name: batch.column(name).to_pylist() for name in ("idx", "id", "size", "line", "norm")}
        for lo in range(0, len(cols["idx"]), piece):
            keys = cols["idx"][lo:lo + piece]
            articles = [record_article(line, norm, str(i)) for i, line, norm in
                        zip(keys, cols["line"][lo:lo + piece], cols["norm"][lo:lo + piece])]
            features = unit_features(keys, articles)
            for f, doc_id in zip(features, cols["id"][lo:lo + piece]):
                f.id = doc_id
            yield feature_table(features, cols["size"][lo:lo + piece])


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------

def is_local_path(path: str) -> bool:
    """Whether ``path`` names a directory on this machine (no scheme, or ``file:``).

    >>> is_local_path("out/"), is_local_path("file:/tmp/x"), is_local_path("hdfs://nn/out")
    (True, True, False)
    """
    return path.startswith("file:") or "://" not in path


def local_path(path: str) -> Path:
    """The local directory of a plain or ``file:`` path."""
    if path.startswith("file:"):
        path = "/" + path[len("file:"):].lstrip("/")
    return Path(os.path.abspath(path))


def run_stories(inputs: Sequence[str], out_dir: str | os.PathLike[str], config: DedupConfig | None = None,
                options: Any = None, story: StoryConfig | None = None,
                spark: Any = None, spill_dir: str | None = None) -> StorySummary:
    """The story map of ``inputs`` in ``out_dir`` on Spark; returns a StorySummary (engine "spark").

    ``options``: engines.local.DedupOptions (or a mapping of its fields); ``spark``: engines.spark.SparkOptions
    (or a mapping). Uses the active SparkSession when there is one (left running), else starts one (and stops
    it). ``spill_dir``: where the driver spills the story views (default: the system's temporary directory).
    Raises local.NothingReadable when no document could be read, output.OutputExists for a non-empty
    ``out_dir`` without ``overwrite``.
    """
    from pyspark.sql import SparkSession

    from .spark import build_session, check_master, dedup_options, spark_options

    config = config or DedupConfig()
    dopts = dedup_options(options)
    story = story or StoryConfig()
    sopts = spark_options(spark)
    if sopts.master is not None:
        check_master(sopts.master)
    active = SparkSession.getActiveSession()
    if active is not None and sopts.master not in (None, active.sparkContext.master):
        log.warning("using the active SparkSession (master %s); master %s is not applied",
                    active.sparkContext.master, sopts.master)
    if spark is None or isinstance(spark, Mapping) and "app_name" not in spark:
        sopts = replace(sopts, app_name="storytrace-stories")
    session = active or build_session(sopts, quiet=dopts.quiet)
    try:
        return _StoryRun(session, config, dopts, story, spill_dir).run([str(p) for p in inputs],
                                                                      os.fspath(out_dir).rstrip("/"))
    finally:
        if active is None:
            session.stop()


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items (the last one shorter).

    >>> list(iter_batches(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _StoryRun:
    """One run: the dedup stages of ``engines.spark.SparkRun``, then the story stages."""

    def __init__(self, spark: Any, config: DedupConfig, options: Any, story: StoryConfig, spill_dir: str | None):
        from .spark import SparkRun

        self.spark, self.config, self.options, self.story, self.spill_dir = spark, config, options, story, spill_dir
        self.dedup = SparkRun(spark, config, options)
        self.wall: dict[str, float] = {}
        self.stats: dict[str, Any] = {}

    def _timed(self, name: str, started: float) -> None:
        self.wall[name] = round(self.wall.get(name, 0.0) + time.perf_counter() - started, 3)
        log.info("spark story stage %s: %.1f s", name, self.wall[name])

    def run(self, inputs: list[str], out_dir: str) -> StorySummary:
        from .local import refuse_inputs_inside

        start = time.perf_counter()
        local = is_local_path(out_dir)
        if local:
            out = local_path(out_dir)
            out_io.check_out_dir(out, self.options.overwrite)
            refuse_inputs_inside([i for i in inputs if "://" not in i and not i.startswith("file:")], out)
        else:
            self.dedup.check_out(inputs, out_dir)
        run = self.dedup
        try:
            files, sources, _, docs, members = run.dedup_stages(inputs)
            table = self.document_table(docs, members)
            features = self.features(docs, table, sources, files)
            result, ids = self.assign(features)
            features.unpersist()  # the packed views are on the driver's spill now
            story_map = self.story_map(table, files, result)
            if local:
                summary = self.write_local(local_path(out_dir), story_map, result, ids, files, start)
            else:
                summary = self.write_remote(out_dir, story_map, result, ids, files, start)
        finally:
            for df in run.persisted:
                df.unpersist()
            self.spark.sparkContext.setJobDescription(None)
        return summary

    # -- stages --------------------------------------------------------------------------------

    def document_table(self, docs: Any, members: Any) -> Any:
        """(idx, file_no, id, locator, label, code, score) of every document (label = its canonical's idx),
        persisted, as the dedup engine's write stage builds it."""
        from pyspark.sql import functions as F

        table = (docs.select("idx", "file_no", "id", "locator").join(members.withColumnRenamed("node", "idx"), "idx", "left")
                 .select("idx", "file_no", "id", "locator", F.coalesce("label", "idx").alias("label"),
                         F.coalesce("code", F.lit(0)).alias("code"), F.coalesce("score", F.lit(1.0)).alias("score")))
        return self.dedup.persist(table)

    def features(self, docs: Any, table: Any, sources: dict[str, Any], files: list[Any]) -> Any:
        """FEATURE_SCHEMA rows of every unit (group canonical), computed per Arrow batch, persisted: from the
        dedup output record when the documents carry one (txt/html/WARC, a ``line`` column), else from the
        JSONL line or Parquet row read again."""
        from pyspark.sql import functions as F
        from pyspark.sql.pandas.types import from_arrow_schema

        started = self.dedup.begin_stage("story features")
        sizes = table.groupBy("label").agg(F.count("*").alias("size")).withColumnRenamed("label", "idx")
        units = table.filter(F.col("label") == F.col("idx")).select("idx", "id").join(sizes, "idx")
        names = [f.name for f in files]
        reader = self.options.reader
        schema = from_arrow_schema(FEATURE_SCHEMA)
        parts = []
        if "line" in docs.columns:
            with_line = docs.filter(F.col("line").isNotNull()).select("idx", "line", "norm").join(units, "idx")
            parts.append(with_line.select("idx", "id", "size", "line", "norm").mapInArrow(line_feature_batches, schema))
        for fmt, df in sources.items():
            if fmt not in ("jsonl", "parquet"):
                continue  # read whole and cleaned by the dedup stages: their records are in ``line``
            unit_records = df.join(units, "idx")

            def body(batches: Iterable[Any], fmt: str = fmt) -> Iterator[Any]:
                return feature_batches(batches, fmt, names, reader)

            parts.append(unit_records.mapInArrow(body, schema))
        feats = parts[0]
        for part in parts[1:]:
            feats = feats.unionByName(part)
        feats = self.dedup.persist(feats)
        agg = feats.agg(F.count("*").alias("units"), F.sum(F.length("view")).alias("bytes")).first()
        self.stats.update(units=int(agg.units), view_bytes=int(agg.bytes or 0))
        expected = units.count()
        if expected != self.stats["units"]:
            raise out_io.InputChanged(f"{expected - self.stats['units']} group canonicals could not be read again; "
                                      "rerun on a stable copy of the inputs")
        self._timed("features", started)
        return feats

    def assign(self, feats: Any) -> tuple[StoryResult, dict[int, str]]:
        """Units streamed to the driver in unit order and assigned there (``StreamAssigner``)."""
        started = self.dedup.begin_stage("story assignment")
        parts = max(1, math.ceil(self.stats["view_bytes"] / STREAM_PARTITION_BYTES))
        order = ("undated", "day", "idx")
        ordered = feats.repartitionByRange(parts, *order).sortWithinPartitions(*order)
        t = time.perf_counter()
        rows = ordered.toLocalIterator(prefetchPartitions=True)  # samples the range bounds first (a job)
        self.wall["stream_start"] = round(time.perf_counter() - t, 3)
        assigner = StreamAssigner(self.story, self.spill_dir)
        waited = 0.0
        try:
            chunk: list[UnitFeatures] = []
            while True:
                t = time.perf_counter()
                row = next(rows, None)
                waited += time.perf_counter() - t
                if row is not None:
                    chunk.append(UnitFeatures(int(row.idx), row.id, row.date, None if row.undated else int(row.day),
                                              np.frombuffer(row.vector, dtype=np.float16), bytes(row.view)))
                    self.stats.setdefault("sizes", {})[int(row.idx)] = int(row.size)
                if len(chunk) >= 256 or (row is None and chunk):
                    assigner.add(chunk)
                    chunk = []
                if row is None:
                    break
            self.wall["stream_wait"] = round(waited, 3)
            result = assigner.finish()
            ids = assigner.ids
            self.stats.update(assigner.stats(), stream_partitions=parts,
                              **{f"driver_{k}_s": round(v, 3) for k, v in assigner.wall.items()})
        finally:
            assigner.close()
        self._timed("assign", started)
        return result, ids

    def story_map(self, table: Any, files: list[Any], result: StoryResult) -> Any:
        """One row per document (STORY_MAP_SCHEMA and idx): the unit results sent back and joined."""
        from pyspark.sql import functions as F

        from .spark import relation_name

        started = self.dedup.begin_stage("story map")
        units = sorted(result.story_of)
        cols: dict[str, list[Any]] = {"label": units, "story": [], "story_canonical": [], "urole": [], "uscore": []}
        for u in units:
            n = result.story_of[u]
            role = result.roles.get(u)
            cols["story"].append(result.ids[n])
            cols["story_canonical"].append(result.canonical[n])
            cols["urole"].append(role[0] if role else None)
            cols["uscore"].append(role[1] if role else None)
        scores = round4([s if s is not None else 0.0 for s in cols["uscore"]])
        cols["uscore"] = [s if r is not None else None for s, r in zip(scores, cols["urole"])]
        schema = pa.schema([("label", pa.int64()), ("story", pa.string()), ("story_canonical", pa.int64()),
                            ("urole", pa.string()), ("uscore", pa.float64())])
        frames = []
        for lo in range(0, len(units), RESULT_ROWS):
            part = pa.table({k: v[lo:lo + RESULT_ROWS] for k, v in cols.items()}, schema=schema)
            frames.append(self.spark.createDataFrame(part))
        unit_df = frames[0]
        for frame in frames[1:]:
            unit_df = unit_df.unionByName(frame)
        names = self.spark.createDataFrame([(n, f.name) for n, f in enumerate(files)], "file_no int, source string")
        ids = table.select("idx", "id")
        own = F.col("label") == F.col("story_canonical")
        story_map = (table.join(unit_df, "label")
                     .join(ids.select(F.col("idx").alias("label"), F.col("id").alias("group")), "label")
                     .join(ids.select(F.col("idx").alias("story_canonical"), F.col("id").alias("canonical_id")),
                           "story_canonical")
                     .join(F.broadcast(names), "file_no")
                     .select("idx", "id", "source", "locator", "group", "story",
                             F.col("canonical_id").alias("story_canonical"),
                             F.when(own, relation_name(F.col("code"))).otherwise(F.col("urole")).alias("role"),
                             F.when(own, F.col("score")).otherwise(F.col("uscore")).alias("score")))
        self._timed("story_map", started)
        return story_map

    # -- output --------------------------------------------------------------------------------

    def _summary(self, result: StoryResult, roles: dict[str, int], files: list[Any], start: float) -> StorySummary:
        from .local import peak_rss_mb

        run = self.dedup
        self.wall["total"] = round(time.perf_counter() - start, 3)
        sizes = self.stats.pop("sizes", {})
        docs_per_story = np.zeros(len(result.ids), dtype=np.int64)
        for u, n in result.story_of.items():
            docs_per_story[n] += sizes.get(u, 1)
        n = int(run.stats["documents"])
        stats = {k: v for k, v in result.stats().items() if k != "units"}
        return StorySummary(
            documents=n, groups=len(result.story_of), **stats, largest_story_documents=int(docs_per_story.max(initial=0)),
            roles=roles, problems={"records": run.stats["record_problems"], "files": run.file_problems},
            files=len(files), timings_s={**run.wall, **self.wall}, cpu_s={},
            docs_per_s=round(n / max(self.wall["total"], 1e-9), 1), peak_rss_mb=round(peak_rss_mb(), 1),
            config=story_settings(self.config, self.story),
            options={"keep": self.options.keep, "map_format": self.options.map_format,
                     "reader": asdict(self.options.reader), "master": self.spark.sparkContext.master,
                     "guard_rounds": run.stats.get("guard_rounds"), "cc_rounds": run.stats.get("cc_rounds")},
            engine="spark", stats=dict(self.stats),
        )

    def write_local(self, out: Path, story_map: Any, result: StoryResult, ids: dict[int, str], files: list[Any],
                    start: float) -> StorySummary:
        """stories.<fmt> (streamed to the driver in input order), story_links.<fmt>, summary.json, _SUCCESS,
        staged beside ``out`` and renamed into place."""
        started = self.dedup.begin_stage("story write")
        fmt = self.options.map_format
        counts = role_counts(())
        with out_io.staged_output(out, self.options.overwrite) as staging:
            rows = story_map.orderBy("idx").drop("idx").toLocalIterator(prefetchPartitions=True)
            with out_io.RowWriter(staging / f"stories.{fmt}", fmt, STORY_MAP_SCHEMA) as writer:
                for chunk in iter_batches(rows, 65536):
                    columns = {name: [r[name] for r in chunk] for name in STORY_MAP_SCHEMA}
                    for role in columns["role"]:
                        counts[role] += 1
                    writer.write(columns)
            write_links(staging / f"story_links.{fmt}", fmt, result, ids)
            self._timed("write", started)
            summary = self._summary(result, counts, files, start)
            out_io.write_json(staging / "summary.json", summary.to_dict())
        return summary

    def write_remote(self, out_dir: str, story_map: Any, result: StoryResult, ids: dict[int, str], files: list[Any],
                     start: float) -> StorySummary:
        """Spark datasets stories/ and story_links/, then summary.json and _SUCCESS (Hadoop FileSystem)."""
        import json

        from .spark import write_dataset, write_text

        started = self.dedup.begin_stage("story write")
        fmt = self.options.map_format
        fs, root = self.dedup.hadoop_fs(out_dir)
        if fs.exists(root):
            fs.delete(root, True)  # checked before the run: empty, or overwrite was asked for
        write_dataset(story_map.orderBy("idx").drop("idx"), f"{out_dir}/stories", fmt)
        counts = role_counts(())
        counts.update({r.role: int(r["count"]) for r in story_map.groupBy("role").count().collect()})
        links = [(result.ids[a], result.ids[b], s, ids[result.canonical[a]], ids[result.canonical[b]])
                 for (a, b, _), s in zip(result.links, round4([s for _, _, s in result.links]))]
        link_df = self.spark.createDataFrame(links, ", ".join(
            f"{name} {'double' if kind == 'float' else kind}" for name, kind in LINK_SCHEMA.items()))
        write_dataset(link_df.coalesce(1), f"{out_dir}/story_links", fmt)
        self._timed("write", started)
        summary = self._summary(result, counts, files, start)
        write_text(self.dedup.hadoop_fs(f"{out_dir}/summary.json"), json.dumps(summary.to_dict(), indent=2) + "\n")
        write_text(self.dedup.hadoop_fs(f"{out_dir}/_SUCCESS"), "")
        return summary
