"""``storytrace eval``: the story engine measured on the labelled sets, next to the published figures.

* story pairs (SemEval-2022 task 8): Pearson r of ``compare(a, b).score`` with -Overall (1 = most similar, so
  the sign is flipped), F1 of same story (Overall <= 2) at the shipped threshold, per language pair; on the
  HELD-OUT split (md5(pair_id) % 100 < 30). The combiner, both thresholds and the embedding's context
  corpus were fitted on the train split only.
* news titles (MStream's News / News-T): NMI, ARI, pairwise and B-cubed F1 of the stories ``Corpus.analyze``
  gives (documents in, stories out, as ``storytrace analyze`` prints them; headlines are recognised as short
  texts per document), on the held-out stories (odd md5(clusterNo); the title threshold and lexical weight
  were tuned on the even ones), the train stories and the whole stream, in file order.
* labelled corpora (``benchmarks/story_corpora/*.jsonl``: topic-dense and long-article, dev and test)
  through ``Corpus.analyze``: NMI, same-story pairwise P/R/F1, linked-pair precision (related links counted).
* seeds: every relation of ``expected.json``, the stories, the canonicals and the fact difference.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets as ds
from .metrics import adjusted_rand_index, bcubed_prf, binary_prf, normalized_mutual_info, pairwise_prf, pearson

#: published figures quoted from the data READMEs
PUBLISHED_PAIRS = "best SemEval-2022 task 8 system: Pearson 0.818 on the official test set (ensemble of large transformers, GPU)"
PUBLISHED_TITLES = {"News.jsonl": "MStream 0.834, MStreamF 0.797, DTM 0.793", "News-T.jsonl": "MStream 0.850, MStreamF 0.873, DTM 0.806"}
DOCS_BEGIN, DOCS_END = "<!-- eval:begin -->", "<!-- eval:end -->"

Log = Callable[[str], None]


@dataclass(slots=True)
class PairsResult:
    """Story-pair figures."""

    heldout_r: float
    train_r: float
    heldout_f1: float
    heldout_precision: float
    heldout_recall: float
    threshold: float
    n_heldout: int
    n_train: int
    per_language: dict[str, tuple[int, float, float]]  # lp -> (pairs, r, F1) on the held-out split
    seconds: float


def evaluate_pairs(path: Path) -> PairsResult:
    """Score every pair with ``compare`` (what a user gets: the duplicate level first, then the story
    similarity) and report the held-out split."""
    from ..match.story import as_article, compare, same_story_threshold

    t0 = time.perf_counter()
    pairs = ds.load_pairs(path)
    texts = list(dict.fromkeys([p.text1 for p in pairs] + [p.text2 for p in pairs]))
    articles = {t: as_article(t, f"t{i}") for i, t in enumerate(texts)}
    score = np.array([compare(articles[p.text1], articles[p.text2]).score for p in pairs])
    target = -np.array([p.overall for p in pairs])  # higher = more similar
    same = np.array([p.same_story for p in pairs])
    held = np.array([p.heldout for p in pairs])
    thr = same_story_threshold()
    prf = binary_prf(same[held], score[held] >= thr)
    per: dict[str, tuple[int, float, float]] = {}
    lps: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        if p.heldout:
            lps[p.languages].append(i)
    for lp, idx in sorted(lps.items()):
        ix = np.array(idx)
        per[lp] = (len(ix), pearson(score[ix], target[ix]), binary_prf(same[ix], score[ix] >= thr).f1)
    return PairsResult(
        heldout_r=pearson(score[held], target[held]), train_r=pearson(score[~held], target[~held]),
        heldout_f1=prf.f1, heldout_precision=prf.precision, heldout_recall=prf.recall, threshold=thr,
        n_heldout=int(held.sum()), n_train=int((~held).sum()), per_language=per, seconds=time.perf_counter() - t0,
    )


@dataclass(slots=True)
class ClusterScores:
    """Clustering figures of one stream."""

    n: int
    stories: int
    clusters: int
    nmi: float
    ari: float
    pairwise_f1: float
    bcubed_f1: float
    docs_per_s: float


def score_clusters(truth: Sequence[Hashable], labels: Sequence[Hashable], seconds: float) -> ClusterScores:
    """All cluster metrics of one labelling."""
    return ClusterScores(
        n=len(truth), stories=len(set(truth)), clusters=len(set(labels)), nmi=normalized_mutual_info(truth, labels),
        ari=adjusted_rand_index(truth, labels), pairwise_f1=pairwise_prf(truth, labels).f1,
        bcubed_f1=bcubed_prf(truth, labels).f1, docs_per_s=len(truth) / seconds if seconds else 0.0,
    )


def evaluate_titles(path: Path) -> dict[str, ClusterScores]:
    """News titles through ``Corpus.analyze`` (what ``storytrace analyze --text-field textCleaned --id-field Id``
    prints: documents in, stories out): held-out stories, train stories (the title threshold and lexical weight
    were tuned on these), the whole stream, each in file order."""
    from .corpora import analyze_documents, load_corpus

    docs = load_corpus(path)
    out = {}
    parts: tuple[tuple[str, Callable[[Any], bool]], ...] = (
        ("held-out stories", lambda d: ds.is_heldout_story(d.story)),
        ("train stories", lambda d: not ds.is_heldout_story(d.story)),
        ("whole stream", lambda d: True))
    for part, keep in parts:
        sub = [d for d in docs if keep(d)]
        pred = analyze_documents(sub)
        out[part] = score_clusters([d.story for d in sub], [pred.story_of[d.id] for d in sub], pred.seconds)
    return out


def corpus_paths(extra: list[Path] | None = None) -> list[Path]:
    """The labelled corpora measured by default (``benchmarks/story_corpora/*.jsonl``), then ``extra``."""
    shipped = Path(__file__).resolve().parents[3] / "benchmarks" / "story_corpora"
    found = sorted(shipped.glob("*.jsonl")) if shipped.is_dir() else []
    return [*found, *(extra or [])]


def evaluate_corpora(paths: list[Path]) -> list[Any]:
    """Every labelled corpus through ``Corpus.analyze``: stories, links and their figures."""
    from .corpora import evaluate_corpus, load_corpus

    return [evaluate_corpus(p.stem, load_corpus(p)) for p in paths]


@dataclass(slots=True)
class SeedCheck:
    """One expected fact about the seeds and whether it holds."""

    what: str
    expected: str
    got: str

    @property
    def ok(self) -> bool:
        return self.expected == self.got


@dataclass(slots=True)
class SeedsResult:
    checks: list[SeedCheck] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(c.ok for c in self.checks)


def seed_analysis(directory: Path) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Ingest the seeds, group duplicates, build stories: (articles, groups, stories, relations)."""
    from ..corpus import Corpus

    with Corpus() as corpus:
        corpus.add([str(p) for p in ds.seed_files(directory)])
        analysis = corpus.analyze()
    return analysis.articles, analysis.groups, analysis.stories, analysis.relations


def evaluate_seeds(directory: Path) -> SeedsResult:
    """Check ``expected.json`` against the pipeline's output on the seed articles."""
    from ..explain import fact_differences

    expected = json.loads((directory / "expected.json").read_text(encoding="utf-8"))
    articles, groups, stories, relations = seed_analysis(directory)
    short = {a.id: a.id[:3] for a in articles}
    by_short = {v: k for k, v in short.items()}
    res = SeedsResult()

    def sets(items: list[list[str]]) -> str:
        return str(sorted(sorted(x) for x in items))

    res.checks.append(SeedCheck("stories", sets(expected["stories"]), sets([[short[d] for d in s.documents] for s in stories])))
    res.checks.append(SeedCheck("duplicate groups (size > 1)", sets(expected["duplicate_groups"]),
                                sets([[short[m] for m in g.members] for g in groups if len(g.members) > 1])))
    story_of = {d: s for s in stories for d in s.documents}
    group_of = {m: g for g in groups for m in g.members}
    res.checks.append(SeedCheck("canonical of 000's story", expected["canonical"]["story_of_000"],
                                short[story_of[by_short["000"]].canonical]))
    res.checks.append(SeedCheck("canonical of 000's group", expected["canonical"]["group_of_000"],
                                short[group_of[by_short["000"]].canonical]))
    found = {(short[r.a], short[r.b]): r for r in relations}
    for rel in expected["relations"]:
        r = found.get((rel["a"], rel["b"]))
        got = r.relation if r is not None else "(none)"
        if r is not None:
            res.scores[f"{rel['a']}->{rel['b']}"] = r.score
        res.checks.append(SeedCheck(f"{rel['a']} -> {rel['b']}", rel["relation"], got))
    by_id = {a.id: a for a in articles}
    for fd in expected.get("fact_differences", []):
        diffs = fact_differences(by_id[by_short[fd["a"]]].text, by_id[by_short[fd["b"]]].text)
        hit = any(d.a_value.strip() == fd["a_value"] and d.b_value.strip() == fd["b_value"] for d in diffs)
        res.checks.append(SeedCheck(f"fact difference {fd['a']}/{fd['b']}: {fd['fact']}",
                                    f"{fd['a_value']} vs {fd['b_value']}", f"{fd['a_value']} vs {fd['b_value']}" if hit else
                                    ", ".join(f"{d.a_value} vs {d.b_value}" for d in diffs) or "(none)"))
    return res


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def run_all(data: Path | None, only: set[str] | None = None, log: Log = print, corpora: list[Path] | None = None) -> str:
    """Run every available set; returns the markdown report (progress and skipped sets go to ``log``)."""
    lines: list[str] = []

    def want(name: str) -> bool:
        return only is None or name in only

    if want("pairs"):
        path = data / ds.PAIRS if data is not None else None
        if path is None or not path.is_file():
            log(f"story-pairs: skipped ({path or 'no data directory'} not found)")
        else:
            log("story-pairs: scoring ...")
            lines += pairs_markdown(evaluate_pairs(path))
    if want("titles"):
        for name in (ds.NEWS, ds.NEWS_T):
            path = data / name if data is not None else None
            if path is None or not path.is_file():
                log(f"news-titles {name.name}: skipped ({path or 'no data directory'} not found)")
                continue
            log(f"news-titles {name.name}: clustering ...")
            lines += titles_markdown(name.name, evaluate_titles(path))
    if want("corpora"):
        paths = corpus_paths(corpora)
        if not paths:
            log("corpora: skipped (no benchmarks/story_corpora/*.jsonl)")
        else:
            log(f"corpora: {', '.join(p.name for p in paths)} ...")
            lines += corpora_markdown(evaluate_corpora(paths))
    if want("seeds"):
        directory = ds.seed_dir(data)
        if directory is None:
            log("seeds: skipped (no seeds/expected.json found)")
        else:
            log(f"seeds: {directory}")
            lines += seeds_markdown(evaluate_seeds(directory))
    return "\n".join(lines)


def pairs_markdown(r: PairsResult) -> list[str]:
    out = [
        "### Story pairs (SemEval-2022 task 8), held-out split",
        "",
        f"{r.n_heldout} held-out pairs (md5(pair_id) % 100 < 30), {r.n_train} train pairs; {r.seconds:.0f} s including"
        " cleaning and embedding.",
        "",
        "| measure | storytrace | published |",
        "|---|---|---|",
        f"| Pearson r with -Overall, held-out | **{r.heldout_r:.3f}** | {PUBLISHED_PAIRS} |",
        f"| Pearson r, train split (fitted on) | {r.train_r:.3f} | |",
        f"| F1 same story (Overall <= 2), held-out, threshold {r.threshold:.3f} from train | **{r.heldout_f1:.3f}** "
        f"(P {r.heldout_precision:.3f}, R {r.heldout_recall:.3f}) | |",
        "",
        "| language pair | held-out pairs | r | F1 |",
        "|---|---|---|---|",
    ]
    out += [f"| {lp} | {n} | {rr:.2f} | {f1:.2f} |" for lp, (n, rr, f1) in r.per_language.items()]
    return out + [""]


def corpora_markdown(rows: list[Any]) -> list[str]:
    from .corpora import corpus_table

    return ["### Labelled corpora through `Corpus.analyze` (= `storytrace analyze`)", "",
            "Same story: pairs of documents in one story. Linked: pairs in one story or in two stories linked as related; "
            "a linked pair is right when its documents share a true story or their true stories are related. "
            "`*_dev` corpora were tuned on, `*_test` never.", "", *corpus_table(rows), ""]


def titles_markdown(name: str, parts: dict[str, ClusterScores]) -> list[str]:
    out = [
        f"### News titles: {name} through `Corpus.analyze` (`storytrace analyze {name} --text-field textCleaned "
        f"--id-field Id`), published NMI: {PUBLISHED_TITLES.get(name, '-')}",
        "",
        "| part | titles | stories | clusters | NMI | ARI | pairwise F1 | B-cubed F1 | titles/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for part, s in parts.items():
        bold = "**" if part == "held-out stories" else ""
        out.append(f"| {part} | {s.n} | {s.stories} | {s.clusters} | {bold}{s.nmi:.3f}{bold} | {s.ari:.3f} | "
                   f"{bold}{s.pairwise_f1:.3f}{bold} | {s.bcubed_f1:.3f} | {s.docs_per_s:,.0f} |")
    return out + [""]


def seeds_markdown(r: SeedsResult) -> list[str]:
    out = [f"### Seeds: {r.passed} of {len(r.checks)} checks pass", "", "| check | expected | got | |", "|---|---|---|---|"]
    out += [f"| {c.what} | {c.expected} | {c.got} | {'ok' if c.ok else 'FAIL'} |" for c in r.checks]
    if r.scores:
        out += ["", "Scores: " + ", ".join(f"{k} {v:.3f}" for k, v in r.scores.items())]
    return out + [""]


def write_docs(report: str, path: Path) -> None:
    """Replace the generated block of ``path`` (between the eval markers) with ``report``."""
    text = path.read_text(encoding="utf-8") if path.is_file() else f"# Story engine benchmark\n\n{DOCS_BEGIN}\n{DOCS_END}\n"
    block = f"{DOCS_BEGIN}\n<!-- generated by `storytrace eval --write-docs`; do not edit by hand -->\n\n{report}\n{DOCS_END}"
    if DOCS_BEGIN in text and DOCS_END in text:
        head, rest = text.split(DOCS_BEGIN, 1)
        _, tail = rest.split(DOCS_END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
