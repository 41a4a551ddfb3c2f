"""``storytrace bench``: run the benchmarks (whole processes against the peers, engine level, extraction) and
print their tables; the runners and tables live in ``storytrace.bench``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..bench.report import command_line, dedup_table, parse_sizes, run_extraction, write_report_file


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("which", type=click.Choice(["dedup", "extraction", "all"]), default="dedup", required=False)
@click.option("--sizes", default="10000,100000", show_default=True,
              help="Dedup corpus sizes, comma-separated (10k and 1M work too).")
@click.option("--seed", type=int, default=0, show_default=True, help="Synthetic corpus seed.")
@click.option("--mode", type=click.Choice(["mixed", "unique", "duplicates"]), default="mixed", show_default=True,
              help="Synthetic corpus mode.")
@click.option("--workdir", type=click.Path(file_okay=False), default=None,
              help="Where corpora (cached) and temporary output go (default: the temp dir).")
@click.option("--processes/--no-processes", default=True, show_default=True,
              help="Time whole processes as users run them: `storytrace dedup` and the --peers pipelines "
                   "(bench.peers), each a fresh process on the same corpus; printed first.")
@click.option("--peers", default="datasketch,rensa,gaoya", show_default=True,
              help="Peer pipelines timed with --processes (comma-separated; empty for none).")
@click.option("--peer-max", type=int, default=1_000_000, show_default=True,
              help="Largest corpus the peers run on (datasketch takes ~20 min at 1M on 2 cores).")
@click.option("--engine-level/--no-engine-level", default=True, show_default=True,
              help="Also the engine-level run (stages timed inside one process, from normalised text).")
@click.option("--end-to-end/--no-end-to-end", default=True, show_default=True,
              help="In the engine-level run, also time `storytrace dedup` itself on each corpus.")
@click.option("--study", is_flag=True, help="Also the OPH vs k-perm MinHash study and the real story-pair check.")
@click.option("--baselines", is_flag=True, help="Also datasketch and rensa (sizes up to --baseline-max).")
@click.option("--baseline-max", type=int, default=100_000, show_default=True,
              help="Largest corpus size the peer pipelines (datasketch, rensa) are run on.")
@click.option("--methods", default="storytrace,trafilatura", show_default=True,
              help="Extraction methods (see benchmarks/extraction.py --list).")
@click.option("--repeat", type=click.IntRange(1, 20), default=1, show_default=True, help="Extraction passes (best counts).")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Extraction data (default: ../shared/data/extraction).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the raw results as JSON.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a markdown report (e.g. docs/bench_dedup.md).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def bench(which: str, sizes: str, seed: int, mode: str, workdir: str | None, processes: bool, peers: str,
          peer_max: int, engine_level: bool, end_to_end: bool, study: bool, baselines: bool, baseline_max: int,
          methods: str, repeat: int, data: Path | None, json_path: Path | None, report: Path | None,
          quiet: bool) -> None:
    """Run benchmark WHICH (dedup, extraction or all; default dedup) and print the results table."""
    def log(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    results: dict[str, Any] = {}
    if which in ("dedup", "all"):
        from ..bench.dedup import run

        try:
            size_list = parse_sizes(sizes)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--sizes") from None
        result: dict[str, Any] = {}
        if processes:
            from ..bench.processes import process_table, run_processes

            peer_list = [p.strip() for p in peers.split(",") if p.strip()]
            whole = run_processes(size_list, seed=seed, mode=mode, workdir=workdir, peers=peer_list,
                                  peer_max=peer_max, log=log)
            whole["command"] = f"storytrace bench dedup --sizes {sizes} --peers {','.join(peer_list)}"
            click.echo(process_table(whole))
            click.echo("")
        if engine_level:
            result = run(size_list, seed=seed, mode=mode, workdir=workdir,
                         baseline_max=baseline_max if baselines else 0, rensa=baselines, study=study, log=log,
                         end_to_end=end_to_end)
            result["command"] = command_line(which, sizes, seed, mode, study, baselines, end_to_end)
            click.echo("Engine level (stages inside one process; not what a user's run costs):")
            click.echo(dedup_table(result))
        if processes:
            result["processes"] = whole
        results["dedup"] = result
    if which in ("extraction", "all"):
        try:
            extraction = run_extraction(data, methods, repeat, log)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from exc
        if extraction is not None:
            results["extraction"] = extraction
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=1, default=float))
    if report is not None:
        write_report_file(results, report)
        log(f"report written to {report}")
