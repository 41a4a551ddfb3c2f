"""Precision / recall of fact-difference detection on the labelled pairs in this folder; also timing.

Run: PYTHONPATH=src .venv/bin/python benchmarks/facts/run.py [--split dev|heldout|hard|all] [--verbose] [--timing]

A reported difference is correct when its kind and both values match an expected one (values compared
after ``normalize``; a value may carry up to 3 extra words, e.g. a unit, "12 avions" for "12"). False
reports on pairs with nothing to report (paraphrases, reformatted facts, additions, translations) are
counted separately; on the seed paraphrases that count must be 0.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from storytrace.explain import facts as facts_module
from storytrace.explain.facts import FactDifference, fact_differences
from storytrace.text.normalize import normalize

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NAME_KINDS = {"person", "organization", "place"}
MAX_EXTRA_WORDS = 3


@dataclass
class Tally:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> float:
        """Share of reports that were expected (1.0 when nothing was reported)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        """Share of expected differences that were reported (1.0 when none was expected)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class PairResult:
    """Outcome of one labelled pair."""

    pair: dict
    reported: list[FactDifference]
    matched: list[tuple[dict, FactDifference]] = field(default_factory=list)
    false: list[FactDifference] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)


def seeds_dir() -> Path:
    """The seed articles: ../shared/seeds when present, else the copy shipped in examples/seeds."""
    for base in (REPO.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if base.is_dir():
            return base
    return REPO / "examples" / "seeds"


def load_doc(name: str) -> str:
    """Text of an article ("a01_floods_pl") or a seed ("seed:000")."""
    if name.startswith("seed:"):
        return next(seeds_dir().glob(name[5:] + "_*.txt")).read_text(encoding="utf-8")
    return (HERE / "articles" / f"{name}.txt").read_text(encoding="utf-8")


def apply_edits(text: str, edits: list[list[str]], pair_id: str) -> str:
    """Apply [old, new] (exactly one occurrence) or [old, new, "all"] replacements."""
    for edit in edits:
        old, new = edit[0], edit[1]
        count = text.count(old)
        if count == 0 or (count > 1 and (len(edit) < 3 or edit[2] != "all")):
            raise ValueError(f"{pair_id}: edit {old!r} occurs {count} times")
        text = text.replace(old, new)
    return text


def load_pairs(split: str) -> list[tuple[dict, str, str]]:
    """Labelled pairs of ``split`` with their two texts materialised."""
    out = []
    for line in (HERE / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pair = json.loads(line)
        if split != "all" and pair["split"] != split:
            continue
        a = load_doc(pair["a"])
        b = apply_edits(load_doc(pair["b"]), pair["edits"], pair["id"])
        out.append((pair, a, b))
    return out


def _words(value: str) -> list[str]:
    """Comparable word/symbol tokens of a value."""
    return re.findall(r"\w+|[^\w\s]", normalize(value))


def value_matches(expected: str, reported: str) -> bool:
    """Equal after normalisation, or one inside the other with at most ``MAX_EXTRA_WORDS`` more tokens."""
    e, r = _words(expected), _words(reported)
    if e == r:
        return True
    short, long = (e, r) if len(e) <= len(r) else (r, e)
    if not short or len(long) - len(short) > MAX_EXTRA_WORDS:
        return False
    return any(long[i:i + len(short)] == short for i in range(len(long) - len(short) + 1))


def kind_matches(expected: str, reported: str) -> bool:
    """Same kind; "date" and "year" are distinct, names must have the expected kind."""
    return expected == reported


def score_pair(pair: dict, reported: list[FactDifference]) -> PairResult:
    """Match reported differences to expected ones (each used once)."""
    result = PairResult(pair, reported)
    open_expected = list(pair["expected"])
    for diff in reported:
        hit = next((e for e in open_expected if kind_matches(e["kind"], diff.kind)
                    and value_matches(e["a_value"], diff.a_value) and value_matches(e["b_value"], diff.b_value)), None)
        if hit is None:
            result.false.append(diff)
        else:
            open_expected.remove(hit)
            result.matched.append((hit, diff))
    result.missed = open_expected
    return result


def evaluate(split: str) -> tuple[list[PairResult], float]:
    """Run every pair of ``split``; returns results and total seconds in ``fact_differences``."""
    results = []
    seconds = 0.0
    for pair, a, b in load_pairs(split):
        facts_module._prepare.cache_clear()  # time the whole work for every pair
        t0 = time.perf_counter()
        reported = fact_differences(a, b)
        seconds += time.perf_counter() - t0
        results.append(score_pair(pair, reported))
    return results, seconds


def summarise(results: list[PairResult]) -> dict:
    """Overall and per-kind tallies, plus false reports on pairs that expect nothing."""
    overall = Tally()
    per_kind: dict[str, Tally] = {}
    quiet_false = 0
    seed_quiet_false = 0
    quiet_pairs = 0
    for r in results:
        for e, _ in r.matched:
            overall.tp += 1
            per_kind.setdefault(e["kind"], Tally()).tp += 1
        for d in r.false:
            overall.fp += 1
            per_kind.setdefault(d.kind, Tally()).fp += 1
        for e in r.missed:
            overall.fn += 1
            per_kind.setdefault(e["kind"], Tally()).fn += 1
        if not r.pair["expected"]:
            quiet_pairs += 1
            quiet_false += len(r.false)
            if r.pair["a"].startswith("seed:") and r.pair["b"].startswith("seed:"):
                seed_quiet_false += len(r.false)
    return {"overall": overall, "per_kind": per_kind, "quiet_pairs": quiet_pairs, "quiet_false": quiet_false,
            "seed_quiet_false": seed_quiet_false, "pairs": len(results)}


def print_summary(name: str, summary: dict) -> None:
    """Human-readable figures for one split."""
    o: Tally = summary["overall"]
    print(f"[{name}] pairs={summary['pairs']}  precision={o.precision():.3f}  recall={o.recall():.3f}  "
          f"(tp={o.tp} fp={o.fp} fn={o.fn})")
    print(f"  false reports on {summary['quiet_pairs']} no-difference pairs (paraphrase/reformat/addition/"
          f"translation): {summary['quiet_false']}; on seed paraphrases: {summary['seed_quiet_false']}")
    for kind in sorted(summary["per_kind"]):
        t = summary["per_kind"][kind]
        print(f"  {kind:12} precision={t.precision():.3f} recall={t.recall():.3f}  (tp={t.tp} fp={t.fp} fn={t.fn})")


def print_details(results: list[PairResult]) -> None:
    """Every false report and every miss, for error analysis."""
    for r in results:
        for d in r.false:
            print(f"  FP {r.pair['id']:7} {d.kind:8} {d.a_value!r} -> {d.b_value!r}  ({d.score})\n"
                  f"       slot: {d.slot[:140]!r}")
        for e in r.missed:
            print(f"  FN {r.pair['id']:7} {e['kind']:8} {e['a_value']!r} -> {e['b_value']!r}")


def time_seeds(repeat: int) -> None:
    """Median ms of fact_differences on the seed pairs: cold (nothing cached) and with 000 already analysed."""
    docs = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(seeds_dir().glob("*.txt"))}
    fact_differences(docs["000"], docs["003"])  # compile patterns, fill word caches
    for other in ("001", "002", "003", "004"):
        cold, warm = [], []
        for _ in range(repeat):
            facts_module._prepare.cache_clear()
            t0 = time.perf_counter()
            fact_differences(docs["000"], docs[other])
            cold.append((time.perf_counter() - t0) * 1000)
            facts_module._prepare.cache_clear()
            facts_module._prepare(docs["000"])
            t0 = time.perf_counter()
            fact_differences(docs["000"], docs[other])
            warm.append((time.perf_counter() - t0) * 1000)
        size = (len(docs["000"].encode()) + len(docs[other].encode())) / 1024
        print(f"  000 vs {other} ({size:.1f} KB together): cold median {statistics.median(cold):.1f} ms "
              f"(max {max(cold):.1f}); 000 already analysed: median {statistics.median(warm):.1f} ms, {repeat} runs")


def main(argv: list[str] | None = None) -> int:
    """Print precision/recall per split; exit 1 when the seed paraphrases get a false report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "heldout", "hard", "all"], default="all")
    parser.add_argument("--verbose", action="store_true", help="list every false report and miss")
    parser.add_argument("--timing", action="store_true", help="time the seed pairs")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    splits = ["dev", "heldout", "hard"] if args.split == "all" else [args.split]
    all_results: list[PairResult] = []
    seconds = 0.0
    for split in splits:
        results, took = evaluate(split)
        seconds += took
        all_results += results
        summary = summarise(results)
        print_summary(split, summary)
        if args.verbose:
            print_details(results)
    if len(splits) > 1:
        print_summary("all", summarise(all_results))
    print(f"  fact_differences time: {seconds * 1000 / max(1, len(all_results)):.1f} ms per pair on average")
    if args.timing:
        time_seeds(args.repeat)
    return 1 if summarise(all_results)["seed_quiet_false"] else 0


if __name__ == "__main__":
    sys.exit(main())
