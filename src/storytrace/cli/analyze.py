"""``storytrace analyze``: ingest documents into a store and report documents, stories and relations."""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..corpus import Corpus, print_problem
from ..engines.local import DedupOptions
from .options import default_of, format_option, keep_option, quiet_option, reader_from, reader_options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", type=click.Path(dir_okay=False), default=None, help="SQLite store (default: a temporary one).")
@format_option(("json", "text"), None, "Output format (default: text on a terminal, json when piped).")
@keep_option(default_of(DedupOptions, "keep"))
@quiet_option
@reader_options
def analyze(paths: tuple[str, ...], db: str | None, fmt: str | None, keep: str, quiet: bool, **kw: Any) -> None:
    """Ingest PATHS (files, directories, - for stdin) and report documents, stories and relations."""
    from ..progress import progress_bar

    fmt = fmt or ("text" if sys.stdout.isatty() else "json")
    try:
        corpus = Corpus(db, reader_from(kw))
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    with corpus, progress_bar("ingest", disable=quiet) as bar:
        report = corpus.add(paths, on_problem=print_problem, progress=bar.update)
        bar.close()
        if report.readable == 0 and report.files_skipped == 0:
            click.echo(f"storytrace: nothing could be read from {', '.join(paths)}", err=True)
            sys.exit(1)
        result = corpus.analyze(keep=keep)
        if fmt == "json":
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            from ..report import text_report

            click.echo(text_report(result, report))
