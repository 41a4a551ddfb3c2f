"""Word tokens with character offsets into the ORIGINAL text, and a rule-based sentence splitter.

A word is a run of Unicode letters/digits (``\\w`` minus ``_``) that may carry combining marks,
soft hyphens and zero-width joiners inside it (so decomposed ``Vuc\\u030cic\\u0301`` or Devanagari
vowel signs stay one word). Han/Kana characters are one token each, since those scripts put no
spaces between words. Each token's id is a 64-bit xxh3 of its folded form (``fold_word``), so
``Vučić``/``Vucic``, ``Erdoğan``/``Erdogan`` and the parts of ``don’t``/``don't`` share ids.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash

from .normalize import fold_word

# Scripts written without spaces: each character is its own token.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Blocks holding (nearly) all combining marks of the BMP; scanned once, lazily.
_MARK_BLOCKS = ((0x0300, 0x2000), (0x20D0, 0x2100), (0x2CEF, 0x2E00), (0x302A, 0x30A0),
                (0xA66F, 0xAC00), (0xFB1E, 0xFB1F), (0xFE00, 0xFE30))
_WORD_JOINERS = "\u00ad\u200c\u200d"  # soft hyphen, ZWNJ, ZWJ: inside words, dropped from ids
_ID_CACHE: dict[str, int] = {}
_ID_CACHE_MAX = 1 << 18


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """Word tokens of one text: char spans ``[starts[i], ends[i])`` into the original, folded-word ids."""

    starts: np.ndarray  # int32
    ends: np.ndarray  # int32
    ids: np.ndarray  # uint64

    def __len__(self) -> int:
        return len(self.ids)


@lru_cache(maxsize=1)
def _word_pattern() -> re.Pattern[str]:
    """Compiled token regex; built on first use because the mark class costs a few ms to scan."""
    marks = []
    for lo, hi in _MARK_BLOCKS:
        run_start = None
        for cp in range(lo, hi + 1):
            is_mark = cp < hi and unicodedata.category(chr(cp))[0] == "M"
            if is_mark and run_start is None:
                run_start = cp
            elif not is_mark and run_start is not None:
                marks.append(f"{chr(run_start)}-{chr(cp - 1)}")
                run_start = None
    inner = "".join(marks) + _WORD_JOINERS
    letter = rf"[^\W_{_CJK}]"
    # one capturing group: split() yields gaps and words alternately in a single pass
    return re.compile(rf"([{_CJK}]|{letter}+(?:[{inner}]+{letter}*)*)")  # single-class loops: fast


def _word_id(word: str) -> int:
    """64-bit id of a token's folded form; memoised across texts (words repeat heavily)."""
    key = word
    if not word.isascii():
        for ch in _WORD_JOINERS:
            word = word.replace(ch, "")
    value = xxhash.xxh3_64_intdigest(fold_word(word).encode("utf-8", "surrogatepass"))
    if len(_ID_CACHE) >= _ID_CACHE_MAX:
        _ID_CACHE.clear()
    _ID_CACHE[key] = value
    return value


def tokenize(text: str) -> Tokens:
    """Word tokens of ``text`` with exact original offsets; one C-level regex pass, no match objects."""
    parts = _word_pattern().split(text)  # gap, word, gap, ..., word, gap
    words = parts[1::2]
    n = len(words)
    if n == 0:
        empty = np.zeros(0, dtype=np.int32)
        return Tokens(empty, empty.copy(), np.zeros(0, dtype=np.uint64))
    bounds = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    starts, ends = bounds[0 : 2 * n : 2], bounds[1 : 2 * n : 2]
    unique = dict.fromkeys(words)
    for word in unique:
        value = _ID_CACHE.get(word)
        unique[word] = value if value is not None else _word_id(word)
    ids = np.fromiter(map(unique.__getitem__, words), dtype=np.uint64, count=n)
    return Tokens(starts.astype(np.int32), ends.astype(np.int32), ids)


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

#: Words that end in "." without ending a sentence (lower-case, without the dot).
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt ft gen col lt maj capt cmdr adm sgt cpl pvt gov sen rep rev hon pres
supt insp det fr sq messrs mme mlle
inc ltd co corp bros dept univ assn est approx vs etc al cf ca ed eds ibid
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
a.m p.m e.g i.e u.s u.k u.n e.u
""".split())
#: Abbreviations only before a number ("No. 5", "p. 12"); elsewhere "No." ends a sentence.
NUMBER_ABBREVIATIONS = frozenset("no nos vol p pp fig art sec ch op".split())

_TERMINATOR = re.compile(r"[.!?\u2026]+[\"'\u2019\u201d\u00bb)\]]*(?=\s)")
_PREV_WORD = re.compile(r"(\S+?)\.$")
_STARTER = re.compile(r"\s+[\"'\u2018\u201c\u00ab(\[]*([^\W_])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)`` of ``text``, whitespace-trimmed, in order.

    Rules: every newline ends a sentence; otherwise a run of ``. ! ? …`` (plus closing quotes or
    brackets) followed by whitespace and then an upper-case letter, a digit or an opening quote
    ends one, unless the punctuation is a bare ``.`` (no closing quote) after an abbreviation
    (``Mr.``, ``Jan.``; ``No.``/``p.`` only before a number), a one-letter initial (``J. Smith``)
    or a dotted acronym (``U.S.``, ``e.g.``). Decimals
    (``3.5``) never split because no whitespace follows the dot. Known miss: a sentence that
    really ends with ``U.S.`` is joined to the next one.
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        _split_line(line, line_start, spans)
        line_start += len(line) + 1
    return spans


def _split_line(line: str, offset: int, spans: list[tuple[int, int]]) -> None:
    """Append the sentence spans of one line (no newlines inside) to ``spans``."""
    start = 0
    for match in _TERMINATOR.finditer(line):
        end = match.end()
        starter = _STARTER.match(line, end)
        if starter is None or starter.group(1).islower():
            continue
        if _is_abbreviation(line, match.start(), match.group(), starter.group(1).isdigit()):
            continue
        _add_span(line, start, end, offset, spans)
        start = end
    _add_span(line, start, len(line), offset, spans)


def _is_abbreviation(line: str, punct_start: int, punct: str, before_number: bool) -> bool:
    """Whether a bare ``.`` at ``punct_start`` closes an abbreviation, initial or acronym."""
    if punct != ".":
        return False
    word = _PREV_WORD.search(line, max(0, punct_start - 40), punct_start + 1)
    if word is None:
        return False
    token = word.group(1).lstrip("\"'\u2018\u201c\u00ab([").lower()
    if len(token) == 1 and token.isalpha():
        return True
    if token in ABBREVIATIONS or (before_number and token in NUMBER_ABBREVIATIONS):
        return True
    return "." in token and all(p.isalpha() and len(p) <= 2 for p in token.split("."))


def _add_span(line: str, start: int, end: int, offset: int, spans: list[tuple[int, int]]) -> None:
    """Append ``line[start:end]`` trimmed of whitespace, if anything is left."""
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + start + lead, offset + start + lead + len(stripped)))
