"""Every command and option is documented: help text on each, and docs/cli.md generated from them is current."""
from __future__ import annotations

from pathlib import Path

import click
import pytest

from storytrace.cli import COMMANDS, load_command
from storytrace.cli.reference import option_rows, reference

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_and_option_has_help(name: str) -> None:
    command = load_command(name)
    assert (command.help or "").strip(), f"storytrace {name} has no help text"
    missing = [flags for flags, _, text in option_rows(command) if not text.strip()]
    assert not missing, f"storytrace {name}: options without help: {missing}"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"storytrace {name}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_cli_reference_is_current() -> None:
    path = REPO / "docs" / "cli.md"
    assert path.read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is out of date: run `python -m storytrace.cli.reference > docs/cli.md`")


def test_option_defaults_come_from_the_config_objects() -> None:
    from storytrace.engines.local import DedupOptions
    from storytrace.fingerprint import DedupConfig
    from storytrace.io.base import ReaderOptions

    defaults = {p.name: p.default for p in load_command("dedup").params if isinstance(p, click.Option)}
    assert defaults["threshold"] == DedupConfig().threshold and defaults["num_perm"] == DedupConfig().num_perm
    assert defaults["ngram"] == DedupConfig().ngram and defaults["batch_size"] == DedupOptions().batch_size
    assert defaults["keep"] == DedupOptions().keep and defaults["text_field"] == ReaderOptions().text_field


def test_unknown_command_is_a_usage_error() -> None:
    from click.testing import CliRunner

    from storytrace.cli import main

    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2 and "No such command" in result.output
