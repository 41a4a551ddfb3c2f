"""Proper names (person / organization / place) and quotations.

Names: a capitalised-sequence recogniser. Runs of capitalised words (with connectors such as "of",
"von der", "de") inside a sentence are names, except sentence-initial words never seen capitalised
elsewhere, month/weekday words, and unknown words in Title-Case headlines. Kind: a title before the
name ("President", "Interior Minister") or a known person's surname -> person; a cue word ("Ministry",
"Bank", "Inc", "Union") or an acronym -> organization; the place gazetteer, a place cue ("City",
"Province") or a demonym ("Serbian" -> Serbia) -> place; other 2-4 word runs -> person, other single
words -> organization. Keys are folded (``Vučić`` == ``Vucic``; Serbian ``Đ``/``Dj`` both ``d``).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..text.normalize import fold_word
from . import lexicon as lx
from .quantities import Span

_TOKEN_RE = re.compile(r"\w+(?:['’\-]\w+)*")
_POSSESSIVE = ("'s", "’s", "s'", "s’")
_GERMAN_HINTS = lx.word_set("der die das und ist nicht mit den dem sich auf fur wird wurde eine einer nach bei")
_ENGLISH_HINTS = lx.word_set("the and of to is was with that for are were has have this from")
_QUOTE_RES = (
    re.compile(r"“([^“”\n]{1,800})”"),
    re.compile(r"„([^„“”\n]{1,800})[“”]"),
    re.compile(r"«\s?([^«»\n]{1,800}?)\s?»"),
    re.compile(r"(?<![\w‘])‘([^‘’\n]{2,300}?)’(?!\w)"),
    re.compile(r"(?<![\w\"])\"([^\"\n]{1,800})\""),
)
_STRONG_TITLES = lx.word_set("""
president minister premier chancellor governor mayor senator judge secretary ambassador spokesman
spokeswoman spokesperson director chairman chairwoman ceo commissioner commander general admiral king queen
prince princess pope mr mrs ms dr prof professor sir coach manager negotiator prosecutor envoy candidate
striker leader founder chief presidente ministro ministra kanzler kanzlerin ministre prefet maire alcalde
alcaldesa predsjednik predsednik premijer ministar personalvorstand betriebsratschefin captain
""")


@dataclass(slots=True)
class _Tok:
    """One word of a sentence: span, text as written (possessive removed) and flags."""

    start: int
    end: int
    word: str
    possessive: bool


_APPOSITION = re.compile(  # "Erdogan, Turkey's president," / "Tusk said"
    r"\s*(?:,\s*(?:[^\W\d_]+['’]s\s+|the\s+|a\s+|[^\W\d_]+\s+){0,3}(?P<t>[^\W\d_]+)|\s+(?P<v>said|says|told))")
_LOWER = _Tok(-1, -1, "", False)  # any lower-case word that is no connector: ends a run, never a name
_TITLE_WORD_RE = re.compile(r"[^\W\d_]{4,}")


def name_key(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Comparable form of a name: folded words, Serbian ``dj`` transliteration unified, connectors dropped."""
    key = []
    for word in words:
        for part in re.split(r"[-’']", word):
            folded = fold_word(part).replace("dj", "d")
            if folded and folded not in lx.NAME_CONNECTORS:
                key.append(folded)
    return tuple(key)


def is_german(text: str) -> bool:
    """Whether the text reads as German (nouns are capitalised there, so single capitalised words are no names)."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text[:4000])]
    german = sum(w in _GERMAN_HINTS for w in words)
    english = sum(w in _ENGLISH_HINTS for w in words)
    return german > 8 and german > 2 * english


def scan_quotes(text: str) -> Iterator[Span]:
    """Quoted text in “…”, „…“, «…», ‘…’ and "…" (straight quotes paired left to right)."""
    seen: list[tuple[int, int]] = []
    for pattern in _QUOTE_RES:
        for m in pattern.finditer(text):
            s, e = m.span(1)
            inner = m.group(1).strip()
            if not re.search(r"[^\W\d_]", inner) or any(s < b and a < e for a, b in seen):
                continue
            lead = len(m.group(1)) - len(m.group(1).lstrip())
            s += lead
            e = s + len(inner)
            seen.append((s, e))
            words = tuple(fold_word(w) for w in re.findall(r"\w+", inner))
            yield Span("quote", s, e, " ".join(words), ("quote", words))


def scan_names(text: str, sentences: list[tuple[int, int]], taken: bytearray) -> list[Span]:
    """Person / organization / place names of the text, with folded keys (see module docstring)."""
    german = is_german(text)
    per_sentence = [_tokens(text, s, e, taken) for s, e in sentences]
    titles = [_is_title_line(text[s:e], toks) for (s, e), toks in zip(sentences, per_sentence)]
    confirmed = _confirmed_capitals(per_sentence, titles)
    runs: list[tuple[list[_Tok], bool, bool]] = []
    for toks, title in zip(per_sentence, titles):
        for run, initial in _runs(text, toks):
            runs.append((run, initial, title))
    pending: list[tuple[list[_Tok], bool]] = []
    for run, initial, title in runs:
        parts = (q for r in _split_of(run) for q in _split_places(r))
        for piece, is_person in (p for r in parts for p in _split_titles(r)):
            piece = _filter_piece(piece, initial and piece[0] is run[0], title, confirmed, german, is_person)
            if piece:
                pending.append((piece, is_person))
    first = [_classify(text, piece, is_person, set(), german) for piece, is_person in pending]
    persons = {word for span in first if span is not None and span.kind == "person" for word in span.key}
    spans: list[Span] = []
    for (piece, is_person), span in zip(pending, first):
        if span is not None and len(piece) == 1 and span.kind == "organization":
            span = _classify(text, piece, is_person, persons, german)
        if span is not None:
            spans.append(span)
    return spans


def _tokens(text: str, start: int, end: int, taken: bytearray) -> list[_Tok | None]:
    """Words of one sentence; ``None`` marks a break (punctuation, numbers, dates, other facts)."""
    out: list[_Tok | None] = []
    pos = start
    for m in _TOKEN_RE.finditer(text, start, end):
        s, e = m.span()
        if text[pos:s].strip() and out and out[-1] is not None:
            out.append(None)
        pos = e
        word = m.group()
        if word[0].islower() and "-" not in word:
            out.append(_Tok(s, e, word, False) if word in lx.NAME_CONNECTORS else _LOWER)
            continue
        if word[0].isdigit() or taken.find(1, s, e) >= 0:
            out.append(None)
            continue
        pieces = _split_hyphenated(word, s)
        for n, (piece_start, piece) in enumerate(pieces):
            possessive = piece.endswith(_POSSESSIVE) and len(piece) > 3
            if possessive:
                piece = piece[:-2]
            if n:
                out.append(None)  # "Turkey-Serbia relations": two names
            out.append(_Tok(piece_start, piece_start + len(piece), piece, possessive))
            if possessive:
                out.append(None)
        if len(pieces) == 1 and pieces[0][1] != word:
            out.append(None)  # "French-made drones": the run ends after "French"
    return out


def _split_hyphenated(word: str, start: int) -> list[tuple[int, str]]:
    """"Turkey-Serbia" -> both names; "French-made" -> "French"; "Bormes-les-Mimosas" stays whole."""
    if "-" not in word:
        return [(start, word)]
    parts = word.split("-")
    if all(p[:1].isupper() for p in parts) and len(parts) == 2 and all(len(p) > 2 for p in parts):
        if fold_word(parts[0]) in lx.PLACES or fold_word(parts[0]) in lx.DEMONYMS:
            return [(start, parts[0]), (start + len(parts[0]) + 1, parts[1])]
        return [(start, word)]
    if parts[0][:1].isupper() and not parts[-1][:1].isupper():
        return [(start, parts[0])]
    return [(start, word)]


def _is_cap(word: str) -> bool:
    """Whether a word starts with a capital letter (names, acronyms)."""
    return word[:1].isupper()


def _is_title_line(sentence: str, toks: list[_Tok | None]) -> bool:
    """Whether a sentence is a Title-Case headline ("Drone Diplomacy: A New Chapter"), where capitals say little."""
    words = _TITLE_WORD_RE.findall(sentence)
    tail = sentence.rstrip()[-1:]
    if len(words) < 2 or tail in '.”"»' or (tail in "!?" and len(words) > 8):
        return False
    caps = sum(_is_cap(w) for w in words)
    return caps >= 2 and caps / len(words) >= 0.6


def _confirmed_capitals(per_sentence: list[list[_Tok | None]], titles: list[bool]) -> set[str]:
    """Folded words seen capitalised somewhere other than at a sentence start (so they are names)."""
    confirmed: set[str] = set()
    for toks, title in zip(per_sentence, titles):
        if title:
            continue
        first = True
        for tok in toks:
            if tok is None:
                continue
            if not first and _is_cap(tok.word):
                confirmed.add(fold_word(tok.word))
            first = False
    return confirmed


def _runs(text: str, toks: list[_Tok | None]) -> Iterator[tuple[list[_Tok], bool]]:
    """Runs of capitalised words (connectors allowed inside), each with whether it opens the sentence."""
    i = 0
    n = len(toks)
    first_word = next((k for k, t in enumerate(toks) if t is not None), -1)
    while i < n:
        tok = toks[i]
        if tok is None or not _is_cap(tok.word) or _is_date_word(tok.word):
            i += 1
            continue
        run = [tok]
        j = i + 1
        while j < n and not run[-1].possessive:
            nxt = toks[j]
            if nxt is None:
                break
            if _is_cap(nxt.word) and not _is_date_word(nxt.word):
                run.append(nxt)
                j += 1
                continue
            k = j
            while k < n and k - j < 2 and _is_connector(toks[k]):
                k += 1
            last_tok = toks[k] if k < n else None
            if k > j and last_tok is not None and _is_cap(last_tok.word) and not _is_date_word(last_tok.word):
                run.extend(t for t in toks[j:k + 1] if t is not None)
                j = k + 1
                continue
            break
        yield run, i == first_word
        i = j


def _is_date_word(word: str) -> bool:
    """Month and weekday names break name runs ("In October Vučić ...")."""
    folded = fold_word(word)
    return (folded in lx.MONTHS and folded not in lx.AMBIGUOUS_MONTHS) or folded in lx.WEEKDAYS


def _split_places(run: list[_Tok]) -> list[list[_Tok]]:
    """Split leading demonyms and runs made only of places: "Turkish Bayraktar" -> "Turkish", "Bayraktar"."""
    folded = [fold_word(t.word) for t in run]
    if len(run) < 2 or " ".join(folded) in lx.PLACES or any(f in lx.ORG_CUES for f in folded):
        return [run]  # "Croatian Democratic Union" stays one organisation
    if all(f in lx.PLACES or f in lx.DEMONYMS for f in folded):
        return [[t] for t in run]
    k = 0
    while k < len(run) - 1 and folded[k] in lx.DEMONYMS and " ".join(folded[k:]) not in lx.PLACES \
            and folded[k + 1] not in lx.ORG_CUES:
        k += 1
    return [[t] for t in run[:k]] + [run[k:]]


def _split_of(run: list[_Tok]) -> list[list[_Tok]]:
    """Split "Ivan Marinović of the Croatian Democratic Union" unless the head is an org/place/title ("Bank of X")."""
    for k, tok in enumerate(run):
        if k and fold_word(tok.word) in lx.NAME_CONNECTORS and not _is_cap(tok.word):
            head = [fold_word(t.word) for t in run[:k]]
            if any(f in lx.ORG_CUES or f in lx.PLACE_CUES or f in lx.TITLE_WORDS for f in head):
                return [run]
            tail = run[k + 1:]
            while tail and fold_word(tail[0].word) in lx.NAME_CONNECTORS:
                tail = tail[1:]
            return [run[:k]] + ([tail] if tail else [])
    return [run]


def _split_titles(run: list[_Tok]) -> list[tuple[list[_Tok], bool]]:
    """Split "Serbian President Aleksandar Vučić" into ("Serbian", place) and ("Aleksandar Vučić", person)."""
    folded = [fold_word(t.word) for t in run]
    last = -1
    for k, f in enumerate(folded):
        if f in _STRONG_TITLES:
            last = k
    if last < 0 or last == len(run) - 1:
        return [(run, False)]
    rest = folded[last + 1:]
    if any(f in lx.ORG_CUES for f in rest) or folded[last + 1] in lx.NAME_CONNECTORS:
        return [(run, False)]
    pieces: list[tuple[list[_Tok], bool]] = []
    for tok, f in zip(run[:last], folded[:last]):
        if f in lx.DEMONYMS or f in lx.PLACES:
            pieces.append(([tok], False))
    pieces.append((run[last + 1:], True))
    return pieces


def _is_connector(tok: _Tok | None) -> bool:
    """A lower-case word that may stand inside a name ("Bank of England", "Ludwig van Beethoven")."""
    return tok is not None and fold_word(tok.word) in lx.NAME_CONNECTORS and not _is_cap(tok.word)


def _filter_piece(piece: list[_Tok], initial: bool, title: bool, confirmed: set[str], german: bool,
                  is_person: bool) -> list[_Tok]:
    """Drop leading function words, unconfirmed sentence-initial words and unknown words of headlines."""
    while piece and not _acronym(piece[0].word) and (fold_word(piece[0].word) in lx.CAPITAL_STOPWORDS
                                                     or fold_word(piece[0].word) in lx.NAME_CONNECTORS):
        piece = piece[1:]
        initial = False
    while piece and fold_word(piece[-1].word) in lx.NAME_CONNECTORS:
        piece = piece[:-1]
    if not piece:
        return []
    def known(tok: _Tok) -> bool:
        return _known(tok.word, confirmed)

    if title:
        piece = piece if all(known(t) for t in piece) else [t for t in piece if _gazetteer(t.word)][:1]
    elif initial and len(piece) == 1 and not known(piece[0]):
        return []
    elif initial and not known(piece[0]) and (piece[0].word.endswith(("ing", "ed", "ly"))
                                              or " ".join(fold_word(t.word) for t in piece[1:]) in lx.PLACES):
        piece = piece[1:]  # "Navigating Kosovo's politics": a sentence-initial verb before a name
    if len(piece) == 1 and (fold_word(piece[0].word) in lx.NOT_NAMES or len(piece[0].word) < 2):
        return []
    if german and not is_person and not _german_name(piece):
        return []  # German capitalises every noun: keep only names with outside evidence
    return piece


def _german_name(piece: list[_Tok]) -> bool:
    """Whether a German capitalised run is a name: gazetteer, acronym or organisation cue."""
    folded = [fold_word(t.word) for t in piece]
    return (any(_gazetteer(t.word) for t in piece) or any(f in lx.ORG_CUES for f in folded)
            or " ".join(folded) in lx.PLACES)


def _acronym(word: str) -> bool:
    """Whether a word is an acronym ("UN", "US", "NATO"), never a function word."""
    return len(word) > 1 and word.isupper()


def _gazetteer(word: str) -> bool:
    """Whether a single word is a known place, demonym or acronym."""
    folded = fold_word(word)
    return folded in lx.PLACES or folded in lx.DEMONYMS or (word.isupper() and len(word) > 1)


def _known(word: str, confirmed: set[str]) -> bool:
    """Whether a word is a name for sure: in the gazetteer or capitalised mid-sentence elsewhere."""
    return _gazetteer(word) or fold_word(word) in confirmed


def _classify(text: str, piece: list[_Tok], is_person: bool, persons: set[str], german: bool) -> Span | None:
    """Kind and folded key of one name."""
    words = [t.word for t in piece]
    folded = [fold_word(w) for w in words]
    full = " ".join(folded)
    start, end = piece[0].start, piece[-1].end
    key = name_key(words)
    if not key:
        return None
    kind = "organization"
    if is_person:
        kind = "person"
    elif full in lx.PLACES or full in lx.PLACE_ALIASES:
        kind = "place"
        key = tuple(lx.PLACE_ALIASES.get(full, full).split())
    elif len(folded) == 1 and folded[0] in lx.DEMONYMS:
        kind = "place"
        key = tuple(lx.DEMONYMS[folded[0]].split())
    elif any(f in lx.ORG_CUES for f in folded):
        kind = "organization"
    elif any(f in lx.PLACE_CUES for f in folded):
        kind = "place"
    elif len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        kind = "organization"
    elif len(words) == 1:
        if key[0] in persons or _person_context(text, start, end):
            kind = "person"
    elif any(c.isdigit() for w in words for c in w):
        kind = "organization"  # "Bayraktar TB2s", "R21": products and models
    elif all(w[:1].isupper() and not w.isupper() for w in words) and len(words) <= 4:
        places = [f for f in folded if f in lx.PLACES]
        if places and german:
            return Span("place", start, end, places[0], (places[0],))
        kind = "person"
    return Span(kind, start, end, " ".join(key), key)


def _person_context(text: str, start: int, end: int) -> bool:
    """Whether words around a single name say it is a person ("said Tusk", "Erdogan, Turkey's president")."""
    before = re.findall(r"[^\W\d_]+", text[max(0, start - 30):start])[-1:]
    if before and before[0].islower() and fold_word(before[0]) in lx.PERSON_PRECEDERS:
        return True
    after = text[end:end + 50]
    m = _APPOSITION.match(after)
    if m is None:
        return False
    return bool(m.group("v")) or fold_word(m.group("t") or "") in _STRONG_TITLES
