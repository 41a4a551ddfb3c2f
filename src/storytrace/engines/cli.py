"""``storytrace dedup``: a deduplicated copy of a corpus plus a cluster map (registered in ``storytrace.cli``).

Exit status: 0 when documents were processed, 1 when nothing was readable (or the output could not be
written), 2 for bad arguments (including a non-empty ``--out`` without ``--overwrite``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from . import DATASET_ENGINES, ENGINE_EXTRAS, EngineUnavailable, engine_settings, load_engine

T = TypeVar("T")


AUTO_WORKERS_BYTES = 64 << 20  #: below this much input, starting cleaning processes costs more than it saves


def auto_workers(inputs: tuple[str, ...] | list[str], cpus: int | None = None) -> int:
    """Cleaning processes for ``--workers 0``: one per CPU when the local input files (directories walked)
    hold at least ``AUTO_WORKERS_BYTES``, else 1 (stdin and remote paths count as small)."""
    cpus = cpus or os.cpu_count() or 1
    total = 0
    for arg in inputs:
        path = Path(arg)
        if arg == "-" or "://" in arg or not path.exists():
            continue
        files = [path] if path.is_file() else (Path(root) / name for root, _, names in os.walk(path) for name in names)
        for file in files:
            total += file.stat().st_size if file.is_file() else 0
            if total >= AUTO_WORKERS_BYTES:
                return cpus
    return 1


def _fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit."""
    click.echo(f"storytrace: {message}", err=True)
    sys.exit(code)


def run_dataset_job(engine: str, out: str, overwrite: bool, job: Callable[[], T]) -> T:
    """Run a dataset command's ``job`` (``dedup``, ``stories``): a non-empty local ``--out`` is refused
    first, whatever the engine, and every known failure becomes one line on stderr and an exit status."""
    from . import output as out_io
    from .local import NothingReadable

    try:
        if "://" not in out:  # a local path: refuse a non-empty --out before any work
            out_io.check_out_dir(Path(out[5:] if out.startswith("file:") else out), overwrite)
        return job()
    except EngineUnavailable as exc:
        _fail(str(exc), 1)
    except ModuleNotFoundError as exc:
        if engine == "local" or (exc.name or "").startswith("storytrace"):
            raise
        _fail(f"the {engine} engine is not available ({exc.name}): install {ENGINE_EXTRAS.get(engine, 'storytrace')}", 1)
    except out_io.OutputExists as exc:
        _fail(str(exc), 2)
    except NothingReadable as exc:
        _fail(str(exc), 1)
    except (out_io.OutputError, out_io.InputChanged) as exc:
        _fail(str(exc), 1)
    except OSError as exc:
        _fail(f"{getattr(exc, 'filename', None) or out}: {exc.strerror or exc}", 1)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False),
              help="Output directory (must be empty or absent unless --overwrite).")
@click.option("--output-format", type=click.Choice(["jsonl", "parquet"]), default=None,
              help="Format of the kept documents (default: each input's own; JSONL for txt/html/warc).")
@click.option("--map-format", type=click.Choice(["parquet", "jsonl"]), default="parquet", show_default=True,
              help="Format of the cluster map (clusters.parquet / clusters.jsonl).")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=0.8, show_default=True,
              help="MinHash-LSH Jaccard threshold (word 5-gram sets).")
@click.option("--num-perm", type=click.IntRange(2, 8192), default=128, show_default=True,
              help="MinHash signature length.")
@click.option("--ngram", type=click.IntRange(1, 64), default=5, show_default=True, help="Words per shingle.")
@click.option("--keep", type=click.Choice(["canonical", "first", "longest"]), default="canonical", show_default=True,
              help="Which document of a group is kept: canonical (clean article before a page wrapping it, "
                   "longer before excerpt, earlier date, first seen), first seen, or longest as given.")
@click.option("--engine", type=click.Choice(list(DATASET_ENGINES)), default="local", show_default=True,
              help="Where to run: this machine, or Spark (needs storytrace[spark]).")
@click.option("--master", default=None, metavar="URL",
              help="Spark master for --engine spark: local[N], spark://HOST:7077, yarn, k8s://... "
                   "(default: $STORYTRACE_SPARK_MASTER, else spark-submit's, else local[*]).")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty --out (only once the new output is complete).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or summary line (problems are still reported).")
@click.option("--batch-size", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True,
              help="Documents fingerprinted per step (memory vs overhead).")
@click.option("--workers", "-j", type=click.IntRange(0, 256), default=0, show_default=True,
              help="Processes that extract and normalise text (0: one per CPU when the local inputs "
                   f"hold at least {AUTO_WORKERS_BYTES >> 20} MiB, else 1).")
def dedup(inputs: tuple[str, ...], out: str, output_format: str | None, map_format: str, threshold: float,
          num_perm: int, ngram: int, keep: str, engine: str, master: str | None, overwrite: bool, quiet: bool,
          batch_size: int, workers: int, **kw: Any) -> None:
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
    from ..corpus import print_problem
    from ..fingerprint import DedupConfig
    from .local import DedupOptions

    try:
        settings = engine_settings(engine, master=master)
        config = DedupConfig(threshold=threshold, num_perm=num_perm, ngram=ngram)
        options = DedupOptions(
            reader=_reader_options(**kw), keep=keep, output_format=output_format,  # type: ignore[arg-type]
            map_format=map_format, batch_size=batch_size, overwrite=overwrite,  # type: ignore[arg-type]
            quiet=quiet, on_problem=print_problem, workers=workers or auto_workers(inputs),
        )
    except ValueError as exc:
        _fail(str(exc), 2)
    summary = run_dataset_job(engine, out, overwrite, lambda: load_engine(engine)(
        list(inputs), Path(out) if engine == "local" else out, config, options, **settings))
    duplicate_ids = getattr(summary, "duplicate_ids", 0)
    if duplicate_ids:
        click.echo(f"storytrace: warning: {duplicate_ids:,} documents share their id with an earlier one; "
                   "the map's source and locator columns tell them apart", err=True)
    if not quiet:
        line = summary.line(out) if hasattr(summary, "line") else f"storytrace: done -> {out}"
        click.echo(line, err=True)


# ``storytrace.cli`` imports this module to register ``dedup``; the shared reader options are added
# only now, after ``dedup`` exists, so the two modules can be imported in either order.
from ..cli import _reader_options, reader_options  # noqa: E402

reader_options(dedup)
dedup.params[-7:] = reversed(dedup.params[-7:])  # applied to a Command, click appends in reverse
