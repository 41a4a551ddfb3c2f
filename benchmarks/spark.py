"""Spark engine vs local engine on the synthetic corpus: wall time, CPU, shuffle volume per document.

    PYTHONPATH=src .venv/bin/python benchmarks/spark.py --sizes 20000,100000 \
        --workdir /work/scratch/spark-bench --json /work/scratch/spark-bench/result.json

Each (engine, size) runs in a fresh process. CPU is the whole process tree (driver, JVM, Python
workers) read from /proc just before Spark stops; shuffle bytes come from Spark's event log, summed
per engine stage (the job descriptions ``storytrace <stage>``). The Spark cluster map is compared
row for row with the local engine's. The marginal cost per document is (cost at the largest size -
cost at the smallest) / (size difference), which removes the fixed start-up cost.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of ``root``'s descendants (live ones, plus the children they reaped), from /proc."""
    parent: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        pid = int(stat.split("/")[2])
        parent[pid] = int(fields[1])
        times[pid] = sum(int(v) for v in fields[11:15]) / CLK_TCK  # utime stime cutime cstime
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        kids = [p for p, pp in parent.items() if pp == pid]
        total += sum(times[k] for k in kids)
        stack.extend(kids)
    return total


def shuffle_by_stage(log_dir: str) -> dict[str, dict[str, float]]:
    """{engine stage: {shuffle_write_bytes, shuffle_read_bytes, executor_cpu_s, tasks}} from an event log."""
    import zstandard

    metrics: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    stage_desc: dict[int, str] = {}
    for path in glob.glob(f"{log_dir}/**/events*", recursive=True):
        raw = Path(path).read_bytes()
        data = zstandard.ZstdDecompressor().stream_reader(raw).read() if path.endswith(".zstd") else raw
        for line in data.decode("utf-8").splitlines():
            event = json.loads(line)
            if event["Event"] == "SparkListenerJobStart":
                desc = event.get("Properties", {}).get("spark.job.description", "other")
                for stage in event["Stage IDs"]:
                    stage_desc[stage] = desc.replace("storytrace ", "")
            elif event["Event"] == "SparkListenerStageCompleted":
                info = event["Stage Info"]
                name = stage_desc.get(info["Stage ID"], "other")
                values = {a["Name"]: a.get("Value", 0) for a in info.get("Accumulables", [])}
                m = metrics[name]
                m["shuffle_write_bytes"] += float(values.get("internal.metrics.shuffle.write.bytesWritten", 0))
                m["shuffle_read_bytes"] += float(values.get("internal.metrics.shuffle.read.localBytesRead", 0)) + float(
                    values.get("internal.metrics.shuffle.read.remoteBytesRead", 0))
                m["executor_cpu_s"] += float(values.get("internal.metrics.executorCpuTime", 0)) / 1e9
                m["tasks"] += info.get("Number of Tasks", 0)
    return {k: dict(v) for k, v in metrics.items()}


def run_local(corpus: str, out: str) -> dict[str, Any]:
    """The local engine on one corpus (this process)."""
    from storytrace.engines.local import DedupOptions, run_dedup

    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_dedup([corpus], out, None, DedupOptions(quiet=True, overwrite=True))
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
            "stages_s": summary.timings_s, "documents": summary.documents, "kept": summary.kept,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_spark(corpus: str, out: str, master: str, driver_memory: str, partitions: int) -> dict[str, Any]:
    """The Spark engine on one corpus (this process starts and stops its own session)."""
    from storytrace.engines.local import DedupOptions
    from storytrace.engines.spark import SparkOptions, build_session, run_dedup

    log_dir = tempfile.mkdtemp(prefix="spark-events-")
    wall = time.perf_counter()
    spark = build_session(SparkOptions(master=master, shuffle_partitions=partitions, conf={
        "spark.ui.enabled": "false", "spark.driver.memory": driver_memory, "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": f"file://{log_dir}", "spark.eventLog.compress": "false"}))
    spark.sparkContext.setLogLevel("ERROR")
    started = time.perf_counter()
    summary = run_dedup([corpus], out, None, DedupOptions(quiet=True, overwrite=True))
    run_wall = time.perf_counter() - started
    cpu = tree_cpu_seconds(os.getpid()) + time.process_time()
    spark.stop()
    return {"wall_s": time.perf_counter() - wall, "run_wall_s": run_wall, "cpu_s": cpu,
            "stages_s": summary.timings_s, "documents": summary.documents, "kept": summary.kept,
            "shuffle": shuffle_by_stage(log_dir), "cc_rounds": summary.options["cc_rounds"],
            "guard_rounds": summary.options["guard_rounds"], "candidate_pairs": summary.candidate_pairs,
            "verified_pairs": summary.verified_pairs}


def postings_per_doc(corpus: str, sample: int = 5000) -> dict[str, float]:
    """Mean LSH band keys, exact keys and anchors per document on a sample (what stage 3 shuffles)."""
    from storytrace.engines.spark_batches import parse_jsonl_batch
    from storytrace.fingerprint import DedupConfig, fingerprint
    from storytrace.io.base import ReaderOptions
    from storytrace.match.lsh import bands_rows
    import numpy as np
    import pyarrow as pa

    with open(corpus, "rb") as fh:
        lines = [fh.readline().rstrip(b"\n") for _ in range(sample)]
    batch = pa.RecordBatch.from_pydict({"idx": list(range(len(lines))), "file_no": [0] * len(lines),
                                        "pos": list(range(len(lines))), "value": lines})
    docs = [p.doc for p in parse_jsonl_batch(batch, [corpus], ReaderOptions()) if p.doc is not None]
    config = DedupConfig()
    fp = fingerprint([d.norm for d in docs], config)
    bands = bands_rows(config)[0]
    return {"band_keys": float(np.mean(np.where(fp.n_shingles > 0, bands, 0))),
            "exact_keys": float(np.mean(fp.n_words > 0)), "anchors": float(np.mean(np.diff(fp.anchor_offsets))),
            "norm_bytes": float(np.mean([len(d.norm.encode()) for d in docs])),
            "record_bytes": float(np.mean([len(line) + 1 for line in lines]))}


def same_maps(local_out: str, spark_out: str) -> bool:
    """Whether the two cluster maps are equal row for row."""
    import pyarrow.parquet as pq

    return pq.read_table(f"{local_out}/clusters.parquet").to_pylist() == pq.read_table(f"{spark_out}/clusters").to_pylist()


def marginal(results: dict[str, Any], engine: str, key: str) -> float | None:
    """(value at the largest size - value at the smallest) / size difference."""
    sizes = sorted(int(s) for s in results)
    if len(sizes) < 2:
        return None
    lo, hi = sizes[0], sizes[-1]
    return (results[str(hi)][engine][key] - results[str(lo)][engine][key]) / (hi - lo)


def main(argv: list[str] | None = None) -> int:
    """Run every (engine, size) in a child process; print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="2g")
    parser.add_argument("--partitions", type=int, default=4, help="spark.sql.shuffle.partitions")
    parser.add_argument("--json", default=None)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # child: "engine:size"
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="spark-bench-"))
    if args.one:
        engine, size = args.one.split(":")
        corpus = str(workdir / f"synthetic_mixed_{size}_{args.seed}_gen.jsonl")
        out = str(workdir / f"out-{engine}-{size}")
        result = run_local(corpus, out) if engine == "local" else run_spark(
            corpus, out, args.master, args.driver_memory, args.partitions)
        print(json.dumps(result))
        return 0
    from storytrace.bench.dedup import ensure_corpus

    results: dict[str, Any] = {}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        corpus = ensure_corpus(size, args.seed, "mixed", workdir, real=False)
        entry: dict[str, Any] = {"corpus_bytes": corpus.stat().st_size, "postings": postings_per_doc(str(corpus))}
        for engine in ("local", "spark"):
            cmd = [sys.executable, __file__, "--one", f"{engine}:{size}", "--workdir", str(workdir), "--seed",
                   str(args.seed), "--master", args.master, "--driver-memory", args.driver_memory,
                   "--partitions", str(args.partitions)]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
            entry[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{size:>9,} {engine:>5}: {entry[engine]['wall_s']:.1f} s wall, {entry[engine]['cpu_s']:.1f} CPU-s",
                  file=sys.stderr, flush=True)
        entry["identical_maps"] = same_maps(str(workdir / f"out-local-{size}"), str(workdir / f"out-spark-{size}"))
        results[str(size)] = entry
    summary = {"sizes": results, "master": args.master, "cores": os.cpu_count(),
               "load_average": os.getloadavg(),
               "marginal_cpu_s_per_doc": {e: marginal(results, e, "cpu_s") for e in ("local", "spark")},
               "marginal_wall_s_per_doc": {e: marginal(results, e, "wall_s") for e in ("local", "spark")},
               "command": "PYTHONPATH=src .venv/bin/python benchmarks/spark.py " + " ".join(argv or sys.argv[1:])}
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
