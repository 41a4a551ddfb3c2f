"""Readable text report of an analysis, for terminals (``--format text``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cluster.analysis import Analysis
    from .corpus import IngestReport


def text_report(analysis: Analysis, ingest: IngestReport | None = None) -> str:
    """Stories with their documents and relations, then a summary line."""
    by_id = {a.id: a for a in analysis.articles}
    relations_of: dict[str, list[str]] = {}
    for r in analysis.relations:
        relations_of.setdefault(r.a, []).append(f"{r.relation} {r.b} ({r.score:.2f})")
    lines: list[str] = []
    for story in analysis.stories:
        title = story.title or _snippet(by_id[story.canonical].text)
        lines.append(f"Story {story.id}: {title}  [{len(story.documents)} document(s)]")
        for doc_id in story.documents:
            mark = "*" if doc_id == story.canonical else " "
            rels = "; ".join(relations_of.get(doc_id, []))
            lang = by_id[doc_id].language
            lines.append(f"  {mark} {doc_id}  [{lang}]" + (f"  {rels}" if rels else ""))
        if story.related:
            lines.append(f"    related: {', '.join(story.related)}")
        lines.append("")
    summary = f"{len(analysis.articles)} documents, {len(analysis.groups)} duplicate groups, {len(analysis.stories)} stories"
    if ingest is not None:
        summary += f"; this run added {ingest.added}, {ingest.unchanged} already stored, {len(ingest.problems)} problem(s)"
    lines.append(summary)
    lines.append("(* = canonical)")
    return "\n".join(lines)


def _snippet(text: str, words: int = 12) -> str:
    """The first few words of a text, for stories without a title."""
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")
