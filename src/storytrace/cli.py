"""Command line: a thin click layer over the library (``storytrace --help``)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .io.base import ReaderOptions


def _reader_options(**kw: Any) -> ReaderOptions:
    """ReaderOptions from the shared CLI field options."""
    return ReaderOptions(
        text_field=kw["text_field"], id_field=kw["id_field"], title_field=kw["title_field"],
        date_field=kw["date_field"], url_field=kw["url_field"], html_field=kw["html_field"],
        input_format=kw["input_format"],
    )


def reader_options(func: Any) -> Any:
    """Decorator adding the field and format options every reading command shares."""
    options = [
        click.option("--text-field", default="text", show_default=True, help="JSONL/Parquet field with the text."),
        click.option("--id-field", default="id", show_default=True, help="Field with the record's own id."),
        click.option("--title-field", default="title", show_default=True, help="Field with the title."),
        click.option("--date-field", default="date", show_default=True, help="Field with the publication date."),
        click.option("--url-field", default="url", show_default=True, help="Field with the URL."),
        click.option("--html-field", default=None, help="Field holding raw HTML instead of text."),
        click.option(
            "--input-format", type=click.Choice(["txt", "html", "jsonl", "warc", "parquet"]), default=None,
            help="Force the input format (default: by file extension; sniffed on stdin).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storytrace")
def main() -> None:
    """storytrace: find every copy, rewrite and follow-up of a news story in a pile of documents."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", type=click.Path(dir_okay=False), default=None, help="SQLite store (default: a temporary one).")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default=None,
    help="Output format (default: text on a terminal, json when piped).",
)
@click.option("--keep", type=click.Choice(["canonical", "first", "longest"]), default="canonical", show_default=True,
              help="Rule choosing each group's canonical document.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@reader_options
def analyze(paths: tuple[str, ...], db: str | None, fmt: str | None, keep: str, quiet: bool, **kw: Any) -> None:
    """Ingest PATHS (files, directories, - for stdin) and report documents, stories and relations."""
    from .corpus import Corpus, print_problem
    from .progress import progress_bar

    fmt = fmt or ("text" if sys.stdout.isatty() else "json")
    try:
        corpus = Corpus(db, _reader_options(**kw))
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
            from .report import text_report

            click.echo(text_report(result, report))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl", show_default=True)
def extract(files: tuple[str, ...], fmt: str) -> None:
    """Extract title, date, author, URL and article text from HTML FILES (optionally .gz)."""
    from dataclasses import asdict

    from .io.base import decode_bytes, open_binary
    from .text.extract import extract as extract_article

    failures = 0
    for name in files:
        try:
            with open_binary(name) as fh:
                html = decode_bytes(fh.read())
        except (OSError, EOFError) as exc:
            click.echo(f"storytrace: {name}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}", err=True)
            failures += 1
            continue
        result = extract_article(html)
        if fmt == "jsonl":
            click.echo(json.dumps({"source": name, **asdict(result)}, ensure_ascii=False))
        else:
            click.echo(f"== {name}\n{result.title or ''}\n\n{result.text}\n")
    if failures == len(files):
        sys.exit(1)


@main.command()
@click.argument("a")
@click.argument("b")
@click.option("--db", type=click.Path(dir_okay=False, exists=True), default=None, help="Store to look ids up in.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@reader_options
def explain(a: str, b: str, db: str | None, fmt: str, **kw: Any) -> None:
    """Explain how documents A and B are related (file paths, or document ids with --db)."""
    from .explain import explain as explain_pair
    from .explain.render import render_text
    from .loading import DocumentNotFound, load_article

    options = _reader_options(**kw)
    try:
        first, second = (load_article(ref, db, options) for ref in (a, b))
    except DocumentNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    result = explain_pair(first, second)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(result, first, second))


from .bench.cli import bench  # noqa: E402  (each command imports its heavy parts lazily)
from .engines.cli import dedup  # noqa: E402
from .engines.stories_cli import stories  # noqa: E402
from .evaluation.cli import eval_command  # noqa: E402
from .web.cli import serve  # noqa: E402

for _command in (dedup, stories, eval_command, bench, serve):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
