"""Fingerprints: determinism, tokeniser definition, Jaccard accuracy, edge cases, config checks."""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata

import numpy as np
import pytest

from storytrace.bench.synthetic import SyntheticCorpus
from storytrace.fingerprint import (
    EMPTY,
    DedupConfig,
    estimate_jaccard,
    fingerprint,
    shingle_set,
    shingles,
    signatures,
    word_hashes,
)
from storytrace.text.normalize import normalize


def _articles(n: int, seed: int = 0) -> list[str]:
    corpus = SyntheticCorpus(10, seed=seed)
    rng = np.random.default_rng(seed)
    return [normalize(corpus.article(rng)) for _ in range(n)]


def test_signatures_deterministic_and_shaped() -> None:
    texts = _articles(5)
    a = signatures(texts)
    b = signatures(list(texts))
    assert a.shape == (5, 128) and a.dtype == np.uint64
    assert np.array_equal(a, b)
    assert np.array_equal(signatures(texts, DedupConfig(method="kperm")),
                          signatures(texts, DedupConfig(method="kperm")))
    assert not np.array_equal(a, signatures(texts, DedupConfig(seed=2)))


def test_signatures_identical_across_processes() -> None:
    code = ("import numpy as np, xxhash; from storytrace.fingerprint import signatures;"
            "print(xxhash.xxh64_hexdigest(signatures(['the quick brown fox jumps over the lazy dog',"
            " 'vucic said: erdogan visit', '']).tobytes()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import xxhash

    local = signatures(["the quick brown fox jumps over the lazy dog", "vucic said: erdogan visit", ""])
    assert out.stdout.strip() == xxhash.xxh64_hexdigest(local.tobytes())


def test_batch_equals_single() -> None:
    texts = _articles(4)
    batch = signatures(texts)
    for i, t in enumerate(texts):
        assert np.array_equal(batch[i], signatures([t])[0])
    fp = fingerprint(texts)
    assert np.array_equal(fp.signatures, batch)


def _reference_words(text: str) -> list[str]:
    """The documented word definition, written plainly."""
    words, current = [], ""
    for ch in text:
        cp = ord(ch)
        cjk = 0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
        wordy = ch.isalnum() or unicodedata.category(ch)[0] == "M"
        if wordy and not cjk:
            current += ch
        elif ch in "\u00ad\u200c\u200d" and current:
            continue
        else:
            if current:
                words.append(current)
                current = ""
            if wordy and cjk:
                words.append(ch)
    if current:
        words.append(current)
    return words


@pytest.mark.parametrize("text", [
    "vucic said: \"erdogan's visit - good\" 12,5% of 2024...",
    "naïve café hindi हिन्दी ελληνικά русский 中国再次下调 カタカナ ok_ok x\u00adyz",
    "  ", "a", "\U0001f600 emoji \u2603 then text",
])
def test_tokeniser_matches_definition(text: str) -> None:
    from storytrace.fingerprint.minhash import _splitmix64  # noqa: F401  (module loads)

    expected = _reference_words(text)
    got = word_hashes(text)
    assert len(got) == len(expected)
    # equal words hash equally, different words differently
    for i in range(len(expected)):
        for j in range(len(expected)):
            assert (got[i] == got[j]) == (expected[i] == expected[j].replace("\u00ad", ""))


def test_words_are_regex_runs_for_plain_text() -> None:
    text = _articles(1)[0]
    assert len(word_hashes(text)) == len(re.findall(r"[^\W_]+", text))


def test_shingle_set_sorted_unique_and_sizes() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    s = shingle_set(text)
    assert s.dtype == np.uint64 and len(s) == 96
    assert np.all(np.diff(s.astype(np.float64)) > 0)
    assert len(shingle_set("")) == 0
    assert len(shingle_set("one")) == 1
    assert len(shingle_set("two words")) == 1
    assert len(shingle_set(text, ngram=3)) == 98
    seq, nwords = shingles("a b a b a b a b")
    assert nwords == 8 and len(seq) == 4 and len(np.unique(seq)) == 2


def test_empty_and_one_word_documents() -> None:
    sig = signatures(["", "word", "word", "   ...   "])
    assert np.all(sig[0] == EMPTY) and np.all(sig[3] == EMPTY)
    assert np.array_equal(sig[1], sig[2]) and not np.any(sig[1] == EMPTY)
    fp = fingerprint(["", "word"])
    assert list(fp.n_words) == [0, 1] and list(np.diff(fp.anchor_offsets)) == [0, 1]


def test_ten_megabyte_document() -> None:
    rng = np.random.default_rng(3)
    words = np.array([f"w{i}" for i in range(50000)])
    text = " ".join(words[rng.integers(0, len(words), size=1_600_000)])
    assert len(text) > 10_000_000
    fp = fingerprint([text, "short text here"])
    assert fp.n_words[0] == 1_600_000
    assert not np.any(fp.signatures[0] == EMPTY)
    assert np.diff(fp.anchor_offsets)[0] > 10_000


@pytest.mark.parametrize("method", ["oph", "kperm"])
def test_jaccard_estimate_close_to_truth(method: str) -> None:
    rng = np.random.default_rng(7)
    config = DedupConfig(method=method)
    errors = []
    for _ in range(60):
        length = int(rng.integers(50, 800))
        words = [f"w{x}" for x in rng.integers(0, 10**9, size=2 * length)]
        shift = int(rng.integers(0, length))
        a, b = " ".join(words[:length]), " ".join(words[shift:shift + length])
        sa, sb = shingle_set(a), shingle_set(b)
        true = len(np.intersect1d(sa, sb)) / len(np.union1d(sa, sb))
        sig = signatures([a, b], config)
        errors.append(estimate_jaccard(sig[0], sig[1]) - true)
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.02  # unbiased
    assert np.sqrt((errors**2).mean()) < 0.06  # ~sqrt(J(1-J)/128)
    assert np.abs(errors).max() < 0.2


def test_anchors_sorted_unique_per_document() -> None:
    fp = fingerprint(_articles(3))
    for i in range(3):
        row = fp.anchors[fp.anchor_offsets[i]:fp.anchor_offsets[i + 1]]
        assert len(row) > 10 and np.array_equal(row, np.unique(row))


@pytest.mark.parametrize("kwargs, message", [
    ({"threshold": 0.0}, "threshold"),
    ({"threshold": 1.5}, "threshold"),
    ({"num_perm": 1}, "num_perm"),
    ({"num_perm": 12.5}, "num_perm"),
    ({"ngram": 0}, "ngram"),
    ({"seed": -1}, "seed"),
    ({"method": "simhash"}, "method"),
    ({"fp_weight": -1}, "fp_weight"),
    ({"fp_weight": 0, "fn_weight": 0}, "fp_weight"),
    ({"anchor_df_cap": 0}, "anchor_df_cap"),
    ({"near_threshold": 2}, "near_threshold"),
    ({"containment_threshold": "high"}, "containment_threshold"),
])
def test_config_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DedupConfig(**kwargs)
