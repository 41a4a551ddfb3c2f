"""Small presentation helpers for the pages: why a group's canonical was kept, spans, numbers."""
from __future__ import annotations

from ..cluster.canonical import WRAPPER_SHARE, CanonicalCandidate, canonical_key, chrome_share
from ..records import Article


def canonical_reason(articles: list[Article], canonical: str) -> str:
    """One sentence on why ``canonical`` was kept, following the canonical rule's first deciding criterion."""
    ranked = {a.id: canonical_key(CanonicalCandidate(i, a)) for i, a in enumerate(articles)}
    if canonical not in ranked:
        return "kept by the canonical rule"
    if len(ranked) == 1:
        return "the only document of its group"
    kept = ranked[canonical]
    others = [key for doc, key in ranked.items() if doc != canonical]
    runner_up = min(others)
    if runner_up < kept:
        return "chosen by another keep rule (--keep first or longest)"
    if kept[0] < runner_up[0]:
        kept_article = next(a for a in articles if a.id == canonical)
        share = max(chrome_share(a) for a in articles if a.id != canonical)
        return (
            f"the clean article: the other copies are pages wrapping it (up to {share:.0%} page chrome, "
            f"limit {WRAPPER_SHARE:.0%}; this one {chrome_share(kept_article):.0%})"
        )
    if kept[1] < runner_up[1]:
        return f"the most complete text ({-kept[1]:,} normalised characters, next {-runner_up[1]:,})"
    if kept[2] < runner_up[2]:
        return f"the earliest publication date ({kept[2]})"
    return "identical candidates: the first one ingested"


def time_span(start: str | None, end: str | None) -> str:
    """A story's dates as a short span ("2024-10-10 – 2024-10-12", one date, or "undated")."""
    first, last = (start or "")[:10], (end or "")[:10]
    if not first and not last:
        return "undated"
    if first == last or not last:
        return first
    if not first:
        return last
    return f"{first} – {last}"


def score(value: float | None) -> str:
    """A relation score for display (two decimals), a dash when unknown."""
    return "—" if value is None else f"{value:.2f}"


def percent(value: float | None) -> str:
    """A share as a whole percentage."""
    return "—" if value is None else f"{100 * value:.0f}%"


def human_bytes(size: int) -> str:
    """A byte count in B / KB / MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def snippet_html(snippet: str) -> str:
    """An FTS5 snippet (matches between \\x02 and \\x03) as escaped HTML with <mark> around the matches."""
    from markupsafe import escape

    escaped = str(escape(snippet))
    return escaped.replace("\x02", "<mark>").replace("\x03", "</mark>")
