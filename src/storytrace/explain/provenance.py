"""Who copied whom: a stated best guess of the original of a pair, with its evidence and confidence.

Each cue votes for one side with a weight; the guess is the side with more weight, and the
confidence is the winning share of all weight. With no cue, or cues that cancel out, the answer
says the evidence does not decide.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..records import Article
from ..text.clean import chrome_share
from ..text.dates import parse_date
from ..text.extract import is_chrome_line

# Weights of the cues: how strongly each tells the original from the copy.
W_DATE = 3.0  # an earlier publication date
W_CONTAINS = 2.0  # the shorter text inside the longer: the excerpt or truncated copy came second
W_WRAPPER = 2.0  # the same article with page chrome around it: the page is the republication
W_RESIDUE = 1.5  # left-over furniture of another site ("Share.", "Exit mobile version")
W_DETAIL = 1.0  # more specific facts (numbers, dates, names) than the other: rewrites drop details
DECISIVE = 0.6  # winning share of the weight needed to state a direction


@dataclass(slots=True)
class Provenance:
    """Best guess of the original and of the copy direction, the evidence, and how sure it is."""

    original: str | None
    direction: tuple[str, str] | None  # (from, to): ``to`` was derived from ``from``
    evidence: list[str] = field(default_factory=list)
    confidence: float = 0.0
    decided: bool = False

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "original": self.original, "direction": list(self.direction) if self.direction else None,
            "evidence": self.evidence, "confidence": round(self.confidence, 3), "decided": self.decided,
        }


def residue_lines(article: Article) -> list[str]:
    """Furniture lines of another site left inside an article's text."""
    return [line.strip() for line in article.text.splitlines() if is_chrome_line(line)]


def provenance(a: Article, b: Article, relation: str | None, container: str | None = None,
               fact_counts: tuple[int, int] | None = None) -> Provenance:
    """Weigh every cue for "a is the original" against "b is the original" and state the verdict.

    ``container`` is the id of the side that contains the other (for ``contains`` relations);
    ``fact_counts`` the number of specific facts in a and b (for rewrites and reports).
    """
    votes = {a.id: 0.0, b.id: 0.0}
    evidence: list[str] = []

    da, db = parse_date(a.date), parse_date(b.date)
    if da and db and da != db:
        first = a if da < db else b
        votes[first.id] += W_DATE
        evidence.append(f"{first.id} was published first ({min(da, db)} vs {max(da, db)})")
    elif not (da and db):
        evidence.append("publication dates: " + ("only one document has one" if (da or db) else "neither document has one"))

    if relation == "contains" and container is not None:
        inner = b if container == a.id else a
        wrapped = chrome_share(a if container == a.id else b) > 0.3
        if wrapped:
            votes[inner.id] += W_WRAPPER
            evidence.append(f"{container} is {inner.id} wrapped in page chrome (menus, banners, link lists): a republication")
        else:
            votes[container] += W_CONTAINS
            evidence.append(f"{inner.id} is contained in {container}: an excerpt or truncated copy of it")

    for this, other in ((a, b), (b, a)):
        residue = residue_lines(this)
        if residue and not residue_lines(other):
            votes[other.id] += W_RESIDUE
            shown = ", ".join(f"“{r}”" for r in residue[:3])
            evidence.append(f"{this.id} carries residue of a web page ({shown}): scraped from somewhere")

    if fact_counts is not None and relation in ("rewrite", "same_story", "near_duplicate"):
        fa, fb = fact_counts
        if max(fa, fb) >= 3 and abs(fa - fb) >= max(2, 0.25 * max(fa, fb)):
            richer = a if fa > fb else b
            votes[richer.id] += W_DETAIL
            evidence.append(f"{richer.id} has more specific facts ({max(fa, fb)} vs {min(fa, fb)}): rewrites tend to drop details")

    total = votes[a.id] + votes[b.id]
    if total == 0:
        evidence.append("no cue tells which came first")
        return Provenance(None, None, evidence, 0.0, False)
    winner, loser = (a, b) if votes[a.id] >= votes[b.id] else (b, a)
    confidence = votes[winner.id] / total
    if confidence < DECISIVE:
        evidence.append("the cues disagree: the evidence does not decide")
        return Provenance(None, None, evidence, confidence, False)
    # a single weak cue is a hint, not a verdict: scale confidence by how much weight stood behind it
    confidence *= min(1.0, total / (W_DATE + W_WRAPPER))
    return Provenance(winner.id, (winner.id, loser.id), evidence, confidence, True)
