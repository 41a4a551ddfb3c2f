"""Plain-text rendering of an explanation for terminals."""
from __future__ import annotations

import textwrap

from ..records import Article
from ..text.tokens import tokenize
from .explain import Explanation

SNIPPET = 90


def _snippet(text: str, start: int, end: int) -> str:
    """A one-line excerpt of ``text[start:end]``, shortened in the middle when long."""
    piece = " ".join(text[start:end].split())
    if len(piece) <= SNIPPET:
        return piece
    half = SNIPPET // 2 - 2
    return f"{piece[:half]} ... {piece[-half:]}"


def render_text(e: Explanation, a: Article, b: Article) -> str:
    """Relation, scores, passages, unique parts, fact differences and provenance as readable text."""
    lines = [f"A = {a.id}", f"B = {b.id}"]
    rel = e.relation if e.direction is None else f"{e.direction[0]} {e.relation} {e.direction[1]}"
    lines.append(f"relation: {rel}")
    lines.append("scores: " + ", ".join(f"{k} {v:.3f}" for k, v in e.scores.items()))
    ta, tb = e.text_a or a.text, e.text_b or b.text
    words_a = max(1, len(tokenize(ta)))
    shared = sum(p.a_words for p in e.shared_passages)
    lines.append(f"\nshared passages: {len(e.shared_passages)} ({shared} of A's {words_a} words)")
    for p in e.shared_passages[:12]:
        moved = " (moved)" if p.moved else ""
        lines.append(f"  A[{p.a_start}:{p.a_end}] = B[{p.b_start}:{p.b_end}]  {p.words} words, similarity {p.similarity:.2f}{moved}")
        lines.append(f"    “{_snippet(ta, p.a_start, p.a_end)}”")
    for label, spans, text in (("only in A", e.only_a, ta), ("only in B", e.only_b, tb)):
        words = sum(len(text[s:t].split()) for s, t in spans)
        lines.append(f"\n{label}: {len(spans)} passage(s), {words} words")
        for s, t in spans[:5]:
            lines.append(f"  [{s}:{t}] “{_snippet(text, s, t)}”")
    if e.aligned_sentences and e.relation not in ("exact", "contains"):
        lines.append(f"\naligned sentences (in order): {len(e.aligned_sentences)}")
        for pair in e.aligned_sentences[:8]:
            lines.append(f"  A “{_snippet(ta, pair.a_start, pair.a_end)}”")
            lines.append(f"  B “{_snippet(tb, pair.b_start, pair.b_end)}”  ({pair.score:.2f})")
    lines.append(f"\nfact differences: {len(e.fact_differences)}")
    for d in e.fact_differences:
        lines.append(f"  {d.kind}: A says {d.a_value!r}, B says {d.b_value!r}")
        for side, sentence in (("A", d.a_sentence), ("B", d.b_sentence)):
            if sentence:
                lines.append(textwrap.indent(textwrap.fill(sentence, 100), f"    {side}: "))
    prov = e.provenance
    lines.append("\nprovenance: " + (
        f"{prov.direction[0]} -> {prov.direction[1]} (original: {prov.original}, confidence {prov.confidence:.2f})"
        if prov.decided and prov.direction else "undecided"))
    lines.extend(f"  - {item}" for item in prov.evidence)
    return "\n".join(lines)
