"""``storytrace dedup`` on the command line: output contract, refusals, atomicity, bad input, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from storytrace import engines
from storytrace.engines import output
from storytrace.cli.dedup import dedup

TEXTS = [
    "The city council approved the new budget on Tuesday after a long debate about road repairs and schools.",
    "A storm closed the harbour for two days, and fishermen said the losses would be felt for weeks to come.",
    "Researchers found that the river's water quality improved after the factory upstream installed filters.",
]


def invoke(*args: str, input: bytes | None = None) -> Result:
    """Run ``storytrace dedup ARGS`` in-process."""
    return CliRunner().invoke(dedup, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A small JSONL corpus: three articles, an exact copy and a page-wrapped copy of the first."""
    docs = [{"id": f"d{i}", "text": t} for i, t in enumerate(TEXTS)]
    docs.append({"id": "copy", "text": TEXTS[0]})
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return src


def test_writes_corpus_map_summary_and_success(corpus: Path, tmp_path: Path) -> None:
    result = invoke(str(corpus), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "clusters.parquet", "data", "summary.json"]
    rows = pq.read_table(out / "clusters.parquet").to_pylist()
    assert [(r["id"], r["group"], r["kept"], r["relation"]) for r in rows] == [
        ("d0", "d0", True, "canonical"), ("d1", "d1", True, "canonical"), ("d2", "d2", True, "canonical"),
        ("copy", "d0", False, "exact")]
    assert (out / "data" / "in.jsonl").read_bytes() == b"".join(corpus.read_bytes().splitlines(keepends=True)[:3])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["relations"]["exact"] == 1 and summary["removed"] == 1
    assert summary["config"]["threshold"] == 0.8 and "total" in summary["timings_s"]
    assert "3 kept" in result.stderr


def test_options_reach_the_engine(corpus: Path, tmp_path: Path) -> None:
    result = invoke(str(corpus), "--out", str(tmp_path / "out"), "--map-format", "jsonl", "--keep", "first",
                    "--threshold", "0.7", "--num-perm", "64", "--ngram", "4", "--batch-size", "2", "-q",
                    "--id-field", "nope")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rows = [json.loads(line) for line in (tmp_path / "out" / "clusters.jsonl").open()]
    assert [r["id"] for r in rows] == ["in:line:1", "in:line:2", "in:line:3", "in:line:4"]  # derived ids
    config = json.loads((tmp_path / "out" / "summary.json").read_text())["config"]
    assert (config["threshold"], config["num_perm"], config["ngram"]) == (0.7, 64, 4)


def test_non_empty_out_is_refused_and_overwrite_replaces(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    result = invoke(str(corpus), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "not empty" in result.stderr and "--overwrite" in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    result = invoke(str(corpus), "--out", str(out), "--overwrite", "-q")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "clusters.parquet", "data", "summary.json"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind


def test_empty_existing_out_is_fine(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    assert invoke(str(corpus), "--out", str(tmp_path / "out"), "-q").exit_code == 0


def test_interrupted_run_leaves_no_complete_looking_output(corpus: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = output.copy_jsonl_lines
    failure: list[BaseException] = [KeyboardInterrupt()]

    def crash(source, out, keep, hashes=None):  # type: ignore[no-untyped-def]
        real(source, out, keep[:1], hashes[:1] if hashes is not None else None)
        raise failure[0]  # Ctrl-C, a full disk ... halfway through writing the corpus

    monkeypatch.setattr(output, "copy_jsonl_lines", crash)
    result = invoke(str(corpus), "--out", str(tmp_path / "fresh"))
    assert result.exit_code == 1 and "Aborted" in result.stderr
    assert not (tmp_path / "fresh").exists()
    old = tmp_path / "old"
    old.mkdir()
    (old / "_SUCCESS").write_text("")
    (old / "clusters.parquet").write_text("previous run")
    failure[0] = OSError(28, "No space left on device")
    result = invoke(str(corpus), "--out", str(old), "--overwrite", "-q")
    assert result.exit_code == 1 and result.stderr.endswith("No space left on device\n")
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in old.iterdir()) == ["_SUCCESS", "clusters.parquet"]
    assert (old / "clusters.parquet").read_text() == "previous run"  # replaced only by a complete run
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "old"]


def test_stale_staging_of_a_dead_run_is_cleaned(corpus: Path, tmp_path: Path) -> None:
    stale = tmp_path / ".out.tmp-999999999-abcd1234"
    stale.mkdir()
    (stale / "clusters.parquet").write_text("half")
    assert invoke(str(corpus), "--out", str(tmp_path / "out"), "-q").exit_code == 0
    assert not stale.exists()


def test_bad_records_are_reported_and_skipped(tmp_path: Path) -> None:
    src = tmp_path / "mixed.jsonl"
    src.write_text("\n".join([json.dumps({"id": "a", "text": TEXTS[0]}), "{not json", "[1, 2]",
                              json.dumps({"id": "b"}), json.dumps({"id": "c", "text": ""}),
                              json.dumps({"id": "d", "text": TEXTS[1]})]) + "\n", encoding="utf-8")
    result = invoke(str(src), str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 5
    assert lines[0].startswith(f"storytrace: {src}:line:2: invalid JSON")
    assert lines[1].startswith(f"storytrace: {src}:line:3: not a JSON object")
    assert lines[2] == f"storytrace: {src}:line:4: no 'text' field"
    assert lines[3] == f"storytrace: {src}:line:5: empty 'text' field"
    assert lines[4] == f"storytrace: {tmp_path / 'missing.jsonl'}: no such file or directory"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["problems"] == {"records": 4, "files": 1} and summary["documents"] == 2
    assert [json.loads(line)["id"] for line in (tmp_path / "out" / "data" / "mixed.jsonl").open()] == ["a", "d"]


def test_nothing_readable_exits_1_without_output(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text("nope\n", encoding="utf-8")
    result = invoke(str(src), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"storytrace: nothing could be read from {src}"
    assert not (tmp_path / "out").exists()


def test_bad_arguments_exit_2(corpus: Path, tmp_path: Path) -> None:
    assert invoke(str(corpus), "--out", str(tmp_path / "o"), "--threshold", "0").exit_code == 2
    assert invoke(str(corpus), "--out", str(tmp_path / "o"), "--keep", "best").exit_code == 2
    assert invoke(str(corpus)).exit_code == 2
    assert invoke(str(corpus), "--out", str(tmp_path)).exit_code == 2  # would contain its own input
    assert not (tmp_path / "o").exists()


def test_spark_engine_missing_is_one_line(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(engines.DATASET_ENGINES, "spark", "storytrace.engines.not_installed_spark")
    result = invoke(str(corpus), "--out", str(tmp_path / "out"), "--engine", "spark")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "install storytrace[spark]" in result.stderr
    assert not (tmp_path / "out").exists()


def test_spark_engine_is_called_with_inputs_out_config_options(corpus: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(engines, "load_engine", lambda name: lambda *args: calls.append((name, *args)))
    monkeypatch.setattr("storytrace.cli.dedup.load_engine", engines.load_engine)
    assert invoke(str(corpus), "--out", str(tmp_path / "out"), "--engine", "spark", "-q").exit_code == 0
    name, inputs, out, config, options = calls[0]
    assert (name, inputs, out, config.threshold, options.keep) == ("spark", [str(corpus)], str(tmp_path / "out"), 0.8,
                                                                   "canonical")
    assert options.text_field == "text" and options.id_field == "id"  # names engines.spark reads


def test_stdin(tmp_path: Path) -> None:
    data = "".join(json.dumps({"id": f"s{i}", "text": TEXTS[i % 2]}) + "\n" for i in range(4)).encode()
    result = invoke("-", "--out", str(tmp_path / "out"), "-q", input=data)
    assert result.exit_code == 0, result.output
    rows = pq.read_table(tmp_path / "out" / "clusters.parquet").to_pylist()
    assert [(r["source"], r["kept"]) for r in rows] == [("-", True), ("-", True), ("-", False), ("-", False)]
    assert (tmp_path / "out" / "data" / "stdin.jsonl").read_bytes() == b"".join(data.splitlines(keepends=True)[:2])


def test_auto_workers_only_for_large_local_inputs(tmp_path, monkeypatch):

    small = tmp_path / "small.jsonl"
    small.write_text('{"id": "a", "text": "x"}\n')
    assert engines.auto_workers([str(small)], cpus=4) == 1
    assert engines.auto_workers(["-", "s3a://bucket/x", str(tmp_path / "missing")], cpus=4) == 1
    monkeypatch.setattr(engines, "AUTO_WORKERS_BYTES", 100)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "big.jsonl").write_text("y" * 200)
    assert engines.auto_workers([str(tmp_path)], cpus=4) == 4  # found by walking the directory
    assert engines.auto_workers([str(small)], cpus=4) == 1
