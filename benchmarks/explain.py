"""Time ``storytrace.explain`` on every seed pair after the models are loaded (one core).

    .venv/bin/python benchmarks/explain.py [--seeds ../shared/seeds] [--repeat 5]
"""
from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

from storytrace.explain import explain
from storytrace.loading import load_article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
    parser.add_argument("--seeds", default=str(default if default.is_dir() else Path("examples/seeds")))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    docs = [load_article(str(p)) for p in sorted(Path(args.seeds).glob("*.txt"))]
    explain(docs[0], docs[1])  # load models, compile kernels
    print("| pair | relation | best ms | median ms |")
    print("|---|---|---:|---:|")
    for a, b in itertools.combinations(docs, 2):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            e = explain(a, b)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        print(f"| {a.id[:3]} / {b.id[:3]} | {e.relation} | {times[0]:.1f} | {times[len(times) // 2]:.1f} |")


if __name__ == "__main__":
    main()
