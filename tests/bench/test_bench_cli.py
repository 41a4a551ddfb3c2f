"""``storytrace bench``: small runs print their tables; the extraction benchmark skips without its data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from storytrace.bench.report import parse_sizes
from storytrace.cli.bench import bench


def test_parse_sizes() -> None:
    assert parse_sizes("2000, 10k,1M,1_500") == [2000, 10_000, 1_000_000, 1500]
    for bad in ("", "0", "ten"):
        with pytest.raises(ValueError):
            parse_sizes(bad)


def test_bench_dedup_small(tmp_path: Path) -> None:
    report, raw = tmp_path / "bench.md", tmp_path / "bench.json"
    result = CliRunner().invoke(bench, ["dedup", "--sizes", "2000", "--workdir", str(tmp_path / "work"),
                                        "--report", str(report), "--json", str(raw)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| documents | pipeline | wall s | CPU s |")  # whole processes first
    rows = [line.split("|") for line in lines if line.startswith("| 2,000 |")]
    assert [r[2].strip() for r in rows] == ["storytrace", "datasketch", "rensa", "gaoya"]
    engine = lines.index("Engine level (stages inside one process; not what a user's run costs):")
    table = lines[engine + 1:]
    assert table[0].split()[:2] == ["documents", "corpus"] and table[2].split()[0] == "2,000"
    whole = json.loads(raw.read_text())["dedup"]["processes"]["sizes"]["2000"]["runs"]
    assert all(run["returncode"] == 0 and run["wall_s"] > 0 and run["peak_rss_sum_mb"] > 0 for run in whole.values())
    ours = whole["storytrace"]
    assert ours["quality"]["overall"]["precision"] >= 0.99 and ours["quality"]["overall"]["recall"] >= 0.99
    assert ours["recall_of_pairs"]["datasketch"] >= 0.99  # every pair datasketch finds, or nearly
    assert whole["datasketch"]["quality"]["overall"]["recall"] < 0.9  # its recall at 0.8 on these copies
    data = json.loads(raw.read_text())["dedup"]["sizes"]["2000"]
    assert data["engine"]["documents"] == 2000
    assert data["engine"]["quality"]["overall"]["precision"] >= 0.99
    text = report.read_text()
    assert "## End to end: storytrace dedup" in text and "storytrace bench dedup --sizes 2000" in text
    assert text.index("## Whole processes, as users run them") < text.index("## Summary against the targets")
    assert not any(p.name.startswith(("dedup-out", "proc-")) for p in (tmp_path / "work").iterdir())  # cleaned up


def test_bench_extraction_skips_without_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(bench, ["extraction", "--data", str(tmp_path / "none")], catch_exceptions=False)
    assert result.exit_code == 0
    assert "extraction benchmark skipped" in result.stderr


def test_bench_extraction_runs_on_shared_data(tmp_path: Path) -> None:
    from storytrace.bench.report import EXTRACTION_SCRIPT

    data = next((p / "data" / "extraction" for p in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared"))
                 if (p / "data" / "extraction" / "ground-truth.json").is_file()), None)
    if data is None or not EXTRACTION_SCRIPT.is_file():
        pytest.skip("no extraction data or benchmark script")
    raw = tmp_path / "e.json"
    result = CliRunner().invoke(bench, ["extraction", "--methods", "storytrace", "--json", str(raw)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "storytrace" in result.stdout
    assert json.loads(raw.read_text())["extraction"]["methods"]["storytrace"]["f1"] > 0.9
