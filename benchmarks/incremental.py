"""How the cost of adding documents grows with the size of the existing index.

Builds candidate indexes over N synthetic documents (N from --sizes), then times adding a batch of
--add new documents: fingerprinting, candidate search against the whole index (LSH + exact + anchors)
and saving the index state. Usage:

    .venv/bin/python benchmarks/incremental.py --sizes 10000,100000,1000000 --add 10000
"""
from __future__ import annotations

import argparse
import tempfile
import time

from storytrace.bench.synthetic import SyntheticCorpus
from storytrace.fingerprint import DedupConfig, fingerprint
from storytrace.match.candidates import CandidateIndex
from storytrace.text.normalize import normalize


def texts(size: int, seed: int) -> list[str]:
    """Normalised synthetic texts (planted copies included)."""
    return [normalize(d.text) for d in SyntheticCorpus(size, seed=seed).docs()]


def build(size: int, config: DedupConfig, batch: int = 20000) -> CandidateIndex:
    """An index over ``size`` synthetic documents, built in batches."""
    index = CandidateIndex(config)
    corpus = SyntheticCorpus(size, seed=1).docs()
    done = 0
    while done < size:
        chunk = [normalize(next(corpus).text) for _ in range(min(batch, size - done))]
        index.add(fingerprint(chunk, config))
        done += len(chunk)
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--add", type=int, default=10000)
    args = parser.parse_args()
    config = DedupConfig()
    new = texts(args.add, seed=7)
    fingerprint(new[:10], config)  # compile kernels before timing
    print(f"| existing docs | add {args.add}: fingerprint s | candidates s | save index s | total s | pairs |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        index = build(size, config)
        t0 = time.perf_counter()
        fp = fingerprint(new, config)
        t1 = time.perf_counter()
        pairs, _ = index.add(fp)
        t2 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            index.save(tmp)
        t3 = time.perf_counter()
        print(f"| {size:,} | {t1 - t0:.2f} | {t2 - t1:.2f} | {t3 - t2:.2f} | {t3 - t0:.2f} | {len(pairs):,} |", flush=True)


if __name__ == "__main__":
    main()
