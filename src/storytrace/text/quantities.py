"""Regex scanners for the countable facts: dates, years, money, percentages and numbers (with units).

Each scanner yields ``Span`` records with char offsets into the ORIGINAL text and a typed key that
``facts.compatible`` compares, so "1.8 million" == "1,800,000", "October 11, 2024" == "11 Oct 2024",
"seven" == "7". Scanners run in priority order (dates, money, percent, years, numbers) and skip text
already claimed by an earlier one.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..text.normalize import fold_word
from . import lexicon as lx


@dataclass(frozen=True, slots=True)
class Span:
    """One countable fact found in the text: kind, char span, display normalisation and typed key."""

    kind: str
    start: int
    end: int
    normalized: str
    key: tuple[Any, ...]
    amount: float | None = None
    unit: str = ""
    hedge: str = ""


# A number as written: 1,800,000 / 1.800.000 / 3 000 / 1,5 / 6.5 / 35.000 / 12.
_NUM = r"\d{1,3}(?:(?:,|\.|[ \u00a0\u202f\u2009])\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
# Not glued to a preceding word, decimal, time or slash, nor an identifier like "COVID-19".
_NUM_BEFORE = r"(?<![\w.,/:\u00a3\u20ac$])(?<![^\W\d_]-)"
_WORD = r"[^\W\d_][^\W\d_'’.-]*"
_YEAR = r"1[89]\d\d|20\d\d"
_DAY = r"3[01]|[12]\d|0?[1-9]"

# Date patterns are applied around each month word (found by a dictionary lookup of every word), which is
# far cheaper than letting a regex try every word of the text as a month.
_ALPHA_RE = re.compile(r"[^\W\d_]{3,12}")
_DAY_BEFORE = re.compile(rf"(?:(?P<wd>{_WORD})\.?,?\s+(?:the\s+|dem\s+|le\s+|el\s+)?)?(?<![\d.,])(?P<d>{_DAY})"
                         rf"(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?$")
_YEAR_AFTER = re.compile(rf"\.?,?\s+(?:de\s+|del\s+|of\s+)?(?P<y>{_YEAR})(?!\d)")
_DAY_AFTER = re.compile(rf"\.?\s+(?P<d>{_DAY})(?:st|nd|rd|th)?(?![\d.,]\d|\d)(?:,?\s+(?P<y>{_YEAR})(?!\d))?")
_WEEKDAY_BEFORE = re.compile(rf"(?P<wd>{_WORD})\.?,?\s+$")
_MONTH_PREPOSITION = re.compile(
    r"(?<![\w-])(?:in|since|until|till|by|from|early|late|mid|end of|last|next|this|im|seit|bis|ab|en|depuis|"
    r"desde|hasta|fin|début)[\s-]+$", re.IGNORECASE)
_NUMERIC_DATES = (
    # 2024-10-11 / 2024/10/12
    re.compile(rf"(?<![\d.])(?P<y>{_YEAR})[-/.](?P<mo>0?[1-9]|1[0-2])[-/.](?P<d>{_DAY})(?![\d])"),
    # 11.10.2024 / 17/08/2022 (day first, as written outside the US) / 10/16/2024 (month first when day > 12)
    re.compile(rf"(?<![\d.])(?P<d>{_DAY})[./](?P<mo>0?[1-9]|1[0-2])[./](?P<y>{_YEAR})(?!\d)"),
    re.compile(rf"(?<![\d.])(?P<mo>0?[1-9]|1[0-2])/(?P<d>{_DAY})/(?P<y>{_YEAR})(?!\d)"),
)
_LOCAL_WEEKDAY_ENDINGS = ("di", "go", "es", "ag", "ak", "ica", "ja")  # lower-case weekdays outside English


_CUR_SYMBOLS = sorted(lx.CURRENCY_SYMBOLS, key=len, reverse=True)
_CUR_PRE = ("(?P<cur>" + "|".join(re.escape(s) for s in _CUR_SYMBOLS if not s[0].isalpha() or "$" in s)
            + "|(?<![\\w])(?:" + "|".join(sorted(lx.CURRENCY_CODES)) + ")(?![\\w]))")
_SCALE_SPELLINGS = sorted(set(lx.SCALES) | {"millón", "Mio", "Mrd", "Tsd"}, key=len, reverse=True)
_SCALE_WORD = r"(?P<scale>(?i:" + "|".join(_SCALE_SPELLINGS) + r")\b\.?)"
_SHORT = r"(?P<short>bn|mn|tn|k|K|m|M|b|B)(?![\w])"
_MONEY_PRE_RE = re.compile(rf"{_CUR_PRE}\s?(?P<num>{_NUM})(?:\s?{_SHORT}|\s+{_SCALE_WORD})?")
_MONEY_POST_RE = re.compile(
    rf"{_NUM_BEFORE}(?P<num>{_NUM})(?:{_SHORT}|\s+{_SCALE_WORD})?\s*(?:(?:de|of|d')\s*)?(?:US\s+)?"
    rf"(?P<curw>[€$£¥₺₽₹]|[^\W\d_]+)")
_PERCENT_WORDS_RE = "|".join(w.replace(" ", r"\s+") for w in lx.PERCENT_WORDS)
_PERCENT_RE = re.compile(rf"{_NUM_BEFORE}(?P<num>{_NUM})\s?(?:%|(?:{_PERCENT_WORDS_RE})(?![\w]))", re.IGNORECASE)
_YEAR_RE = re.compile(rf"(?<![\w.,/:$€£])(?<![^\W\d_]-)(?P<y>{_YEAR})(?P<s>s|'s|’s)?(?![\w%]|[.,]\d)")
_DIGITS_RE = re.compile(rf"{_NUM_BEFORE}(?P<num>{_NUM})(?P<suffix>[^\W\d_]{{1,4}})?(?![\w])(?![.,]\d)(?!:\d)")
_WORDNUM_RE = re.compile(r"(?<![\w-])(?P<w>[^\W\d_]+(?:-[^\W\d_]+)?)(?![\w])")
_NEXT_WORD_RE = re.compile(r"(?P<sep>-|\s+)(?P<w>[^\W\d_][^\W\d_]*)")
_PREV_WORDS_RE = re.compile(r"([^\W\d_]+)\W*$")


def parse_number(text: str) -> float | None:
    """Value of a written number: "1,800,000" 1800000, "1,5" 1.5, "35.000" 35000, "3 000" 3000, "6.5" 6.5."""
    s = re.sub(r"[ \u00a0\u202f\u2009]", "", text)
    if not s or not s[0].isdigit():
        return None
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif commas + dots > 1:
        s = s.replace(",", "").replace(".", "")
    elif commas + dots == 1:
        sep = "," if commas else "."
        whole, frac = s.split(sep)
        s = whole + frac if len(frac) == 3 and whole != "0" else whole + "." + frac
    try:
        return float(s)
    except ValueError:
        return None


def format_amount(value: float) -> str:
    """Compact display of an amount: 1800000.0 -> "1800000", 6.5 -> "6.5"."""
    if value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return format(value, ".6g")


def _scale_of(word: str | None) -> float | None:
    """Multiplier of a scale word ("million", "Mrd.", "millones"), None if it is not one."""
    if not word:
        return None
    return lx.SCALES.get(fold_word(word.rstrip(".")))


def _free(taken: bytearray, start: int, end: int) -> bool:
    """Whether no character of ``[start, end)`` is already claimed by another fact."""
    return taken.find(1, start, end) < 0


def _claim(taken: bytearray, start: int, end: int) -> None:
    """Mark ``[start, end)`` as claimed."""
    taken[start:end] = b"\x01" * (end - start)


def _hedged(text: str, start: int) -> str:
    """The hedge ("about", "more than", "rund") right before ``start``, folded, or ""."""
    words = [fold_word(w) for w in re.findall(r"[^\W\d_]+", text[max(0, start - 25):start])[-2:]]
    if text[max(0, start - 25):start].rstrip().endswith((",", ".", ";", ":")):
        return ""
    if len(words) == 2 and " ".join(words) in lx.HEDGE_PHRASES:
        return " ".join(words)
    if words and words[-1] in lx.HEDGES:
        return words[-1]
    return ""


def scan_dates(text: str, taken: bytearray) -> Iterator[Span]:
    """Full dates, day-month, month-year, numeric dates, weekdays and "since May" month references."""
    months: list[tuple[int, int, int]] = []
    weekdays: list[tuple[int, int, int]] = []
    for m in _ALPHA_RE.finditer(text):
        folded = fold_word(m.group())
        if folded in lx.MONTHS:
            months.append((m.start(), m.end(), lx.MONTHS[folded]))
        elif folded in lx.WEEKDAYS:
            weekdays.append((m.start(), m.end(), lx.WEEKDAYS[folded]))
    for ms, me, month in months:
        span = _date_around(text, ms, me, month)
        if span is not None and _free(taken, span.start, span.end):
            _claim(taken, span.start, span.end)
            yield span
    for pattern in _NUMERIC_DATES:
        for m in pattern.finditer(text):
            span = _date_span(text, m.start(), m.end(), int(m.group("y")), int(m.group("mo")), int(m.group("d")), None)
            if span is not None and _free(taken, span.start, span.end):
                _claim(taken, span.start, span.end)
                yield span
    for s, e, wd in weekdays:
        word = text[s:e]
        folded = fold_word(word)
        if folded in lx.AMBIGUOUS_WEEKDAYS or len(folded) < 5:
            continue
        if word[0].islower() and not folded.endswith(_LOCAL_WEEKDAY_ENDINGS):
            continue  # English weekdays are capitalised; French/Spanish/German/Croatian ones may not be
        if _free(taken, s, e):
            _claim(taken, s, e)
            yield Span("date", s, e, lx.WEEKDAY_NAMES[wd], (None, None, None, wd))


def _date_around(text: str, ms: int, me: int, month: int) -> Span | None:
    """The date built around one month word: "11 October 2024", "October 11, 2024", "October 2024", "since May"."""
    name = text[ms:me]
    if name[0].islower() and fold_word(name) in lx.AMBIGUOUS_MONTHS:
        return None  # "may", "march" as verbs
    lo = max(0, ms - 40)
    before = _DAY_BEFORE.search(text, lo, ms)
    if before is not None:
        after = _YEAR_AFTER.match(text, me)
        year = int(after.group("y")) if after else None
        end = after.end() if after else me
        weekday = lx.WEEKDAYS.get(fold_word(before.group("wd"))) if before.group("wd") else None
        start = before.start() if weekday else before.start("d")
        return _date_span(text, start, end, year, month, int(before.group("d")), weekday)
    after = _DAY_AFTER.match(text, me)
    if after is not None:
        wd_match = _WEEKDAY_BEFORE.search(text, lo, ms)
        weekday = lx.WEEKDAYS.get(fold_word(wd_match.group("wd"))) if wd_match else None
        start = wd_match.start() if wd_match is not None and weekday else ms
        year = int(after.group("y")) if after.group("y") else None
        return _date_span(text, start, after.end(), year, month, int(after.group("d")), weekday)
    after = _YEAR_AFTER.match(text, me)
    if after is not None and not text[me:after.start("y")].strip(" .,").startswith(("of", "de")):
        return _date_span(text, ms, after.end(), int(after.group("y")), month, None, None)
    if name[0].isupper() and _MONTH_PREPOSITION.search(text, lo, ms):
        end = me
        return Span("date", ms, end, f"--{month:02d}", (None, month, None, None))
    return None


def _date_span(text: str, start: int, end: int, year: int | None, month: int, day: int | None,
               weekday: int | None) -> Span | None:
    """A date Span with ISO-like normalisation ("2024-10-11 Fri", "2024-10", "--10-11"), None if invalid."""
    if day is not None and not 1 <= day <= 31:
        return None
    parts = [f"{year:04d}" if year else "-", f"{month:02d}"]
    if day is not None:
        parts.append(f"{day:02d}")
    normalized = "-".join(parts)
    if weekday:
        normalized += " " + lx.WEEKDAY_NAMES[weekday]
    return Span("date", start, end, normalized, (year, month, day, weekday))


def _currency_of(word: str) -> str | None:
    """ISO code of a currency word, symbol or code written after an amount, else None."""
    if word in lx.CURRENCY_SYMBOLS:
        return lx.CURRENCY_SYMBOLS[word]
    if word in lx.CURRENCY_CODES:
        return word
    folded = fold_word(word)
    return lx.CURRENCY_WORDS.get(folded)


def scan_money(text: str, taken: bytearray) -> Iterator[Span]:
    """Amounts with a currency before ("$1.8 million", "A$140m") or after ("1,5 Mrd. Euro", "250 euros")."""
    for m in _MONEY_PRE_RE.finditer(text):
        cur = m.group("cur")
        code = lx.CURRENCY_SYMBOLS.get(cur, cur)
        value = parse_number(m.group("num"))
        if value is None:
            continue
        end = m.end("num")
        if m.group("short"):
            value *= lx.SHORT_SCALES[m.group("short").lower()]
            end = m.end("short")
        elif m.group("scale"):
            scale = _scale_of(m.group("scale"))
            if scale is not None:
                value *= scale
                scale_word = m.group("scale")
                end = m.end("scale") - (scale_word.endswith(".") and not _is_abbrev_scale(scale_word))
        span = _money_span(text, m.start(), end, code, value)
        if _free(taken, span.start, span.end):
            _claim(taken, span.start, span.end)
            yield span
    for m in _MONEY_POST_RE.finditer(text):
        post_code = _currency_of(m.group("curw"))
        if post_code is None or (fold_word(m.group("curw")) in lx.AMBIGUOUS_CURRENCY_WORDS and not m.group("scale")):
            continue
        value = parse_number(m.group("num"))
        if value is None:
            continue
        if m.group("short"):
            value *= lx.SHORT_SCALES[m.group("short").lower()]
        elif m.group("scale"):
            scale = _scale_of(m.group("scale"))
            if scale is None:
                continue  # "12 French dollars"? a word between number and currency that is no scale
            value *= scale
        span = _money_span(text, m.start("num"), m.end("curw"), post_code, value)
        if _free(taken, span.start, span.end):
            _claim(taken, span.start, span.end)
            yield span


def _is_abbrev_scale(word: str) -> bool:
    """Whether a scale word with a dot is an abbreviation whose dot belongs to it ("Mrd.", "Mio.")."""
    return fold_word(word.rstrip(".")) in {"mrd", "mio", "tsd", "mln", "mld"}


def _money_span(text: str, start: int, end: int, code: str, value: float) -> Span:
    """Money Span with its ISO code and amount."""
    return Span("money", start, end, f"{code} {format_amount(value)}", ("money", code, value), value, code,
                _hedged(text, start))


def scan_percents(text: str, taken: bytearray) -> Iterator[Span]:
    """Percentages: "40%", "40 %", "40 percent", "40 per cent", "1,3 Prozent", "15,2%"."""
    for m in _PERCENT_RE.finditer(text):
        value = parse_number(m.group("num"))
        if value is None or not _free(taken, m.start(), m.end()):
            continue
        _claim(taken, m.start(), m.end())
        yield Span("percent", m.start(), m.end(), f"{format_amount(value)}%", ("percent", value), value, "%",
                   _hedged(text, m.start()))


def scan_years(text: str, taken: bytearray) -> Iterator[Span]:
    """Stand-alone years 1800-2099 ("in 2008", "the 1999 intervention", "the 2010s")."""
    for m in _YEAR_RE.finditer(text):
        if not _free(taken, m.start(), m.end()):
            continue
        if re.match(r"\s?(?:km|kg|mw|gw|ha|mph|m)\b", text[m.end():m.end() + 6], re.IGNORECASE):
            continue  # "2000 km": a quantity, not a year
        year = int(m.group("y"))
        decade = bool(m.group("s"))
        end = m.end()
        normalized = f"{year}s" if decade else str(year)
        _claim(taken, m.start(), end)
        yield Span("year", m.start(), end, normalized, ("year", year, decade))


def scan_numbers(text: str, taken: bytearray) -> Iterator[Span]:
    """Numbers in digits or words with scale and unit: "30 km", "5 drones", "seven", "9.8 million", "15th"."""
    for m in _DIGITS_RE.finditer(text):
        if not _free(taken, m.start(), m.end("num")):
            continue
        value = parse_number(m.group("num"))
        if value is None:
            continue
        end = m.end("num")
        suffix = m.group("suffix")
        ordinal = False
        unit = ""
        if suffix:
            low = suffix.lower()
            if low in {"st", "nd", "rd", "th"}:
                ordinal = True
            elif low in lx.SHORT_SCALES and low != "m":
                value *= lx.SHORT_SCALES[low]
            elif fold_word(suffix) in lx.UNITS:
                unit = lx.UNITS[fold_word(suffix)]
            else:
                continue  # "3D", "5G", "4x4"-like identifiers
            end = m.end("suffix")
        if _identifier_context(text, m.start()):
            continue
        yield from _number_span(text, taken, m.start(), end, value, unit, ordinal)
    for m in _WORDNUM_RE.finditer(text):
        word = m.group("w")
        value, ordinal = _word_value(word)
        if value is None or not _free(taken, m.start(), m.end()):
            continue
        folded = fold_word(word)
        after = text[m.end():m.end() + 20]
        if ordinal and folded in lx.WEAK_ORDINALS and not re.match(r"\s+[a-z]", after):
            continue
        if ordinal and re.match(r"-|\s+(?:time|half|place|largest|biggest)\b", after):
            continue
        if folded == "dozen":
            before = text[max(0, m.start() - 3):m.start()]
            if not before.endswith(("a ", "A ")):
                continue
        end = m.end()
        if "-" in word and not ordinal and fold_word(word.split("-", 1)[1]) not in lx.NUMBER_UNITS_WORDS:
            end = m.start() + word.index("-")  # "five-year": the number is "five", "-year" its unit
        yield from _number_span(text, taken, m.start(), end, value, "", ordinal)


def _word_value(word: str) -> tuple[float | None, bool]:
    """Value of a number word ("seven", "twenty-four", "fourth"), and whether it is an ordinal."""
    folded = fold_word(word)
    if folded in lx.NUMBER_WORDS:
        return lx.NUMBER_WORDS[folded], False
    if folded in lx.ORDINAL_WORDS:
        return float(lx.ORDINAL_WORDS[folded]), True
    if "-" in folded:
        head, tail = folded.split("-", 1)
        units = lx.NUMBER_UNITS_WORDS
        if head in lx.NUMBER_WORDS and head.endswith("ty") and tail in units and units[tail] < 10:
            return lx.NUMBER_WORDS[head] + units[tail], False  # "twenty-four"
        if head in lx.NUMBER_WORDS:
            return lx.NUMBER_WORDS[head], False  # "five-year": the unit is read later from the word
    return None, False


def _identifier_context(text: str, start: int) -> bool:
    """Whether a number is part of a name or identifier ("Resolution 1244", "iPhone 16", "No. 5")."""
    m = _PREV_WORDS_RE.search(text, max(0, start - 30), start)
    if m is None or m.end(1) != start - 1 or text[m.end(1):start] != " ":
        return False
    word = m.group(1)
    folded = fold_word(word)
    if folded in lx.MONTHS or folded in lx.WEEKDAYS or folded in lx.TITLE_WORDS:
        return False
    prefix = text[max(0, m.start() - 4):m.start()].rstrip(" \t")
    sentence_initial = not prefix or prefix[-1] in ".!?:\"“«„—-\n"
    return (word[0].isupper() or any(c.isupper() for c in word[1:])) and not sentence_initial


def _number_span(text: str, taken: bytearray, start: int, end: int, value: float, unit: str,
                 ordinal: bool) -> Iterator[Span]:
    """Extend a number by its scale ("million") and unit word ("drones", "km", "-year-old"), claim and yield it."""
    nxt = _NEXT_WORD_RE.match(text, end)
    if nxt and nxt.group("sep") != "-" and _scale_of(nxt.group("w")) and not ordinal:
        scale_end = nxt.end()
        if text[scale_end:scale_end + 1] == "." and _is_abbrev_scale(nxt.group("w") + "."):
            scale_end += 1
        value *= _scale_of(nxt.group("w")) or 1.0
        end = scale_end
        nxt = _NEXT_WORD_RE.match(text, end)
    if not unit and nxt:
        word = nxt.group("w")
        folded = fold_word(word)
        is_unit = folded in lx.UNITS
        if nxt.group("sep") == "-":
            rest = re.match(r"[^\W\d_]+(?:-[^\W\d_]+)*", text[nxt.start("w"):])
            if rest is not None:
                unit = singular(fold_word(rest.group()))
                end = nxt.start("w") + rest.end()
        elif is_unit or (word[0].islower() and folded not in lx.STOPWORDS and _scale_of(word) is None
                         and fold_word(word) not in lx.HEDGES and len(folded) > 1):
            unit = lx.UNITS.get(folded) or singular(folded)
            end = nxt.end()
    if not _free(taken, start, end):
        end_num = start
        while end_num < end and not taken[end_num]:  # stop where an earlier fact begins
            end_num += 1
        end, unit = end_num, unit if end_num == end else ""
        if end <= start:
            return
    _claim(taken, start, end)
    shown = format_amount(value)
    normalized = (f"#{shown}" if ordinal else shown) + (f" {unit}" if unit else "")
    yield Span("number", start, end, normalized, ("ordinal" if ordinal else "number", value), value, unit,
               _hedged(text, start))


def singular(word: str) -> str:
    """Crude singular of a unit noun so "drones" and "drone" compare equal."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
