"""Options that several commands share, defined once; every default is read from the config object that
owns the setting (``ReaderOptions``, ``DedupOptions``), so a default changes in one place."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..io.base import FORMATS, ReaderOptions

F = TypeVar("F", bound=Callable[..., Any])

KEEP_RULES: tuple[str, ...] = ("canonical", "first", "longest")
MAP_FORMATS: tuple[str, ...] = ("parquet", "jsonl")


def default_of(config: type, name: str) -> Any:
    """The default of field ``name`` of dataclass ``config`` (plain default or default factory)."""
    for item in dataclasses.fields(config):
        if item.name == name:
            if item.default is not dataclasses.MISSING:
                return item.default
            if item.default_factory is not dataclasses.MISSING:
                return item.default_factory()
            raise ValueError(f"{config.__name__}.{name} has no default")
    raise ValueError(f"{config.__name__} has no field {name!r}")


#: (option name, ReaderOptions field, help) of the field options every reading command shares
_READER_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("--text-field", "text_field", "JSONL/Parquet field with the text."),
    ("--id-field", "id_field", "Field with the record's own id."),
    ("--title-field", "title_field", "Field with the title."),
    ("--date-field", "date_field", "Field with the publication date."),
    ("--url-field", "url_field", "Field with the URL."),
    ("--html-field", "html_field", "Field holding raw HTML instead of text."),
)
READER_KEYS: tuple[str, ...] = tuple(key for _, key, _ in _READER_FIELDS) + ("input_format",)


def reader_options(func: F) -> F:
    """Decorator adding the field and format options every reading command shares (defaults: ReaderOptions)."""
    options = [
        click.option(flag, key, default=default_of(ReaderOptions, key),
                     show_default=default_of(ReaderOptions, key) is not None, help=text)
        for flag, key, text in _READER_FIELDS
    ]
    options.append(click.option(
        "--input-format", "input_format", type=click.Choice(list(FORMATS)),
        default=default_of(ReaderOptions, "input_format"),
        help="Force the input format (default: by file extension; sniffed on stdin).",
    ))
    for option in reversed(options):
        func = option(func)
    return func


def reader_from(kw: dict[str, Any]) -> ReaderOptions:
    """The ReaderOptions of the shared field options in a command's keyword arguments (taken out of ``kw``)."""
    return ReaderOptions(**{key: kw.pop(key) for key in READER_KEYS})


def keep_option(default: str) -> Callable[[F], F]:
    """``--keep``: the rule choosing each duplicate group's canonical document."""
    return click.option(
        "--keep", type=click.Choice(list(KEEP_RULES)), default=default, show_default=True,
        help="Which document of a duplicate group is kept: canonical (the clean article before a page wrapping "
             "it, then the most verified links in the group, longer, earlier, first seen), first seen, or longest.",
    )


def quiet_option(func: F) -> F:
    """``--quiet/-q``: no progress bars or summary line (problems are still reported)."""
    return click.option("--quiet", "-q", is_flag=True,
                        help="No progress bars or summary line (problems are still reported).")(func)


def dataset_options(engines: tuple[str, ...], map_default: str, map_help: str) -> Callable[[F], F]:
    """The options of a dataset command (``dedup``, ``stories``): output directory, engine, master,
    map format, overwrite, quiet and cleaning workers."""
    def decorate(func: F) -> F:
        options = [
            click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False),
                         help="Output directory (must be empty or absent unless --overwrite)."),
            click.option("--engine", type=click.Choice(list(engines)), default=engines[0], show_default=True,
                         help="Where to run: this machine, or Spark (needs storytrace[spark])."),
            click.option("--master", default=None, metavar="URL",
                         help="Spark master for --engine spark: local[N], spark://HOST:7077, yarn, k8s://... "
                              "(default: $STORYTRACE_SPARK_MASTER, else spark-submit's, else local[*])."),
            click.option("--map-format", type=click.Choice(list(MAP_FORMATS)), default=map_default,
                         show_default=True, help=map_help),
            click.option("--overwrite", is_flag=True,
                         help="Replace a non-empty --out (only once the new output is complete)."),
            quiet_option,
            click.option("--workers", "-j", type=click.IntRange(0, 256), default=0, show_default=True,
                         help="Processes that extract and normalise text, local engine (0: one per CPU when the "
                              "local inputs are large enough to repay starting them, else 1)."),
        ]
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


def format_option(choices: tuple[str, ...], default: str | None, help_text: str) -> Callable[[F], F]:
    """``--format``: how a command prints its result."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                        show_default=default is not None, help=help_text)
