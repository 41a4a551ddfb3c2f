"""``storytrace eval``: the story engine measured on the labelled sets."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory of the labelled sets (default: ../shared/data beside the repository).")
@click.option("--only", type=click.Choice(["pairs", "titles", "seeds"]), multiple=True,
              help="Run only these sets (repeatable; default: all that are present).")
@click.option("--write-docs", is_flag=True, help="Write the tables into docs/bench_story.md (between the eval markers).")
@click.option("--docs", "docs_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Markdown file for --write-docs (default: docs/bench_story.md of the repository).")
def eval_command(data_dir: Path | None, only: tuple[str, ...], write_docs: bool, docs_path: Path | None) -> None:
    """Measure the story engine on the labelled sets: story pairs (held-out Pearson r and F1 per language pair),
    news-title streams (NMI, ARI, pairwise and B-cubed F1) and the seed articles. Missing sets are skipped."""
    from ..evaluation.datasets import default_data_dir
    from ..evaluation.run import run_all, write_docs as write

    data = data_dir if data_dir is not None else default_data_dir()
    if data_dir is not None and not data_dir.is_dir():
        raise click.ClickException(f"{data_dir}: no such directory")
    report = run_all(data, set(only) or None, log=lambda line: click.echo(f"storytrace eval: {line}", err=True))
    click.echo(report)
    if write_docs:
        path = docs_path or Path(__file__).resolve().parents[3] / "docs" / "bench_story.md"
        write(report, path)
        click.echo(f"wrote {path}", err=True)
