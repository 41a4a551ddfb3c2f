"""Speed and memory of the story engine on this machine: embedding, story views, pair scoring, end-to-end
``build_stories`` (including embedding), and brute-force candidate retrieval against the number of stories.

Run: .venv/bin/python benchmarks/story.py [--pairs ../shared/data/story-pairs/semeval2022-task8-pairs.csv]

Corpora: "semeval" = the 2,502 distinct texts of the SemEval-2022 task 8 pairs (news in 10 languages, cut to
about 1,000 characters by the data set; every text was paired with a similar one, so nearly every document has
candidates: a hard case), each document its own duplicate group; "wire" = 2,000 near-identical variants of two
wire stories, each its own group (no dedup in front). Cleaning is not timed (documents arrive as Articles, as
from the store). Wall and CPU seconds are both printed: a busy machine shows in the gap. From 1,500 new units a
forked worker builds the next chunk's story views while the main process clusters; its CPU is printed apart.
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from storytrace.cluster.analysis import Group
from storytrace.cluster.stories import OnlineStories, StoryConfig, build_stories
from storytrace.evaluation.datasets import default_data_dir, load_pairs
from storytrace.fingerprint.semantic import embed, model, one_blas_thread
from storytrace.match import story as sm
from storytrace.records import Article


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def row(name: str, n: int, wall: float, cpu: float, unit: str = "docs") -> None:
    print(f"| {name} | {n:,} | {n / wall:,.0f} {unit}/s | {n / cpu:,.0f} {unit}/CPU-s |", flush=True)


def semeval_articles(path: Path) -> list[Article]:
    pairs = load_pairs(path)
    texts = list(dict.fromkeys([p.text1 for p in pairs] + [p.text2 for p in pairs]))
    return [sm.as_article(t, f"d{i}") for i, t in enumerate(texts)]


def wire_articles(n: int = 2000) -> list[Article]:
    bases = [
        "Flooding closed the main bridge in Riverton on Monday after three days of heavy rain. Officials said the bridge "
        "would stay closed until engineers inspect it. Residents were told to use the northern ring road. The river rose "
        "2.4 metres above its usual level, the highest since 1998. Schools in the valley stayed shut.",
        "The central bank raised its key interest rate by a quarter point to 4.5 percent on Thursday, its third increase "
        "this year. The governor said inflation remained too high. Markets had expected the move. The currency rose "
        "0.3 percent against the dollar after the announcement.",
    ]
    rng = random.Random(0)
    out = []
    for i in range(n):
        s = re.split(r"(?<=\.)\s+", bases[i % 2])
        del s[rng.randrange(1, len(s))]
        out.append(sm.as_article(" ".join(s) + f" (Wire item {i}.)", f"w{i}"))
    return out


def singletons(articles: list[Article]) -> list[Group]:
    return [Group(id=f"g{i}", canonical=a.id, members=[a.id]) for i, a in enumerate(articles)]


def retrieval(stories: int, dim: int = 512, queries: int = 200) -> float:
    """Microseconds per candidate lookup (brute force over ``stories`` centroids, one BLAS thread)."""
    rng = np.random.default_rng(0)
    engine = OnlineStories(StoryConfig(), dim)
    c = rng.standard_normal((stories, dim)).astype(np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    engine.centroids = c
    engine.stories = [None] * stories  # type: ignore[list-item]
    q = c[:queries] + 0.1 * rng.standard_normal((queries, dim)).astype(np.float32)
    with one_blas_thread():
        t0 = time.perf_counter()
        for v in q:
            sims = engine.centroids[:stories] @ v
            np.argpartition(-sims, 4)[:4]
        return (time.perf_counter() - t0) / queries * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=Path, default=None)
    a = ap.parse_args()
    pairs = a.pairs or ((default_data_dir() or Path("/nonexistent")) / "story-pairs" / "semeval2022-task8-pairs.csv")
    model()
    corpora = {"wire": wire_articles()}
    if pairs.is_file():
        corpora["semeval"] = semeval_articles(pairs)
    else:
        print(f"({pairs} not found: the semeval corpus is skipped)")
    print("| what | documents | per second (wall) | per CPU second |\n|---|---|---|---|")
    for name, arts in corpora.items():
        texts = [x.text for x in arts]
        embed(texts[:16])
        row(f"{name}: embed() (static USE)", len(arts), *timed(lambda: embed(texts)))
        row(f"{name}: story views (batched)", len(arts), *timed(lambda: sm.build_views(arts)))
        views = sm.build_views(arts[:400])
        pairs_list = [(views[i], views[(7 * i + 3) % len(views)]) for i in range(len(views))] * 5
        row(f"{name}: pair scoring", len(pairs_list), *timed(lambda: [sm.score_pair(x, y) for x, y in pairs_list]), "pairs")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        result: dict[str, object] = {}
        wall, cpu = timed(lambda: result.update(out=build_stories(arts, singletons(arts), [])))
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - child
        stories, relations = result["out"]  # type: ignore[misc]
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        row(f"**{name}: build_stories end to end (embedding included)**", len(arts), wall, cpu)
        print(f"|  {name}: main process {cpu:.1f} CPU-s, view worker {child:.1f} CPU-s: on two free cores about "
              f"{len(arts) / max(cpu, child):,.0f} docs/s | | | |")
        print(f"|  {name}: {len(stories)} stories, {sum(len(s.documents) > 1 for s in stories)} with more than one "
              f"document, {len(relations)} story relations; peak RSS grew {grown:.0f} MB | | | |", flush=True)
    print("\n| stories in the centroid matrix | candidate lookup (brute force, 1 thread) |\n|---|---|")
    for n in (1_000, 10_000, 100_000, 300_000):
        print(f"| {n:,} | {retrieval(n):,.0f} µs |", flush=True)


if __name__ == "__main__":
    main()
