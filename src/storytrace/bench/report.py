"""What ``storytrace bench`` prints and writes: size parsing, the dedup and extraction tables, the markdown report.
The figures in docs/ come from these runs (the command is ``storytrace.cli.bench``)."""
from __future__ import annotations

import json
import runpy
import tempfile
from pathlib import Path
from typing import Any

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
            raise RuntimeError(f"the extraction benchmark failed (exit {code})")
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


def command_line(which: str, sizes: str, seed: int, mode: str, study: bool, baselines: bool, end_to_end: bool) -> str:
    """The command line that reproduces a dedup result (for the report)."""
    parts = ["storytrace bench", which, f"--sizes {sizes}"]
    parts += [f"--seed {seed}"] if seed else []
    parts += [f"--mode {mode}"] if mode != "mixed" else []
    parts += ["--study"] if study else []
    parts += ["--baselines"] if baselines else []
    parts += [] if end_to_end else ["--no-end-to-end"]
    return " ".join(parts)


def write_report_file(results: dict[str, Any], path: Path) -> None:
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


