"""Load test of ``storytrace serve``: a 100k-document store, 20 concurrent clients, p50/p95 latency.

    .venv/bin/python benchmarks/web_load.py                       # build /tmp store, serve, load, report
    .venv/bin/python benchmarks/web_load.py --docs 20000 --seconds 10

1. Builds a store of synthetic documents quickly: articles are inserted directly through the store
   API (``SQLiteStore.add_articles``, cleaning skipped) in families (a base article plus exact,
   wrapped and edited copies), with the families saved as duplicate groups and stories
   (``save_analysis``). 1 % of base articles are long (~20k characters) to exercise compare caching.
2. Starts ``storytrace serve`` in a subprocess on 127.0.0.1 (only loopback is ever contacted).
3. Runs ``--clients`` concurrent clients (threads, each with its own keep-alive httpx.Client; httpx's
   AsyncClient saturated before the server did), each in a closed loop without think time,
   alternating the stories list (random page) and the compare page (random canonical/member pair from
   a pool), for ``--seconds`` after a short warm-up; stops by itself.
4. Prints p50/p95/p99 per page and overall, and exits 1 when the overall p95 misses ``--target-ms``.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from storytrace.cluster.analysis import Group, Story
from storytrace.records import Article, Relation
from storytrace.store import SQLiteStore
from storytrace.store.queries import ensure_indexes

HOST = "127.0.0.1"  # the only address this benchmark ever sends traffic to
BATCH = 5000


# -- building the store ---------------------------------------------------------------------------


def _vocabulary(rng: np.random.Generator, size: int = 8000) -> list[str]:
    """Pronounceable pseudo-words."""
    onsets, vowels, codas = list("bcdfghklmnprstvz") + ["br", "st", "tr", "ch"], list("aeiou") + ["ai", "ou"], ["", "", "n", "r", "s", "t", "l"]
    words = set()
    while len(words) < size:
        syllables = rng.integers(1, 4)
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)))
    return sorted(words)


def _article_text(rng: np.random.Generator, vocab: list[str], words: int) -> str:
    """A title line and paragraphs of pseudo-sentences, about ``words`` words."""
    picks = rng.integers(0, len(vocab), size=words)
    tokens = [vocab[i] for i in picks]
    sentences, at = [], 0
    while at < len(tokens):
        n = int(rng.integers(8, 20))
        chunk = tokens[at : at + n]
        sentences.append(" ".join(chunk).capitalize() + ".")
        at += n
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(1, len(sentences), 4)]
    return sentences[0].rstrip(".").title() + "\n" + "\n".join(paragraphs)


def _edited(rng: np.random.Generator, text: str, vocab: list[str], rate: float = 0.05) -> str:
    """The text with ``rate`` of its words replaced."""
    words = text.split(" ")
    for i in rng.choice(len(words), size=max(1, int(rate * len(words))), replace=False):
        words[i] = vocab[int(rng.integers(0, len(vocab)))]
    return " ".join(words)


def _article(doc_id: str, text: str, date: str, source: str) -> Article:
    """An Article as cleaning would store it (normalisation simplified to lower-casing for speed)."""
    norm = " ".join(text.lower().split())
    return Article(
        id=doc_id, source=source, locator=doc_id, kind="text", raw=text.encode(), text=text, norm=norm,
        content_hash=hashlib.blake2b(norm.encode(), digest_size=16).hexdigest(), language="en",
        title=text.split("\n", 1)[0], date=date, url=f"https://news{hash(source) % 50}.example/{doc_id}",
    )


def build_store(path: Path, docs: int, seed: int = 7) -> dict[str, int]:
    """Insert ``docs`` synthetic documents in families, then save their groups and stories."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    groups: list[Group] = []
    stories: list[Story] = []
    relations: list[Relation] = []
    batch: list[Article] = []
    made = 0
    started = time.perf_counter()
    with SQLiteStore(path) as store:
        while made < docs:
            family = len(stories)
            size = min(int(rng.choice([1, 1, 1, 2, 2, 3, 4, 6])), docs - made)
            words = 3000 if rng.random() < 0.01 else int(rng.integers(150, 350))
            base = _article_text(rng, vocab, words)
            day = np.datetime64("2024-01-01") + int(rng.integers(0, 700))
            members: list[str] = []
            for k in range(size):
                doc_id = f"d{made:07d}"
                if k == 0:
                    text, relation = base, None
                elif k % 3 == 1:
                    text, relation = base, "exact"
                elif k % 3 == 2:
                    text, relation = "Home | World | Politics\nMenu\n" + base + "\nShare this article. Related: more news", "contains"
                else:
                    text, relation = _edited(rng, base, vocab), "near_duplicate"
                batch.append(_article(doc_id, text, str(day + k), f"feed-{family % 97}.jsonl"))
                if relation:
                    relations.append(Relation(a=doc_id, b=members[0], relation=relation, score=1.0 if relation == "exact" else 0.95))
                members.append(doc_id)
                made += 1
            gid, sid = f"g{family:07d}", f"s{family:07d}"
            groups.append(Group(gid, members[0], members))
            roles = {m: ("canonical", 1.0) for m in members[:1]}
            roles |= {r.a: (r.relation, r.score) for r in relations[-(size - 1):]} if size > 1 else {}
            stories.append(Story(sid, members[0], members, title=base.split("\n", 1)[0], start=str(day),
                                 end=str(day + size - 1), roles=roles))
            if len(batch) >= BATCH:
                store.add_articles(batch)
                batch.clear()
        store.add_articles(batch)
        store.save_analysis(groups, stories, relations)
        ensure_indexes(store.conn)
    return {"documents": made, "stories": len(stories), "seconds": round(time.perf_counter() - started, 1)}


def compare_pool(path: Path, size: int, seed: int = 3) -> list[tuple[str, str]]:
    """Pairs (canonical, member) of multi-document stories: what a user compares."""
    import sqlite3

    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT s.canonical, m.doc_id FROM stories s JOIN story_members m ON m.story_id = s.id "
        "WHERE m.doc_id != s.canonical ORDER BY s.id LIMIT 200000"
    ).fetchall()
    conn.close()
    random.Random(seed).shuffle(rows)
    return rows[:size]


# -- serving and loading --------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    """``storytrace serve`` in a subprocess (its own interpreter: the clients do not share its GIL)."""
    code = "from storytrace.cli.serve import serve; serve()"
    return subprocess.Popen([sys.executable, "-c", code, "--db", str(db), "--host", HOST, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@dataclass
class Results:
    """Latencies (ms) per page kind and failures."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"stories": [], "compare": []})
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(base: str, pool: list[tuple[str, str]], pages: int, until: float, results: Results | None,
                seed: int) -> None:
    """One client (own keep-alive connection): alternate a random stories page and a random compare until ``until``."""
    import httpx

    rng = random.Random(seed)
    kind = rng.choice(["stories", "compare"])
    with httpx.Client(base_url=base, timeout=30.0) as client:
        while time.perf_counter() < until:
            if kind == "stories":
                url = f"/stories?page={rng.randint(1, pages)}"
            else:
                a, b = rng.choice(pool)
                url = f"/compare?a={a}&b={b}"
            t0 = time.perf_counter()
            try:
                ok = client.get(url).status_code == 200
            except httpx.HTTPError:
                ok = False
            if results is not None:
                with results.lock:
                    results.latencies[kind].append(1000 * (time.perf_counter() - t0))
                    results.errors += 0 if ok else 1
            kind = "compare" if kind == "stories" else "stories"


def run_load(base: str, pool: list[tuple[str, str]], pages: int, clients: int, seconds: float, warmup: float) -> Results:
    """Warm up, then measure ``clients`` concurrent closed-loop clients (threads) for ``seconds``."""
    results = Results()
    for phase, duration in (("warm-up", warmup), ("load", seconds)):
        if duration <= 0:
            continue
        until = time.perf_counter() + duration
        record = results if phase == "load" else None
        threads = [threading.Thread(target=client_loop, args=(base, pool, pages, until, record, n)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


def report(results: Results, seconds: float) -> float:
    """Print the latency table; returns the overall p95."""
    everything = [v for values in results.latencies.values() for v in values]
    print(f"{'page':<10}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in [*results.latencies.items(), ("all", everything)]:
        print(f"{name:<10}{len(values):>10}{len(values) / seconds:>8.0f}{percentile(values, 50):>9.1f}"
              f"{percentile(values, 95):>9.1f}{percentile(values, 99):>9.1f}{max(values, default=0):>9.1f}")
    print(f"errors: {results.errors}; mean {statistics.fmean(everything):.1f} ms" if everything else "no requests")
    return percentile(everything, 95)


def main() -> int:
    """Build (or reuse) the store, serve it, load it, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/storytrace-web-load.db"), help="store to build or reuse")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the store even if it exists")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--pool", type=int, default=5000, help="distinct compare pairs requested")
    parser.add_argument("--pages", type=int, default=100, help="stories pages requested (1..N, 50 stories each)")
    parser.add_argument("--target-ms", type=float, default=300.0, help="p95 latency target")
    args = parser.parse_args()
    if args.rebuild or not args.db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.db) + suffix).unlink(missing_ok=True)
        print("built", build_store(args.db, args.docs))
    pool = compare_pool(args.db, args.pool)
    port = free_port()
    server = start_server(args.db, port)
    base = f"http://{HOST}:{port}"
    try:
        _wait_ready(base, server)
        print(f"{args.clients} clients, {args.seconds:.0f} s (after {args.warmup:.0f} s warm-up), {len(pool)} compare pairs, "
              f"{args.pages} stories pages, cpu count {os.cpu_count()}")
        server_cpu, client_cpu = _cpu_seconds(server.pid), time.process_time()
        results = run_load(base, pool, args.pages, args.clients, args.seconds, args.warmup)
        server_cpu, client_cpu = _cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
        print(f"cpu seconds during warm-up + load: server {server_cpu:.1f}, clients {client_cpu:.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    p95 = report(results, args.seconds)
    print(f"p95 {p95:.1f} ms: {'meets' if p95 < args.target_ms else 'MISSES'} the {args.target_ms:.0f} ms target")
    return 0 if p95 < args.target_ms and results.errors == 0 else 1


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0 when unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Poll /api/stats until the server answers (or fail with its stderr)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("server exited: " + (server.stderr.read().decode() if server.stderr else ""))
        try:
            if httpx.get(f"{base}/api/stats", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not become ready")


if __name__ == "__main__":
    sys.exit(main())
