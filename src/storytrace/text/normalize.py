"""The one comparable form of text used by every later stage (fingerprints, matching, facts).

Originals are never changed: ``normalize`` returns a new string for comparison only.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy

# Typographic variants mapped to one ASCII form so "don’t" == "don't" and "—" == "-".
_CHAR_MAP = {
    **{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4`"},
    **{c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a"},
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b"},
    "\u2026": "...",
    "\u00a0": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",
    # letters that NFD does not decompose but readers treat as their base letter
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th",
}
_TRANSLATE = str.maketrans(_CHAR_MAP)
_FTFY_CONFIG = ftfy.TextFixerConfig(normalization="NFKC", uncurl_quotes=False, explain=False)


# A lead byte of UTF-8 read as cp1252/latin-1 followed by a continuation byte read the same way:
# the signature of mojibake ("Ã©", "â€™"). Only text with such a pair pays for ftfy (slow).
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def fix_text(text: str) -> str:
    """Repair mojibake and encoding accidents (ftfy), NFKC-normalised; keeps case and accents.

    ftfy runs only where a mojibake signature is present; other text is just NFKC-normalised.
    """
    if not text.isascii() and _MOJIBAKE_HINT.search(text):
        return ftfy.fix_text(text, config=_FTFY_CONFIG)
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """Diacritics and case folded form of one token (``Vučić`` -> ``vucic``); cached for hot paths."""
    return strip_diacritics(word.casefold().translate(_TRANSLATE))


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def strip_diacritics(text: str) -> str:
    """Remove combining marks after canonical decomposition: ``Erdoğan`` -> ``Erdogan``."""
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed.isascii():
        return decomposed
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


@lru_cache(maxsize=65536)
def _fold_non_ascii(run: str) -> str:
    """Folded form of one run of non-ASCII characters (cached: runs repeat across a corpus)."""
    return strip_diacritics(run.translate(_TRANSLATE))


def _fold_match(match: re.Match[str]) -> str:
    return _fold_non_ascii(match.group())


def normalize(text: str) -> str:
    """Text -> comparable form: mojibake fixed, NFKC, quotes/dashes unified, casefolded,
    diacritics folded, whitespace collapsed to single spaces.

    >>> normalize("Vučić said: “Erdoğan’s visit — good”")
    'vucic said: "erdogan\\'s visit - good"'
    """
    if not text:
        return ""
    folded = fix_text(text).casefold()
    if not folded.isascii():  # only the non-ASCII runs need mapping; ASCII text stays on the C fast path
        folded = _NON_ASCII.sub(_fold_match, folded)
    return " ".join(folded.split())
