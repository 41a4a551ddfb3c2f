"""Story-level similarity of two articles: are they about the same story, and how is one made from the other?

``story_similarity(a, b) -> float in [0, 1]`` combines pair features with an additive model (one
piecewise-linear function per feature, ``storytrace/data/combiner.json``) fitted on the train split of
the SemEval-2022 task 8 pairs (``scripts/build_story_model``):

* dense (static USE embedding, ``fingerprint.semantic``): cosine of the full texts, titles and leads;
  sentence alignment (mean best-match cosine, share of sentences with a close match);
* lexical, diacritics folded (Vučić == Vucic): containment of char 5-grams, word and title-word Jaccard,
  overlap of capitalised tokens (a name proxy for every cased script); numbers, money, percentages and years
  from the quantity scanners of ``explain.facts`` (typed values, so "1.8 million" == "1,800,000"), a year
  conflict flag.

``compare(a, b)`` gives the relation: the duplicate level first (``match.relate``: exact, near_duplicate,
contains), then ``rewrite`` (same story and the sentences align one to one in meaning and order),
``same_story``, ``related`` (similar, or same story told about a clearly different time) or ``unrelated``.

Fallbacks (documented, never an exception): an empty or unreadable text gets a zero vector and scores 0;
a title-only text is its own title, lead and single sentence; a language or script the embedding does not
cover still tokenises into pieces (weak vectors) while the lexical features carry the score; mixed-language
and mojibake text go through ``text.clean`` (ftfy) like any document.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Article
from ..text.dates import day_number, parse_date
from ..text.normalize import fold_word
from ..text.tokens import sentences as sentence_spans
from ..text.tokens import tokenize
from . import _combiner, _story_kernels

DATA = Path(__file__).resolve().parent.parent / "data"
COMBINER = DATA / "combiner.json"

MAX_SENTENCES = 40  # sentence vectors kept per document (the lead of a long text is what matters)
MIN_SENTENCE_CHARS = 20
LEAD_CHARS = 400
TITLE_MAX_CHARS = 200
CONTAINS_MIN = 0.8  # char 5-gram containment of the smaller text: the other text holds it
PARA_COS = 0.70  # sentence cosine that counts as "says the same thing" (or a lexical sentence alignment)
REWRITE_COVERAGE = 0.35  # share of the shorter text's sentences in the in-order one-to-one chain (set on the seeds)
HEADLINE_CHARS = 160  # a text shorter than this is a headline (or a teaser), not an article
SHORT_CHARS = 320  # ... and so is a text of one or two sentences shorter than this
TITLE_THRESHOLD = 0.20  # title-vector cosine from which two short texts are one story (News train stories)
TITLE_LEXICAL_WEIGHT = 0.7  # share of the hashed words in a title vector
MAX_GAP_DAYS = 30  # publication dates further apart than this are different events of one thread

_HAS_WORD = re.compile(r"[^\W_]")
_CJK_STOP = re.compile(r"(?<=[。！？؟])")
# a bare year told as past background: "in 2024, they announced", "since 2017", "after 2014"
_RETRO_YEAR = re.compile(
    r"(?<![\w-])(?:in|since|after|following|during|from|im|seit|nach|en|depuis|desde|nel|dal|w|od)\s+"
    r"(?:the\s+year\s+|dem\s+jahr\s+|l'annee\s+|el\s+ano\s+)?(1[89]\d\d|20\d\d)(?![\d]|s\b)", re.IGNORECASE)
# capitalised word (Latin/Greek/Cyrillic) not at a sentence start, or an acronym: a multi-script name proxy
_CAP = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-ZÀ-ÞĀ-ſΑ-ΩА-ЯЁ]\w+)", re.UNICODE)


# ---------------------------------------------------------------------------------------------
# Per-document view
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class StoryView:
    """Everything the pair features need about one document, computed once."""

    id: str
    text: str
    title: str
    date: str | None
    vec: np.ndarray  # (512,) unit vector of the text (float16 values held as float32)
    title_vec: np.ndarray
    lead_vec: np.ndarray
    sentences: list[str]  # the sentences behind sent_vecs
    sent_vecs: np.ndarray  # (k, 512), k <= MAX_SENTENCES
    grams: np.ndarray  # sorted unique uint64 hashes of folded char 5-grams
    words: np.ndarray  # sorted unique uint64 ids of folded words (>= 4 letters)
    title_words: np.ndarray
    caps: frozenset[str]  # capitalised-token proxy (7-char folded prefixes), any script with case
    numbers: frozenset[tuple[Any, ...]]  # typed keys of numbers, money and percentages
    years: frozenset[int]
    event: tuple[int, int] | None  # event time as months since year 0 [lo, hi] (hi may be a large number)
    event_source: str = ""  # "published", "text" or ""
    quantity_count: int = 0  # distinct numbers, years and names: how complete the text is
    _sent_words: list[frozenset[str]] | None = None

    @property
    def sent_words(self) -> list[frozenset[str]]:
        """Folded content words of each sentence (for the lexical sentence alignment), computed on first use."""
        if self._sent_words is None:
            from .sentence_align import content_words

            self._sent_words = [content_words(s, [(0, len(s))])[0] for s in self.sentences]
        return self._sent_words


def as_article(x: Article | str, doc_id: str = "text") -> Article:
    """An Article as is; a string cleaned like any input (``text.clean.article_from_text``), whole when cleaning
    finds no article in it."""
    if isinstance(x, Article):
        return x
    from ..text.clean import article_from_text

    return article_from_text(x if isinstance(x, str) else str(x), doc_id, whole_text_fallback=True)


def split_title(text: str) -> str:
    """A title for a text without one: its first line, else the text before a double space, else the first sentence."""
    t = text.strip()
    for sep in ("\n", "  ", " | "):
        i = t.find(sep)
        if 0 < i <= TITLE_MAX_CHARS:
            return t[:i].strip()
    m = re.search(r"[.!?。！？]\s", t[:TITLE_MAX_CHARS])
    return t[: m.end()].strip() if m else t[:120]


def view_title(text: str, title: str | None) -> str:
    """The title a story view uses: the article's title, else ``split_title`` of its text."""
    return (title or split_title(text)).strip() or text[:120]


def is_short(text: str) -> bool:
    """Whether a text is a headline or a teaser rather than an article: under ``HEADLINE_CHARS`` characters, or
    under ``SHORT_CHARS`` with at most two sentences (after trimming). Short units are clustered on their title
    vector (``cluster.stories``), per document."""
    t = text.strip()
    if len(t) < HEADLINE_CHARS:
        return True
    return len(t) < SHORT_CHARS and len(sentence_spans(t)) <= 2


def sentences(text: str) -> list[str]:
    """Sentences of at least ``MIN_SENTENCE_CHARS`` (CJK/Arabic stops split too), at most ``MAX_SENTENCES``."""
    out: list[str] = []
    for s, e in sentence_spans(text):
        for piece in _CJK_STOP.split(text[s:e]) if not text[s:e].isascii() else (text[s:e],):
            piece = piece.strip()
            if len(piece) >= MIN_SENTENCE_CHARS:
                out.append(piece)
                if len(out) >= MAX_SENTENCES:
                    return out
    return out or ([text.strip()] if text.strip() else [])


def char_grams(norm: str, n: int = 5) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character n-grams of a normalised text (numpy, no Python per gram)."""
    if len(norm) < n:
        norm = norm + " " * (n - len(norm))
    cp = np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    h = np.zeros(len(cp) - n + 1, dtype=np.uint64)
    mult = np.uint64(1099511628211)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * mult + cp[k:len(cp) - n + 1 + k]
    return np.unique(h)


def _word_ids(text: str) -> np.ndarray:
    return view_words(tokenize(text))


def view_words(tok: Any) -> np.ndarray:
    """A view's word ids (``words``, ``title_words``) from the text's tokens (``text.tokens.tokenize``): the
    sorted unique ids of its words of at least 4 characters."""
    keep = (tok.ends - tok.starts) >= 4
    return np.unique(tok.ids[keep])


def _caps(text: str) -> frozenset[str]:
    out = set()
    for m in _CAP.finditer(text):
        w = fold_word(m.group(1))
        if len(w) >= 3:
            out.add(w[:7])
    return frozenset(out)


def _month_of(date: str | None) -> int | None:
    parsed = parse_date(date)
    return parsed.year * 12 + parsed.month - 1 if parsed else None


FAR_FUTURE = 10_000 * 12


def event_time(text: str, date: str | None, facts: Sequence[Any], lead_chars: int = 600) -> tuple[tuple[int, int] | None, str]:
    """When the event a text reports happened, as a month interval, and where that came from.

    The publication date wins. Without one, the text: a date with month and year in its lead that is not
    told as background ("On Friday, October 2024, ...") pins the month; a bare year told as past
    background ("in 2024, they announced", "since 2017") puts the event after that year, because news
    writes the current year as "this year". A heuristic for undated input, documented in docs/bench_story.md.
    """
    published = _month_of(date)
    if published is not None:
        return (published, published), "published"
    anchor = None
    for f in facts:
        if f.kind != "date" or f.start >= lead_chars:
            continue
        year, month = f.key[0], f.key[1]
        if year is None or month is None:
            continue
        before = text[max(0, f.start - 12):f.start].lower()
        if re.search(r"(?:\bin|since|after|until|by|from)\s+(?:early\s+|late\s+|mid-?)?$", before):
            continue
        anchor = year * 12 + month - 1
        break
    retro = [int(y) for y in _RETRO_YEAR.findall(text)]
    lo = (max(retro) + 1) * 12 if retro else None
    if anchor is not None:
        return (anchor, anchor), "text"
    if lo is not None:
        return (lo, FAR_FUTURE), "text"
    return None, ""


def quantities(text: str, date_chars: int = 600) -> list[Any]:
    """Dates (in the lead only: they pin the event time), money, percentages, years and numbers of ``text``,
    with the scanners of ``explain.facts`` in its priority order (without its costlier name and quote passes).
    A year inside a date after the lead is still found as a year."""
    from ..text.quantities import scan_dates, scan_money, scan_numbers, scan_percents, scan_years

    taken = bytearray(len(text))
    lead = text[:date_chars]
    dates = list(scan_dates(lead, taken))
    return [*dates, *scan_money(text, taken), *scan_percents(text, taken), *scan_years(text, taken),
            *scan_numbers(text, taken)]


def _facts_of(text: str) -> tuple[frozenset[tuple[Any, ...]], frozenset[int], list[Any]]:
    numbers: set[tuple[Any, ...]] = set()
    years: set[int] = set()
    spans = quantities(text)
    for f in spans:
        if f.kind in ("number", "money", "percent"):
            if f.amount is not None and not (f.kind == "number" and abs(f.amount) < 10):
                numbers.add((f.kind, round(float(f.amount), 6), f.unit if f.kind == "money" else ""))
        elif f.kind == "year" and not f.key[2]:
            years.add(int(f.key[1]))
        elif f.kind == "date" and f.key[0] is not None:
            years.add(int(f.key[0]))
    return frozenset(numbers), frozenset(years), spans


def build_views(docs: Sequence[Article | str], text_vecs: Sequence[np.ndarray] | None = None,
                lexical: Sequence[tuple[np.ndarray, np.ndarray, frozenset[str]] | None] | None = None) -> list[StoryView]:
    """Views of many documents with ONE embedding call (batching is what makes it fast). ``text_vecs``: the
    texts' own embeddings when already at hand (``fingerprint.semantic.embed`` of ``a.text``, one row each),
    so the full texts are not embedded twice (a text's vector is the same in any batch). ``lexical``: per
    document (or None) its ``(words, title_words, caps)`` when already computed from its tokens
    (``view_words`` of the text and of ``view_title``, ``_caps`` of the text), so the text is not tokenised
    twice (``cluster.stories.unit_infos``)."""
    from ..fingerprint.semantic import model

    articles = [as_article(d, f"text{i}") for i, d in enumerate(docs)]
    own = 0 if text_vecs is not None else 1  # segments embedded here per text: the text itself unless given
    segments: list[str] = []
    counts: list[int] = []
    titles: list[str] = []
    sentence_lists: list[list[str]] = []
    for a in articles:
        text = a.text
        title = view_title(text, a.title)
        sents = sentences(text)
        titles.append(title)
        sentence_lists.append(sents)
        segments += [text, title, text[:LEAD_CHARS], *sents][1 - own:]
        counts.append(2 + own + len(sents))
    # rounded through float16 (the stored form), kept as float32 for fast dot products
    vecs = model().encode(segments).astype(np.float16).astype(np.float32) if segments else np.zeros((0, 512), np.float32)
    out = []
    pos = 0
    for i, (a, title, sents, n) in enumerate(zip(articles, titles, sentence_lists, counts)):
        v = vecs[pos:pos + n]
        pos += n
        if not own:
            v = np.vstack([np.asarray(text_vecs[i], dtype=np.float16).astype(np.float32)[None], v])  # type: ignore[index]  # text_vecs is given whenever this branch runs
        k = len(v)
        numbers, years, facts = _facts_of(a.text)
        event, source = event_time(a.text, a.date, facts)
        known = lexical[i] if lexical is not None else None
        words, title_words, caps = known if known is not None else (_word_ids(a.text), _word_ids(title), _caps(a.text))
        out.append(StoryView(
            id=a.id, text=a.text, title=title, date=a.date, vec=v[0], title_vec=v[1], lead_vec=v[2],
            sentences=sents if k > 3 else [a.text], sent_vecs=v[3:] if k > 3 else v[:1], grams=char_grams(a.norm), words=words,
            title_words=title_words, caps=caps, numbers=numbers, years=years,
            event=event, event_source=source, quantity_count=len(numbers) + len(years) + len(caps),
        ))
    return out


def view(doc: Article | str | StoryView) -> StoryView:
    """The view of one document (a view passes through)."""
    return doc if isinstance(doc, StoryView) else build_views([doc])[0]


# ---------------------------------------------------------------------------------------------
# Pair features and the combiner
# ---------------------------------------------------------------------------------------------


def _common(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted unique arrays (binary search of the smaller in the larger)."""
    if a.dtype == b.dtype == np.uint64:  # grams and word ids: a compiled merge (speed only, same count)
        return int(_story_kernels.common_sorted(a, b))
    if len(a) > len(b):
        a, b = b, a
    idx = np.searchsorted(b, a)
    idx[idx == len(b)] = 0
    return int(np.count_nonzero(b[idx] == a))


def _jaccard(a: frozenset[Any] | np.ndarray, b: frozenset[Any] | np.ndarray) -> float:
    if isinstance(a, np.ndarray):
        if not len(a) or not len(b):
            return 0.0
        inter = _common(a, b)  # type: ignore[arg-type]  # b is an array when a is: both are the same view field
        return inter / (len(a) + len(b) - inter)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _overlap(a: frozenset[Any] | np.ndarray, b: frozenset[Any] | np.ndarray) -> float:
    if isinstance(a, np.ndarray):
        if not len(a) or not len(b):
            return 0.0
        return _common(a, b) / min(len(a), len(b))  # type: ignore[arg-type]  # b is an array when a is: both are the same view field
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


def sentence_similarity(a: StoryView, b: StoryView) -> np.ndarray:
    """Cosine of every sentence of a with every sentence of b."""
    sim: np.ndarray = a.sent_vecs @ b.sent_vecs.T
    return sim


def ordered_chain(sim: np.ndarray, threshold: float = PARA_COS) -> list[tuple[int, int]]:
    """The heaviest one-to-one chain of sentence pairs with cosine >= threshold, in order in both texts."""
    ii, jj = np.nonzero(sim >= threshold)
    if not len(ii):
        return []
    order = np.lexsort((-jj, ii))  # by sentence of a, then b descending: a chain takes one pair per a
    ii, jj = ii[order].tolist(), jj[order].tolist()
    w = sim[ii, jj].tolist()
    best = w[:]
    prev = [-1] * len(ii)
    for k in range(len(ii)):  # O(k^2) over the few candidate pairs
        for m in range(k):
            if ii[m] < ii[k] and jj[m] < jj[k] and best[m] + w[k] > best[k]:
                best[k], prev[k] = best[m] + w[k], m
    k = max(range(len(ii)), key=best.__getitem__)
    out = []
    while k >= 0:
        out.append((ii[k], jj[k]))
        k = prev[k]
    return out[::-1]


def pair_features(a: StoryView, b: StoryView) -> dict[str, float]:
    """All pair features, each in [0, 1]."""
    sim = sentence_similarity(a, b)
    ab, ba = sim.max(1), sim.max(0)
    ya, yb = a.years, b.years
    f = {
        "cos": _cos(a.vec, b.vec),
        "cos_title": _cos(a.title_vec, b.title_vec),
        "cos_lead": _cos(a.lead_vec, b.lead_vec),
        "align_mean": max(float(ab.sum()) / len(ab), float(ba.sum()) / len(ba)),
        "align_frac": max(np.count_nonzero(ab >= 0.8) / len(ab), np.count_nonzero(ba >= 0.8) / len(ba)),
        "char5_ovl": _overlap(a.grams, b.grams),
        "word_jac": _jaccard(a.words, b.words),
        "title_word_jac": _jaccard(a.title_words, b.title_words),
        "ent_jac": _jaccard(a.caps, b.caps),
        "ent_ovl": _overlap(a.caps, b.caps),
        "num_jac": _jaccard(a.numbers, b.numbers),
        "num_ovl": _overlap(a.numbers, b.numbers),
        "year_ovl": _overlap(ya, yb),
        "year_conflict": float(bool(ya) and bool(yb) and not (ya & yb)),
    }
    return f


@lru_cache(maxsize=4)
def combiner(path: str = str(COMBINER)) -> dict[str, Any]:
    """The shipped additive combiner (JSON: bias, one piecewise-linear table per feature, thresholds)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)  # type: ignore[no-any-return]  # the shipped combiner file: a JSON object by construction


@lru_cache(maxsize=4)
def _tables(path: str = str(COMBINER)) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, float]:
    """The combiner as padded arrays: names, knots (f, k), values (f, k), knot counts, bias."""
    g = combiner(path)
    names = list(g["tables"])
    k = max(len(t["x"]) for t in g["tables"].values())
    xs = np.zeros((len(names), k))
    ys = np.zeros((len(names), k))
    counts = np.zeros(len(names), dtype=np.int64)
    for i, name in enumerate(names):
        x, y = g["tables"][name]["x"], g["tables"][name]["y"]
        n = len(x)
        xs[i, :n], ys[i, :n], counts[i] = x, y, n
        xs[i, n:], ys[i, n:] = x[-1] + np.arange(1, k - n + 1), y[-1]  # flat continuation
    return names, xs, ys, counts, float(g["bias"])


def score_features(f: dict[str, float], model: dict[str, Any] | None = None) -> float:
    """Predicted SemEval rating (-4 very dissimilar .. -1 very similar) mapped onto [0, 1]."""
    if model is not None:
        s = model["bias"] + sum(np.interp(f[k], t["x"], t["y"]) for k, t in model["tables"].items())
        return float(np.clip((s + 4.0) / 3.0, 0.0, 1.0))
    return _combiner.score(f, _compiled())


@lru_cache(maxsize=1)
def _compiled() -> _combiner.Compiled:
    names, xs, ys, _, bias = _tables()
    return _combiner.compile_tables(names, xs, ys, bias)


def same_story_threshold() -> float:
    """The same-story threshold tuned on the train split (SemEval Overall <= 2)."""
    return float(combiner()["same_story_threshold"])


def story_similarity(a: Article | str | StoryView, b: Article | str | StoryView) -> float:
    """Score in [0, 1] that a and b report the same story. A text contained in the other scores at least
    its containment."""
    va, vb = (view(a), view(b)) if isinstance(a, StoryView) or isinstance(b, StoryView) else tuple(build_views([a, b]))
    return score_pair(va, vb)[0]


def score_pair(a: StoryView, b: StoryView) -> tuple[float, dict[str, float]]:
    """(story similarity, features) of two views; a view without any word scores 0 against everything."""
    f = pair_features(a, b)
    if not _HAS_WORD.search(a.text) or not _HAS_WORD.search(b.text):
        return 0.0, f
    s = score_features(f)
    if f["char5_ovl"] >= CONTAINS_MIN:
        s = max(s, f["char5_ovl"])
    return s, f


# ---------------------------------------------------------------------------------------------
# Relations
# ---------------------------------------------------------------------------------------------


def related_threshold() -> float:
    """Story similarity from which two articles count as related (tuned on train for Overall <= 2.5)."""
    return float(combiner()["related_threshold"])


def rewrite_coverage(a: StoryView, b: StoryView) -> float:
    """Share of the shorter text's sentences that the other text says again, one to one and in the same order.

    A sentence pair counts when its embedding cosine is >= ``PARA_COS`` (a paraphrase or a translation) or the
    lexical sentence alignment of ``explain`` pairs it (a reworded sentence with the same content words).
    """
    from .sentence_align import align_sentences

    sim = sentence_similarity(a, b)
    if not sim.size:
        return 0.0
    for p in align_sentences(a.sent_words, b.sent_words):
        sim[p.a, p.b] = max(sim[p.a, p.b], PARA_COS)
    return float(len(ordered_chain(sim, PARA_COS)) / min(sim.shape))


def date_gap_days(a: str | None, b: str | None) -> int | None:
    """Days between two publication dates (None when either is missing or unreadable)."""
    da, db = day_number(a), day_number(b)
    return None if da is None or db is None else abs(da - db)


def intervals_disjoint(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    """Whether two event-time intervals (months) cannot be the same event."""
    return a is not None and b is not None and (a[1] < b[0] or b[1] < a[0])


def time_conflict(a: StoryView, b: StoryView, max_gap_days: int = MAX_GAP_DAYS) -> bool:
    """Same actors but a clearly different time: publication dates too far apart, or event times that exclude
    each other (see ``event_time``)."""
    gap = date_gap_days(a.date, b.date)
    if gap is not None:
        return gap > max_gap_days
    return intervals_disjoint(a.event, b.event)


def story_relation(a: StoryView, b: StoryView, score: float, conflict: bool = False) -> str:
    """rewrite, same_story, related or unrelated, given the story similarity of a and b."""
    if score >= same_story_threshold() and not conflict:
        return "rewrite" if rewrite_coverage(a, b) >= REWRITE_COVERAGE else "same_story"
    if score >= related_threshold() or conflict and score >= same_story_threshold():
        return "related"
    return "unrelated"


def title_similarity(a: StoryView, b: StoryView) -> float:
    """Cosine of the title vectors of two short texts (their whole text is their title), words weighted alike."""
    from ..text.tokens import tokenize
    from .story_evidence import title_vector

    def vec(v: StoryView) -> np.ndarray:
        ids = tokenize(v.text.strip()).ids
        return title_vector(v.vec, ids, np.ones(len(ids)), TITLE_LEXICAL_WEIGHT)

    return float(vec(a) @ vec(b))


def newer_first(a: StoryView | Article, b: StoryView | Article) -> bool:
    """Whether ``a`` is the newer (copy) side: a later publication date; without dates, the order given."""
    da, db = day_number(a.date), day_number(b.date)
    return not (da is not None and db is not None and da < db)


@dataclass(slots=True)
class Comparison:
    """How two documents relate: reads ``a <relation> b`` (a is the copy/newer side where it can be told)."""

    relation: str  # exact, near_duplicate, contains, rewrite, same_story, related or unrelated
    score: float  # in [0, 1]: the duplicate score for duplicate relations, else the story similarity
    scores: dict[str, float] = field(default_factory=dict)
    a: str = ""
    b: str = ""


def compare(a: Article | str, b: Article | str) -> Comparison:
    """The relation of two documents (Articles or plain strings, cleaned like any input) with a score in [0, 1].

    The duplicate level comes first (``match.relate``: exact, near_duplicate, contains with the wrapper rule),
    then the story level (rewrite, same_story, related, unrelated). Never raises on odd text: empty, title-only,
    uncovered languages, mixed language and mojibake all give a relation (see the module docstring).
    """
    from .relate import duplicate_relation

    x = as_article(a, "a")
    y = as_article(b, "b" if not isinstance(b, Article) or b.id != x.id else f"{b.id}~b")
    dup = duplicate_relation(x, y)
    va, vb = build_views([x, y])
    s, f = score_pair(va, vb)
    scores = {**f, "story_similarity": s, "jaccard": dup.scores.get("jaccard", 0.0)}
    if dup.relation is not None:
        return Comparison(dup.relation, float(min(1.0, max(0.0, dup.score))), scores, dup.a, dup.b)
    conflict = time_conflict(va, vb)
    scores["time_conflict"] = float(conflict)
    if is_short(x.text) and is_short(y.text):
        # two headlines or teasers: the short-text rule of the story engine (title vectors, uniform weights
        # since two documents are no corpus), so compare says what build_stories would make of them
        t = title_similarity(va, vb)
        scores["title_similarity"] = t
        gap = date_gap_days(x.date, y.date)
        relation = "same_story" if t >= TITLE_THRESHOLD and not (gap is not None and gap > MAX_GAP_DAYS) else "unrelated"
    else:
        relation = story_relation(va, vb, s, conflict)
    if relation == "rewrite":
        scores["rewrite_coverage"] = rewrite_coverage(va, vb)
    first, second = (x, y) if newer_first(x, y) else (y, x)
    return Comparison(relation, s, scores, first.id, second.id)
