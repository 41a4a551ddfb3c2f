"""Time tokenize + shared_passages on the seed pairs and on generated 100k-word pairs; prints ms per pair.

Run: PYTHONPATH=src .venv/bin/python benchmarks/passages.py [--repeat N]
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from storytrace.match.passages import align, shared_passages
from storytrace.text.tokens import tokenize


def seeds_dir() -> Path | None:
    """The shared seeds folder beside the repository, or /work/shared/seeds."""
    for base in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")):
        if (base / "seeds").is_dir():
            return base / "seeds"
    return None


def zipf_words(rng: np.random.Generator, count: int, vocab: int = 30000) -> list[str]:
    """``count`` words drawn with a Zipf-like frequency from a synthetic vocabulary (news-like repetition)."""
    ranks = np.arange(1, vocab + 1)
    probs = 1.0 / ranks**1.05
    probs /= probs.sum()
    picks = rng.choice(vocab, size=count, p=probs)
    return [f"w{i:x}" for i in picks]


def paragraphs(words: list[str], size: int = 80) -> str:
    """Words joined into sentences and paragraphs of ``size`` words."""
    paras = [" ".join(words[i : i + size]) + "." for i in range(0, len(words), size)]
    return "\n\n".join(paras)


def edited_copy(rng: np.random.Generator, words: list[str], every: int = 40, moves: int = 5) -> list[str]:
    """A copy with one word substituted every ~``every`` words, some inserted, and blocks moved."""
    out = list(words)
    for i in range(0, len(out), every):
        j = min(len(out) - 1, i + int(rng.integers(0, every)))
        out[j] = "edited"
    for _ in range(moves):
        start = int(rng.integers(0, len(out) - 400))
        block = out[start : start + 300]
        del out[start : start + 300]
        dest = int(rng.integers(0, len(out)))
        out[dest:dest] = block
    return out


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Best wall time in ms over ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, (time.perf_counter() - t0) * 1e3)
    return best, result


def report(name: str, a: str, b: str, repeat: int) -> None:
    """Print timings of tokenize, shared_passages and align for one pair."""
    tok_ms, _ = timed(lambda: (tokenize(a), tokenize(b)), repeat)
    ms, passages = timed(lambda: shared_passages(a, b), repeat)
    align_ms, _ = timed(lambda: align(a, b), repeat)
    words = sum(p.words for p in passages)
    moved = sum(p.moved for p in passages)
    print(
        f"{name:<28} {len(a) // 1000:>5}k/{len(b) // 1000:<5}k chars  tokenize {tok_ms:8.2f} ms"
        f"  shared_passages {ms:8.2f} ms  align {align_ms:8.2f} ms"
        f"  passages {len(passages):>4} (moved {moved}) aligned words {words}"
    )


def main() -> None:
    """Seed pairs first, then generated 100k-word pairs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tokenize("warm up the token regex")
    seeds = seeds_dir()
    if seeds is not None:
        texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))}
        for x, y in [("000", "002"), ("000", "001"), ("000", "003"), ("000", "004"), ("002", "004")]:
            if x in texts and y in texts:
                report(f"seed {x} vs {y}", texts[x], texts[y], args.repeat)
    rng = np.random.default_rng(7)
    base = zipf_words(rng, 100_000)
    a = paragraphs(base)
    report("100k edited copy + moves", a, paragraphs(edited_copy(rng, base)), max(1, args.repeat // 2))
    report("100k unrelated", a, paragraphs(zipf_words(rng, 100_000)), max(1, args.repeat // 2))
    chorus = paragraphs(zipf_words(rng, 200))
    report("100k repetitive (cap)", "\n\n".join([chorus] * 500), a, max(1, args.repeat // 2))


if __name__ == "__main__":
    main()
