"""``storytrace extract``: article extraction only (title, date, author, URL, text) from HTML files."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from ..io.base import decode_bytes, open_binary, read_recovering, truncation_reason
from ..text.extract import extract as extract_article
from .options import format_option

MAX_PAGE_BYTES = 64 << 20  #: a page larger than this is cut there (as the readers' max_record_bytes)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, required=True, type=click.Path())
@format_option(("jsonl", "text"), "jsonl", "Output format: one JSON object per file, or readable text.")
def extract(files: tuple[str, ...], fmt: str) -> None:
    """Extract title, date, author, URL and article text from HTML FILES (optionally .gz)."""
    failures = 0
    for name in files:
        try:
            with open_binary(name) as fh:
                data, cut = read_recovering(fh, MAX_PAGE_BYTES)
        except (OSError, EOFError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            click.echo(f"storytrace: {name}: {reason}", err=True)
            failures += 1
            continue
        if cut is not None:  # a cut .gz/.zst: say so, and extract what decoded before the cut
            click.echo(f"storytrace: {name}: {truncation_reason(cut, len(data))}", err=True)
            if not data:
                failures += 1
                continue
        result = extract_article(decode_bytes(data))
        if fmt == "jsonl":
            click.echo(json.dumps({"source": name, **asdict(result)}, ensure_ascii=False))
        else:
            click.echo(f"== {name}\n{result.title or ''}\n\n{result.text}\n")
    if failures == len(files):
        sys.exit(1)
