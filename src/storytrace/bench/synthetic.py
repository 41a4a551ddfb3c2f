"""Synthetic news corpus with planted copies and known ground truth, reproducible from a seed.

Base articles are generated, not shipped: a title line and 4-9 paragraphs of sentences drawn
from ~60,000 pseudo-words with a Zipfian law, mixed with real English function words, per-topic
proper names and per-topic stock phrases ("the ministry said in a statement ..."), so different
articles on one topic share names and a few stock 5-grams, as real ones do. Optionally some
bases are real texts from a CSV column (benchmarks only; nothing is copied into the repository).

Planted copies of a base (``kind``):
  exact       the same text
  boilerplate the text inside a site's chrome: menu lines, related-article links, footer
  truncated   the first 40-90% of the words (``param`` = kept fraction)
  excerpt     a contiguous 25-60% of the words (``param`` = fraction)
  edited      5-20% word edits: substitutions, insertions, deletions (``param`` = edit rate)
  reordered   paragraphs shuffled
Any document (base or copy) may also carry a shared trailer or banner ("Share. Exit mobile
version", cookie notices): boilerplate repeated on thousands of unrelated documents.

Modes: "mixed" (default, ``copy_fraction`` of documents are copies; a few viral bases get many),
"unique" (nothing is a duplicate, trailers still shared), "duplicates" (everything is a copy of
one of n/1000 bases).

Output JSONL, one document per line: ``id``, ``text``, ``base`` (id of the family's base; its own
id for a base), ``kind`` and ``param``. Generation is deterministic for a given seed and size:
documents are made in chunks of ``CHUNK`` with their own generators seeded (seed, chunk).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

Mode = Literal["mixed", "unique", "duplicates"]
KINDS: tuple[str, ...] = ("exact", "boilerplate", "truncated", "excerpt", "edited", "reordered")
KIND_WEIGHTS = np.array([0.10, 0.20, 0.15, 0.15, 0.25, 0.15])
CHUNK = 1000

FUNCTION_WORDS = (
    "the of and to a in that is was he for it with as his on be at by i this had not are but from "
    "or have an they which one you were her all she there would their we him been has when who will "
    "more no if out so said what up its about into than them can only other new some could time "
    "these two may then do first any my now such like our over man me even most made after also "
    "did many before must through back years where much your way well down should because each "
    "just those people how too little state good very make world still own see men work long get "
    "here between both life being under never day same another know while last might us great "
    "old year off come since against go came right used take three"
).split()
_FUNCTION_SET = frozenset(FUNCTION_WORDS)
SECTIONS = ("Home", "News", "World", "Politics", "Business", "Economy", "Tech", "Science", "Health",
            "Sports", "Culture", "Opinion", "Video", "Podcasts", "Local", "Weather", "Travel")
TRAILERS = (
    "Share. Exit mobile version",
    "We use cookies to improve your experience on our site. By using this site, you agree to our "
    "privacy policy and terms of use. Accept",
    "AdBlock Detected\nOur site is an advertising supported site. Please whitelist to support our "
    "site.\nOkay, I'll Whitelist",
    "Sign up for our newsletter to get the latest news delivered to your inbox every morning. "
    "Subscribe",
    "Follow us on Facebook, Twitter and Instagram for the latest updates.",
    "This article was automatically generated from a syndicated feed and has not been edited by our "
    "staff.",
    "Did you find this article useful? Share it with your friends. Report an error",
    "All rights reserved. This material may not be published, broadcast, rewritten or "
    "redistributed without permission.",
)
_ONSETS = ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
           "br", "ch", "cl", "dr", "fl", "gr", "kr", "pl", "pr", "sh", "sk", "st", "str", "th", "tr", "")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "ia", "y")
_CODAS = ("", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "rk", "ng", "x")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@dataclass(frozen=True, slots=True)
class Doc:
    """One generated document and its ground truth."""

    id: str
    text: str
    base: str  # id of the family's base article (own id for a base)
    kind: str  # "base" or one of KINDS
    param: float = 0.0


@dataclass(frozen=True)
class SyntheticCorpus:
    """Generator of a synthetic corpus of ``size`` documents; iterate ``docs()`` or ``write()``."""

    size: int
    seed: int = 0
    mode: Mode = "mixed"
    copy_fraction: float = 0.3
    viral_fraction: float = 0.02
    trailer_rate: float = 0.3
    real_texts: tuple[str, ...] = ()
    real_fraction: float = 0.0

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"size must be >= 1, got {self.size}")
        if self.mode not in ("mixed", "unique", "duplicates"):
            raise ValueError(f"mode must be mixed, unique or duplicates, got {self.mode!r}")
        for name in ("copy_fraction", "viral_fraction", "trailer_rate", "real_fraction"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")

    @cached_property
    def n_base(self) -> int:
        """Number of base articles (ids d0000000 .. n_base - 1 come first in id order, not in file order)."""
        if self.mode == "unique":
            return self.size
        if self.mode == "duplicates":
            return max(1, self.size // 1000)
        return max(1, self.size - int(round(self.size * self.copy_fraction)))

    @cached_property
    def _vocab(self) -> np.ndarray:
        """~60,000 distinct pseudo-words, most frequent first (object array of str)."""
        return _vocabulary(self.seed)

    @cached_property
    def _cdf(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative Zipf weights of the content vocabulary and of the function words."""
        content = 1.0 / (np.arange(len(self._vocab)) + 2.7) ** 1.05
        function = 1.0 / (np.arange(len(FUNCTION_WORDS)) + 1.0)
        return np.cumsum(content / content.sum()), np.cumsum(function / function.sum())

    @cached_property
    def _function(self) -> np.ndarray:
        return np.array(FUNCTION_WORDS, dtype=object)

    @cached_property
    def _n_topics(self) -> int:
        return max(10, self.n_base // 40)

    @cached_property
    def _topics(self) -> dict[int, tuple[np.ndarray, list[list[str]]]]:
        return {}

    def _topic(self, t: int) -> tuple[np.ndarray, list[list[str]]]:
        """Proper names and stock phrases of topic ``t`` (fixed by seed and t; memoised)."""
        if t in self._topics:
            return self._topics[t]
        rng = np.random.default_rng([self.seed, 2, t])
        names = np.array([w.capitalize() for w in rng.choice(self._vocab[2000:], size=40)], dtype=object)
        phrases = []
        for _ in range(12):
            words = self._sample(rng, int(rng.integers(5, 9)), names).tolist()
            phrases.append(words)
        self._topics[t] = (names, phrases)
        return names, phrases

    def _sample(self, rng: np.random.Generator, n: int, names: np.ndarray) -> np.ndarray:
        """n words: 45% function words, 8% topic names, the rest Zipfian content words."""
        content_cdf, function_cdf = self._cdf
        u = rng.random(n)
        kind = rng.random(n)
        out = self._vocab[np.minimum(np.searchsorted(content_cdf, u), len(self._vocab) - 1)]
        fn = kind < 0.45
        out[fn] = self._function[np.minimum(np.searchsorted(function_cdf, u[fn]), len(self._function) - 1)]
        nm = (kind >= 0.45) & (kind < 0.53)
        out[nm] = names[rng.integers(len(names), size=int(nm.sum()))]
        return out

    def article(self, rng: np.random.Generator) -> str:
        """One news-like article of ~3 KB: a title line, then paragraphs of sentences."""
        names, phrases = self._topic(int(rng.integers(self._n_topics)))
        n_words = int(rng.integers(400, 560))
        words = self._sample(rng, n_words, names).tolist()
        lengths = rng.integers(8, 28, size=n_words // 8 + 1).tolist()
        u = rng.random((len(lengths), 5)).tolist()
        picks = rng.integers(0, 1 << 30, size=(len(lengths), 3)).tolist()
        sentences = []
        i = 0
        for length, (u_phrase, u_comma, u_said, u_num, u_end), (p1, p2, p3) in zip(lengths, u, picks):
            if i >= n_words:
                break
            sent = words[i:i + length]
            i += length
            if u_phrase < 0.15:
                sent = phrases[p1 % len(phrases)] + sent
            if u_comma < 0.2 and len(sent) > 4:
                sent[len(sent) // 2] += ","
            if u_said < 0.1:
                sent += ["said", names[p2 % len(names)]]
            if u_num < 0.08:
                sent.insert(p3 % len(sent), str(2 + p3 % 2028))
            sent[0] = sent[0].capitalize()
            sentences.append(" ".join(sent) + ("." if u_end < 0.93 else "?"))
        title = " ".join(self._sample(rng, int(rng.integers(6, 11)), names).tolist()).title()
        sizes = rng.integers(2, 6, size=len(sentences)).tolist()
        paragraphs = []
        j = 0
        for k in sizes:
            if j >= len(sentences):
                break
            paragraphs.append(" ".join(sentences[j:j + k]))
            j += k
        return title + "\n" + "\n".join(paragraphs)

    def _headline(self, rng: np.random.Generator) -> str:
        names = np.array(["Government", "Minister", "Council", "Market", "League"], dtype=object)
        return " ".join(str(w) for w in self._sample(rng, int(rng.integers(5, 10)), names)).capitalize()

    def _date(self, rng: np.random.Generator) -> str:
        return f"{_MONTHS[rng.integers(12)]} {int(rng.integers(1, 29))}, {int(rng.integers(2019, 2026))}"

    def wrap(self, rng: np.random.Generator, text: str) -> str:
        """Text inside a site's chrome: header, menus, date, related links and footer."""
        site = int(rng.integers(40))
        srng = np.random.default_rng([self.seed, 3, site])
        name = str(self._vocab[100 + site]).capitalize() + " " + ("News", "Times", "Daily", "Post")[site % 4]
        menu = [SECTIONS[i] for i in np.sort(srng.choice(len(SECTIONS), size=int(srng.integers(6, 12)),
                                                            replace=False))]
        top = [name, *menu, "Search", "Sign in", f"{SECTIONS[int(rng.integers(len(SECTIONS)))]} | {self._date(rng)}"]
        related = ["Related articles"]
        for _ in range(int(rng.integers(3, 25))):
            related += [self._headline(rng), self._date(rng)]
        footer = ["About us", "Contact", "Privacy Policy", "Terms of Use", "Advertise",
                  f"\u00a9 {int(srng.integers(2015, 2025))} {name}. All Rights Reserved."]
        return "\n".join(top + [text] + related + footer)

    def copy(self, rng: np.random.Generator, text: str, kind: str) -> tuple[str, float]:
        """A planted copy of ``text`` of the given kind, and its parameter."""
        if kind == "exact":
            return text, 0.0
        if kind == "boilerplate":
            return self.wrap(rng, text), 0.0
        if kind == "reordered":
            head, *paras = text.split("\n")
            order = rng.permutation(len(paras))
            if len(paras) > 1 and np.all(order == np.arange(len(paras))):
                order = np.roll(order, 1)
            return "\n".join([head] + [paras[i] for i in order]), 0.0
        lines = [line.split(" ") for line in text.split("\n")]
        flat = [(li, w) for li, line in enumerate(lines) for w in line]
        n = len(flat)
        if kind == "truncated":
            frac = float(rng.uniform(0.4, 0.9))
            return _join(flat[: max(1, int(n * frac))]), frac
        if kind == "excerpt":
            frac = float(rng.uniform(0.25, 0.6))
            m = max(1, int(n * frac))
            start = int(rng.integers(0, n - m + 1))
            return _join(flat[start:start + m]), frac
        if kind == "edited":
            rate = float(rng.uniform(0.05, 0.20))
            return _join(self._edit(rng, flat, rate)), rate
        raise ValueError(f"unknown copy kind {kind!r}")

    def _edit(self, rng: np.random.Generator, flat: list[tuple[int, str]], rate: float) -> list[tuple[int, str]]:
        """Apply round(rate * n) random word substitutions, insertions and deletions."""
        out = list(flat)
        n_ops = int(round(rate * len(flat)))
        fresh = self._sample(rng, n_ops, np.array(["Minister"], dtype=object))
        for k in range(n_ops):
            op = rng.random()
            pos = int(rng.integers(len(out)))
            line = out[pos][0]
            if op < 0.5:
                out[pos] = (line, str(fresh[k]))
            elif op < 0.75 or len(out) < 10:
                out.insert(pos, (line, str(fresh[k])))
            else:
                del out[pos]
        return out

    def docs(self) -> Iterator[Doc]:
        """All documents in file order (copies interleaved with bases)."""
        for chunk in range((self.size + CHUNK - 1) // CHUNK):
            yield from self._chunk(chunk)

    def _plan(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per document slot: base index (or -1 for a base), copy kind index, file position."""
        rng = np.random.default_rng([self.seed, 4])
        n_copy = self.size - self.n_base
        viral = min(10, self.n_base)
        n_viral = int(round(n_copy * self.viral_fraction)) if self.mode == "mixed" else 0
        bases = np.concatenate((rng.integers(0, viral, size=n_viral),
                                rng.integers(0, self.n_base, size=n_copy - n_viral)))
        kinds = rng.choice(len(KINDS), size=n_copy, p=KIND_WEIGHTS)
        order = rng.permutation(self.size)
        return bases, kinds, order

    @cached_property
    def _layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._plan()

    def _chunk(self, chunk: int) -> list[Doc]:
        """Documents at file positions [chunk * CHUNK, (chunk + 1) * CHUNK)."""
        bases, kinds, order = self._layout
        rng = np.random.default_rng([self.seed, 5, chunk])
        out = []
        for pos in range(chunk * CHUNK, min(self.size, (chunk + 1) * CHUNK)):
            slot = int(order[pos])
            if slot < self.n_base:
                text, base, kind, param = self.base_text(slot), slot, "base", 0.0
            else:
                base = int(bases[slot - self.n_base])
                kind = KINDS[int(kinds[slot - self.n_base])]
                text, param = self.copy(rng, self.base_text(base), kind)
            if rng.random() < self.trailer_rate:
                trailer = TRAILERS[min(int(rng.zipf(1.6)) - 1, len(TRAILERS) - 1)]
                text = trailer + "\n" + text if rng.random() < 0.3 else text + "\n" + trailer
            out.append(Doc(_doc_id(slot), text, _doc_id(base), kind, round(param, 4)))
        return out

    def base_text(self, index: int) -> str:
        """Text of base article ``index`` (generated from (seed, index) alone, so copies agree).

        With real texts, every ``1 / real_fraction``-th base is a distinct real text (each used once).
        """
        if self.real_texts and self.real_fraction > 0:
            step = max(1, int(round(1 / self.real_fraction)))
            if index % step == step - 1 and index // step < len(self.real_texts):
                return self.real_texts[int(self._real_order[index // step])]
        return self.article(np.random.default_rng([self.seed, 6, index]))

    @cached_property
    def _real_order(self) -> np.ndarray:
        return np.random.default_rng([self.seed, 7]).permutation(len(self.real_texts))

    def write(self, path: str | Path) -> Path:
        """Write the corpus as JSONL (id, text, base, kind, param) and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for doc in self.docs():
                fh.write(json.dumps({"id": doc.id, "text": doc.text, "base": doc.base,
                                     "kind": doc.kind, "param": doc.param}, ensure_ascii=False))
                fh.write("\n")
        return path


@lru_cache(maxsize=4)
def _vocabulary(seed: int, size: int = 60000) -> np.ndarray:
    """``size`` distinct pseudo-words built from syllables, fixed by ``seed`` (object array of str)."""
    rng = np.random.default_rng([seed, 1])
    n_syl = rng.choice(3, p=[0.5, 0.4, 0.1], size=4 * size) + 1
    parts = rng.integers(0, 1 << 30, size=(4 * size, 3, 3))
    words: dict[str, None] = {}
    for k in range(4 * size):
        w = "".join(_ONSETS[parts[k, i, 0] % len(_ONSETS)] + _VOWELS[parts[k, i, 1] % len(_VOWELS)]
                    + _CODAS[parts[k, i, 2] % len(_CODAS)] for i in range(n_syl[k]))
        if len(w) > 1 and w not in _FUNCTION_SET:
            words[w] = None
            if len(words) == size:
                break
    return np.array(list(words), dtype=object)


def _join(flat: list[tuple[int, str]]) -> str:
    """Rebuild text from (line number, word) pairs: words joined by spaces, lines by newlines."""
    lines: list[list[str]] = []
    last = None
    for line, word in flat:
        if line != last:
            lines.append([])
            last = line
        lines[-1].append(word)
    return "\n".join(" ".join(words) for words in lines)


def _doc_id(slot: int) -> str:
    return f"d{slot:07d}"


def load_real_texts(path: str | Path, limit: int = 5000, min_chars: int = 400) -> tuple[str, ...]:
    """Distinct texts from the text1/text2 columns of a CSV (e.g. the SemEval story pairs).

    Texts sharing their opening or closing 200 characters (same cookie wall or bot page under
    another title, a syndicated copy) are kept once, so no two real bases are copies.
    """
    csv.field_size_limit(1 << 30)
    seen: set[str] = set()
    out: list[str] = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for col in ("text1", "text2"):
                text = (row.get(col) or "").strip()
                if len(text) < min_chars:
                    continue
                flat = " ".join(text.split())
                keys = {"h" + flat[:200], "m" + flat[80:280], "t" + flat[-200:]}
                if keys & seen:
                    continue
                seen |= keys
                out.append(text)
            if len(out) >= limit:
                break
    return tuple(out)
