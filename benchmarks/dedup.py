"""Near-duplicate / containment benchmark: storytrace vs datasketch (and rensa) on the synthetic corpus.

    PYTHONPATH=src .venv/bin/python benchmarks/dedup.py --sizes 10000,100000,1000000 \
        --json /tmp/bench_dedup.json --report docs/bench_dedup.md

Results are written as JSON first; ``--from-json`` rebuilds the report (and plot) from it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from storytrace.bench.dedup import run, write_report


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark (or load its JSON), write the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mode", default="mixed", choices=("mixed", "unique", "duplicates"))
    parser.add_argument("--workdir", default=None, help="where corpora and spill files go (default: tmp)")
    parser.add_argument("--baseline-max", type=int, default=100_000,
                        help="largest size also run through datasketch/rensa")
    parser.add_argument("--no-rensa", action="store_true")
    parser.add_argument("--no-study", action="store_true", help="skip the OPH/k-perm study")
    parser.add_argument("--json", default=None, help="write raw results here")
    parser.add_argument("--report", default=None, help="write the markdown report here")
    parser.add_argument("--from-json", default=None, help="only rebuild the report from this JSON")
    args = parser.parse_args(argv)
    if args.from_json:
        result = json.loads(Path(args.from_json).read_text())
    else:
        sizes = [int(s) for s in args.sizes.split(",") if s]
        result = run(sizes, seed=args.seed, mode=args.mode, workdir=args.workdir,
                     baseline_max=args.baseline_max, rensa=not args.no_rensa, study=not args.no_study,
                     log=lambda msg: print(msg, file=sys.stderr, flush=True))
        result["command"] = "PYTHONPATH=src .venv/bin/python benchmarks/dedup.py " + " ".join(argv or sys.argv[1:])
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1, default=float))
    if args.report:
        write_report(result, Path(args.report))
    else:
        print(json.dumps(result, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
