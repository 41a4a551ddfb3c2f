"""``storytrace explain``: how two documents are related (passages, fact differences, provenance)."""
from __future__ import annotations

import json
from typing import Any

import click

from .options import format_option, reader_from, reader_options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("a")
@click.argument("b")
@click.option("--db", type=click.Path(dir_okay=False, exists=True), default=None, help="Store to look ids up in.")
@format_option(("json", "text"), "text", "Output format.")
@reader_options
def explain(a: str, b: str, db: str | None, fmt: str, **kw: Any) -> None:
    """Explain how documents A and B are related (file paths, or document ids with --db)."""
    from ..explain import explain as explain_pair
    from ..explain.render import render_text
    from ..loading import DocumentNotFound, load_article

    options = reader_from(kw)
    try:
        first, second = (load_article(ref, db, options) for ref in (a, b))
    except DocumentNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    result = explain_pair(first, second)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(result, first, second))
