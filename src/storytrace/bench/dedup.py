"""Near-duplicate / containment benchmark: speed, memory and quality on the synthetic corpus,
side by side with the same pipeline built on datasketch (and rensa when installed).

``run(sizes=(10_000,))`` returns a dict (what ``storytrace bench`` and ``benchmarks/dedup.py``
print or write); each corpus size runs in a fresh process so its peak memory is its own.

Pipeline measured (storytrace): stream the JSONL in batches -> normalize (clean stage, timed on
its own) -> fingerprint (signatures + anchors + content hash) -> incremental LSH, exact and
anchor indexes -> verify candidate pairs from a spill file of normalised text -> connected
components of verified pairs. Quality: pairwise precision/recall/F1 of the components against
the planted families, per kind of copy, plus how many copies land with their base.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..fingerprint import DedupConfig, fingerprint, shingle_set, signatures
from ..fingerprint.minhash import estimate_jaccard
from ..match.candidates import FROM_ANCHORS, FROM_EXACT, FROM_LSH
from ..match.containment import AnchorIndex
from ..match.lsh import LSHIndex, bands_rows, false_negative_rate
from ..match.verify import RELATION_NAMES, verify_pairs
from ..cluster.dedup import Deduplicator
from ..cluster.groups import keep_rule_keys
from ..cluster.unionfind import connected_components
from ..io.spill import SpillTexts
from ..timing import Clock, peak_rss_mb
from .synthetic import CHUNK, KINDS, Mode, SyntheticCorpus, load_real_texts

KIND_NAMES: tuple[str, ...] = ("base", *KINDS)
REAL_PAIRS = Path("data/story-pairs/semeval2022-task8-pairs.csv")


def shared_dir() -> Path | None:
    """../shared beside the repository, or /work/shared; None when neither exists."""
    for candidate in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------

def _chunk_lines(args: tuple[SyntheticCorpus, int]) -> str:
    """JSONL text of one generation chunk (runs in a worker process)."""
    corpus, chunk = args
    return "".join(json.dumps(asdict(doc), ensure_ascii=False) + "\n" for doc in corpus._chunk(chunk))


def ensure_corpus(size: int, seed: int, mode: str, workdir: Path, real: bool = True,
                  workers: int = 2) -> Path:
    """Path of the synthetic JSONL for (size, seed, mode), generated (in parallel) if missing."""
    real_texts: tuple[str, ...] = ()
    shared = shared_dir()
    if real and shared is not None and (shared / REAL_PAIRS).is_file():
        real_texts = load_real_texts(shared / REAL_PAIRS)
    tag = "real" if real_texts else "gen"
    path = workdir / f"synthetic_{mode}_{size}_{seed}_{tag}.jsonl"
    if path.is_file():
        return path
    corpus = SyntheticCorpus(size, seed=seed, mode=cast(Mode, mode),
                             real_texts=real_texts, real_fraction=0.1 if real_texts else 0.0)
    workdir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    chunks = [(corpus, c) for c in range((size + CHUNK - 1) // CHUNK)]
    with tmp.open("w", encoding="utf-8") as fh:
        if workers > 1 and len(chunks) > 1:
            pool = mp.get_context("spawn").Pool(workers)
            try:
                for text in pool.imap(_chunk_lines, chunks, chunksize=4):
                    fh.write(text)
            finally:
                pool.close()
                pool.join()
        else:
            for item in chunks:
                fh.write(_chunk_lines(item))
    tmp.rename(path)
    return path


@dataclass(slots=True)
class Truth:
    """Ground truth per document in file order: family (base slot), kind code, parameter."""

    family: np.ndarray
    kind: np.ndarray
    param: np.ndarray


def read_batches(path: Path, batch: int) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
    """(texts, records without text) of successive ``batch`` JSONL lines."""
    texts: list[str] = []
    meta: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            texts.append(record.pop("text"))
            meta.append(record)
            if len(texts) == batch:
                yield texts, meta
                texts, meta = [], []
    if texts:
        yield texts, meta


def truth_of(meta: list[dict[str, Any]]) -> Truth:
    """Truth arrays of a batch's records."""
    code = {k: i for i, k in enumerate(KIND_NAMES)}
    return Truth(np.array([int(m["base"][1:]) for m in meta], dtype=np.int64),
                 np.array([code[m["kind"]] for m in meta], dtype=np.int8),
                 np.array([m["param"] for m in meta], dtype=np.float32))


# --------------------------------------------------------------------------------------------
# storytrace pipeline
# --------------------------------------------------------------------------------------------

def run_pipeline(path: Path, config: DedupConfig, batch: int = 20000,
                 normalizer: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Run the storytrace dedup pipeline over a JSONL corpus; timings, counts and quality."""
    from ..text.normalize import normalize

    norm = normalizer or normalize
    clock = Clock()
    with clock.stage("startup"):
        warm_up(config)
    spill = SpillTexts.temporary(path.parent)
    dedup = Deduplicator(config, clock=clock)  # the dedup sequence the engines run (cluster.dedup)
    truths: list[Truth] = []
    found: list[tuple[np.ndarray, np.ndarray]] = []
    lengths: list[np.ndarray] = []
    n = 0
    with clock.stage("read"):
        batches = read_batches(path, batch)
    while True:
        with clock.stage("read"):
            item = next(batches, None)
        if item is None:
            break
        texts, meta = item
        truths.append(truth_of(meta))
        with clock.stage("normalize"):
            normed = [norm(t) for t in texts]
        with clock.stage("spill"):
            spill.extend(normed)
            lengths.append(np.fromiter(map(len, normed), dtype=np.int64, count=len(normed)))
        fp, pairs, flags = dedup.add(normed)
        found.append((pairs, flags))
        n += len(fp)
    dedup.drop_index()
    spill.seal()
    with clock.stage("pairs"):
        pairs = np.concatenate([p for p, _ in found]) if found else np.zeros((0, 2), np.int64)
        flags = np.concatenate([f for _, f in found]) if found else np.zeros(0, np.uint8)
        per_source = {name: pairs[(flags & bit) > 0] for name, bit in
                      (("lsh", FROM_LSH), ("exact", FROM_EXACT), ("anchor", FROM_ANCHORS))}
        del found
    # plain texts: no document is a page around its article, no dates (canonical = most verified edges, longest)
    wrapped = np.zeros(n, dtype=bool)
    length = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    keys = keep_rule_keys("canonical", wrapped, length, length, np.zeros(n, dtype="S1"))
    table, edges = dedup.verify(spill, pairs, wrapped)
    grouping = dedup.group(spill, edges, keys, wrapped, len(pairs))
    clock.wall["components"] = clock.wall.pop("groups") + clock.wall.pop("relations")
    clock.cpu["components"] = clock.cpu.pop("groups") + clock.cpu.pop("relations")
    labels = grouping.labels
    spill.close()
    truth = Truth(*(np.concatenate([getattr(t, f) for t in truths]) for f in ("family", "kind", "param")))
    core = ("fingerprint", "candidates", "pairs", "verify", "components")
    result: dict[str, Any] = {
        "documents": n,
        "wall_s": clock.wall,
        "cpu_s": clock.cpu,
        "end_to_end_wall_s": sum(clock.wall[k] for k in core),
        "end_to_end_cpu_s": sum(clock.cpu[k] for k in core),
        "fingerprint_docs_per_cpu_s": n / max(clock.cpu["fingerprint"], 1e-9),
        "normalize_docs_per_cpu_s": n / max(clock.cpu["normalize"], 1e-9),
        "candidates": {k: int(len(v)) for k, v in per_source.items()} | {"total": int(len(pairs))},
        "relations": {str(name): int(np.count_nonzero(table.relation == code))
                      for code, name in enumerate(RELATION_NAMES)},
        "bands_rows": list(bands_rows(config)),
        "lsh_fn_rate_at_threshold": float(false_negative_rate(config.threshold, *bands_rows(config))),
    }
    result["quality"] = evaluate(labels, truth)
    result["edges"] = edge_quality(table.pairs, table.relation, truth)
    result["source_recall"] = source_recall(per_source, truth)
    return result


def warm_up(config: DedupConfig) -> None:
    """Load the compiled kernels and the character table once (per-process start-up, ~1 s)."""
    texts = ["warm up text with a few words in it", "warm up text with a few words", ""]
    fp = fingerprint(texts, config)
    LSHIndex(config).add(fp.signatures, fp.n_shingles > 0)
    AnchorIndex(config).add(fp.anchors, fp.anchor_offsets)
    verify_pairs(texts, np.array([[0, 1]]), config)


def run_engine(path: Path, config: DedupConfig, out_dir: Path, keep: str = "canonical",
               batch: int = 10_000) -> dict[str, Any]:
    """``storytrace dedup`` end to end on a corpus (reading, cleaning, writing the corpus and the map
    included), then the quality of its groups against the planted truth; the output is deleted after."""
    import shutil

    import pyarrow.parquet as pq

    from ..engines.local import DedupOptions, KeepRule, run_dedup

    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_dedup([str(path)], out_dir, config,
                        DedupOptions(keep=cast(KeepRule, keep), overwrite=True, quiet=True, batch_size=batch))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    table = pq.read_table(out_dir / "clusters.parquet", columns=["id", "group"])
    ids, groups = table.column("id").to_pylist(), table.column("group").to_numpy(zero_copy_only=False)
    output_bytes = sum(f.stat().st_size for f in out_dir.rglob("*") if f.is_file())
    shutil.rmtree(out_dir, ignore_errors=True)
    metas: list[dict[str, Any]] = []
    for _, meta in read_batches(path, 20000):
        metas.extend(meta)
    result = summary.to_dict()
    result.update({"command": f"storytrace dedup {path.name} --out DIR --keep {keep} --batch-size {batch}",
                   "wall_s": wall, "cpu_s_total": cpu, "engine_peak_rss_mb": summary.peak_rss_mb,
                   "output_bytes": output_bytes})
    if len(groups) == len(metas):
        labels = np.unique(groups, return_inverse=True)[1].reshape(-1)
        truth = truth_of(metas)
        result["quality"] = evaluate(labels, truth)
        index = {doc_id: i for i, doc_id in enumerate(ids)}
        result["removal"] = removal_quality(np.array([index[g] for g in groups], dtype=np.int64), truth)
    return result


def removal_quality(canonical: np.ndarray, truth: Truth) -> dict[str, float]:
    """Document-level view of a dedup, from each document's kept document (index): the share of
    removable copies (documents minus families) that were removed in favour of a document of their
    own family (recall), and the share of removed documents whose kept document is of their family."""
    canonical = np.asarray(canonical, dtype=np.int64)
    n = len(canonical)
    removed = canonical != np.arange(n)
    wrong = removed & (truth.family[canonical] != truth.family)
    removable = n - len(np.unique(truth.family))
    right = int(removed.sum() - wrong.sum())
    return {"removable": removable, "removed": int(removed.sum()), "wrongly_removed": int(wrong.sum()),
            "recall": right / removable if removable else 1.0,
            "precision": right / int(removed.sum()) if removed.any() else 1.0}


# --------------------------------------------------------------------------------------------
# Quality
# --------------------------------------------------------------------------------------------

def _prf(tp: float, pred: float, true: float) -> dict[str, float]:
    p = tp / pred if pred else 1.0
    r = tp / true if true else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def evaluate(labels: np.ndarray, truth: Truth) -> dict[str, Any]:
    """Pairwise P/R/F1 of predicted components vs planted families, overall and per kind; share
    of copies in their base's component (edited copies also by edit-rate band)."""
    labels = np.asarray(labels, dtype=np.int64)
    fam = truth.family
    n_pred = _group_sizes(labels)
    n_true = _group_sizes(fam)
    n_both = _group_sizes(labels * (int(fam.max(initial=0)) + 1) + fam)
    out: dict[str, Any] = {"overall": _prf((n_both - 1).sum(), (n_pred - 1).sum(), (n_true - 1).sum())}
    slot_of_base = _base_rows(truth)
    base_label = labels[slot_of_base[fam]]
    with_base = base_label == labels
    per_kind: dict[str, Any] = {}
    for code, name in enumerate(KIND_NAMES):
        m = truth.kind == code
        if not m.any():
            continue
        stats = _prf((n_both[m] - 1).sum(), (n_pred[m] - 1).sum(), (n_true[m] - 1).sum())
        stats["documents"] = int(m.sum())
        if name != "base":
            stats["with_base"] = float(with_base[m].mean())
        per_kind[name] = stats
    out["per_kind"] = per_kind
    edited = truth.kind == KIND_NAMES.index("edited")
    bands = {}
    for lo, hi in ((0.05, 0.10), (0.10, 0.15), (0.15, 0.201)):
        m = edited & (truth.param >= lo) & (truth.param < hi)
        if m.any():
            bands[f"{lo:.2f}-{min(hi, 0.2):.2f}"] = {"documents": int(m.sum()),
                                                     "with_base": float(with_base[m].mean())}
    out["edited_by_rate"] = bands
    return out


def edge_quality(pairs: np.ndarray, relation: np.ndarray, truth: Truth) -> dict[str, Any]:
    """Precision of verified pairs (same family) and the relation given to copy-base pairs."""
    matched = relation != 0
    same = truth.family[pairs[:, 0]] == truth.family[pairs[:, 1]]
    out: dict[str, Any] = {"verified": int(matched.sum()),
                           "precision": float(same[matched].mean()) if matched.any() else 1.0,
                           "rejected_same_family": int((~matched & same).sum()),
                           "rejected_other": int((~matched & ~same).sum())}
    slot_of_base = _base_rows(truth)
    a, b = pairs[:, 0], pairs[:, 1]
    copy_base = (slot_of_base[truth.family[a]] == b) | (slot_of_base[truth.family[b]] == a)
    copy_row = np.where(truth.kind[a] != 0, a, b)
    labels_by_kind: dict[str, dict[str, int]] = {}
    for code, name in enumerate(KIND_NAMES[1:], start=1):
        m = copy_base & (truth.kind[copy_row] == code)
        rel, cnt = np.unique(relation[m], return_counts=True)
        labels_by_kind[name] = {str(RELATION_NAMES[int(r)]): int(c) for r, c in zip(rel, cnt)}
    out["copy_base_relations"] = labels_by_kind
    return out


def source_recall(per_source: dict[str, np.ndarray], truth: Truth) -> dict[str, dict[str, float]]:
    """Share of planted copy-base pairs that each candidate source proposed, per kind."""
    slot_of_base = _base_rows(truth)
    copies = np.flatnonzero(truth.kind != 0)
    base = slot_of_base[truth.family[copies]]
    want = (np.minimum(copies, base) << 32) | np.maximum(copies, base)
    out: dict[str, dict[str, float]] = {}
    for source, pairs in per_source.items():
        got = np.isin(want, (pairs[:, 0] << 32) | pairs[:, 1])
        out[source] = {name: float(got[truth.kind[copies] == code].mean())
                       for code, name in enumerate(KIND_NAMES) if (truth.kind[copies] == code).any()}
    return out


def _group_sizes(keys: np.ndarray) -> np.ndarray:
    """For each element, how many elements share its key."""
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inverse]


def _base_rows(truth: Truth) -> np.ndarray:
    """Row of each family's base article, indexable by family id (-1 where absent)."""
    rows = np.full(int(truth.family.max(initial=0)) + 1, -1, dtype=np.int64)
    is_base = np.flatnonzero(truth.kind == 0)
    rows[truth.family[is_base]] = is_base
    return rows


# --------------------------------------------------------------------------------------------
# Baselines: datasketch and rensa, same shingles, same normalised text
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def _py_shingles(text: str, ngram: int) -> list[str]:
    """Word n-gram strings the way a Python pipeline builds them."""
    words = _WORD.findall(text)
    if len(words) < ngram:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + ngram]) for i in range(len(words) - ngram + 1)]


def run_baseline(path: Path, library: str, threshold: float, config: DedupConfig,
                 limit: int | None = None) -> dict[str, Any]:
    """Shingling + MinHash + LSH built on ``library`` ("datasketch" or "rensa"); candidates whose
    estimated Jaccard >= threshold are duplicates; components scored like ours."""
    from ..text.normalize import normalize

    clock = Clock()
    normed: list[str] = []
    metas: list[dict[str, Any]] = []
    for texts, meta in read_batches(path, 20000):
        normed.extend(normalize(t) for t in texts)
        metas.extend(meta)
        if limit and len(normed) >= limit:
            normed, metas = normed[:limit], metas[:limit]
            break
    truth = truth_of(metas)
    pairs: list[tuple[int, int]] = []
    if library == "datasketch":
        from datasketch import MinHash, MinHashLSH

        with clock.stage("minhash"):
            sketches = []
            for text in normed:
                m = MinHash(num_perm=config.num_perm, seed=config.seed)
                m.update_batch([s.encode("utf-8") for s in _py_shingles(text, config.ngram)])
                sketches.append(m)
        with clock.stage("lsh"):
            lsh = MinHashLSH(threshold=threshold, num_perm=config.num_perm)
            with lsh.insertion_session() as session:
                for i, m in enumerate(sketches):
                    session.insert(i, m, check_duplication=False)
            for i, m in enumerate(sketches):
                for j in lsh.query(m):
                    if j > i and m.jaccard(sketches[j]) >= threshold:
                        pairs.append((i, j))
    elif library == "rensa":
        from rensa import RMinHash, RMinHashLSH

        with clock.stage("minhash"):
            sketches = []
            for text in normed:
                m = RMinHash(num_perm=config.num_perm, seed=config.seed)
                m.update(_py_shingles(text, config.ngram))
                sketches.append(m)
        with clock.stage("lsh"):
            lsh = RMinHashLSH(threshold=threshold, num_perm=config.num_perm, num_bands=16)
            for i, m in enumerate(sketches):
                lsh.insert(i, m)
            for i, m in enumerate(sketches):
                for j in lsh.query(m):
                    if j > i and m.jaccard(sketches[j]) >= threshold:
                        pairs.append((i, j))
    else:
        raise ValueError(f"unknown library {library!r}")
    with clock.stage("components"):
        arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        labels = connected_components(len(normed), arr[:, 0], arr[:, 1])
    total_cpu = sum(clock.cpu.values())
    return {"library": library, "threshold": threshold, "documents": len(normed),
            "cpu_s": clock.cpu, "wall_s": clock.wall,
            "docs_per_cpu_s": len(normed) / max(total_cpu, 1e-9),
            "minhash_docs_per_cpu_s": len(normed) / max(clock.cpu["minhash"], 1e-9),
            "pairs": len(arr), "quality": evaluate(labels, truth)}


def run_fingerprint_lsh_only(path: Path, config: DedupConfig, limit: int | None = None) -> dict[str, Any]:
    """Our fingerprint + LSH alone on the same normalised text: the like-for-like throughput."""
    from ..text.normalize import normalize

    clock = Clock()
    warm_up(config)
    normed: list[str] = []
    for texts, _ in read_batches(path, 20000):
        normed.extend(normalize(t) for t in texts)
        if limit and len(normed) >= limit:
            normed = normed[:limit]
            break
    lsh = LSHIndex(config)
    for lo in range(0, len(normed), 20000):
        part = normed[lo:lo + 20000]
        with clock.stage("minhash"):
            sigs = signatures(part, config)
        with clock.stage("lsh"):
            lsh.add(sigs)
    return {"documents": len(normed), "cpu_s": clock.cpu,
            "docs_per_cpu_s": len(normed) / max(sum(clock.cpu.values()), 1e-9),
            "minhash_docs_per_cpu_s": len(normed) / max(clock.cpu["minhash"], 1e-9)}


# --------------------------------------------------------------------------------------------
# MinHash variants: speed and accuracy
# --------------------------------------------------------------------------------------------

def minhash_study(seed: int = 0, trials: int = 300, docs: int = 20000) -> dict[str, Any]:
    """OPH vs k-perm: Jaccard-estimate bias and RMSE at several text lengths, and docs/CPU-s on
    3 KB texts."""
    rng = np.random.default_rng(seed)
    corpus = SyntheticCorpus(docs, seed=seed, mode="unique", trailer_rate=0.0)
    from ..text.normalize import normalize

    texts = [normalize(d.text)[:3000] for d in corpus.docs()]
    out: dict[str, Any] = {"text_bytes": float(np.mean([len(t.encode()) for t in texts]))}
    for method in ("oph", "kperm"):
        config = DedupConfig(method=method)
        signatures(texts[:10], config)
        t = time.process_time()
        signatures(texts, config)
        speed = len(texts) / (time.process_time() - t)
        t = time.process_time()
        fingerprint(texts, config)
        full = len(texts) / (time.process_time() - t)
        errors: dict[str, Any] = {}
        for length in (20, 100, 500, 3000):
            err = []
            for _ in range(trials):
                words = [f"w{x}" for x in rng.integers(0, 10**9, size=2 * length)]
                shift = int(rng.integers(0, length))
                a, b = " ".join(words[:length]), " ".join(words[shift:shift + length])
                sa, sb = shingle_set(a), shingle_set(b)
                true = len(np.intersect1d(sa, sb)) / len(np.union1d(sa, sb))
                sig = signatures([a, b], config)
                err.append(estimate_jaccard(sig[0], sig[1]) - true)
            e = np.array(err)
            errors[str(length)] = {"bias": float(e.mean()), "rmse": float(np.sqrt((e**2).mean()))}
        out[method] = {"signatures_docs_per_cpu_s": speed, "fingerprint_docs_per_cpu_s": full,
                       "error_by_words": errors}
    out["theory_rmse_uniform_j"] = float(np.sqrt(1 / 6 / 128))
    return out


def real_pairs_check(config: DedupConfig) -> dict[str, Any] | None:
    """Relations given to the same-language SemEval story pairs, by human rating (1 = same story):
    different articles on one story must not come out as copies."""
    import csv

    from ..match.verify import verify
    from ..text.normalize import normalize

    shared = shared_dir()
    if shared is None or not (shared / REAL_PAIRS).is_file():
        return None
    csv.field_size_limit(1 << 30)
    counts: dict[str, dict[str, int]] = {}
    with (shared / REAL_PAIRS).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["lang1"] != row["lang2"]:
                continue
            m = verify(normalize(row["text1"]), normalize(row["text2"]), config)
            band = "same story (<=2)" if float(row["Overall"]) <= 2 else "different (>2)"
            counts.setdefault(band, {})
            counts[band][str(m.relation)] = counts[band].get(str(m.relation), 0) + 1
    return counts


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

def _in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh process and add its peak memory."""
    pool = mp.get_context("spawn").Pool(1)
    try:
        return pool.apply(_measured, (fn, *args))
    finally:  # close + join, not terminate: a terminated worker leaks its semaphore
        pool.close()
        pool.join()


def _measured(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    result = fn(*args)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run(sizes: Sequence[int] = (10_000,), seed: int = 0, mode: str = "mixed",
        workdir: str | Path | None = None, baseline_max: int = 100_000, rensa: bool = True,
        study: bool = True, config: DedupConfig | None = None,
        log: Callable[[str], None] = print, end_to_end: bool = True) -> dict[str, Any]:
    """Benchmark every corpus size; returns {"config", "sizes": {n: {...}}, "minhash", "real_pairs"}.

    ``end_to_end`` also runs ``storytrace dedup`` itself (``run_engine``) on each corpus."""
    config = config or DedupConfig()
    work = Path(workdir) if workdir else Path(tempfile.gettempdir()) / "storytrace-bench"
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"config": asdict(config), "seed": seed, "mode": mode, "sizes": {},
                           "cpu_count": os.cpu_count()}
    if study:
        log("minhash study (oph vs kperm)")
        out["minhash"] = _in_child(minhash_study, seed)
        out["real_pairs"] = real_pairs_check(config)
    for size in sizes:
        log(f"corpus {size}: generating")
        t = time.perf_counter()
        path = ensure_corpus(size, seed, mode, work)
        entry: dict[str, Any] = {"corpus": str(path), "corpus_bytes": path.stat().st_size,
                                 "generate_wall_s": time.perf_counter() - t}
        log(f"corpus {size}: storytrace pipeline")
        entry["storytrace"] = _in_child(run_pipeline, path, config)
        if end_to_end:
            log(f"corpus {size}: storytrace dedup end to end")
            entry["engine"] = _in_child(run_engine, path, config, work / f"dedup-out-{size}")
        if size <= baseline_max:
            entry["storytrace_minhash_lsh"] = _in_child(run_fingerprint_lsh_only, path, config)
            for threshold in (0.8, 0.5):
                log(f"corpus {size}: datasketch @ {threshold}")
                entry[f"datasketch_{threshold}"] = _in_child(run_baseline, path, "datasketch", threshold, config)
                if rensa:
                    log(f"corpus {size}: rensa @ {threshold}")
                    entry[f"rensa_{threshold}"] = _in_child(run_baseline, path, "rensa", threshold, config)
        out["sizes"][str(size)] = entry
    return out


def write_report(result: dict[str, Any], path: Path, img_dir: Path | None = None,
                 preface: Sequence[str] = ()) -> None:
    """Markdown report of a ``run`` result, with a cost-vs-size plot (PNG, if matplotlib is there);
    ``preface``: lines put first, after the heading (the whole-process section, ``bench.processes``)."""
    img_dir = img_dir or path.parent / "img"
    if "sizes" not in result:  # whole processes only (--no-engine-level)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(["# Dedup benchmark", "", *preface]) + "\n", encoding="utf-8")
        return
    plot = _plot_cost(result, img_dir / "bench_dedup_cost.png")
    lines = [_REPORT_HEAD.format(command=result.get("command", "benchmarks/dedup.py"),
                                 seed=result["seed"], mode=result["mode"])]
    lines += preface
    lines += _summary_section(result)
    lines += _minhash_section(result.get("minhash"))
    lines += _speed_section(result, plot, path.parent)
    lines += engine_section(result)
    lines += _quality_section(result)
    lines += _baseline_section(result)
    lines += _real_section(result.get("real_pairs"))
    lines.append(_REPORT_TAIL.format(config="\n".join(f"| `{k}` | {v} |" for k, v in result["config"].items())))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fmt(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def _summary_section(result: dict[str, Any]) -> list[str]:
    """Targets of the issue and what this run measured against them."""
    sizes = result["sizes"]
    biggest = max(sizes, key=int)
    st = sizes[biggest]["storytrace"]
    fp_speed = result.get("minhash", {}).get("oph", {}).get("signatures_docs_per_cpu_s")
    ratios = [e["storytrace_minhash_lsh"]["docs_per_cpu_s"] / e["datasketch_0.8"]["docs_per_cpu_s"]
              for e in sizes.values() if "datasketch_0.8" in e and "storytrace_minhash_lsh" in e]
    worst = min(min(v["precision"], v["recall"]) for e in sizes.values()
                for v in [e["storytrace"]["quality"]["overall"]])
    out = ["## Summary against the targets", "",
           "| target | measured |", "|---|---|"]
    if fp_speed:
        out.append(f"| fingerprinting >= 20,000 docs/s per core (3 KB, normalised text -> signatures) | "
                   f"{fp_speed:,.0f} docs/CPU-s (signatures); {st['fingerprint_docs_per_cpu_s']:,.0f} with anchors and "
                   f"content hashes on the {int(biggest):,}-document corpus |")
    out.append(f"| {int(biggest):,} documents end to end < 5 min, peak < 2 GB | {st['end_to_end_wall_s']:,.0f} s wall "
               f"({st['end_to_end_cpu_s']:,.0f} CPU-s), peak RSS {st['peak_rss_mb']:,.0f} MiB; plus "
               f"{st['cpu_s']['normalize']:,.0f} CPU-s of normalize() and {st['cpu_s']['read']:,.0f} s of JSON reading "
               "before it |")
    if ratios:
        out.append(f"| >= 10x datasketch throughput | {min(ratios):,.0f}-{max(ratios):,.0f}x (fingerprint + LSH vs "
                   "shingling + MinHash + LSH, same texts) |")
    out.append(f"| precision and recall >= 0.99 (copies up to 10% edits, excerpts >= 25%) | lowest overall "
               f"pairwise P or R over all sizes {worst:.4f}; per kind below |")
    out.append("")
    return out


def _minhash_section(study: dict[str, Any] | None) -> list[str]:
    if not study:
        return []
    out = ["## MinHash variant: one-permutation hashing vs k permutations", "",
           f"3 KB normalised texts (mean {study['text_bytes']:.0f} bytes), 128 values, one core "
           "(CPU seconds). Accuracy: |estimate - true 5-gram Jaccard| over 300 random pairs per "
           "length with Jaccard spread over (0, 1); theory for k=128 and uniform J: RMSE "
           f"{study['theory_rmse_uniform_j']:.3f}.", "",
           "| method | signatures docs/s | + anchors + content hash docs/s | RMSE 20 words | 100 | 500 | 3000 | max abs bias |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for method in ("oph", "kperm"):
        m = study[method]
        err = m["error_by_words"]
        bias = max(abs(v["bias"]) for v in err.values())
        out.append(f"| {method} | {m['signatures_docs_per_cpu_s']:,.0f} | {m['fingerprint_docs_per_cpu_s']:,.0f} | "
                   + " | ".join(_fmt(err[k]["rmse"]) for k in ("20", "100", "500", "3000"))
                   + f" | {_fmt(bias)} |")
    out += ["", "Both are unbiased with the same error; OPH (with optimal densification for short "
            "texts) costs one hash per shingle instead of 128, so it is the default "
            "(`DedupConfig.method`).", ""]
    return out


def _speed_section(result: dict[str, Any], plot: Path | None, base: Path) -> list[str]:
    out = ["## Speed and memory", "",
           "CPU seconds are per core (the machine is a shared 2-core VM, so wall time is noisy); "
           "end-to-end = fingerprint + candidates (LSH, exact hash and anchor indexes) + pair merge + "
           "verification + connected components, from normalised text. Normalisation (the clean stage, "
           "`storytrace.text.normalize`) and JSON reading are timed apart. Peak RSS is the whole "
           "benchmark process (one fresh process per size) and includes the Python runtime, "
           "the numba kernels and the truth arrays; texts are never all in memory (normalised "
           "text is spilled to a temporary file and read back for verification).", "",
           "| documents | corpus | fingerprint docs/CPU-s | end-to-end CPU s | end-to-end wall s | "
           "docs/s end-to-end | normalize CPU s | verify CPU s | candidate pairs | peak RSS |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, entry in result["sizes"].items():
        st = entry["storytrace"]
        out.append(
            f"| {int(size):,} | {entry['corpus_bytes'] / 2**20:,.0f} MiB | {st['fingerprint_docs_per_cpu_s']:,.0f} | "
            f"{st['end_to_end_cpu_s']:,.1f} | {st['end_to_end_wall_s']:,.1f} | "
            f"{st['documents'] / st['end_to_end_wall_s']:,.0f} | {st['cpu_s']['normalize']:,.1f} | "
            f"{st['cpu_s']['verify']:,.1f} | {st['candidates']['total']:,} | {st['peak_rss_mb']:,.0f} MiB |")
    out += ["", "Stage CPU seconds:", "",
            "| documents | " + " | ".join(_STAGES) + " |", "|---:|" + "---:|" * len(_STAGES)]
    for size, entry in result["sizes"].items():
        cpu = entry["storytrace"]["cpu_s"]
        out.append(f"| {int(size):,} | " + " | ".join(f"{cpu.get(k, 0.0):,.2f}" for k in _STAGES) + " |")
    out.append("")
    out.append("Candidate pairs by source (unique pairs; the total is their union):")
    out += ["", "| documents | LSH | exact hash | anchors | union | verified: exact / near / contains / rejected |",
            "|---:|---:|---:|---:|---:|---|"]
    for size, entry in result["sizes"].items():
        st = entry["storytrace"]
        c, r = st["candidates"], st["relations"]
        out.append(f"| {int(size):,} | {c['lsh']:,} | {c['exact']:,} | {c['anchor']:,} | {c['total']:,} | "
                   f"{r['exact']:,} / {r['near_duplicate']:,} / {r['contains']:,} / {r['None']:,} |")
    if plot is not None:
        out += ["", f"![cost vs corpus size]({plot.relative_to(base).as_posix()})", ""]
    return out


_STAGES = ("startup", "read", "normalize", "spill", "fingerprint", "candidates", "pairs", "verify",
           "components")


def _quality_section(result: dict[str, Any]) -> list[str]:
    out = ["## Quality against the planted truth", "",
           "Pairwise precision/recall over the connected components of verified pairs vs the "
           "planted families (a base and all its copies); per kind, the pairs counted are those "
           "involving a document of that kind. *with base* = share of copies of that kind that "
           "end in their base's component.", ""]
    for size, entry in result["sizes"].items():
        q = entry["storytrace"]["quality"]
        o = q["overall"]
        out += [f"### {int(size):,} documents", "",
                f"Overall pairwise precision {_fmt(o['precision'], 4)}, recall {_fmt(o['recall'], 4)}, "
                f"F1 {_fmt(o['f1'], 4)}; verified-pair precision "
                f"{_fmt(entry['storytrace']['edges']['precision'], 4)}.", "",
                "| kind | documents | precision | recall | with base | relation given to copy-base pair |",
                "|---|---:|---:|---:|---:|---|"]
        rel = entry["storytrace"]["edges"]["copy_base_relations"]
        for kind, stats in q["per_kind"].items():
            labels = ", ".join(f"{k} {v}" for k, v in sorted(rel.get(kind, {}).items(), key=lambda kv: -kv[1]))
            wb = _fmt(stats["with_base"], 4) if "with_base" in stats else ""
            out.append(f"| {kind} | {stats['documents']:,} | {_fmt(stats['precision'], 4)} | "
                       f"{_fmt(stats['recall'], 4)} | {wb} | {labels} |")
        bands = q.get("edited_by_rate", {})
        if bands:
            out += ["", "Edited copies by edit rate: " + "; ".join(
                f"{k}: {_fmt(v['with_base'], 4)} with base ({v['documents']:,})" for k, v in bands.items()), ""]
        sr = entry["storytrace"].get("source_recall", {})
        if sr:
            out += ["Share of copy-base pairs proposed by each candidate source: " + "; ".join(
                f"**{src}** " + ", ".join(f"{k} {_fmt(v, 2)}" for k, v in rec.items()) for src, rec in sr.items()), ""]
    return out


def _baseline_section(result: dict[str, Any]) -> list[str]:
    out = ["## Side by side: datasketch and rensa", "",
           "Same normalised text, same word 5-gram shingles (Python strings), MinHash with 128 "
           "permutations, LSH at the threshold, candidates kept when their estimated Jaccard >= "
           "threshold, then connected components (how these libraries are normally used). "
           "Throughput = documents per CPU second for shingling + MinHash + LSH insert/query; "
           "storytrace's like-for-like figure is its fingerprint (signatures) + LSH on the same "
           "texts, and its full pipeline (which also builds anchors and verifies) is shown too. The "
           "baselines run only up to the `baseline_max` size (no extrapolation is made).", "",
           "| documents | pipeline | docs/CPU-s | storytrace speed-up | precision | recall | F1 | excerpt | edited | boilerplate |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, entry in result["sizes"].items():
        ours = entry.get("storytrace_minhash_lsh")
        if not ours:
            continue
        st = entry["storytrace"]
        full_speed = st["documents"] / max(st["end_to_end_cpu_s"], 1e-9)
        rows = [("storytrace fingerprint + LSH", ours["docs_per_cpu_s"], None),
                ("storytrace full pipeline", full_speed, st["quality"])]
        for key in ("datasketch_0.8", "datasketch_0.5", "rensa_0.8", "rensa_0.5"):
            if key in entry:
                lib, thr = key.split("_")
                rows.append((f"{lib} @ {thr}", entry[key]["docs_per_cpu_s"], entry[key]["quality"]))
        for name, speed, quality in rows:
            ratio = ours["docs_per_cpu_s"] / speed if not name.startswith("storytrace") else None
            cells = ["", "", "", "", "", ""]
            if quality:
                o, pk = quality["overall"], quality["per_kind"]
                cells = [_fmt(o["precision"], 4), _fmt(o["recall"], 4), _fmt(o["f1"], 4)] + [
                    _fmt(pk.get(k, {}).get("with_base", float("nan")), 3) for k in ("excerpt", "edited", "boilerplate")]
            out.append(f"| {int(size):,} | {name} | {speed:,.0f} | {'' if ratio is None else f'{ratio:,.1f}x'} | "
                       + " | ".join(cells) + " |")
    out.append("")
    return out


def _real_section(real: dict[str, Any] | None) -> list[str]:
    if not real:
        return []
    out = ["## Real text check: SemEval-2022 story pairs", "",
           "Same-language pairs from `shared/data/story-pairs` (different articles about one story, "
           "rated 1-4 by people) verified directly with the default rule. Pairs that come out as "
           "copies are text-level copies in that data (the same agency text under two titles, "
           "machine translations of one source, one cookie wall scraped twice), not different "
           "reports.", "", "| human rating | " + " | ".join(str(k) for k in ("None", "exact", "near_duplicate", "contains")) + " |",
           "|---|---:|---:|---:|---:|"]
    for band, counts in real.items():
        out.append(f"| {band} | " + " | ".join(str(counts.get(k, 0)) for k in ("None", "exact", "near_duplicate", "contains")) + " |")
    out.append("")
    return out


def engine_section(result: dict[str, Any]) -> list[str]:
    """"End to end: storytrace dedup": the dataset command itself, from JSONL on disk to the written
    corpus and cluster map (reading, extraction, normalisation and output included)."""
    rows = [(int(size), entry["engine"], entry["corpus_bytes"]) for size, entry in result["sizes"].items()
            if "engine" in entry]
    if not rows:
        return []
    out = ["## End to end: storytrace dedup", "",
           "The dataset command as a user runs it, on the same corpus file (one fresh process per size, "
           "`storytrace.bench.dedup.run_engine`, called by `storytrace bench dedup`):", "",
           f"    {rows[0][1]['command']}", "",
           "Unlike the pipeline rows above, this includes reading and parsing the JSONL, the clean stage "
           "(text extraction for page dumps + `normalize()`), spilling texts to disk, the guarded grouping "
           "with the canonical rule, the relation of every member to its canonical, and the second pass that "
           "copies the kept lines and writes `clusters.parquet` and `summary.json`. Peak RSS is the engine's "
           "process at the end of the run. Quality: *copies removed* = removed documents whose kept "
           "document is of their own planted family / all removable copies (documents - families); *wrong "
           "removals* = removed documents kept in favour of another family's document / removed; then pairwise "
           "precision/recall of the written groups against the families. Pairwise recall is lower than the "
           "plain components above because the guard splits a large family when members do not verify "
           "against its kept document (the longest, often an edited copy): each split costs one extra kept "
           "document but many pairs.", "",
           "| documents | corpus | wall s | CPU s | docs/CPU-s | peak RSS | read + clean CPU s | fingerprint + "
           "candidates CPU s | verify + groups CPU s | write CPU s | kept | copies removed | wrong removals | "
           "pairwise P | pairwise R |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, e, corpus_bytes in rows:
        c = e["cpu_s"]
        q = e.get("quality", {}).get("overall", {})
        rm = e.get("removal", {})
        out.append(
            f"| {size:,} | {corpus_bytes / 2**20:,.0f} MiB | {e['wall_s']:,.1f} | {e['cpu_s_total']:,.1f} | "
            f"{e['documents'] / max(e['cpu_s_total'], 1e-9):,.0f} | {e['engine_peak_rss_mb']:,.0f} MiB | "
            f"{c.get('read', 0) + c.get('clean', 0):,.1f} | "
            f"{c.get('spill', 0) + c.get('fingerprint', 0) + c.get('candidates', 0):,.1f} | "
            f"{c.get('verify', 0) + c.get('groups', 0) + c.get('relations', 0):,.1f} | "
            f"{c.get('write_corpus', 0) + c.get('write_map', 0):,.1f} | {e['kept']:,} | "
            f"{_fmt(rm.get('recall', float('nan')), 4)} | {1 - rm.get('precision', float('nan')):.4f} | "
            f"{_fmt(q.get('precision', float('nan')), 4)} | {_fmt(q.get('recall', float('nan')), 4)} |")
    out += ["", "Relations to the kept document (clusters.parquet): " + "; ".join(
        f"**{size:,}** " + ", ".join(f"{k} {v:,}" for k, v in e["relations"].items()) for size, e, _ in rows), ""]
    return out


def _plot_cost(result: dict[str, Any], target: Path) -> Path | None:
    """Log-log plot of CPU seconds vs corpus size for each pipeline; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    series: dict[str, tuple[list[int], list[float]]] = {}

    def add(name: str, n: int, seconds: float) -> None:
        xs, ys = series.setdefault(name, ([], []))
        xs.append(n)
        ys.append(seconds)

    for size, entry in result["sizes"].items():
        n = int(size)
        st = entry["storytrace"]
        add("storytrace end-to-end (CPU)", n, st["end_to_end_cpu_s"])
        add("storytrace end-to-end (wall)", n, st["end_to_end_wall_s"])
        add("storytrace fingerprint", n, st["cpu_s"]["fingerprint"])
        add("normalize (clean stage)", n, st["cpu_s"]["normalize"])
        for key in ("datasketch_0.8", "rensa_0.8"):
            if key in entry:
                add(key.replace("_", " @ ") + " (CPU)", n, sum(entry[key]["cpu_s"].values()))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, (xs, ys) in series.items():
        ax.plot(xs, ys, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents")
    ax.set_ylabel("seconds")
    ax.set_title("Near-duplicate pipeline cost vs corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


_REPORT_HEAD = """# Near-duplicate and containment benchmark

Generated by `storytrace.bench.dedup` (rerun to refresh every number here):

    {command}

Corpus: `storytrace.bench.synthetic`, seed {seed}, mode `{mode}`: ~3 KB generated news-like
articles (10% of bases are real SemEval texts when `shared/` is present) plus planted copies:
exact, wrapped in site chrome, truncated to 40-90%, excerpts of 25-60%, 5-20% word edits,
shuffled paragraphs; 30% of all documents carry one of 8 shared trailers (cookie banner,
"Share. Exit mobile version", ...), and 2% of the copies go to 10 viral bases (giant families).
"""

_REPORT_TAIL = """
## How it works, and why

**Fingerprints** (`storytrace.fingerprint`): words are maximal runs of letters, digits and
combining marks of the normalised text (Han/Kana characters are one word each); a numba kernel
scans the UTF-8 bytes, hashes each word (8-byte chunks, multiply, fmix64) and each 5-word
shingle (weighted sum of word hashes, fmix64). Signatures: one-permutation MinHash with
optimal densification (bit-identical in every process: only fixed integer arithmetic and a
splitmix64 stream of `seed`). Anchors: robust winnowing of the shingle hashes (window 24, or
n_shingles/16 clamped to [4, 24] for short texts), stored sorted and unique per document.

**Candidates** (`storytrace.match`):
- *LSH* on signatures, bands x rows from the threshold by datasketch's criterion (0.8 -> 9 x 13;
  `false_negative_rate(0.8, 9, 13)` = 0.60: at exactly the threshold, 60% of pairs are missed,
  which is what that criterion gives; at 0.85 31%, at 0.9 7%, at 0.95 0.2%). LSH is kept for
  scale-out (Spark) and as a second source; recall here comes from the anchor index.
- *exact* content hash (xxh3-64 of the normalised text).
- *anchors*: inverted index on winnowed anchors; a pair is a candidate when it shares >= 2
  anchors making up >= 10% of the smaller document's anchors.

All three use one `BucketIndex`: (key, id) postings in a few sorted numpy runs merged LSM-style,
queried with `searchsorted`, so adding a batch costs O(batch x log n) and never touches old
fingerprints; its state is a pair of arrays (saved as `.npy` or stored as blobs).
**Giant-bucket guard**: by arrival order, a bucket's first `cap` members (32 for LSH and exact,
64 for anchors) are linked pairwise, and every later member only to the first 4 members, so a
banner on 100,000 pages or a story syndicated 10,000 times costs O(n) pairs, and the rule gives
the same pairs whether documents arrive in one batch or many. Union-find over verified pairs
completes the groups.

**Verification and relations** (`storytrace.match.verify`): from the real shingle sequences,
Jaccard and containment both ways, and *coverage*: the share of a text's words inside shingles
also present in the other text. A 10%-edited copy keeps only ~59% of its 5-grams (Jaccard ~0.4),
but ~85% of its words stay covered; different generated articles on one topic (shared names and
stock phrases) stay below 0.15, and real different reports of one story reach ~0.45 only when
one quotes whole paragraphs of the other.
Rule: `exact` if the normalised texts are identical; `contains` if the shorter text's coverage
>= 0.7 and exceeds the longer one's by >= 0.2 (direction says which contains which);
`near_duplicate` if both coverages >= 0.5; else none.

Defaults (`DedupConfig`):

| field | default |
|---|---|
{config}
"""
