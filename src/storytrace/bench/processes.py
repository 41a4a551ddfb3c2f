"""Whole processes as users run them: ``storytrace dedup`` and the peer pipelines of ``bench.peers``, one
fresh process each on the same synthetic corpus, timed from the outside (wall, CPU of the process and
its children, peak RSS summed over the process tree, sampled), then scored against the planted truth.

``run_processes(sizes=(20_000, 100_000))`` returns a dict; ``process_table`` makes the markdown table
that ``storytrace bench dedup`` prints and docs/benchmarks.md leads with.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .dedup import truth_of, ensure_corpus, evaluate, read_batches

PEERS: tuple[str, ...] = ("datasketch", "rensa", "gaoya")


def _tree_rss_kb(pid: int) -> int:
    """Resident KiB of a process and all its descendants (from /proc; 0 once gone)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: Sequence[str], env: dict[str, str] | None = None, interval: float = 0.2) -> dict[str, Any]:
    """Run ``cmd`` to the end: wall s, CPU s (user + system of it and its waited-for children), the largest
    single-process RSS (getrusage) and the peak of the RSS summed over its process tree (sampled)."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"command": " ".join(cmd), "returncode": proc.returncode, "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
            "max_rss_mb": usage.ru_maxrss / 1024, "peak_rss_sum_mb": peak[0] / 1024, "stderr": stderr[-2000:]}


def storytrace_command(path: Path, out: Path, threshold: float) -> list[str]:
    """``storytrace dedup CORPUS --out DIR --threshold T -q`` with the console script beside this Python."""
    exe = Path(sys.executable).with_name("storytrace")
    head = [str(exe)] if exe.exists() else [sys.executable, "-c", "from storytrace.cli import main; main()"]
    return [*head, "dedup", str(path), "--out", str(out), "--threshold", str(threshold), "-q"]


def peer_command(peer: str, path: Path, out: Path, threshold: float) -> list[str]:
    """``python -m storytrace.bench.peers PEER CORPUS --out DIR --threshold T``."""
    return [sys.executable, "-m", "storytrace.bench.peers", peer, str(path), "--out", str(out),
            "--threshold", str(threshold)]


def _labels_from_pairs(n: int, pairs: np.ndarray) -> np.ndarray:
    from ..cluster.unionfind import connected_components

    pairs = pairs.reshape(-1, 2)
    return connected_components(n, pairs[:, 0], pairs[:, 1])


def _storytrace_labels(out: Path) -> np.ndarray:
    import pyarrow.parquet as pq

    groups = pq.read_table(out / "clusters.parquet", columns=["group"]).column("group").to_numpy(zero_copy_only=False)
    return np.unique(groups, return_inverse=True)[1].reshape(-1).astype(np.int64)


def pair_recall(labels: np.ndarray, pairs: np.ndarray) -> float:
    """Share of ``pairs`` (another pipeline's duplicate pairs) whose two documents share a group here."""
    pairs = pairs.reshape(-1, 2)
    if len(pairs) == 0:
        return 1.0
    return float(np.mean(labels[pairs[:, 0]] == labels[pairs[:, 1]]))


def run_processes(sizes: Sequence[int] = (20_000, 100_000), seed: int = 0, mode: str = "mixed",
                  workdir: str | Path | None = None, peers: Sequence[str] = PEERS, peer_max: int = 100_000,
                  threshold: float = 0.8, log: Callable[[str], None] = print,
                  before_src: str | Path | None = None) -> dict[str, Any]:
    """Per size: ``storytrace dedup`` then each peer (sizes up to ``peer_max``), back to back in this run,
    each scored (pairwise P/R per planted kind; storytrace's recall of datasketch's pairs).
    ``before_src``: also ``storytrace dedup`` from another source tree (row "storytrace@before"), e.g. the
    main branch, to measure a change in the same run."""
    import tempfile

    work = Path(workdir) if workdir else Path(tempfile.gettempdir()) / "storytrace-bench"
    work.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"threshold": threshold, "seed": seed, "mode": mode, "cpu_count": os.cpu_count(),
                              "sizes": {}}
    for size in sizes:
        path = ensure_corpus(size, seed, mode, work)
        metas: list[dict[str, Any]] = []
        for _, meta in read_batches(path, 20000):
            metas.extend(meta)
        truth = truth_of(metas)
        entry: dict[str, Any] = {"corpus": str(path), "corpus_bytes": path.stat().st_size,
                                 "load_before": os.getloadavg()}
        runs: dict[str, Any] = {}
        labels: dict[str, np.ndarray] = {}
        peer_pairs: dict[str, np.ndarray] = {}
        names = ["storytrace", *(["storytrace@before"] if before_src else []), *(p for p in peers if size <= peer_max)]
        for name in names:
            out = work / f"proc-{name}-{size}"
            shutil.rmtree(out, ignore_errors=True)
            ours = name.startswith("storytrace")
            cmd = storytrace_command(path, out, threshold) if ours else peer_command(name, path, out, threshold)
            env = None
            if name == "storytrace@before":
                env = {**os.environ, "PYTHONPATH": str(before_src)}
            log(f"corpus {size}: {name} (load {os.getloadavg()[0]:.1f})")
            run = measure(cmd, env=env)
            run["load_before"] = os.getloadavg()[0]
            if run["returncode"] == 0:
                if ours:
                    labels[name] = _storytrace_labels(out)
                else:
                    peer_pairs[name] = np.load(out / "pairs.npy")
                    labels[name] = _labels_from_pairs(size, peer_pairs[name])
                if len(labels[name]) == len(metas):
                    run["quality"] = evaluate(labels[name], truth)
            shutil.rmtree(out, ignore_errors=True)
            runs[name] = run
        for name, lab in labels.items():
            runs[name]["recall_of_pairs"] = {peer: pair_recall(lab, pp) for peer, pp in peer_pairs.items()}
        entry["runs"] = runs
        entry["load_after"] = os.getloadavg()
        result["sizes"][str(size)] = entry
    return result


def process_table(result: dict[str, Any]) -> str:
    """Markdown: one row per (size, pipeline): wall, CPU, peak RSS summed, speed-up vs datasketch (wall, CPU),
    pairwise P/R against the planted families, lowest per-kind P and R, recall of datasketch's pairs."""
    head = ("| documents | pipeline | wall s | CPU s | peak RSS (all processes) | vs datasketch (wall) | "
            "vs datasketch (CPU) | pairwise P | pairwise R | lowest kind P / R | datasketch pairs found |")
    lines = [head, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, entry in result["sizes"].items():
        runs = entry["runs"]
        base = runs.get("datasketch")
        for name, run in runs.items():
            q = run.get("quality", {}).get("overall", {})
            kinds = list(run.get("quality", {}).get("per_kind", {}).values())
            low = (f"{min(k['precision'] for k in kinds):.3f} / {min(k['recall'] for k in kinds):.3f}"
                   if kinds else "")
            ratio_w = f"{base['wall_s'] / run['wall_s']:.1f}x" if base and name != "datasketch" else ""
            ratio_c = f"{base['cpu_s'] / run['cpu_s']:.1f}x" if base and name != "datasketch" else ""
            found = run.get("recall_of_pairs", {}).get("datasketch")
            lines.append(
                f"| {int(size):,} | {name} | {run['wall_s']:.1f} | {run['cpu_s']:.1f} | {run['peak_rss_sum_mb']:,.0f} MiB | "
                f"{ratio_w} | {ratio_c} | {q.get('precision', float('nan')):.4f} | {q.get('recall', float('nan')):.4f} | "
                f"{low} | {'' if found is None else f'{found:.4f}'} |")
    return "\n".join(lines)


def process_section(result: dict[str, Any] | None) -> list[str]:
    """Report section of a ``run_processes`` result (empty without one)."""
    if not result:
        return []
    loads = [f"{int(n):,}: {e['load_before'][0]:.1f} -> {e['load_after'][0]:.1f}" for n, e in result["sizes"].items()]
    return ["## Whole processes, as users run them", "",
            f"`{result.get('command', 'storytrace bench dedup')}`: each pipeline a fresh process on the same corpus, "
            f"back to back in one run (threshold {result['threshold']}; {result['cpu_count']} CPUs; load average "
            f"before -> after per size: {'; '.join(loads)}). CPU = user + system of the process and its children; "
            "peak RSS summed over the process tree, sampled every 0.2 s. P/R: pairwise, against the planted "
            "families; \"datasketch pairs found\": share of the pairs datasketch reports whose documents the "
            "pipeline groups together.", "", process_table(result), ""]
