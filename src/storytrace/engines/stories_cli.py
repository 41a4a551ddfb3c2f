"""``storytrace stories``: the story map of a corpus as a dataset (registered in ``storytrace.cli``).

Exit status: 0 when documents were processed, 1 when nothing was readable (or the engine is missing, or the
output could not be written), 2 for bad arguments (including a non-empty ``--out`` without ``--overwrite``).
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

#: engine name -> module holding its ``run_stories``
STORY_ENGINES: dict[str, str] = {
    "local": "storytrace.engines.stories",
    "spark": "storytrace.engines.spark_stories",
}


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False),
              help="Output directory (must be empty or absent unless --overwrite).")
@click.option("--engine", type=click.Choice(list(STORY_ENGINES)), default="local", show_default=True,
              help="Where to run: this machine (memory-resident), or Spark (needs storytrace[spark]).")
@click.option("--master", default=None, metavar="URL",
              help="Spark master for --engine spark: local[N], spark://HOST:7077, yarn, k8s://... "
                   "(default: $STORYTRACE_SPARK_MASTER, else spark-submit's, else local[*]).")
@click.option("--map-format", type=click.Choice(["parquet", "jsonl"]), default="parquet", show_default=True,
              help="Format of stories.<fmt> and story_links.<fmt>.")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty --out (only once the new output is complete).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or summary line (problems are still reported).")
@click.option("--workers", "-j", type=click.IntRange(0, 256), default=0, show_default=True,
              help="Processes that extract and normalise text, local engine (0: one per CPU when the local "
                   "inputs hold at least 64 MiB, else 1).")
def stories(inputs: tuple[str, ...], out: str, engine: str, master: str | None, map_format: str, overwrite: bool,
            quiet: bool, workers: int, **kw: Any) -> None:
    """Write the story map of INPUTS (files, directories; - for stdin with the local engine) to --out.

    \b
    Documents are deduplicated as `storytrace dedup` does; the canonical of every duplicate
    group is assigned online, in publication-date order, to a story (same story: joins it;
    a later event of the same thread: a new story linked as related).
    --out gets:
      stories.parquet      one row per input document: id, source, locator, group (its
                           duplicate group's canonical), story, story_canonical, role, score
      story_links.parquet  one row per pair of related stories: story, related, score,
                           canonical, related_canonical
      summary.json         counts, problems, timings per stage, settings
      _SUCCESS             written last: the directory is complete

    role reads "this document <role> the story canonical": canonical (itself); exact,
    near_duplicate, contains, contained_in (a copy in the canonical's duplicate group);
    rewrite (the same text reworded, sentence by sentence) or same_story (every member of
    another group of the story: its group's canonical's role).
    """
    from ..cluster.stories import StoryConfig
    from ..corpus import print_problem
    from ..fingerprint import DedupConfig
    from . import engine_settings
    from .cli import _fail, auto_workers, run_dataset_job
    from .local import DedupOptions

    try:
        settings = engine_settings(engine, master=master)  # --master for spark only, and well formed
        options = DedupOptions(reader=_reader_options(**kw), map_format=map_format,  # type: ignore[arg-type]
                               overwrite=overwrite, quiet=quiet, on_problem=print_problem,
                               workers=workers or auto_workers(inputs))
    except ValueError as exc:
        _fail(str(exc), 2)
    summary = run_dataset_job(engine, out, overwrite, lambda: importlib.import_module(STORY_ENGINES[engine]).run_stories(
        list(inputs), Path(out) if engine == "local" else out, DedupConfig(), options, StoryConfig(), **settings))
    if not quiet:
        click.echo(summary.line(out), err=True)


# ``storytrace.cli`` imports this module to register ``stories``; the shared reader options are added only now,
# after ``stories`` exists, so the two modules can be imported in either order (as engines.cli does for dedup).
from ..cli import _reader_options, reader_options  # noqa: E402

reader_options(stories)
stories.params[-7:] = reversed(stories.params[-7:])  # applied to a Command, click appends in reverse
