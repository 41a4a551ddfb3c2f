"""Labelled corpora measured through the path a user runs: documents in, ``Corpus.analyze`` (what
``storytrace analyze`` prints), stories and related links out.

Two input shapes:

* storytrace's labelled JSONL (``benchmarks/story_corpora/*.jsonl``): one document a line,
  ``{"id", "title", "date", "source", "text", "story", "related_stories": [...]}``;
* MStream's news titles (``News.jsonl``): ``{"Id", "clusterNo", "textCleaned"}``, fed as
  ``storytrace analyze --text-field textCleaned --id-field Id`` would read it.

Figures: NMI, pairwise precision/recall/F1 of same story, B-cubed F1, and the LINKED-pair view: a pair of
documents is linked when they share a story or their stories are linked as related; it is correct when the
two documents share a true story or their true stories are listed as related. Every count comes from
contingency tables (no O(n^2) loop over documents).
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .metrics import bcubed_prf, normalized_mutual_info, pairwise_prf


@dataclass(slots=True, frozen=True)
class LabelledDoc:
    """One labelled document."""

    id: str
    text: str
    story: str
    title: str | None = None
    date: str | None = None
    related: tuple[str, ...] = ()


def load_corpus(path: str | os.PathLike[str]) -> list[LabelledDoc]:
    """A labelled JSONL corpus (storytrace's shape or MStream's titles), in file order."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if "clusterNo" in row:
                out.append(LabelledDoc(id=str(row["Id"]), text=str(row["textCleaned"]), story=str(row["clusterNo"])))
            else:
                out.append(LabelledDoc(
                    id=str(row["id"]), text=str(row.get("text") or ""), story=str(row["story"]),
                    title=row.get("title") or None, date=row.get("date") or None,
                    related=tuple(str(r) for r in row.get("related_stories") or ())))
    return out


@dataclass(slots=True)
class Predicted:
    """What ``analyze`` said: the story of each document and the related links between stories."""

    story_of: dict[str, str]
    links: set[tuple[str, str]]  # (story, story), both orders
    seconds: float


def analyze_documents(docs: Sequence[LabelledDoc], log: Callable[[str], None] | None = None) -> Predicted:
    """Run ``Corpus.analyze`` (the code behind ``storytrace analyze``) on the documents, written to a JSONL file
    with only their text, title, date and id (labels never reach the engine)."""
    from ..corpus import Corpus

    with tempfile.TemporaryDirectory(prefix="storytrace-eval-") as tmp:
        path = Path(tmp) / "corpus.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for d in docs:
                row = {"id": d.id, "text": d.text}
                if d.title:
                    row["title"] = d.title
                if d.date:
                    row["date"] = d.date
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        with Corpus() as corpus:
            corpus.add([str(path)])
            analysis = corpus.analyze()
        seconds = time.perf_counter() - t0
    story_of = {d: s.id for s in analysis.stories for d in s.documents}
    links = {(s.id, r) for s in analysis.stories for r in s.related}
    links |= {(b, a) for a, b in links}
    return Predicted(story_of, links, seconds)


@dataclass(slots=True)
class CorpusScores:
    """Figures of one labelled corpus."""

    name: str
    n: int
    stories: int
    clusters: int
    largest: int
    nmi: float
    precision: float
    recall: float
    f1: float
    bcubed_f1: float
    linked_pairs: int
    linked_precision: float
    linked_recall: float
    true_linked_pairs: int
    related_links: int
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def linked_counts(docs: Sequence[LabelledDoc], pred: Predicted) -> tuple[int, int, int]:
    """(predicted linked pairs, of which correct, true linked pairs), from contingency counts."""
    related_true: set[tuple[str, str]] = set()
    for d in docs:
        for r in d.related:
            if r != d.story:
                related_true |= {(d.story, r), (r, d.story)}
    cell: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # predicted -> true -> count
    true_size: dict[str, int] = defaultdict(int)
    for d in docs:
        cell[pred.story_of[d.id]][d.story] += 1
        true_size[d.story] += 1
    true_pairs = sum(_pairs(c) for c in true_size.values()) + sum(
        true_size.get(t, 0) * true_size.get(u, 0) for t, u in related_true if t < u)

    def good(p: dict[str, int], q: dict[str, int] | None) -> int:
        if q is None:  # inside one predicted story
            n = sum(_pairs(c) for c in p.values())
            return n + sum(p[t] * p.get(u, 0) for t in p for u in p if t < u and (t, u) in related_true)
        return sum(c * (q.get(t, 0) + sum(q.get(u, 0) for u in q if (t, u) in related_true)) for t, c in p.items())

    size = {p: sum(c.values()) for p, c in cell.items()}
    linked = sum(_pairs(n) for n in size.values())
    correct = sum(good(c, None) for c in cell.values())
    for a, b in pred.links:
        if a < b and a in cell and b in cell:
            linked += size[a] * size[b]
            correct += good(cell[a], cell[b])
    return linked, correct, true_pairs


def score_corpus(name: str, docs: Sequence[LabelledDoc], pred: Predicted) -> CorpusScores:
    truth = [d.story for d in docs]
    labels = [pred.story_of[d.id] for d in docs]
    prf = pairwise_prf(truth, labels)
    linked, correct, true_linked = linked_counts(docs, pred)
    sizes: dict[str, int] = defaultdict(int)
    for lab in labels:
        sizes[lab] += 1
    return CorpusScores(
        name=name, n=len(docs), stories=len(set(truth)), clusters=len(set(labels)), largest=max(sizes.values(), default=0),
        nmi=normalized_mutual_info(truth, labels), precision=prf.precision, recall=prf.recall, f1=prf.f1,
        bcubed_f1=bcubed_prf(truth, labels).f1, linked_pairs=linked,
        linked_precision=correct / linked if linked else 1.0, linked_recall=correct / true_linked if true_linked else 1.0,
        true_linked_pairs=true_linked, related_links=len(pred.links) // 2, seconds=pred.seconds,
    )


def evaluate_corpus(name: str, docs: Sequence[LabelledDoc]) -> CorpusScores:
    """``analyze`` the documents and score its stories and links."""
    return score_corpus(name, docs, analyze_documents(docs))


def corpus_table(rows: Sequence[CorpusScores]) -> list[str]:
    """Markdown table of corpus figures."""
    out = [
        "| corpus | docs | true stories | stories | largest | NMI | same-story P | R | **F1** | B-cubed F1 | "
        "linked pairs (true) | linked P | linked R | related links | docs/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        out.append(f"| {s.name} | {s.n} | {s.stories} | {s.clusters} | {s.largest} | {s.nmi:.3f} | {s.precision:.3f} | "
                   f"{s.recall:.3f} | **{s.f1:.3f}** | {s.bcubed_f1:.3f} | {s.linked_pairs:,} ({s.true_linked_pairs:,}) | "
                   f"{s.linked_precision:.3f} | {s.linked_recall:.3f} | {s.related_links:,} | {s.docs_per_s:,.0f} |")
    return out
