"""``storytrace bench``: run the benchmarks (dedup, extraction) and print their tables (registered in
``storytrace.cli``). The figures in docs/ come from these runs."""
from __future__ import annotations

import json
import runpy
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

REPO = Path(__file__).resolve().parents[3]
EXTRACTION_SCRIPT = REPO / "benchmarks" / "extraction.py"
_SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse_sizes(text: str) -> list[int]:
    """``"2000,10k,1M"`` -> [2000, 10000, 1000000]; raises ValueError on anything else."""
    sizes = []
    for part in (p.strip().lower().replace("_", "") for p in text.split(",")):
        if not part:
            continue
        scale = _SUFFIXES.get(part[-1], 1)
        number = part[:-1] if part[-1] in _SUFFIXES else part
        value = int(float(number) * scale) if scale > 1 else int(number)
        if value < 1:
            raise ValueError(f"corpus size must be >= 1, got {part!r}")
        sizes.append(value)
    if not sizes:
        raise ValueError("no corpus size given")
    return sizes


def dedup_table(result: dict[str, Any]) -> str:
    """Plain-text table of a dedup benchmark result: speed, memory and quality per corpus size."""
    head = (f"{'documents':>10} {'corpus MiB':>10} {'pipeline s':>10} {'docs/s':>8} {'dedup s':>8} {'docs/s':>8} "
            f"{'peak MiB':>8} {'kept':>9} {'precision':>9} {'recall':>7} {'copies rm':>9} {'pairs':>9}")
    lines = [head, "-" * len(head)]
    for size, entry in result["sizes"].items():
        st, engine = entry["storytrace"], entry.get("engine")
        quality = (engine or st).get("quality", {}).get("overall", {})
        removal = (engine or {}).get("removal", {})
        peak = engine["engine_peak_rss_mb"] if engine else st["peak_rss_mb"]
        e2e = f"{engine['wall_s']:8.1f} {engine['documents'] / engine['wall_s']:8,.0f}" if engine else f"{'-':>8} {'-':>8}"
        lines.append(
            f"{int(size):>10,} {entry['corpus_bytes'] / 2**20:>10,.0f} {st['end_to_end_wall_s']:>10.1f} "
            f"{st['documents'] / max(st['end_to_end_wall_s'], 1e-9):>8,.0f} {e2e} {peak:>8,.0f} "
            f"{engine['kept'] if engine else '-':>9} {quality.get('precision', float('nan')):>9.4f} "
            f"{quality.get('recall', float('nan')):>7.4f} {removal.get('recall', float('nan')):>9.4f} "
            f"{st['candidates']['total']:>9,}")
    lines.append("pipeline: fingerprint -> verify -> components from normalised text (wall s, stages timed apart); "
                 "dedup: `storytrace dedup` end to end (read, clean, group, write); precision/recall: pairwise, of "
                 "the dedup groups (of the pipeline's components with --no-end-to-end); copies rm: share of the "
                 "planted copies removed in favour of their own family")
    return "\n".join(lines)


def run_extraction(data: Path | None, methods: str, repeat: int, log: Any) -> dict[str, Any] | None:
    """Run benchmarks/extraction.py (it prints its table); its results, or None when skipped."""
    if not EXTRACTION_SCRIPT.is_file():
        log(f"extraction benchmark skipped: {EXTRACTION_SCRIPT} not found (it needs a source checkout)")
        return None
    script = runpy.run_path(str(EXTRACTION_SCRIPT), run_name="storytrace_bench_extraction")
    data = data or script["default_data_dir"]()
    if not (data / "ground-truth.json").is_file():
        log(f"extraction benchmark skipped: no data at {data} (../shared/data/extraction)")
        return None
    with tempfile.TemporaryDirectory(prefix="st-bench-") as tmp:
        out = Path(tmp) / "extraction.json"
        code = script["main"](["--data", str(data), "--methods", methods, "--repeat", str(repeat), "--json", str(out)])
        if code != 0 or not out.is_file():
            raise click.ClickException(f"the extraction benchmark failed (exit {code})")
        results: dict[str, Any] = json.loads(out.read_text())
    return {"data": str(data), "methods": results, "repeat": repeat}


def extraction_section(result: dict[str, Any]) -> list[str]:
    """Markdown section for an extraction result."""
    out = ["## Extraction", "", f"Data: `{result['data']}`, best of {result['repeat']} passes, one process "
           "(`benchmarks/extraction.py`).", "",
           "| method | precision | recall | F1 | F1 dev | F1 held-out | pages/CPU-s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in result["methods"].items():
        out.append(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['f1_dev']:.3f} | "
                   f"{r['f1_held']:.3f} | {r['pages_s']:,.0f} |")
    return out + [""]


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
        from .dedup import run

        try:
            size_list = parse_sizes(sizes)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--sizes") from None
        result: dict[str, Any] = {}
        if processes:
            from .processes import process_table, run_processes

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
            result["command"] = _command(which, sizes, seed, mode, study, baselines, end_to_end)
            click.echo("Engine level (stages inside one process; not what a user's run costs):")
            click.echo(dedup_table(result))
        if processes:
            result["processes"] = whole
        results["dedup"] = result
    if which in ("extraction", "all"):
        extraction = run_extraction(data, methods, repeat, log)
        if extraction is not None:
            results["extraction"] = extraction
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=1, default=float))
    if report is not None:
        _write_report(results, report)
        log(f"report written to {report}")


def _command(which: str, sizes: str, seed: int, mode: str, study: bool, baselines: bool, end_to_end: bool) -> str:
    """The command line that reproduces a dedup result (for the report)."""
    parts = ["storytrace bench", which, f"--sizes {sizes}"]
    parts += [f"--seed {seed}"] if seed else []
    parts += [f"--mode {mode}"] if mode != "mixed" else []
    parts += ["--study"] if study else []
    parts += ["--baselines"] if baselines else []
    parts += [] if end_to_end else ["--no-end-to-end"]
    return " ".join(parts)


def _write_report(results: dict[str, Any], path: Path) -> None:
    """The dedup report (bench.dedup.write_report) with an extraction section appended, or that alone."""
    from .dedup import write_report

    if "dedup" in results:
        from .processes import process_section

        write_report(results["dedup"], path, preface=process_section(results["dedup"].get("processes")))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# Benchmarks\n\n", encoding="utf-8")
    if "extraction" in results:
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(extraction_section(results["extraction"])) + "\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(bench())
