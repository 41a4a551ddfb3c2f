"""Command line: one module per command, each a thin click layer over the library (``storytrace --help``).

Commands are imported when they run (``LazyGroup``), so ``storytrace dedup`` does not pay for the web
framework and ``storytrace serve`` does not pay for numba: start-up counts in every whole-process figure.
"""
from __future__ import annotations

import importlib
from typing import Any

import click

from ..version import __version__

#: command name -> "module:attribute" of its click command (``storytrace.cli.<module>``)
COMMANDS: dict[str, str] = {
    "analyze": "storytrace.cli.analyze:analyze",
    "extract": "storytrace.cli.extract:extract",
    "explain": "storytrace.cli.explain:explain",
    "dedup": "storytrace.cli.dedup:dedup",
    "stories": "storytrace.cli.stories:stories",
    "eval": "storytrace.cli.eval:eval_command",
    "bench": "storytrace.cli.bench:bench",
    "serve": "storytrace.cli.serve:serve",
}


def load_command(name: str) -> click.Command:
    """The click command registered as ``name`` (imported now)."""
    module_name, attribute = COMMANDS[name].split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{COMMANDS[name]} is not a click command")
    return command


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when they are run (or listed by ``--help``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storytrace")
def main() -> None:
    """storytrace: find every copy, rewrite and follow-up of a news story in a pile of documents."""


def run(argv: list[str] | None = None) -> Any:
    """Run the command line with ``argv`` (default: ``sys.argv``); the ``python -m storytrace.cli`` entry."""
    return main.main(args=argv)


__all__ = ["COMMANDS", "LazyGroup", "load_command", "main"]
