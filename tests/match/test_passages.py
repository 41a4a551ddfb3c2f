"""Shared passages: seed pairs (copy in chrome, spun rewrite) and generated edit/reorder cases."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from storytrace.match.passages import Passage, align, shared_passages, unique_passages
from storytrace.text.tokens import tokenize

_WORD = re.compile(r"[^\W_]")


def shared_dir() -> Path:
    """The shared folder beside the repository, falling back to /work/shared."""
    here = Path(__file__).resolve().parents[3] / "shared"
    return here if here.is_dir() else Path("/work/shared")


def seed(prefix: str) -> str:
    """Text of the seed file starting with ``prefix``; skips the test when seeds are absent."""
    found = sorted((shared_dir() / "seeds").glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip("shared seeds not available")
    return found[0].read_text(encoding="utf-8")


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    """Distinct pseudo-words, so generated texts share nothing by chance."""
    syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "gu", "ba", "ze", "vo", "chi"]
    out: set[str] = set()
    while len(out) < size:
        out.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(out)


def make_words(count: int, seed_value: int = 1) -> list[str]:
    """``count`` pseudo-random words (deterministic)."""
    rng = random.Random(seed_value)
    vocab = vocabulary(rng)
    return [rng.choice(vocab) for _ in range(count)]


def prose(words: list[str]) -> str:
    """Words as sentences of 12 words; always ends with a full stop."""
    last = len(words) - 1
    return " ".join(w + ("." if i % 12 == 11 or i == last else "") for i, w in enumerate(words))


def check_spans(a: str, b: str, passages: list[Passage]) -> None:
    """Every span indexes the original strings and starts and ends with a word character."""
    for p in passages:
        for text, s, e in ((a, p.a_start, p.a_end), (b, p.b_start, p.b_end)):
            assert 0 <= s < e <= len(text)
            assert _WORD.match(text[s]) and _WORD.match(text[e - 1])


def covered_words(text: str, spans: list[tuple[int, int]]) -> float:
    """Share of the text's words whose start lies in one of ``spans``."""
    tk = tokenize(text)
    inside = sum(any(s <= x < e for s, e in spans) for x in tk.starts.tolist())
    return inside / len(tk)


# --- seeds ---------------------------------------------------------------------------------------


def test_seed_copy_inside_chrome() -> None:
    a, b = seed("000"), seed("002")
    result = align(a, b)
    main = [p for p in result.passages if not p.moved]
    check_spans(a, b, result.passages)
    assert 1 <= len(main) <= 3
    assert covered_words(a, [(p.a_start, p.a_end) for p in main]) >= 0.98
    assert all(x.a_end <= y.a_start and x.b_end <= y.b_start for x, y in zip(main, main[1:]))
    tk = tokenize(a)
    assert main[0].a_start == tk.starts[0] and main[-1].a_end == tk.ends[-1]
    assert main[0].b_start > 0 and main[-1].b_end < len(b)  # the article sits inside the chrome
    assert not result.only_a
    assert result.only_b
    for s, e in result.only_b:  # chrome only: no 8-word stretch of the article in it
        assert shared_passages(a, b[s:e]) == []


def test_seed_spun_rewrite_has_few_short_passages() -> None:
    a, b = seed("000"), seed("001")
    passages = shared_passages(a, b)
    check_spans(a, b, passages)
    assert len(passages) <= 3
    assert all(p.words < 30 for p in passages)
    assert sum(p.words for p in passages) < 0.1 * len(tokenize(a))


# --- generated ----------------------------------------------------------------------------------


def test_identical_texts_one_full_passage() -> None:
    a = prose(make_words(300))
    passages = shared_passages(a, a)
    assert len(passages) == 1
    p = passages[0]
    assert (p.a_start, p.b_start) == (0, 0) and p.a_end == p.b_end == len(a) - 1  # final "." excluded
    assert p.words == p.a_words == p.b_words == 300 and p.similarity == 1.0 and not p.moved


def test_substituted_words_merge_into_one_passage() -> None:
    words = make_words(200)
    edited = list(words)
    for i in (30, 31, 90, 150):
        edited[i] = "CHANGED"
    a, b = prose(words), prose(edited)
    passages = shared_passages(a, b)
    check_spans(a, b, passages)
    assert len(passages) == 1
    p = passages[0]
    assert p.words == 196 and p.a_words == p.b_words == 200
    assert 0.9 < p.similarity < 1.0


def test_insertion_and_deletion_merge() -> None:
    words = make_words(120)
    edited = words[:40] + ["extra", "words"] + words[40:80] + words[83:]
    passages = shared_passages(prose(words), prose(edited))
    assert len(passages) == 1 and passages[0].words == 117


def test_large_gap_splits_passages() -> None:
    words = make_words(120)
    edited = words[:60] + ["new"] * 6 + words[66:]
    passages = shared_passages(" ".join(words), " ".join(edited))
    assert [p.words for p in passages] == [60, 54]


def test_reordered_paragraphs_both_found() -> None:
    p1, p2, p3 = (prose(make_words(n, s)) for n, s in ((80, 1), (40, 2), (60, 3)))
    a = "\n\n".join([p1, p2, p3])
    b = "\n\n".join([p2, p1, p3])
    passages = shared_passages(a, b)
    check_spans(a, b, passages)
    assert sum(p.words for p in passages) == 180
    moved = [p for p in passages if p.moved]
    assert len(moved) == 1 and a[moved[0].a_start : moved[0].a_end + 1] == p2
    assert b[moved[0].b_start : moved[0].b_end + 1] == p2


def test_diacritics_and_quotes_still_match() -> None:
    a = "President Aleksandar Vučić said “we don’t want drones” after meeting Recep Tayyip Erdoğan."
    b = "PRESIDENT ALEKSANDAR VUCIC SAID \"WE DON'T WANT DRONES\" AFTER MEETING RECEP TAYYIP ERDOGAN!"
    passages = shared_passages(a, b)
    assert len(passages) == 1 and passages[0].similarity == 1.0
    p = passages[0]
    assert a[p.a_start : p.a_end] == a[:-1] and b[p.b_start : p.b_end] == b[:-1]


def test_empty_and_disjoint_texts() -> None:
    text = prose(make_words(50))
    assert shared_passages("", "") == []
    assert shared_passages(text, "") == [] and shared_passages("", text) == []
    assert shared_passages(text, prose(make_words(50, seed_value=2))) == []
    result = align(text, "")
    assert result.passages == [] and result.only_b == []
    assert result.only_a == [(0, len(text) - 1)]


def test_min_words_filter() -> None:
    shared = make_words(6, 5)
    a = prose(make_words(30, 1) + shared + make_words(30, 2))
    b = prose(make_words(30, 3) + shared + make_words(30, 4))
    assert shared_passages(a, b) == []
    found = shared_passages(a, b, min_words=5)
    assert len(found) == 1 and found[0].words == 6


def test_unique_passages_trim_to_words() -> None:
    text = "Alpha beta, gamma. Delta epsilon zeta! Eta"
    start = text.index("Delta")
    spans = unique_passages(text, [(start, start + len("Delta epsilon zeta"))])
    assert [text[s:e] for s, e in spans] == ["Alpha beta, gamma", "Eta"]
    assert unique_passages(text, [(0, len(text))]) == []
    assert unique_passages("", []) == []
    assert unique_passages(text, [], min_words=4) == [(0, len(text))]


def test_100k_word_pair_runs() -> None:
    words = make_words(100_000, 9)
    edited = list(words)
    for i in range(0, len(edited), 50):
        edited[i] = "CHANGED"
    edited = edited[50_000:50_400] + edited[:50_000] + edited[50_400:]
    a, b = prose(words), prose(edited)
    passages = shared_passages(a, b)
    check_spans(a, b, passages)
    assert sum(p.words for p in passages) > 97_000
    assert any(p.moved for p in passages)
