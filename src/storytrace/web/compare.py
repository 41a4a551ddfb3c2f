"""Comparing two documents for the compare page: shared passages aligned row by row, unique parts,
fact differences and provenance (from ``storytrace.explain.explain``).

The texts are painted server-side into escaped HTML segments, so no document character ever reaches the
page unescaped; results are cached by (ids, content hashes), since aligning long texts is the costly part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from ..explain import explain
from ..records import Article
from ..store.queries import display_title

SHARED, MOVED, ONLY, FACT, REWORDED = "sh", "mv", "on", "fd", "rw"
FOLD_CHARS = 1200  # a one-sided stretch longer than this (page chrome around a copy) starts folded
_LINE_BREAKS = re.compile(r"\n+")


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlighted span ``[start, end)`` of one text: a passage (numbered), a unique part or a fact."""

    start: int
    end: int
    kind: str
    number: int = 0  # passage or fact number (1-based), 0 for unique parts


@dataclass(slots=True)
class Row:
    """One row of the side-by-side view: a shared passage (both sides aligned) or the text between two."""

    kind: str  # "shared" or "gap"
    a_html: Markup
    b_html: Markup
    passage: int = 0
    label: str = ""
    fold_a: int = 0  # characters of a long stretch only a has (next to nothing in b): shown folded
    fold_b: int = 0


@dataclass(slots=True)
class Comparison:
    """Everything the compare page and ``/api/compare`` show."""

    data: dict[str, Any]
    rows: list[Row] = field(default_factory=list)


def compare(a: Article, b: Article, stored_relation: dict[str, Any] | None) -> Comparison:
    """Compare two documents: the explain result, painted for the page."""
    explanation = explain(a, b)
    data: dict[str, Any] = explanation.to_dict()
    text_a = explanation.text_a or span_text(a, data, "a")
    text_b = explanation.text_b or span_text(b, data, "b")
    data["shared_passages"] = sorted(data.get("shared_passages") or [], key=lambda p: (p["a_start"], p["b_start"]))
    for number, passage in enumerate(data["shared_passages"], 1):
        passage["number"] = number
    data["stored_relation"] = stored_relation
    data["alignment"] = coverage(text_a, text_b, data["shared_passages"])
    data["documents"] = {"a": side(a, text_a), "b": side(b, text_b)}
    return Comparison(data, build_rows(text_a, text_b, data))


def span_text(article: Article, data: dict[str, Any], key: str) -> str:
    """The text one side's spans index: the extracted article, or the original page ("original")."""
    if (data.get("spans_index") or {}).get(key) == "original":
        return article.raw.decode("utf-8", errors="replace")
    return article.text


def side(article: Article, text: str) -> dict[str, Any]:
    """The metadata of one compared document (``chars``: length of the text its spans index)."""
    return {
        "id": article.id, "title": article.title, "display_title": display_title(article.title, article.text[:400]), "date": article.date, "url": article.url,
        "source": article.source, "language": article.language, "chars": len(text),
    }


def coverage(a_text: str, b_text: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
    """How much of each text the shared passages cover (share of characters) and how many words they align."""
    a_chars = sum(p["a_end"] - p["a_start"] for p in passages)
    b_chars = sum(p["b_end"] - p["b_start"] for p in passages)
    return {
        "passages": len(passages),
        "shared_words": sum(int(p.get("words", 0)) for p in passages),
        "a_coverage": round(a_chars / len(a_text), 4) if a_text else 0.0,
        "b_coverage": round(b_chars / len(b_text), 4) if b_text else 0.0,
    }


def build_rows(a_text: str, b_text: str, data: dict[str, Any]) -> list[Row]:
    """Side-by-side rows: each main-order shared passage (or reworded sentence pair) on one row, the text
    between them on gap rows."""
    passages = data["shared_passages"]
    main = _main_chain(passages)
    anchors = _with_sentences(main, data.get("aligned_sentences") or [])
    a_marks, b_marks = _marks(passages, main, data)
    rows: list[Row] = []
    a_pos = b_pos = 0
    for p in anchors:
        _gap_row(rows, a_text, b_text, (a_pos, p["a_start"]), (b_pos, p["b_start"]), a_marks, b_marks)
        if "number" in p:
            label = f"{p.get('words', 0)} words · {round(100 * float(p.get('similarity', 1.0)))}% identical"
            for n, (a0, a1, b0, b1) in enumerate(_paragraphs(a_text, b_text, p)):
                rows.append(
                    Row("shared", paint(a_text, a0, a1, a_marks, "a"), paint(b_text, b0, b1, b_marks, "b"),
                        p["number"] if n == 0 else 0, label)
                )
        else:
            rows.append(
                Row("sentence", paint(a_text, p["a_start"], p["a_end"], a_marks, "a"),
                    paint(b_text, p["b_start"], p["b_end"], b_marks, "b"), 0, f"reworded · {float(p.get('score', 0)):.2f}")
            )
        a_pos, b_pos = p["a_end"], p["b_end"]
    _gap_row(rows, a_text, b_text, (a_pos, len(a_text)), (b_pos, len(b_text)), a_marks, b_marks)
    return rows


def _with_sentences(main: list[dict[str, Any]], sentences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Row anchors: the main passages plus aligned (reworded) sentence pairs outside them, in order in both texts."""
    def overlaps(s: dict[str, Any]) -> bool:
        return any(s["a_start"] < p["a_end"] and p["a_start"] < s["a_end"] or
                   s["b_start"] < p["b_end"] and p["b_start"] < s["b_end"] for p in main)

    candidates = sorted([*main, *(s for s in sentences if not overlaps(s))], key=lambda p: (p["a_start"], p["b_start"]))
    chain: list[dict[str, Any]] = []
    for p in candidates:
        if chain and (p["b_start"] < chain[-1]["b_end"] or p["a_start"] < chain[-1]["a_end"]):
            if "number" in p and "number" not in chain[-1]:
                chain[-1] = p  # a passage wins over a sentence pair it conflicts with
            continue
        chain.append(p)
    return chain


def _paragraphs(a_text: str, b_text: str, p: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    """A verbatim passage cut at its line breaks (rows align paragraph by paragraph); others stay whole."""
    a0, a1, b0, b1 = p["a_start"], p["a_end"], p["b_start"], p["b_end"]
    piece = a_text[a0:a1]
    if piece != b_text[b0:b1]:
        return [(a0, a1, b0, b1)]
    cuts = [m.end() for m in _LINE_BREAKS.finditer(piece)]
    bounds = list(zip([0, *cuts], [*cuts, len(piece)]))
    return [(a0 + x, a0 + y, b0 + x, b0 + y) for x, y in bounds if x < y]


def _main_chain(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Passages in the main order (not moved), kept only while increasing in both texts."""
    chain: list[dict[str, Any]] = []
    for p in passages:
        if p.get("moved"):
            continue
        if chain and (p["b_start"] < chain[-1]["b_end"] or p["a_start"] < chain[-1]["a_end"]):
            continue
        chain.append(p)
    return chain


def _marks(passages: list[dict[str, Any]], main: list[dict[str, Any]], data: dict[str, Any]) -> tuple[list[Mark], list[Mark]]:
    """Highlight spans of each side: passages (main or moved), unique parts and fact differences."""
    in_main = {p["number"] for p in main}
    a_marks: list[Mark] = []
    b_marks: list[Mark] = []
    for p in passages:
        kind = SHARED if p["number"] in in_main else MOVED
        a_marks.append(Mark(p["a_start"], p["a_end"], kind, p["number"]))
        b_marks.append(Mark(p["b_start"], p["b_end"], kind, p["number"]))
    for pair in data.get("aligned_sentences") or []:
        a_marks.append(Mark(pair["a_start"], pair["a_end"], REWORDED))
        b_marks.append(Mark(pair["b_start"], pair["b_end"], REWORDED))
    a_marks += [Mark(s, e, ONLY) for s, e in data.get("only_a") or []]
    b_marks += [Mark(s, e, ONLY) for s, e in data.get("only_b") or []]
    for number, fact in enumerate(data.get("fact_differences") or [], 1):
        if fact.get("a_span"):
            a_marks.append(Mark(int(fact["a_span"][0]), int(fact["a_span"][1]), FACT, number))
        if fact.get("b_span"):
            b_marks.append(Mark(int(fact["b_span"][0]), int(fact["b_span"][1]), FACT, number))
    return a_marks, b_marks


def _gap_row(
    rows: list[Row], a_text: str, b_text: str, a_span: tuple[int, int], b_span: tuple[int, int],
    a_marks: list[Mark], b_marks: list[Mark],
) -> None:
    """Append a gap row when either side has text between two aligned passages."""
    a_chars, b_chars = len(a_text[a_span[0] : a_span[1]].strip()), len(b_text[b_span[0] : b_span[1]].strip())
    if not a_chars and not b_chars:
        return
    row = Row("gap", paint(a_text, *a_span, a_marks, "a"), paint(b_text, *b_span, b_marks, "b"))
    if a_chars > FOLD_CHARS and b_chars < FOLD_CHARS // 10:
        row.fold_a = a_chars
    if b_chars > FOLD_CHARS and a_chars < FOLD_CHARS // 10:
        row.fold_b = b_chars
    rows.append(row)


def paint(text: str, lo: int, hi: int, marks: list[Mark], side: str) -> Markup:
    """Escaped HTML of ``text[lo:hi]`` with one <span> per stretch of equal highlighting (``side``: "a" or "b")."""
    lo, hi = max(0, lo), min(len(text), hi)
    relevant = [m for m in marks if m.start < hi and m.end > lo and m.end > m.start]
    cuts = sorted({lo, hi, *(max(lo, m.start) for m in relevant), *(min(hi, m.end) for m in relevant)})
    parts: list[str] = []
    for x, y in zip(cuts, cuts[1:]):
        active = [m for m in relevant if m.start <= x and m.end >= y]
        chunk = escape(text[x:y])
        if not active:
            parts.append(str(chunk))
            continue
        parts.append(_open_span(active, x, side) + str(chunk) + "</span>")
    return Markup("".join(parts))


def _open_span(active: list[Mark], at: int, side: str) -> str:
    """The opening tag for a stretch under ``active`` marks (a fact gets an anchor id at its first stretch)."""
    kinds = sorted({m.kind for m in active})
    attrs = [f'class="{" ".join(kinds)}"']
    passage = next((m.number for m in active if m.kind in (SHARED, MOVED)), 0)
    if passage:
        attrs.append(f'data-p="{passage}"')
    fact = next((m for m in active if m.kind == FACT), None)
    if fact is not None:
        attrs.append(f'data-f="{fact.number}"')
        if fact.start == at:
            attrs.append(f'id="f{fact.number}-{side}"')
    return "<span " + " ".join(attrs) + ">"
