"""``storytrace stories``: the story map of a corpus as a dataset."""
from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import click

from ..cluster.stories import StoryConfig
from ..corpus import print_problem
from ..engines import STORY_ENGINES, auto_workers, engine_settings, load_story_engine
from ..engines.local import DedupOptions, OutputFormat
from ..fingerprint import DedupConfig
from .dataset import fail, run_dataset_job
from .options import dataset_options, default_of, reader_from, reader_options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True)
@dataset_options(tuple(STORY_ENGINES), default_of(DedupOptions, "map_format"),
                 "Format of stories.<fmt> and story_links.<fmt>.")
@reader_options
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
    try:
        settings = engine_settings(engine, master=master)  # --master for spark only, and well formed
        options = DedupOptions(reader=reader_from(kw), map_format=cast(OutputFormat, map_format),
                               overwrite=overwrite, quiet=quiet, on_problem=print_problem,
                               workers=workers or auto_workers(inputs))
    except ValueError as exc:
        fail(str(exc), 2)
    summary = run_dataset_job(engine, out, overwrite, lambda: load_story_engine(engine)(
        list(inputs), Path(out) if engine == "local" else out, DedupConfig(), options, StoryConfig(), **settings))
    if not quiet:
        click.echo(summary.line(out), err=True)
