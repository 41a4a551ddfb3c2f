"""``storytrace dedup``: a deduplicated copy of a corpus plus a cluster map."""
from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import click

from ..corpus import print_problem
from ..engines import AUTO_WORKERS_BYTES, DATASET_ENGINES, auto_workers, engine_settings, load_engine
from ..engines.local import DedupOptions, KeepRule, OutputFormat
from ..fingerprint import DedupConfig
from .dataset import fail, run_dataset_job
from .options import dataset_options, default_of, keep_option, reader_from, reader_options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True)
@dataset_options(tuple(DATASET_ENGINES), default_of(DedupOptions, "map_format"),
                 "Format of the cluster map (clusters.parquet / clusters.jsonl).")
@click.option("--output-format", type=click.Choice(["jsonl", "parquet"]), default=None,
              help="Format of the kept documents (default: each input's own; JSONL for txt/html/warc).")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=default_of(DedupConfig, "threshold"),
              show_default=True, help="MinHash-LSH Jaccard threshold (word n-gram sets).")
@click.option("--num-perm", type=click.IntRange(2, 8192), default=default_of(DedupConfig, "num_perm"), show_default=True,
              help="MinHash signature length.")
@click.option("--ngram", type=click.IntRange(1, 64), default=default_of(DedupConfig, "ngram"), show_default=True,
              help="Words per shingle.")
@keep_option(default_of(DedupOptions, "keep"))
@click.option("--batch-size", type=click.IntRange(1, 1_000_000), default=default_of(DedupOptions, "batch_size"),
              show_default=True, help="Documents fingerprinted per step (memory vs overhead).")
@reader_options
def dedup(inputs: tuple[str, ...], out: str, engine: str, master: str | None, map_format: str, overwrite: bool,
          quiet: bool, workers: int, output_format: str | None, threshold: float, num_perm: int, ngram: int,
          keep: str, batch_size: int, **kw: Any) -> None:
    """Write a deduplicated copy of INPUTS (files, directories, - for stdin) to --out.

    \b
    --out gets:
      data/            the kept documents: JSONL lines and Parquet rows exactly as in the input
                       (one output file per input file), txt/html/warc documents as JSONL
                       (id, text, source, title, date, url)
      clusters.parquet one row per input document: id, source, locator, group (the kept
                       document's id), kept, relation to the kept document, score
      summary.json     counts per relation, problems, timings, settings
      _SUCCESS         written last: the directory is complete
    --engine spark writes the same content as Spark datasets (data/ with one dataset per
    input kind, clusters/, errors/; docs/scaling.md).

    relation reads "this document <relation> the kept one": canonical (itself), exact,
    near_duplicate, contains (this one wraps or extends the kept one), contained_in (this one is an
    excerpt or a truncated copy of the kept one).
    """
    try:
        settings = engine_settings(engine, master=master)
        config = DedupConfig(threshold=threshold, num_perm=num_perm, ngram=ngram)
        options = DedupOptions(
            reader=reader_from(kw), keep=cast(KeepRule, keep), output_format=cast("OutputFormat | None", output_format),
            map_format=cast(OutputFormat, map_format), batch_size=batch_size, overwrite=overwrite,
            quiet=quiet, on_problem=print_problem, workers=workers or auto_workers(inputs),
        )
    except ValueError as exc:
        fail(str(exc), 2)
    summary = run_dataset_job(engine, out, overwrite, lambda: load_engine(engine)(
        list(inputs), Path(out) if engine == "local" else out, config, options, **settings))
    duplicate_ids = getattr(summary, "duplicate_ids", 0)
    if duplicate_ids:
        click.echo(f"storytrace: warning: {duplicate_ids:,} documents share their id with an earlier one; "
                   "the map's source and locator columns tell them apart", err=True)
    if not quiet:
        line = summary.line(out) if hasattr(summary, "line") else f"storytrace: done -> {out}"
        click.echo(line, err=True)


__all__ = ["AUTO_WORKERS_BYTES", "dedup"]
