"""Tokens: exact original offsets, folded ids, and the rule-based sentence splitter."""
from __future__ import annotations

import unicodedata

import numpy as np

from storytrace.text.tokens import sentences, tokenize


def words(text: str) -> list[str]:
    """Token strings as sliced from the original text."""
    tk = tokenize(text)
    return [text[s:e] for s, e in zip(tk.starts.tolist(), tk.ends.tolist())]


def test_offsets_index_original_text() -> None:
    text = "  Vučić met Erdoğan — “don’t” go_on, 3.5% of U.S. 中文 drones!\n"
    assert words(text) == [
        "Vučić", "met", "Erdoğan", "don", "t", "go", "on", "3", "5", "of", "U", "S", "中", "文", "drones"
    ]


def test_dtypes_and_empty() -> None:
    tk = tokenize("")
    assert len(tk) == 0 and tk.starts.dtype == np.int32 and tk.ids.dtype == np.uint64
    tk = tokenize("... — !!")
    assert len(tk) == 0
    tk = tokenize("one two")
    assert tk.starts.dtype == np.int32 and tk.ends.dtype == np.int32 and tk.ids.dtype == np.uint64


def test_folded_ids_match_variants() -> None:
    a = tokenize("Vučić Erdoğan don’t inter\u00adnational STRASSE")
    b = tokenize("VUCIC erdogan don't international straße")
    assert a.ids.tolist() == b.ids.tolist()


def test_decomposed_marks_stay_inside_words() -> None:
    nfd = unicodedata.normalize("NFD", "Vučić said")
    assert words(nfd) == [nfd[:7], "said"]
    assert tokenize(nfd).ids.tolist() == tokenize("Vucic said").ids.tolist()
    assert words("हिन्दी भाषा") == ["हिन्दी", "भाषा"]


def test_distinct_words_distinct_ids() -> None:
    tk = tokenize("the cat sat on the mat")
    ids = tk.ids.tolist()
    assert ids[0] == ids[4] and len(set(ids)) == 5


def split(text: str) -> list[str]:
    """Sentence strings as sliced from the original text."""
    return [text[s:e] for s, e in sentences(text)]


def test_sentences_abbreviations_and_decimals() -> None:
    text = "Mr. Smith of the U.S. said output rose 3.5% on Jan. 5. Then he left! J. Doe stayed."
    expected = ["Mr. Smith of the U.S. said output rose 3.5% on Jan. 5.", "Then he left!", "J. Doe stayed."]
    assert split(text) == expected


def test_sentences_newlines_quotes_and_trimming() -> None:
    text = "  Title without stop\n\n“Is it over?” he asked. “No.” She left…  Next one\n"
    expected = ["Title without stop", "“Is it over?” he asked.", "“No.”", "She left…", "Next one"]
    assert split(text) == expected


def test_sentences_lowercase_continuation_and_empty() -> None:
    text = "It cost approx. five euros. See No. 5. No. Fine."
    assert split(text) == ["It cost approx. five euros.", "See No. 5.", "No.", "Fine."]
    assert sentences("") == [] and sentences(" \n \n") == []
