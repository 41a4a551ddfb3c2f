"""How the cost of adding documents grows with the size of the existing index.

Builds a candidate index over N synthetic documents (N from --sizes) and saves it as the store's
engine does, then times --rounds successive additions of --add documents each (the next documents of
the same synthetic corpus, so they have copies among the old ones). Per round: opening the saved
index, fingerprinting, candidate search against the whole index (LSH + exact + anchors), saving
(the new segment and the manifest) and merging segments (size-tiered policy, amortised over rounds).
With --store the same rounds go through the SQLite store's incremental engine
(``engines.incremental.update_duplicates``: also verification and the SQL reads and writes).

    .venv/bin/python benchmarks/incremental.py --sizes 10000,100000,1000000 --add 10000 --rounds 8
    .venv/bin/python benchmarks/incremental.py --store --sizes 10000,100000 --add 10000 --rounds 4

--cache DIR keeps the normalised synthetic texts between runs (generating them is the slow part).
The script only uses ``CandidateIndex.save/load/add`` (and ``merge`` when present), so it also times
older versions of the index.
"""
from __future__ import annotations

import argparse
import gc
import itertools
import pickle
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from storytrace.bench.synthetic import SyntheticCorpus
from storytrace.fingerprint import DedupConfig, fingerprint
from storytrace.match.candidates import CandidateIndex
from storytrace.text.normalize import normalize

CHUNK = 20000


def _generate(total: int) -> Iterator[list[tuple[str, str]]]:
    docs = SyntheticCorpus(total, seed=1).docs()
    for done in range(0, total, CHUNK):
        yield [(d.id, normalize(d.text)) for _, d in zip(range(min(CHUNK, total - done)), docs)]


def texts(total: int, cache: Path | None) -> Iterator[list[tuple[str, str]]]:
    """(id, normalised text) of a synthetic corpus of ``total`` documents, in chunks of CHUNK."""
    if cache is None:
        yield from _generate(total)
        return
    path = cache / f"synthetic-{total}-seed1.pkl"
    if not path.exists():
        with open(path.with_suffix(".tmp"), "wb") as out:
            for chunk in _generate(total):
                pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
        path.with_suffix(".tmp").rename(path)
    with open(path, "rb") as fh:
        for _ in range(0, total, CHUNK):
            yield pickle.load(fh)


def groups(size: int, add: int, rounds: int, cache: Path | None) -> Iterator[Iterator[list[tuple[str, str]]]]:
    """The first ``size`` documents, then ``rounds`` batches of ``add``: each an iterator of chunks
    (consume one before asking for the next)."""
    stream = (doc for chunk in texts(size + add * rounds, cache) for doc in chunk)

    def take(n: int) -> Iterator[list[tuple[str, str]]]:
        while n > 0:
            part = list(itertools.islice(stream, min(n, CHUNK)))
            n -= len(part)
            yield part

    yield take(size)
    for _ in range(rounds):
        yield take(add)


def _save(index: CandidateIndex, path: Path) -> None:
    """Save without merging when the index can (segments; merging is timed apart)."""
    try:
        index.save(path, merge=False)  # type: ignore[call-arg]
    except TypeError:  # an older index: save always rewrites everything
        index.save(path)


def run_index(size: int, add: int, rounds: int, config: DedupConfig, cache: Path | None, workdir: Path) -> list[dict]:
    """Index mode: a saved index of ``size`` documents, then ``rounds`` timed additions."""
    parts = groups(size, add, rounds, cache)
    index = CandidateIndex(config)
    for chunk in next(parts):
        index.add(fingerprint([t for _, t in chunk], config))
    path = workdir / f"index-{size}"
    index.save(path)
    del index
    gc.collect()
    rows = []
    for r in range(rounds):
        batch = [t for chunk in next(parts) for _, t in chunk]
        clock = Clock()
        index = clock.step("open", CandidateIndex.load, path, config)
        fp = clock.step("fingerprint", fingerprint, batch, config)
        pairs, _ = clock.step("candidates", index.add, fp)
        clock.step("save", _save, index, path)
        merged = clock.step("merge", getattr(index, "merge", lambda: 0))  # older indexes do not merge
        segments = len(getattr(index, "segments", [])) or 1
        rows.append({"round": r + 1, "existing": size + r * add, **clock.cpu, "total": clock.wall_total,
                     "cpu": clock.cpu_total, "pairs": len(pairs), "segments": segments, "merged": merged})
        del index
        gc.collect()
    return rows


class Clock:
    """Wall and CPU seconds per step (CPU time is steadier on a shared machine)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall_total = self.cpu_total = 0.0

    def step(self, name, fn, *args):  # type: ignore[no-untyped-def]
        w, c = time.perf_counter(), time.process_time()
        out = fn(*args)
        self.cpu[name] = time.process_time() - c
        self.wall_total += time.perf_counter() - w
        self.cpu_total += self.cpu[name]
        return out


def run_store(size: int, add: int, rounds: int, config: DedupConfig, cache: Path | None, workdir: Path) -> list[dict]:
    """Store mode: a SQLite store of ``size`` documents analysed once, then ``rounds`` timed updates."""
    from storytrace.engines.incremental import update_duplicates
    from storytrace.records import Article
    from storytrace.store import SQLiteStore
    from storytrace.text.clean import content_hash

    def articles(chunk: list[tuple[str, str]]) -> list[Article]:
        return [Article(id=i, source="bench", locator=i, kind="text", raw=t.encode(), text=t, norm=t,
                        content_hash=content_hash(t), language="en") for i, t in chunk]

    parts = groups(size, add, rounds, cache)
    path = workdir / f"store-{size}.db"
    store = SQLiteStore(path)
    t0 = time.perf_counter()
    for chunk in next(parts):
        store.add_articles(articles(chunk))
    t1 = time.perf_counter()
    first = update_duplicates(store, config)
    t2 = time.perf_counter()
    print(f"# store of {size:,}: insert {t1 - t0:.1f} s, first analysis {t2 - t1:.1f} s "
          f"({first.candidate_pairs:,} candidates, {first.verified_pairs:,} verified)", file=sys.stderr, flush=True)
    rows = []
    for r in range(rounds):
        for chunk in next(parts):
            store.add_articles(articles(chunk))
        t0, c0 = time.perf_counter(), time.process_time()
        report = update_duplicates(store, config)
        t1, c1 = time.perf_counter(), time.process_time()
        steps = getattr(report, "timings", {})
        rows.append({"round": r + 1, "existing": size + r * add, "total": t1 - t0, "cpu": c1 - c0,
                     "pairs": report.candidate_pairs,
                     "verified": report.verified_pairs, "rebuilt": report.rebuilt,
                     **{k: steps.get(k, float("nan")) for k in STORE_STEPS}})
    store.close()
    return rows


STORE_STEPS = ("open", "fingerprint", "candidates", "verify", "write", "save", "commit", "merge")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--add", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=8, help="successive additions per size")
    parser.add_argument("--store", action="store_true", help="through the SQLite store (update_duplicates)")
    parser.add_argument("--cache", default=None, help="directory keeping the generated texts between runs")
    parser.add_argument("--workdir", default=None, help="where indexes and stores go (default: a temporary dir)")
    args = parser.parse_args()
    config = DedupConfig()
    fingerprint(["warm up the compiled kernels before timing"] * 4, config)
    cache = Path(args.cache) if args.cache else None
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    print(f"# {' '.join(sys.argv)}")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            if args.store:
                rows = run_store(size, args.add, args.rounds, config, cache, Path(tmp))
                cols = ("total", "cpu") + STORE_STEPS
                what = "wall s per step"
            else:
                rows = run_index(size, args.add, args.rounds, config, cache, Path(tmp))
                cols = ("total", "cpu", "open", "fingerprint", "candidates", "save", "merge")
                what = "CPU s per step"
            print(f"\n## {size:,} existing documents, {args.rounds} rounds of +{args.add:,} (total: wall s; {what})")
            print("| round | existing | " + " | ".join(cols) + " | pairs | extra |")
            print("|---:|---:|" + "---:|" * len(cols) + "---:|---|")
            for row in rows:
                extra = (f"segments {row['segments']}, merged {row['merged']}" if "segments" in row
                         else f"verified {row['verified']:,}" + (", REBUILT" if row["rebuilt"] else ""))
                print(f"| {row['round']} | {row['existing']:,} | " + " | ".join(f"{row[c]:.3f}" for c in cols)
                      + f" | {row['pairs']:,} | {extra} |")
            totals, cpus = [row["total"] for row in rows], [row["cpu"] for row in rows]
            print(f"\nwall median {statistics.median(totals):.3f} s, mean {statistics.mean(totals):.3f} s, "
                  f"max {max(totals):.3f} s; CPU median {statistics.median(cpus):.3f} s, mean {statistics.mean(cpus):.3f} s "
                  f"per +{args.add:,}; peak RSS "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
