"""Facts of a news text and the facts two texts state differently.

``extract_facts(text)`` finds dates, years, numbers (with units), money, percentages, person /
organization / place names and quotations, each with its char span in the ORIGINAL text and a
normalised value that compares across texts ("1.8 million" == "1,800,000", "Vučić" == "Vucic",
"October 11, 2024" == "11 Oct 2024", "seven" == "7").

``fact_differences(a, b)`` reports facts that fill THE SAME SLOT in both texts with different values:
sentences are aligned by their content words (facts excluded), then facts of one kind in aligned
sentences are matched by the words around them. A fact stated identically elsewhere, a fact missing
from the other text, and numbers in unrelated sentences are not differences. A fact whose slot the other
text fills with a vague word ("seven" vs "several") is reported with that word as the other value.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..text.normalize import fold_word
from ..text import lexicon as lx
from ..match.sentence_align import Aligned, align_sentences
from ..text.names import scan_names, scan_quotes
from ..text.quantities import Span, singular, scan_dates, scan_money, scan_numbers, scan_percents, scan_years

from ..text.tokens import sentences as sentence_spans

KINDS = ("date", "year", "number", "money", "percent", "person", "organization", "place", "quote")
#: Kinds that can fill the same slot: a year and a full date compare; person/organization/place are one pool
#: because a name's kind is a guess and a swapped name may be guessed differently.
POOL = {"date": "time", "year": "time", "number": "number", "money": "money", "percent": "percent",
        "person": "name", "organization": "name", "place": "name", "quote": "quote"}
_NUMERIC_POOLS = frozenset({"time", "number", "money", "percent"})

CONTEXT = 4  # words each side of a fact that describe its slot
_WEIGHTS = (1.0, 0.8, 0.6, 0.45)  # nearer words say more about the slot
MIN_CONTEXT = 0.40  # context agreement needed to call two facts the same slot
MIN_CONTEXT_NAME = 0.50  # names need more: swapped word order in paraphrases puts names side by side
MIN_CONTEXT_SINGLE = 0.25  # enough when each sentence has exactly one open fact of the kind
MIN_SENTENCE_SINGLE = 0.45  # ... and the two sentences clearly say the same thing
MIN_QUOTE_OVERLAP = 0.4  # content-word Jaccard of two quotes that are one quote, edited
APPROX = 0.10  # largest relative gap between a hedged round amount and the exact one it rounds
MAX_GAP = 4  # words a vague filler may have in a one-sided slot


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact: kind, text as written, normalised value, char span and the span of its sentence."""

    kind: str
    value: str
    normalized: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    key: tuple[Any, ...] = field(default=(), compare=False, repr=False)  # typed comparable form (see _quantities/_names)
    amount: float | None = None  # numbers, money, percent: the value with its scale applied
    unit: str = ""  # number unit ("km", "drone") or ISO currency code
    hedge: str = ""  # folded hedge before an amount ("about", "more than", "rund"), "" when exact


@dataclass(frozen=True, slots=True)
class FactDifference:
    """A slot filled differently by two texts: values as written, their sentences and spans, the slot."""

    kind: str
    a_value: str
    b_value: str
    a_sentence: str
    b_sentence: str
    a_span: tuple[int, int]
    b_span: tuple[int, int]
    slot: str  # the sentence of ``a`` with the fact blanked: "Kosovo, which declared independence in ___, ..."
    a_normalized: str = ""
    b_normalized: str = ""  # empty when ``b`` fills the slot with a vague word, not a fact
    score: float = 0.0  # how sure the slot match is (context agreement, 0..1)


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------

def extract_facts(text: str) -> list[Fact]:
    """All facts of ``text`` in text order, each with char spans into the original text."""
    return list(_prepare(text).facts) if text else []


def _extract(text: str, sentences: list[tuple[int, int]]) -> list[Fact]:
    """Facts of ``text`` given its sentence spans."""
    if not text:
        return []
    taken = bytearray(len(text))
    spans: list[Span] = [*scan_dates(text, taken), *scan_money(text, taken), *scan_percents(text, taken),
                         *scan_years(text, taken), *scan_numbers(text, taken)]
    spans += scan_names(text, sentences, taken)
    numeric = sorted((sp.start, sp.end, "n") for sp in spans if POOL[sp.kind] in _NUMERIC_POOLS)
    spans += [_quote_with_placeholders(text, sp, numeric) for sp in scan_quotes(text)]
    starts = [s for s, _ in sentences]
    facts = []
    for sp in spans:
        k = bisect.bisect_right(starts, sp.start) - 1
        s_start, s_end = sentences[k] if k >= 0 and sentences[k][1] >= sp.end else (sp.start, sp.end)
        if k >= 0 and sentences[k][1] < sp.end:  # a quote running over sentence ends: its first sentence
            s_start, s_end = sentences[k][0], max(sentences[k][1], sp.end)
        facts.append(Fact(sp.kind, text[sp.start:sp.end], sp.normalized, sp.start, sp.end, s_start, s_end,
                          sp.key, sp.amount, sp.unit, sp.hedge))
    facts.sort(key=lambda f: (f.start, -f.end))
    return facts


def _quote_with_placeholders(text: str, sp: Span, numeric: list[tuple[int, int, str]]) -> Span:
    """Quote keyed with numbers as placeholders: a number changed inside it is reported as a number, once."""
    k = bisect.bisect_left(numeric, (sp.start, -1, ""))
    inner = [(s, e, pool) for s, e, pool in numeric[k:] if s < sp.end and e <= sp.end]
    if not inner:
        return sp
    words: list[str] = []
    j, done = 0, -1
    for m in _WORD_RE.finditer(text, sp.start, sp.end):
        while j < len(inner) and inner[j][1] <= m.start():
            j += 1
        if j < len(inner) and inner[j][0] <= m.start() < inner[j][1]:
            if done != j:  # one placeholder per fact, however many words it has
                words.append("<n>")
                done = j
            continue
        words.append(fold_word(m.group()))
    return Span(sp.kind, sp.start, sp.end, sp.normalized, ("quote", tuple(words)))


# ---------------------------------------------------------------------------------------------
# Same fact / conflicting facts
# ---------------------------------------------------------------------------------------------


def _time_parts(f: Fact) -> tuple[int | None, int | None, int | None, int | None]:
    """(year, month, day, weekday) of a date or year fact; decades have no comparable year."""
    if f.kind == "year":
        _, year, decade = f.key
        return (None if decade else year, None, None, None)
    year, month, day, weekday = f.key
    return (year, month, day, weekday)


def _significant(x: float) -> int:
    """Significant digits of an amount as written: 2e6 -> 1, 1.8e6 -> 2, 35 -> 2, 6.75 -> 3."""
    digits = format(abs(x), ".12g").split("e")[0].replace(".", "").strip("0")
    return max(1, len(digits))


def _rounds_to(rough: float, exact: float) -> bool:
    """Whether ``rough`` is ``exact`` rounded to fewer significant digits ("about 2 million" for 1.8 million)."""
    digits = _significant(rough)
    if digits >= _significant(exact) or abs(rough - exact) > APPROX * max(abs(rough), abs(exact)):
        return False
    return float(format(exact, f".{digits}g")) == rough


def _close(x: float, y: float, approx: bool) -> bool:
    """Whether two amounts are equal, or (when hedged differently) one is the other rounded."""
    if x == y or abs(x - y) <= 1e-9 * max(abs(x), abs(y)):
        return True
    return approx and (_rounds_to(x, y) or _rounds_to(y, x))


_MEASURES = frozenset(lx.UNITS.values())


def _units_agree(fa: Fact, fb: Fact) -> bool:
    """Whether two numbers can measure the same thing: no two different measurement units ("km" vs "h")."""
    return not (fa.unit in _MEASURES and fb.unit in _MEASURES and fa.unit != fb.unit)


def _nouns_agree(fa: Fact, fb: Fact, right_a: list[str], right_b: list[str]) -> bool:
    """Whether counted nouns agree: same, one missing, or among the other's next words ("35 new engineers")."""
    if not fa.unit or not fb.unit or fa.unit == fb.unit or fa.unit in _MEASURES or fb.unit in _MEASURES:
        return True
    near_a = {singular(w) for w in right_a[:3]}
    near_b = {singular(w) for w in right_b[:3]}
    return singular(fa.unit) in near_b | {singular(fb.unit)} or singular(fb.unit) in near_a


def _quote_words(f: Fact) -> set[str]:
    """Content words of a quote."""
    return {w for w in f.key[1] if w not in lx.STOPWORDS}


def same_fact(fa: Fact, fb: Fact) -> bool:
    """Whether two facts state the same thing, however written ("1.8 million" / "1,800,000", "Vučić" / "Vucic")."""
    pool = POOL[fa.kind]
    if pool != POOL[fb.kind]:
        return False
    if pool == "time":
        pa, pb = _time_parts(fa), _time_parts(fb)
        shared = [(x, y) for x, y in zip(pa, pb) if x is not None and y is not None]
        if not shared and fa.kind == fb.kind == "year":
            return fa.key == fb.key
        return bool(shared) and all(x == y for x, y in shared)
    if pool == "number":
        if fa.key[0] != fb.key[0]:
            return False
        return _close(fa.amount or 0.0, fb.amount or 0.0, fa.hedge != fb.hedge)
    if pool == "money":
        return fa.unit == fb.unit and _close(fa.amount or 0.0, fb.amount or 0.0, fa.hedge != fb.hedge)
    if pool == "percent":
        return _close(fa.amount or 0.0, fb.amount or 0.0, fa.hedge != fb.hedge)
    if pool == "name":
        ka, kb = set(fa.key), set(fb.key)
        return bool(ka) and bool(kb) and (ka <= kb or kb <= ka or _plural_same(fa.key, fb.key))
    wa, wb = fa.key[1], fb.key[1]
    return wa == wb or _contains(wa, wb) or _contains(wb, wa)


def _plural_same(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """"Balkan" / "Balkans": one-word names equal up to a plural s."""
    return len(a) == len(b) == 1 and (a[0] + "s" == b[0] or b[0] + "s" == a[0])


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """Whether ``inner`` occurs as a contiguous run of words in ``outer`` (a quote shortened)."""
    n = len(inner)
    return 0 < n <= len(outer) and any(outer[i:i + n] == inner for i in range(len(outer) - n + 1))


def conflicting(fa: Fact, fb: Fact) -> bool:
    """Whether two facts of one pool could fill one slot with different values (no unit/ordinal mismatch)."""
    pool = POOL[fa.kind]
    if pool != POOL[fb.kind] or same_fact(fa, fb):
        return False
    if pool == "time":
        pa, pb = _time_parts(fa), _time_parts(fb)
        return any(x is not None and y is not None and x != y for x, y in zip(pa, pb)) or (
            fa.kind == fb.kind == "year" and fa.key != fb.key)
    if pool == "number":
        return fa.key[0] == fb.key[0] and _units_agree(fa, fb)
    if pool == "money":  # "$3 billion" vs "€3 billion", or two amounts in one currency; not a conversion
        return fa.unit == fb.unit or _close(fa.amount or 0.0, fb.amount or 0.0, False)
    if pool == "quote":
        wa, wb = _quote_words(fa), _quote_words(fb)
        if len(fa.key[1]) <= 4 and len(fb.key[1]) <= 4:
            return True  # short quotes ("golden", "not easy"): the context decides
        return bool(wa | wb) and len(wa & wb) / len(wa | wb) >= MIN_QUOTE_OVERLAP
    return True


# ---------------------------------------------------------------------------------------------
# Per-text analysis: sentences, content words, fact contexts
# ---------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(slots=True)
class _Doc:
    """One text prepared for comparison."""

    text: str
    sentences: list[tuple[int, int]]
    facts: list[Fact]
    by_sentence: list[list[int]]  # fact indexes per sentence
    content: list[frozenset[str]]  # content words per sentence (facts' numbers excluded)
    tokens: list[list[str]]  # context tokens per sentence, numeric facts collapsed to placeholders
    token_spans: list[list[tuple[int, int]]]  # char span of each context token
    where: dict[int, tuple[int, int]]  # fact index -> its token range in its sentence
    sentence_of: dict[int, int]  # fact index -> its sentence index
    by_pool: dict[str, list[int]]
    index: dict[tuple[Any, ...], list[int]] | None = None  # built on first use by _lookup
    amounts: dict[str, list[tuple[float, int]]] | None = None


@lru_cache(maxsize=8)
def _prepare(text: str) -> _Doc:
    """Sentences, facts and per-sentence word features of one text (cached: one text is often compared to many)."""
    sentences = sentence_spans(text)
    facts = _extract(text, sentences)
    starts = [s for s, _ in sentences]
    by_sentence: list[list[int]] = [[] for _ in sentences]
    by_pool: dict[str, list[int]] = defaultdict(list)
    sentence_of: dict[int, int] = {}
    for i, f in enumerate(facts):
        k = bisect.bisect_right(starts, f.start) - 1
        if k >= 0:
            by_sentence[k].append(i)
            sentence_of[i] = k
        by_pool[POOL[f.kind]].append(i)
    content, tokens, token_spans, where = [], [], [], {}
    asides = _conversions(text, facts)
    for k, (s, e) in enumerate(sentences):
        numeric = sorted((facts[i].start, facts[i].end, i) for i in by_sentence[k]
                         if POOL[facts[i].kind] in _NUMERIC_POOLS)
        others = [(facts[i].start, facts[i].end, i) for i in by_sentence[k]
                  if POOL[facts[i].kind] not in _NUMERIC_POOLS]
        toks: list[str] = ["<s>"]
        spans: list[tuple[int, int]] = [(s, s)]
        words: set[str] = set()
        j = 0
        for m in _WORD_RE.finditer(text, s, e):
            ws, we = m.span()
            while j < len(numeric) and numeric[j][1] <= ws:
                j += 1
            word = fold_word(m.group())
            if j < len(numeric) and numeric[j][0] <= ws < numeric[j][1]:
                fs, fe, fi = numeric[j]
                if fi not in where:
                    where[fi] = (len(toks), len(toks) + 1)
                    # "1 billion zlotys ($260 million) in aid": a conversion is no context of its neighbours
                    toks.append("<aside>" if fi in asides else "<" + POOL[facts[fi].kind] + ">")
                    spans.append((fs, fe))
                elif facts[fi].kind == "number" and facts[fi].unit and singular(word) == singular(facts[fi].unit):
                    toks.append(word)  # the counted noun stays a context word: "<number> engineers"
                    spans.append((ws, we))
                continue
            toks.append(word)
            spans.append((ws, we))
            if len(word) > 1 and not word.isdigit() and word not in lx.STOPWORDS:
                words.add(word)
        toks.append("</s>")
        spans.append((e, e))
        starts_k = [ts for ts, _ in spans]
        for fs, fe, fi in others:
            lo = bisect.bisect_left(starts_k, fs, 1)
            hi = lo
            while hi < len(spans) - 1 and spans[hi][1] <= fe:
                hi += 1
            if hi > lo:
                where[fi] = (lo, hi)
        content.append(frozenset(words))
        tokens.append(toks)
        token_spans.append(spans)
    return _Doc(text, sentences, facts, by_sentence, content, tokens, token_spans, where, sentence_of,
                dict(by_pool))


_OPEN_PAREN = re.compile(r"\s*[(\[]\s*$")
_CLOSE_PAREN = re.compile(r"\s*(?:or\s+|about\s+|roughly\s+)?[)\]]")


def _conversions(text: str, facts: list[Fact]) -> set[int]:
    """Indexes of amounts in brackets right after another amount: currency or unit conversions."""
    out: set[int] = set()
    previous: Fact | None = None
    for i, f in enumerate(facts):
        if POOL[f.kind] not in _NUMERIC_POOLS:
            continue
        if (previous is not None and previous.kind == f.kind and f.start - previous.end <= 3
                and _OPEN_PAREN.search(text, previous.end, f.start) and _CLOSE_PAREN.match(text, f.end)):
            out.add(i)
        previous = f
    return out


def _context(doc: _Doc, fi: int) -> tuple[list[str], list[str]]:
    """Words before (nearest first) and after a fact, within its sentence, boundaries included."""
    k = doc.sentence_of[fi]
    lo, hi = doc.where[fi]
    toks = doc.tokens[k]
    left = [t for t in toks[max(0, lo - CONTEXT - 1):lo] if t != "<aside>"][::-1][:CONTEXT]
    right = [t for t in toks[hi:hi + CONTEXT + 1] if t != "<aside>"][:CONTEXT]
    return left, right


def _side(x: list[str], y: list[str]) -> tuple[float, float]:
    """Weighted agreement of two one-sided contexts (a word may sit one place off): (matched, total)."""
    got = total = 0.0
    for i in range(max(len(x), len(y))):
        w = _WEIGHTS[i]
        total += w
        if i < len(x) and x[i] in y[max(0, i - 1):i + 2]:
            got += w / 2
        if i < len(y) and y[i] in x[max(0, i - 1):i + 2]:
            got += w / 2
    return got, total


def context_score(left_a: list[str], right_a: list[str], left_b: list[str], right_b: list[str]) -> float:
    """How well the words around two facts agree, 0..1 (both sides, nearer words weigh more)."""
    gl, tl = _side(left_a, left_b)
    gr, tr = _side(right_a, right_b)
    return (gl + gr) / (tl + tr) if tl + tr else 0.0


# ---------------------------------------------------------------------------------------------
# Differences
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    """Fact ``fa`` of a and fact ``fb`` of b as one slot, with the strength of the evidence."""

    score: float
    fa: int
    fb: int


def fact_differences(a: str, b: str) -> list[FactDifference]:
    """Facts that fill the same slot in ``a`` and ``b`` with different values, in the order of ``a``."""
    if not a.strip() or not b.strip() or a == b:
        return []
    da, db = _prepare(a), _prepare(b)
    pairs = align_sentences(da.content, db.content)
    candidates: list[_Candidate] = []
    for p in pairs:
        candidates.extend(_slot_candidates(da, db, p))
    candidates.sort(key=lambda c: -c.score)
    used_a: set[int] = set()
    used_b: set[int] = set()
    out: list[FactDifference] = []
    seen: set[tuple[str, str, str]] = set()
    for c in candidates:
        if c.fa in used_a or c.fb in used_b:
            continue
        used_a.add(c.fa)
        used_b.add(c.fb)
        diff = _difference(da, db, c.fa, c.fb, c.score)
        ident = (POOL[diff.kind], diff.a_normalized, diff.b_normalized)
        if ident not in seen:
            seen.add(ident)
            out.append(diff)
    for diff in _one_sided(da, db, pairs, used_a, used_b):
        ident = (POOL[diff.kind], diff.a_normalized, diff.b_normalized)
        if ident not in seen:
            seen.add(ident)
            out.append(diff)
    out.sort(key=lambda d: (d.a_span, d.b_span))
    return out


def _present(doc: _Doc, f: Fact, within: list[int] | None = None) -> bool:
    """Whether ``doc`` states fact ``f`` (anywhere, or in the given fact indexes)."""
    pool = POOL[f.kind]
    indexes = within if within is not None else _lookup(doc, f)
    return any(same_fact(f, doc.facts[i]) for i in indexes if POOL[doc.facts[i].kind] == pool)


def _index_keys(f: Fact) -> list[tuple[Any, ...]]:
    """Keys under which a fact is indexed: every same fact shares at least one (amounts are looked up apart)."""
    pool = POOL[f.kind]
    if pool == "time":
        return [(pool, n, v) for n, v in enumerate(_time_parts(f)) if v is not None] or [(pool, "key", f.key)]
    if pool == "name":
        return [(pool, w) for w in f.key]
    return [(pool,)]


def _lookup(doc: _Doc, f: Fact) -> list[int]:
    """Indexes of the facts of ``doc`` that could be the same as ``f`` (a superset, from a lazily built index)."""
    if doc.index is None:
        index: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        amounts: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for i, g in enumerate(doc.facts):
            if POOL[g.kind] in ("number", "money", "percent"):
                amounts[POOL[g.kind]].append((g.amount or 0.0, i))
            else:
                for key in _index_keys(g):
                    index[key].append(i)
        for values in amounts.values():
            values.sort()
        doc.index, doc.amounts = dict(index), dict(amounts)
    pool = POOL[f.kind]
    if pool in ("number", "money", "percent"):
        values = (doc.amounts or {}).get(pool, [])
        x = f.amount or 0.0
        lo, hi = sorted((x * (1 - APPROX), x / (1 - APPROX)))  # every y with |x - y| <= APPROX * max(x, y)
        first, last = bisect.bisect_left(values, (lo, -1)), bisect.bisect_right(values, (hi, len(doc.facts)))
        return [i for _, i in values[first:last]]
    if pool == "quote":
        return doc.by_pool.get(pool, [])
    keys = _index_keys(f)
    if pool == "name" and len(f.key) == 1:
        word = f.key[0]
        keys += [(pool, word + "s"), (pool, word[:-1])] if word.endswith("s") else [(pool, word + "s")]
    found: set[int] = set()
    for key in keys:
        found.update(doc.index.get(key, ()))
    return sorted(found)


def _slot_candidates(da: _Doc, db: _Doc, p: Aligned) -> list[_Candidate]:
    """Pairs of conflicting facts of one pool in two aligned sentences whose contexts say they fill one slot."""
    fa_open = [i for i in da.by_sentence[p.a] if not _present(db, da.facts[i], db.by_sentence[p.b]) and i in da.where]
    fb_open = [i for i in db.by_sentence[p.b] if not _present(da, db.facts[i], da.by_sentence[p.a]) and i in db.where]
    out: list[_Candidate] = []
    for pool in {POOL[da.facts[i].kind] for i in fa_open}:
        xs = [i for i in fa_open if POOL[da.facts[i].kind] == pool]
        ys = [j for j in fb_open if POOL[db.facts[j].kind] == pool]
        single = len(xs) == 1 and len(ys) == 1 and p.score >= MIN_SENTENCE_SINGLE
        for i in xs:
            fa = da.facts[i]
            left_a, right_a = _context(da, i)
            for j in ys:
                fb = db.facts[j]
                if not conflicting(fa, fb):
                    continue
                if _present(db, fa) and _present(da, fb):
                    continue  # both values stated in both texts: reordered, not changed
                left_b, right_b = _context(db, j)
                if pool == "number" and not _nouns_agree(fa, fb, right_a, right_b):
                    continue
                score = context_score(left_a, right_a, left_b, right_b)
                need = MIN_CONTEXT_NAME if pool == "name" else MIN_CONTEXT
                if single and pool != "name":
                    need = min(need, MIN_CONTEXT_SINGLE)
                if pool == "quote" and len(fa.key[1]) > 4 and len(fb.key[1]) > 4:
                    need = 0.0  # long quotes that share most words are one quote edited, wherever they sit
                if score >= need:
                    out.append(_Candidate(score + 0.1 * p.score, i, j))
    return out


def _sentence_text(doc: _Doc, f: Fact) -> str:
    """The sentence holding a fact, as written."""
    return doc.text[f.sentence_start:f.sentence_end]


def _slot(doc: _Doc, start: int, end: int, s_start: int, s_end: int) -> str:
    """The sentence with the fact blanked out, trimmed to about 80 characters each side."""
    left = doc.text[max(s_start, start - 80):start]
    right = doc.text[end:min(s_end, end + 80)]
    return (left + "___" + right).strip()


def _reported_kind(fa: Fact, fb: Fact | None) -> str:
    """Kind shown for a difference: "year" when both are years, a person if either side is one."""
    if fb is None or fa.kind == fb.kind:
        return fa.kind
    if POOL[fa.kind] == "time":
        return "date"
    if "person" in (fa.kind, fb.kind):
        return "person"
    return fa.kind


def _difference(da: _Doc, db: _Doc, i: int, j: int, score: float) -> FactDifference:
    """A FactDifference for fact ``i`` of ``a`` and fact ``j`` of ``b``."""
    fa, fb = da.facts[i], db.facts[j]
    return FactDifference(_reported_kind(fa, fb), fa.value, fb.value, _sentence_text(da, fa), _sentence_text(db, fb),
                          (fa.start, fa.end), (fb.start, fb.end),
                          _slot(da, fa.start, fa.end, fa.sentence_start, fa.sentence_end),
                          fa.normalized, fb.normalized, round(min(score, 1.0), 3))


def _one_sided(da: _Doc, db: _Doc, pairs: list[Aligned], used_a: set[int], used_b: set[int]) -> list[FactDifference]:
    """Facts whose exact slot (same words right before and after) the other text fills with a vague word."""
    out: list[FactDifference] = []
    for p in pairs:
        for doc, other, k, ok, used, flip in ((da, db, p.a, p.b, used_a, False), (db, da, p.b, p.a, used_b, True)):
            for i in doc.by_sentence[k]:
                f = doc.facts[i]
                if i in used or POOL[f.kind] not in _NUMERIC_POOLS or i not in doc.where:
                    continue
                if _present(other, f, other.by_sentence[ok]):
                    continue
                gap = _gap(doc, other, k, ok, i)
                if gap is not None:
                    out.append(_gap_difference(doc, other, ok, f, gap, flip))
    return out


def _gap_difference(doc: _Doc, other: _Doc, ok: int, f: Fact, gap: tuple[int, int], flip: bool) -> FactDifference:
    """A FactDifference between fact ``f`` and the vague words at ``gap`` in the other text (sides kept a/b)."""
    gs, ge = gap
    s_start, s_end = other.sentences[ok]
    fact_side = (f.value, _sentence_text(doc, f), (f.start, f.end),
                 _slot(doc, f.start, f.end, f.sentence_start, f.sentence_end), f.normalized)
    gap_side = (other.text[gs:ge], other.text[s_start:s_end], (gs, ge), _slot(other, gs, ge, s_start, s_end), "")
    a_side, b_side = (gap_side, fact_side) if flip else (fact_side, gap_side)
    return FactDifference(f.kind, a_side[0], b_side[0], a_side[1], b_side[1], a_side[2], b_side[2], a_side[3],
                          a_side[4], b_side[4], 0.5)


def _gap(doc: _Doc, other: _Doc, k: int, ok: int, fi: int) -> tuple[int, int] | None:
    """Span of 1..MAX_GAP words with a vague quantity between the fact's 2+2 neighbours in sentence ``ok``."""
    lo, hi = doc.where[fi]
    toks = doc.tokens[k]
    left, right = toks[max(0, lo - 2):lo], toks[hi:hi + 2]
    if len(left) < 2 or any(t.startswith("<") and t not in ("<s>", "</s>") for t in left + right):
        return None
    otoks = other.tokens[ok]
    for s in range(len(otoks) - len(left) + 1):
        if otoks[s:s + len(left)] != left:
            continue
        g0 = s + len(left)
        for g1 in range(g0 + 1, min(len(otoks), g0 + MAX_GAP + 1)):
            if otoks[g1:g1 + len(right)] == right:
                gap = otoks[g0:g1]
                if any(t.startswith("<") for t in gap) or not any(t in lx.VAGUE_QUANTITIES for t in gap):
                    break
                spans = other.token_spans[ok]
                return spans[g0][0], spans[g1 - 1][1]
    return None
