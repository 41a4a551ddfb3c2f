"""Two-process helpers of ``cluster.stories.build_stories`` (the forked view worker): the texts' embeddings
computed half here, half in the worker; the share of each chunk's story views the worker builds, adapted to
keep both processes busy; views sent back with their vectors as float16.

None of this changes a result: a text's embedding is the same bits in any batch and in either process
(``fingerprint.semantic``: one BLAS thread, at least ``MIN_ROWS`` rows a call), a view's vectors are float16
values held as float32 (the round trip is exact), and a view missing when needed is built where it is needed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..match import story as sm

#: texts split between this process and the worker only from this many (below, the pickling is not worth it)
SPLIT_MIN = 512


def preload() -> None:
    """Load what building a view needs before the worker is forked: the model (about 0.5 s) and the modules
    ``match.story`` imports on first use (the quantity scanners compile their patterns: about 0.3 s), so
    the worker inherits them instead of loading them again."""
    from ..match import sentence_align  # noqa: F401  (imported for its side effect: loaded before the fork)
    from ..text import quantities  # noqa: F401
    from ..fingerprint.semantic import model
    from ..text.language import load_model

    model()
    load_model()  # the worker tells the languages of the texts it builds views of (``cluster.stories.language_of``)


def views_of(articles: Sequence[Any], text_vecs: Sequence[np.ndarray | None] | None,
             lexical: Sequence[Any] | None = None) -> list[sm.StoryView]:
    """``build_views`` of articles of which some have their text's embedding at hand (``text_vecs[i]``, else
    None): the two kinds in one call each, in the given order. ``lexical``: their words and names where
    computed already (``build_views(lexical=)``, None entries allowed)."""
    if text_vecs is None or all(v is None for v in text_vecs):
        return sm.build_views(list(articles), lexical=lexical)
    if all(v is not None for v in text_vecs):
        return sm.build_views(list(articles), text_vecs, lexical)  # type: ignore[arg-type]  # every vector present: checked just above
    have = [i for i, v in enumerate(text_vecs) if v is not None]
    lack = [i for i, v in enumerate(text_vecs) if v is None]
    out: list[Any] = [None] * len(articles)
    for i, v in zip(have, sm.build_views([articles[i] for i in have], [text_vecs[i] for i in have],  # type: ignore[misc]  # the vectors of `have` are all present here
                                         [lexical[i] for i in have] if lexical is not None else None)):
        out[i] = v
    for i, v in zip(lack, sm.build_views([articles[i] for i in lack],
                                         lexical=[lexical[i] for i in lack] if lexical is not None else None)):
        out[i] = v
    return out


def _embed(texts: list[str]) -> np.ndarray:
    """Worker side of ``embed_texts``."""
    from ..fingerprint.semantic import embed

    return embed(texts)


def embed_texts(texts: Sequence[str], pool: Any = None) -> np.ndarray:
    """``fingerprint.semantic.embed(texts)`` (float16, one row each); with a worker pool the second part is
    embedded by the worker meanwhile (the same bits: see the module doc)."""
    from ..fingerprint.semantic import embed

    texts = list(texts)
    if pool is None or len(texts) < SPLIT_MIN:
        return embed(texts)
    half = len(texts) // 2
    future = pool.submit(_embed, texts[half:])
    first = embed(texts[:half])
    return np.vstack([first, future.result()])


_VECTORS = ("vec", "title_vec", "lead_vec", "sent_vecs")


def for_transfer(view: sm.StoryView) -> sm.StoryView:
    """A view built by the worker, ready to be sent: its sentences' content words computed there (the
    rewrite test needs them for most views of a hard corpus; computed lazily otherwise) and ``halve``d."""
    view.sent_words  # noqa: B018 - computed and kept in the view
    return halve(view)


def halve(view: sm.StoryView) -> sm.StoryView:
    """The view with its vectors as float16 (half the bytes to pickle; they hold float16 values)."""
    for name in _VECTORS:
        setattr(view, name, getattr(view, name).astype(np.float16))
    return view


def widen(view: sm.StoryView) -> sm.StoryView:
    """``halve`` undone: float32 vectors, exactly the values built."""
    for name in _VECTORS:
        a = getattr(view, name)
        if a.dtype != np.float32:
            setattr(view, name, a.astype(np.float32))
    return view


@dataclass(slots=True)
class WorkerShare:
    """The fraction of a chunk's missing views given to the worker (this process builds the rest before it
    assigns the chunk, while the worker builds its part). Moved by ``step`` after each chunk: up when the
    worker had finished before it was waited for (it idled), down when this process had to wait for it. The
    split only decides who builds a view, never what the view is."""

    fraction: float = 0.7
    step: float = 0.05
    low: float = 0.2
    high: float = 1.0

    def count(self, n: int) -> int:
        return max(1, round(n * self.fraction)) if n else 0

    def update(self, worker_was_done: bool) -> None:
        f = self.fraction + (self.step if worker_was_done else -self.step)
        self.fraction = min(self.high, max(self.low, f))
