"""Peer dedup pipelines as a user writes them, one whole process each (what ``storytrace bench dedup`` times
against ``storytrace dedup``): read the JSONL, shingle, MinHash, LSH, union-find, write the kept ids.

    python -m storytrace.bench.peers datasketch corpus.jsonl --out DIR [--threshold 0.8]
    python -m storytrace.bench.peers rensa corpus.jsonl --out DIR
    python -m storytrace.bench.peers gaoya corpus.jsonl --out DIR

Each library with its own usual settings: 128 permutations, word 5-gram shingles of the lowercased text,
LSH at the threshold, a candidate kept when its estimated Jaccard >= threshold (datasketch: MinHashLSH
with its insertion session; rensa: RMinHash + RMinHashLSH, 16 bands; gaoya: MinHashStringIndex with its
Rust word analyzer and its multi-threaded bulk insert and query, 32-bit hashes, bands x rows chosen for
the threshold). Lines are parsed with orjson when installed (the fastest reader a user would pick).
Writes ``DIR/kept.txt`` (one kept line number per line) and ``DIR/pairs.npy`` (the duplicate pairs
found, as line-number pairs, for the recall comparison).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson

NUM_PERM = 128
NGRAM = 5
_WORD = re.compile(r"\w+")


def read_texts(path: str, field: str = "text") -> Iterator[str]:
    """The text field of every JSONL line."""
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield str(orjson.loads(line).get(field) or "")


def shingles(text: str, ngram: int = NGRAM) -> list[str]:
    """Word n-grams of the lowercased text."""
    words = _WORD.findall(text.lower())
    if len(words) < ngram:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + ngram]) for i in range(len(words) - ngram + 1)]


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Union-find over pairs: label = smallest member of each component."""
    parent = np.arange(n)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def run_datasketch(path: str, threshold: float) -> tuple[int, list[tuple[int, int]]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    sketches = []
    for text in read_texts(path):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in shingles(text)])
        sketches.append(m)
    with lsh.insertion_session() as session:
        for i, m in enumerate(sketches):
            session.insert(i, m, check_duplication=False)
    pairs = [(i, j) for i, m in enumerate(sketches) for j in lsh.query(m)
             if j > i and m.jaccard(sketches[j]) >= threshold]
    return len(sketches), pairs


def run_rensa(path: str, threshold: float) -> tuple[int, list[tuple[int, int]]]:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=16)
    sketches = []
    for i, text in enumerate(read_texts(path)):
        m = RMinHash(num_perm=NUM_PERM, seed=1)
        m.update(shingles(text))
        sketches.append(m)
        lsh.insert(i, m)
    pairs = [(i, j) for i, m in enumerate(sketches) for j in lsh.query(m)
             if j > i and m.jaccard(sketches[j]) >= threshold]
    return len(sketches), pairs


def run_gaoya(path: str, threshold: float, batch: int = 20_000) -> tuple[int, list[tuple[int, int]]]:
    from gaoya.minhash import MinHashStringIndex

    bands, rows = (16, 8) if threshold >= 0.75 else (32, 4)  # 128 hashes, S-curve around the threshold
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=threshold, num_bands=bands, band_size=rows,
                               analyzer="word", lowercase=True, ngram_range=(NGRAM, NGRAM), id_container="vec")
    texts = list(read_texts(path))
    for lo in range(0, len(texts), batch):
        index.par_bulk_insert_docs(list(range(lo, min(lo + batch, len(texts)))), texts[lo:lo + batch])
    pairs: list[tuple[int, int]] = []
    for lo in range(0, len(texts), batch):
        for k, found in enumerate(index.par_bulk_query(texts[lo:lo + batch])):
            i = lo + k
            pairs.extend((i, j) for j in found if j > i)
    return len(texts), pairs


PEERS = {"datasketch": run_datasketch, "rensa": run_rensa, "gaoya": run_gaoya}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", choices=sorted(PEERS))
    parser.add_argument("path")
    parser.add_argument("--out", required=True)
    parser.add_argument("--threshold", type=float, default=0.8)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    n, found = PEERS[args.peer](args.path, args.threshold)
    pairs = np.array(sorted(set(found)), dtype=np.int64).reshape(-1, 2)
    labels = components(n, pairs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    kept = np.flatnonzero(labels == np.arange(n))
    (out / "kept.txt").write_text("".join(f"{i}\n" for i in kept.tolist()))
    np.save(out / "pairs.npy", pairs)
    print(f"{args.peer}: {n:,} documents, {len(kept):,} kept, {len(pairs):,} pairs, "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
