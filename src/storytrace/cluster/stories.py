"""Online, incremental story clustering of duplicate groups: the one story path behind ``storytrace analyze``,
``storytrace stories`` (local and Spark), ``Corpus.analyze``, the web upload and ``storytrace eval``.

Each duplicate group is one UNIT, represented by its canonical document. Units are taken in order of
publication date (undated ones after the dated, in ingestion order), in chunks of ``CHUNK``. Before a
chunk is assigned its units' TERMS (word ids and capitalised-name keys, ``match.story_evidence``) are
counted into the corpus statistics, so every decision weighs terms by how common they are in this corpus
so far (the chunk included). Then each unit, by its own kind:

* an ARTICLE (``match.story.is_short`` false) joins the best candidate story when all of
  - story similarity (``match.story``, the combiner) >= the same-story threshold against a member of the
    story's CORE (its canonical and first members);
  - corpus-specific evidence with that member (``story_evidence.evidence``: TF-IDF cosine of words and
    names with this corpus's IDF) >= the join gate: shared topic vocabulary alone never makes one story;
  - agreement with the story AS A WHOLE: the mean evidence with its sampled members (canonical, first and
    latest units) >= the story gate: a unit that matches one member but not the story does not chain two
    events (the no-chaining rule); both evidence values are scaled down by the unit's distance in days from
    the story's dates beyond ``evidence_days`` (``OnlineStories.time_weight``): a follow-up weeks later shares
    the actors and the vocabulary of its parent story, not its time;
  - no time conflict (publication dates more than ``max_gap_days`` from the story's, or event times that
    exclude each other);
  the gates are outlier fences of this corpus's background evidence (``StoryConfig.evidence_k``); an edited
  copy of a member (char 5-gram overlap >= ``COPY_OVERLAP`` and similarity >= ``COPY_SCORE``) needs no gate;
  the two evidence rules hold only between texts of one language (cross-language pairs share few words),
  and only once ``story_evidence.MIN_DOCS`` units were counted (before that there is no corpus);
* a SHORT text (headline, teaser) joins the best candidate story whose core holds an ARTICLE with a pair score
  >= the same-story threshold (as an article would, without the evidence fences: a headline has too few
  terms); else the story with the nearest TITLE centroid when the cosine reaches ``title_threshold``; title vectors are ``[sqrt(1 - w) * embedding of the title, sqrt(w) * hashed words
  weighted by their corpus IDF]``; articles add their title's vector to their story's title centroid, so a
  teaser finds the article's story;
* otherwise it starts a new story, linked as ``related`` to the best candidate when the score reaches the
  related threshold AND the pair passes the related evidence gate (or reaches the
  same-story threshold but the time conflicts: same actors, a later event). One link at most per new story.

At the end of a run, stories made only of short texts whose title centroids are each other's nearest above
``title_merge`` are merged (``OnlineStories.consolidate``): the online pass splits a headline story whose first
titles differ.

Candidates are the ``candidates`` stories with the highest centroid cosine (mean unit embedding), found by
brute force over a numpy matrix (see docs/bench_story.md for when an ANN index would pay off).
Previous stories (from the store) are kept and new units are assigned against them, so adding documents
never reclusters the corpus.

The story canonical is the original where it can be told: the earliest publication date, else the most
complete text (most distinct numbers, years and names), else the longest, else the first.
"""
from __future__ import annotations

import multiprocessing
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..fingerprint.semantic import one_blas_thread
from ..match import story as sm
from ..match import story_evidence as se
from ..match.story_evidence import hashed_terms  # noqa: F401  (re-exported: tests and scripts use it from here)
from ..records import Article, Group, Relation, Story
from ..text.dates import day_number
from . import _parallel
from .analysis import DUPLICATE_RELATIONS, member_roles

VIEW_CACHE = 2048  # story views kept in memory while clustering (LRU)
CHUNK = 256  # units whose views are prefetched (and whose terms are counted) in one batch
PARALLEL_MIN = 1500  # new units from which a forked process builds the next chunk's views while this one clusters
TITLE_DIM = 1024  # title vectors: 512 dense + 512 hashed words


@dataclass(slots=True, frozen=True)
class StoryConfig:
    """Thresholds of the story clustering (None: the values tuned with the shipped combiner)."""

    same_story: float | None = None  # story similarity to join a story (combiner: F1 of Overall <= 2 on train)
    related: float | None = None  # story similarity for a related link (combiner: F1 of Overall <= 2.5 on train)
    core_size: int = 3  # canonical + first members a unit is compared with
    candidates: int = 4  # stories scored per unit (highest centroid cosine first)
    retrieval_floor: float = 0.30  # centroid cosine below which a story is no candidate (keeps 100 % of the
    #                                train pairs that score above the same-story threshold)
    pair_floor: float = 0.40  # a core member is scored only when its embedding cosine with the unit reaches this
    #                           (no train pair below 0.5 reaches the same-story threshold)
    max_gap_days: int = sm.MAX_GAP_DAYS
    workers: int = 2  # processes building story views on large inputs (1: this process only)
    # corpus-specific evidence (match.story_evidence: TF-IDF cosine with the corpus's IDF), same-language pairs,
    # once the corpus has MIN_DOCS units. A gate is an outlier fence of the BACKGROUND evidence of this corpus
    # (pairs of documents taken regardless of content): q75 + k * (q75 - q25), clipped to [evidence_min,
    # evidence_max]. A topic-dense corpus raises it, a corpus of unrelated reports keeps it low; quartiles stay
    # put when a small corpus's background holds some same-story pairs. k: best sum of same-story F1 on the two
    # dev corpora (long_dev, topic_dense_dev; docs/bench_story.md has the grid).
    evidence_k: float = 3.0  # with the member the unit matches, to join
    evidence_story_k: float = 3.0  # mean over the story's sampled members (canonical, first, latest), to join
    evidence_related_k: float = 3.5  # with the best candidate's member, for a related link
    evidence_min: float = 0.05
    evidence_max: float = 0.60
    # time: reports of one event appear within days; a follow-up weeks later shares actors and vocabulary, not
    # the time. The evidence counts in full within evidence_days of the story's dates, then decays as
    # exp(-((gap - evidence_days) / evidence_decay)**2 / 2) (x0.61 at 7 days, x0.06 at 14); a prior, not fitted:
    # every same-story pair of the dev corpora is within a day (docs/bench_story.md)
    evidence_days: float = 2.0
    evidence_decay: float = 5.0

    background_pairs: int = 8  # each unit's evidence with this many units before it feeds the background
    # short texts (headlines, teasers; match.story.is_short): nearest title centroid when cosine >= title_threshold
    title_threshold: float = sm.TITLE_THRESHOLD
    title_lexical_weight: float = sm.TITLE_LEXICAL_WEIGHT
    title_merge: float = 0.45  # title-centroid cosine at which two stories of short texts are merged (consolidate)

    def __post_init__(self) -> None:
        if self.core_size < 1 or self.candidates < 1 or self.workers < 1:
            raise ValueError("core_size, candidates and workers must be >= 1")
        if not 0.0 <= self.title_lexical_weight <= 1.0:
            raise ValueError("title_lexical_weight must be in [0, 1]")

    def thresholds(self) -> tuple[float, float]:
        """(same-story, related) thresholds in force."""
        same = sm.same_story_threshold() if self.same_story is None else self.same_story
        related = sm.related_threshold() if self.related is None else self.related
        return same, min(related, same)


@dataclass(slots=True)
class UnitInfo:
    """What the assignment needs of a unit besides its retrieval vector, from its text and title alone
    (``unit_infos``; the same on every engine)."""

    short: bool  # a headline or teaser (match.story.is_short)
    terms: tuple[np.ndarray, np.ndarray]  # sorted unique term keys and their counts (story_evidence.terms_of)
    title_ids: np.ndarray  # word ids of the title text, repeats kept (the hashed half of the title vector)


def unit_infos(items: Sequence[tuple[str, str | None]], lexical: list[Any] | None = None) -> list[UnitInfo]:
    """``UnitInfo`` of (text, title) pairs (the title text of a short one is its whole text, else
    ``match.story.view_title``). No embedding: the dense half of a title vector is the unit's retrieval vector.
    ``lexical``: a list to which the story view's ``(words, title_words, caps)`` of each article (None for a
    short text) are appended, from the same tokens (``match.story.build_views(lexical=)``: one tokenising pass)."""
    from ..text.tokens import tokenize

    out = []
    for text, title in items:
        short = sm.is_short(text)
        tokens = tokenize(text)
        caps = sm._caps(text)
        # a short text's title is its stripped text: the same words (a token holds no whitespace)
        title_tokens = tokens if short else tokenize(sm.view_title(text, title))
        out.append(UnitInfo(short=short, terms=se.terms_of(tokens.ids, caps), title_ids=title_tokens.ids))
        if lexical is not None:
            lexical.append(None if short else (sm.view_words(tokens), sm.view_words(title_tokens), caps))
    return out


def language_of(text: str) -> str:
    """The language the evidence fences compare (``text.language`` on the first ``LANG_CHARS`` characters)."""
    from ..text.language import detect_language

    return detect_language(text[:LANG_CHARS])


LANG_CHARS = 200  # characters the language of a unit is told from


@dataclass(slots=True)
class _State:
    """A story while clustering."""

    id: str
    units: list[str]  # unit ids in join order
    canonical: str
    row: int  # row in the centroid matrices
    start: int | None = None  # day numbers of the earliest/latest dated unit
    end: int | None = None
    related: list[str] = field(default_factory=list)
    #: unit -> (the canonical it was compared with, role, score); stale when that is no longer the canonical
    roles: dict[str, tuple[str, str, float]] = field(default_factory=dict)

    def core(self, size: int) -> list[str]:
        return [self.canonical, *[u for u in self.units if u != self.canonical][: size - 1]]


class _Centroids:
    """Unit-length mean vectors of the stories, one row each, grown by doubling."""

    def __init__(self, dim: int) -> None:
        self.rows = np.zeros((64, dim), dtype=np.float32)
        self.norms = np.zeros(64, dtype=np.float64)  # length of each row's vector sum (sum = row * norm)

    def grow(self, n: int) -> None:
        while n >= len(self.rows):
            self.rows = np.vstack([self.rows, np.zeros_like(self.rows)])
            self.norms = np.concatenate([self.norms, np.zeros_like(self.norms)])

    def add(self, row: int, vec: np.ndarray) -> None:
        total = self.rows[row] * np.float32(self.norms[row]) + vec
        norm = float(np.linalg.norm(total))
        self.rows[row] = total / norm if norm else total
        self.norms[row] = norm


class OnlineStories:
    """The online assignment loop shared by ``build_stories`` and the Spark driver (``engines.stories``).

    ``observe`` counts a chunk's units (their ``UnitInfo``) into the corpus statistics; ``add_unit`` then
    assigns each of them with its retrieval vector (unit length). ``views`` gives story views (batched and
    cached) and ``dates``/``order`` the canonical rule's keys.
    """

    def __init__(self, config: StoryConfig, dim: int, views: ViewCache | None = None,
                 dates: dict[str, str | None] | None = None, order: dict[str, int] | None = None) -> None:
        self.config = config
        self.same, self.related_min = config.thresholds()
        self.views = views
        self.dates = dates or {}
        self.order = order or {}
        self.vectors: dict[str, np.ndarray] = {}  # unit -> retrieval vector, float16
        self.stories: list[_State] = []
        self._main = _Centroids(dim)
        self._titles = _Centroids(TITLE_DIM)
        self.stats = se.CorpusStats()
        self.terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # unit -> term keys, counts (about 1.5 kB a unit)
        self._recent: list[str] = []  # the last observed units (background pairs)
        self.language: dict[str, str] = {}
        #: unit -> its ``story_evidence.term_weights`` under the statistics as they are now (emptied when they change)
        self._weights: dict[str, tuple[np.ndarray, np.ndarray, np.float64]] = {}
        self.short: set[str] = set()
        self._pending: dict[str, UnitInfo] = {}  # observed, not yet assigned
        self._gates = (config.evidence_min, config.evidence_min, config.evidence_min)
        self.next_id = 0

    @property
    def centroids(self) -> np.ndarray:
        return self._main.rows

    # -- corpus statistics -------------------------------------------------------------------------
    def observe(self, units: Sequence[str], infos: Sequence[UnitInfo]) -> None:
        """Count the terms of units about to be assigned (a whole chunk before any of it is assigned)."""
        for u, info in zip(units, infos):
            self.terms[u] = info.terms
            if info.short:
                self.short.add(u)
            self._pending[u] = info
        self.stats.add_many([i.terms[0] for i in infos])
        self._weights.clear()
        k = self.config.background_pairs
        if k:
            for u in units:
                if u in self.short:
                    continue  # the gates judge articles: their background is articles'
                self.stats.add_background(self.evidence(u, v) for v in self._recent[-k:])
                self._recent.append(u)
            del self._recent[:-k]

        c = self.config
        q25, q75 = self.stats.background_quantiles((0.25, 0.75))
        fences = [q75 + k * (q75 - q25) for k in (c.evidence_k, c.evidence_story_k, c.evidence_related_k)]
        self._gates = tuple(float(min(max(f, c.evidence_min), c.evidence_max)) for f in fences)  # type: ignore[assignment]  # one fence per gate, as many as _gates holds

    def gates(self) -> tuple[float, float, float]:
        """The evidence a pair needs in this corpus (join, story agreement, related link): outlier fences of the
        background evidence, clipped; recomputed after each observed chunk."""
        return self._gates

    def title_vector(self, info: UnitInfo, vec: np.ndarray) -> np.ndarray:
        """[sqrt(1 - w) * the unit's embedding, sqrt(w) * hashed title words weighted by their corpus IDF (uniform
        below MIN_DOCS documents)], unit length (``story_evidence.title_vector``)."""
        weights = self.stats.idf(info.title_ids) if self.stats.ready else np.ones(len(info.title_ids))
        return se.title_vector(vec, info.title_ids, weights, self.config.title_lexical_weight)

    # -- stories ---------------------------------------------------------------------------------
    def new_story(self, unit: str, vec: np.ndarray, story_id: str | None = None) -> _State:
        if story_id is None:
            story_id = f"s{self.next_id:06d}"
            self.next_id += 1
        row = len(self.stories)
        self._main.grow(row)
        self._titles.grow(row)
        state = _State(id=story_id, units=[], canonical=unit, row=row)
        self.stories.append(state)
        self._join(state, unit, vec)
        return state

    def _join(self, state: _State, unit: str, vec: np.ndarray) -> None:
        state.units.append(unit)
        self._main.add(state.row, vec)
        info = self._pending.pop(unit, None)
        if info is not None:
            self._titles.add(state.row, self.title_vector(info, vec))
        day = day_number(self.dates.get(unit))
        if day is not None:
            state.start = day if state.start is None else min(state.start, day)
            state.end = day if state.end is None else max(state.end, day)

    def candidates(self, vec: np.ndarray) -> list[tuple[_State, float]]:
        """Stories by centroid cosine (brute force over the centroid matrix), best first, above the floor."""
        n = len(self.stories)
        if not n:
            return []
        sims = self._main.rows[:n] @ vec
        k = min(self.config.candidates, n)
        top = np.argpartition(-sims, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(self.stories[i], float(sims[i])) for i in top if sims[i] >= self.config.retrieval_floor]

    # -- evidence ----------------------------------------------------------------------------------
    def comparable(self, a: str, b: str, views: dict[str, sm.StoryView]) -> bool:
        """Whether the corpus evidence applies to units a and b: one language, and a corpus to weigh with. A
        unit's language is told when first needed (from its view's text), so most units never pay for it."""
        if not (self.stats.ready and a in self.terms and b in self.terms) or a in self.short or b in self.short:
            return False
        return self._language(a, views) == self._language(b, views)

    def _language(self, unit: str, views: dict[str, sm.StoryView]) -> str:
        lang = self.language.get(unit)
        if lang is None:
            view = views.get(unit) or self.views([unit])[unit]  # type: ignore[misc]  # views is the ViewCache (callable) once the engine runs
            lang = self.language[unit] = language_of(view.text)
        return lang

    def evidence(self, a: str, b: str) -> float:
        """``story_evidence.evidence`` of two units, each side's weights computed once per state of the statistics."""
        return se.evidence_of(self._term_weights(a), self._term_weights(b))

    def _term_weights(self, unit: str) -> tuple[np.ndarray, np.ndarray, np.float64]:
        w = self._weights.get(unit)
        if w is None:
            w = self._weights[unit] = se.term_weights(self.terms[unit], self.stats)
        return w

    def story_evidence(self, unit: str, state: _State, views: dict[str, sm.StoryView]) -> float:
        """Mean evidence of a unit with the story's sampled members: its core and its latest units (of the
        unit's language): agreement with the story as a whole, not with one member."""
        size = self.config.core_size
        members = [u for u in dict.fromkeys([*state.core(size), *state.units[-size:]])
                   if u != unit and self.comparable(unit, u, views)]
        if not members:
            return 1.0
        return float(np.mean([self.evidence(unit, m) for m in members]))

    # -- articles --------------------------------------------------------------------------------
    def _key(self, unit: str, view: sm.StoryView | None) -> tuple[int, int, int, int, int]:
        """Canonical rule as a sort key (smaller wins)."""
        day = day_number(self.dates.get(unit))
        complete = view.quantity_count if view is not None else 0
        length = len(view.text) if view is not None else 0
        return (0 if day is not None else 1, day or 0, -complete, -length, self.order.get(unit, 0))

    def _event(self, state: _State) -> tuple[int, int] | None:
        """The story's event time: the intersection of its core members' intervals (contradicting ones skipped)."""
        event: tuple[int, int] | None = None
        core = state.core(self.config.core_size)
        views = self.views(core)  # type: ignore[misc]  # views is the ViewCache (callable) once the engine runs
        for u in core:
            e = views[u].event
            if e is None:
                continue
            if event is None:
                event = e
            elif not sm.intervals_disjoint(event, e):
                event = (max(event[0], e[0]), min(event[1], e[1]))
        return event

    def _gap_days(self, unit: str, state: _State) -> int | None:
        """Days between the unit's date and the story's date span (0 inside it); None without dates."""
        day = day_number(self.dates.get(unit))
        if day is not None and state.start is not None and state.end is not None:
            return max(state.start - day, day - state.end, 0)
        return None

    def time_weight(self, unit: str, state: _State) -> float:
        """How much of the evidence counts for joining ``state``: 1 within ``evidence_days`` of its dates (or
        without dates), then a Gaussian decay: reports of one event appear within days, a follow-up weeks later
        shares the actors and the vocabulary but not the time."""
        gap = self._gap_days(unit, state)
        c = self.config
        if gap is None or gap <= c.evidence_days:
            return 1.0
        return float(np.exp(-0.5 * ((gap - c.evidence_days) / c.evidence_decay) ** 2))

    def _date_conflict(self, unit: str, state: _State) -> bool | None:
        gap = self._gap_days(unit, state)
        return None if gap is None else gap > self.config.max_gap_days

    def _conflict(self, unit: str, view: sm.StoryView, state: _State) -> bool:
        by_date = self._date_conflict(unit, state)
        if by_date is not None:
            return by_date
        return view.event is not None and sm.intervals_disjoint(view.event, self._event(state))

    def cached(self, ids: Sequence[str]) -> dict[str, sm.StoryView]:
        """The views of ``ids`` that are at hand (nothing is built)."""
        return self.views.peek(ids) if self.views is not None else {}

    @staticmethod
    def score(a: str, b: str, views: dict[str, sm.StoryView]) -> float:
        return sm.score_pair(views[a], views[b])[0]

    def role(self, unit: str, canonical: str, views: dict[str, sm.StoryView], score: float | None = None
             ) -> tuple[str, float]:
        """A member's role against the story canonical: rewrite (sentences align in order) or same_story."""
        s = self.score(unit, canonical, views) if score is None else score
        rewrite = sm.rewrite_coverage(views[unit], views[canonical]) >= sm.REWRITE_COVERAGE
        return ("rewrite" if rewrite else "same_story", s)

    def add_unit(self, unit: str, vec: np.ndarray) -> _State:
        """Assign one unit (observed before): a short text by its title vector, an article by its story view."""
        if unit in self.short:
            return self.add_short(unit, vec)
        return self.add_document(unit, vec)

    def add_document(self, unit: str, vec: np.ndarray) -> _State:
        """Assign one article."""
        assert self.views is not None
        size, floor = self.config.core_size, self.config.pair_floor
        cands = [(state, [u for u in state.core(size) if float(as_f32(self.vectors[u]) @ vec) >= floor])
                 for state, _ in self.candidates(vec)]
        cands = [(state, core) for state, core in cands if core]
        if not cands:
            return self.new_story(unit, vec)
        views = self.views([unit, *{u for _, core in cands for u in core}])
        view = views[unit]
        best_join: tuple[float, _State] | None = None
        best_any: tuple[float, _State, str] | None = None
        pair: dict[str, float] = {}
        copied: dict[str, bool] = {}
        for state, core in cands:
            for u in core:
                if u not in pair:
                    pair[u], f = sm.score_pair(views[unit], views[u])
                    copied[u] = f["char5_ovl"] >= COPY_OVERLAP and pair[u] >= COPY_SCORE
            member = max(core, key=pair.__getitem__)
            s = pair[member]
            if best_any is None or s > best_any[0]:
                best_any = (s, state, member)
            if s < self.same or (best_join is not None and s <= best_join[0]):
                continue
            tw = self.time_weight(unit, state)
            if self.comparable(unit, member, views) and not copied[member] and (
                    tw * self.evidence(unit, member) < self._gates[0] or tw * self.story_evidence(unit, state, views) < self._gates[1]):
                continue
            if not self._conflict(unit, view, state):
                best_join = (s, state)
        if best_join is not None:
            state = best_join[1]
            self._join(state, unit, vec)
            canonical_view = self.views([state.canonical])[state.canonical]
            if self._key(unit, view) < self._key(state.canonical, canonical_view):
                state.canonical = unit  # the new unit is the original: re-role the members whose views are at hand
                cached = self.cached(state.units)
                for u in state.units:
                    if u != unit and u in cached and u not in self.short:
                        state.roles[u] = (unit, *self.role(u, unit, {u: cached[u], unit: view}, pair.get(u)))
            else:
                v = {unit: view, state.canonical: canonical_view}
                state.roles[unit] = (state.canonical, *self.role(unit, state.canonical, v, pair.get(state.canonical)))
            return state
        new = self.new_story(unit, vec)
        if best_any is not None and best_any[0] >= self.related_min:
            s, other, member = best_any
            if not self.comparable(unit, member, views) or self.evidence(unit, member) >= self._gates[2]:
                new.related.append(other.id)
                other.related.append(new.id)
        return new

    # -- short texts -----------------------------------------------------------------------------
    def add_short(self, unit: str, vec: np.ndarray) -> _State:
        """Assign one headline or teaser: the story with the nearest title centroid if cosine >= title_threshold
        and its dates do not conflict."""
        info = self._pending.get(unit)
        n = len(self.stories)
        joined = self._short_to_article_story(unit, vec)
        if joined is not None:
            return joined
        if n and info is not None:
            sims = self._titles.rows[:n] @ self.title_vector(info, vec)
            for j in np.argsort(-sims, kind="stable")[:self.config.candidates]:
                if sims[j] < self.config.title_threshold:
                    break
                state = self.stories[int(j)]
                if not self._date_conflict(unit, state):
                    self._join(state, unit, vec)
                    state.roles[unit] = (state.canonical, "same_story", float(sims[j]))
                    return state
        return self.new_story(unit, vec)

    def _short_to_article_story(self, unit: str, vec: np.ndarray) -> _State | None:
        """A headline or teaser of an article story: the best candidate story whose core holds an article with a
        pair score >= the same-story threshold (no evidence fences: a headline has too few terms), if the dates
        allow. None when there is no such story (or no views: then only the title path)."""
        if self.views is None:
            return None
        size, floor = self.config.core_size, self.config.pair_floor
        cands = [(state, [u for u in state.core(size) if u not in self.short and float(as_f32(self.vectors[u]) @ vec) >= floor])
                 for state, _ in self.candidates(vec)]
        cands = [(state, core) for state, core in cands if core]
        if not cands:
            return None
        views = self.views([unit, *{u for _, core in cands for u in core}])
        best: tuple[float, _State] | None = None
        for state, core in cands:
            s = max(self.score(unit, u, views) for u in core)
            if s >= self.same and (best is None or s > best[0]) and not self._date_conflict(unit, state):
                best = (s, state)
        if best is None:
            return None
        state = best[1]
        self._join(state, unit, vec)
        state.roles[unit] = (state.canonical, "same_story", best[0])
        return state

    def consolidate(self, first_new: int = 0) -> int:
        """Merge stories of short texts whose title centroids are each other's nearest above ``title_merge``
        (three rounds, centroids recomputed after each; union-find, the smaller story into the nearer). The
        online pass splits a headline story when its first titles differ; this joins the pieces. Only stories
        made of short texts take part, at least one of each merged pair created in this run (row >=
        ``first_new``), never two whose dates are more than ``max_gap_days`` apart. Brute force: skipped above
        ``CONSOLIDATE_MAX`` such stories. Returns the number of stories merged away."""
        rows = [st.row for st in self.stories if all(u in self.short for u in st.units)]
        if len(rows) < 2 or len(rows) > CONSOLIDATE_MAX or not any(r >= first_new for r in rows):
            return 0
        idx = np.array(rows)
        sums = self._titles.rows[idx] * self._titles.norms[idx, None].astype(np.float32)
        spans = [(self.stories[r].start, self.stories[r].end) for r in rows]
        group = np.arange(len(rows))
        for _ in range(3):
            labels, inverse = np.unique(group, return_inverse=True)
            cent = np.zeros((len(labels), sums.shape[1]), dtype=np.float32)
            np.add.at(cent, inverse, sums)
            cent /= np.maximum(np.linalg.norm(cent, axis=1, keepdims=True), 1e-12)
            sim = cent @ cent.T
            np.fill_diagonal(sim, -1.0)
            new = np.zeros(len(labels), dtype=bool)
            np.logical_or.at(new, inverse, idx >= first_new)
            start = [min((s for (s, _), g in zip(spans, inverse) if g == k and s is not None), default=None)
                     for k in range(len(labels))]
            end = [max((e for (_, e), g in zip(spans, inverse) if g == k and e is not None), default=None)
                   for k in range(len(labels))]
            sizes = np.bincount(inverse)
            parent = list(range(len(labels)))

            def find(x: int, parent: list[int] = parent) -> int:  # bound now: called only in this round
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            nearest = sim.argmax(axis=1)
            for i in np.argsort(sizes, kind="stable").tolist():
                j = int(nearest[i])
                if sim[i, j] < self.config.title_merge or not (new[i] or new[j]):
                    continue
                if start[i] is not None and start[j] is not None and end[i] is not None and end[j] is not None \
                        and max(start[i] - end[j], start[j] - end[i], 0) > self.config.max_gap_days:
                    continue
                parent[find(i)] = find(j)
            group = np.array([find(k) for k in inverse])
        keep: dict[int, int] = {}  # group -> surviving row (the oldest story)
        for k, g in enumerate(group.tolist()):
            keep.setdefault(g, rows[k])
        merged = 0
        for k, g in enumerate(group.tolist()):
            target = keep[g]
            if target == rows[k]:
                continue
            into, away = self.stories[target], self.stories[rows[k]]
            for u in away.units:
                into.units.append(u)
                r = away.roles.get(u)
                into.roles[u] = (into.canonical, "same_story", r[2] if r is not None else 0.0)
            self._main.rows[target] = self._main.rows[target] * np.float32(self._main.norms[target])
            self._titles.rows[target] = self._titles.rows[target] * np.float32(self._titles.norms[target])
            for cents in (self._main, self._titles):
                total = cents.rows[target] + cents.rows[away.row] * np.float32(cents.norms[away.row])
                cents.norms[target] = float(np.linalg.norm(total))
                cents.rows[target] = total / cents.norms[target] if cents.norms[target] else total
            into.start = min((d for d in (into.start, away.start) if d is not None), default=None)
            into.end = max((d for d in (into.end, away.end) if d is not None), default=None)
            away.units = []
            merged += 1
        if merged:
            self._drop_empty()
        return merged

    def _drop_empty(self) -> None:
        """Remove stories left without units (merged away); rows are renumbered, centroids moved with them."""
        alive = [st for st in self.stories if st.units]
        order = np.array([st.row for st in alive], dtype=np.int64)
        for cents in (self._main, self._titles):
            cents.rows[:len(alive)] = cents.rows[order]
            cents.norms[:len(alive)] = cents.norms[order]
            cents.rows[len(alive):] = 0
            cents.norms[len(alive):] = 0
        gone = {st.id for st in self.stories if not st.units}
        for row, st in enumerate(alive):
            st.row = row
            st.related = [r for r in st.related if r not in gone]
        self.stories = alive


#: char 5-gram overlap and story similarity with a member from which a unit is an edited copy of it: the evidence
#: gates do not apply (in a flood of wire variants of one story the background evidence is that story's own, so a
#: quantile of it would split the story)
COPY_OVERLAP = 0.6
COPY_SCORE = 0.70
CONSOLIDATE_MAX = 20_000  # stories of short texts up to which the consolidation runs (its cost is quadratic)



# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def as_f32(v: np.ndarray) -> np.ndarray:
    return v.astype(np.float32)


def embed_articles(articles: Sequence[Article]) -> np.ndarray:
    """Story embeddings (float16, unit length) of articles, one row each: what ``embeddings`` expects."""
    from ..fingerprint.semantic import embed

    return embed([a.text for a in articles])


def unit_vectors(rows: np.ndarray) -> np.ndarray:
    """Retrieval vectors from story embeddings (one row each): unit length, float16 (1 kB a unit). Row by row,
    so a unit's vector does not depend on the other rows."""
    rows = rows.astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float16)


def unit_order_key(day: int | None, index: int) -> tuple[int, int, int]:
    """Sort key of a unit: by publication day, the undated after them, each in ingestion order."""
    return (0, day, index) if day is not None else (1, 0, index)


def _unit_order(articles: Sequence[Article], units: Sequence[str], index: dict[str, int]) -> list[str]:
    """Units by publication date, the undated after them, each in ingestion order."""
    return sorted(units, key=lambda u: unit_order_key(day_number(articles[index[u]].date), index[u]))


def _light(a: Article) -> tuple[str, str, str, str | None, str | None]:
    """What a story view needs of an article (sent to a worker process instead of the raw bytes)."""
    return (a.id, a.text, a.norm, a.title, a.date)


#: in the view worker: the story views' words and names of the last chunk whose infos it computed (``_worker_infos``)
_WORKER_LEXICAL: dict[str, Any] = {}


def _worker_infos(items: list[tuple[str, str, str | None]]) -> tuple[list[UnitInfo], list[Any]]:
    """Worker side of a chunk's ``unit_infos`` (id, text, title): the infos and the views' lexical features; the
    latter kept here for the views of the same chunk the worker is asked to build next."""
    lexical: list[Any] = []
    infos = unit_infos([(t, ti) for _, t, ti in items], lexical)
    _WORKER_LEXICAL.clear()
    _WORKER_LEXICAL.update((i, x) for (i, _, _), x in zip(items, lexical) if x is not None)
    return infos, lexical


def _views_from_light(items: list[tuple[str, str, str, str | None, str | None]],
                      text_vecs: list[np.ndarray | None] | None = None, lexical: list[Any] | None = None
                      ) -> tuple[list[sm.StoryView], list[str]]:
    """Worker side of the parallel view building (see ``_parallel.for_transfer``): the views and the language of
    each text (``language_of``: the evidence fences ask for it of most units that have a view)."""
    arts = [Article(id=i, source="", locator="", kind="text", raw=b"", text=t, norm=n, content_hash="", title=ti, date=d)
            for i, t, n, ti, d in items]
    if _WORKER_LEXICAL:
        given = lexical or [None] * len(arts)
        lexical = [x if x is not None else _WORKER_LEXICAL.get(a.id) for a, x in zip(arts, given)]
    with one_blas_thread():
        views = [_parallel.for_transfer(v) for v in _parallel.views_of(arts, text_vecs, lexical)]
    return views, [language_of(a.text) for a in arts]


def _worker_init() -> None:
    from ..fingerprint.semantic import model

    model()


class ViewCache:
    """Story views by document id, built in batches on first use; at most ``capacity`` kept (LRU), so memory
    stays bounded on any corpus (a view holds up to 40 sentence vectors, about 15-40 kB). With a worker pool,
    ``submit``/``collect`` have the next chunk's views built by a second process. ``build`` replaces the
    building from ``by_id`` (e.g. views computed elsewhere and fetched by id: the Spark story stage)."""

    def __init__(self, by_id: dict[str, Article], capacity: int = VIEW_CACHE, pool: Any = None,
                 build: Callable[[list[str]], list[sm.StoryView]] | None = None) -> None:
        self.by_id = by_id
        self.capacity = capacity
        self.cache: OrderedDict[str, sm.StoryView] = OrderedDict()
        self.pool = pool
        self.built = 0
        self.build = build
        #: the texts' own embeddings (float16) where computed already: views reuse them (``build_views``)
        self.text_vecs: dict[str, np.ndarray] = {}
        #: the views' word ids and names where computed already from the units' tokens (``unit_infos``)
        self.lexical: dict[str, Any] = {}
        #: languages the worker told with the views it built (``language_of``; the engine's ``language``)
        self.languages: dict[str, str] = {}
        self.inflight: set[str] = set()  # ids the worker is building
        self.share = _parallel.WorkerShare()

    def _build(self, ids: list[str]) -> dict[str, sm.StoryView]:
        self.built += len(ids)
        if not ids:
            return {}
        if self.build is not None:
            return dict(zip(ids, self.build(ids)))
        return dict(zip(ids, _parallel.views_of([self.by_id[i] for i in ids], self._text_vecs(ids), self._lexical(ids))))

    def _text_vecs(self, ids: Sequence[str]) -> list[np.ndarray | None] | None:
        return [self.text_vecs.get(i) for i in ids] if self.text_vecs else None

    def _lexical(self, ids: Sequence[str]) -> list[Any] | None:
        return [self.lexical.get(i) for i in ids] if self.lexical else None

    def submit(self, ids: Sequence[str]) -> Any:
        """Start building the views of ``ids`` in the worker: the worker's share of them (``_parallel.WorkerShare``;
        this process builds the rest when it asks for them). None without a pool or when all are cached."""
        missing = [i for i in dict.fromkeys(ids) if i not in self.cache and i not in self.inflight]
        if self.pool is None or not missing:
            return None
        missing = missing[:self.share.count(len(missing))]
        self.inflight.update(missing)
        return missing, self.pool.submit(_views_from_light, [_light(self.by_id[i]) for i in missing],
                                         self._text_vecs(missing), self._lexical(missing))

    def build_own(self, ids: Sequence[str]) -> None:
        """Build (and cache) the views of ``ids`` that are neither cached nor being built by the worker."""
        self([i for i in ids if i not in self.inflight])

    def collect(self, pending: Any) -> None:
        """Wait for a ``submit`` and cache its views."""
        if pending is None:
            return
        ids, future = pending
        self.share.update(future.done())
        self.built += len(ids)
        self.inflight.difference_update(ids)
        views, languages = future.result()
        self.languages.update(zip(ids, languages))
        for i, v in zip(ids, views):
            self.cache[i] = _parallel.widen(v)
            self.cache.move_to_end(i)
        while len(self.cache) > self.capacity:
            self.cache.popitem(last=False)

    def __call__(self, ids: Sequence[str]) -> dict[str, sm.StoryView]:
        wanted = list(dict.fromkeys(ids))
        out = self._build([i for i in wanted if i not in self.cache])
        for i in wanted:
            if i in self.cache:
                self.cache.move_to_end(i)
                out[i] = self.cache[i]
            else:
                self.cache[i] = out[i]
        while len(self.cache) > self.capacity:
            self.cache.popitem(last=False)
        return out

    def peek(self, ids: Sequence[str]) -> dict[str, sm.StoryView]:
        """The cached views of ``ids`` (nothing is built)."""
        return {i: self.cache[i] for i in ids if i in self.cache}


@contextmanager
def _worker_pool(size: int) -> Iterator[Any]:
    """A pool of ``size`` forked processes that inherit the loaded model, or None: when size is 0, where fork is
    not available, or when this process runs other threads (forking those is unsafe, e.g. inside a web server).
    Fork also spares the children from re-running the caller's ``__main__`` (which spawn does)."""
    if size <= 0 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    _parallel.preload()  # the model and the view code's modules, loaded once here, shared copy-on-write by the children
    try:
        pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_init)
        pool.submit(int)  # start the worker now: it loads the model while this process embeds
    except (OSError, RuntimeError, ValueError):  # pragma: no cover - no processes on this platform
        yield None
        return
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def build_stories(
    articles: Sequence[Article],
    groups: Sequence[Group],
    relations: Sequence[Relation],
    previous: list[Story] | None = None,
    embeddings: np.ndarray | None = None,
    config: StoryConfig = StoryConfig(),
) -> tuple[list[Story], list[Relation]]:
    """Stories of the corpus and the story-level relations (rewrite, same_story, related; a = newer/copy side,
    b = canonical/original) to merge into the analysis relations.

    ``articles``: every document (ingestion order); ``groups``: the duplicate groups over them; ``relations``:
    the duplicate relations (for group members' roles); ``previous``: stories from an earlier run, kept and
    extended; ``embeddings``: story embeddings aligned with ``articles`` (``embed_articles``; computed for the
    group canonicals when None).
    """
    index = {a.id: i for i, a in enumerate(articles)}
    by_id = {a.id: a for a in articles}
    group_of = {m: g for g in groups for m in g.members}
    units = [g.canonical for g in groups if g.canonical in index]
    views = ViewCache(by_id)
    dates = {a.id: a.date for a in articles}
    engine = OnlineStories(config, dim=512, views=views, dates=dates, order=index)
    views.languages = engine.language  # languages told by the view worker go straight to the engine

    vectors: dict[str, np.ndarray] = {}
    engine.vectors = vectors

    def vector_rows(ids: Sequence[str], pool: Any = None) -> None:
        need = [i for i in ids if i not in vectors]
        if not need:
            return
        if embeddings is not None:
            rows = embeddings[[index[i] for i in need]]
        else:
            rows = _parallel.embed_texts([by_id[i].text for i in need], pool)
            views.text_vecs.update(zip(need, rows))  # computed here from the texts: the views reuse them
        for i, r in zip(need, unit_vectors(rows)):
            vectors[i] = r

    def observe(ids: Sequence[str]) -> None:
        for lo in range(0, len(ids), CHUNK):
            part = ids[lo:lo + CHUNK]
            engine.observe(part, unit_infos([(by_id[i].text, by_id[i].title) for i in part]))

    def infos_of(chunk: Sequence[str], pool: Any = None) -> Callable[[], list[UnitInfo]]:
        """The chunk's ``unit_infos`` (counted later, by ``engine.observe``, when the chunk's turn comes), computed
        here or, with a pool, by the worker meanwhile (it reuses the tokens for its views of the chunk); the views
        built here reuse them too once they are in (dropped with the texts' vectors below)."""
        if pool is None:
            lexical: list[Any] = []
            infos = unit_infos([(by_id[i].text, by_id[i].title) for i in chunk], lexical)
            views.lexical.update((i, x) for i, x in zip(chunk, lexical) if x is not None)
            return lambda: infos
        future = pool.submit(_worker_infos, [(i, by_id[i].text, by_id[i].title) for i in chunk])

        def result() -> list[UnitInfo]:
            infos: list[UnitInfo]
            infos, lexical = future.result()
            views.lexical.update((i, x) for i, x in zip(chunk, lexical) if x is not None)
            return infos
        return result

    # 1. previous stories: kept, with their documents mapped onto today's groups (a group follows its canonical)
    assigned: set[str] = set()
    restored: list[tuple[Story, list[str]]] = []
    for story in previous or []:
        story_units: list[str] = []
        for doc in story.documents:
            g = group_of.get(doc)
            if g is not None and g.canonical in index and g.canonical not in assigned:
                assigned.add(g.canonical)
                story_units.append(g.canonical)
        if story_units:
            restored.append((story, story_units))
    restored_units = [u for _, us in restored for u in us]
    vector_rows(restored_units)
    observe(restored_units)
    numbers = [int(st.id[1:]) for st, _ in restored if st.id[1:].isdigit()]
    engine.next_id = max(numbers, default=len(restored) - 1) + 1
    for story, story_units in restored:
        state = engine.new_story(story_units[0], as_f32(vectors[story_units[0]]), story_id=story.id)
        for u in story_units[1:]:
            engine._join(state, u, as_f32(vectors[u]))
        old = group_of[story.canonical].canonical if story.canonical in group_of else None
        state.canonical = old if old in story_units else story_units[0]
        state.related = list(story.related)
        # stored roles hold against the stored canonical (scores are deterministic, so they are reused while it stays)
        state.roles = {u: (old, *story.roles[u]) for u in story_units if u in story.roles and u != old and old}
    known = {st.id for st in engine.stories}
    for state in engine.stories:
        state.related = [r for r in dict.fromkeys(state.related) if r in known]
    link_scores = {(r.a, r.b): r.score for r in relations if r.relation == "related"}

    # 2. new units, online, in date order
    first_new = len(engine.stories)
    new_units = _unit_order(articles, [u for u in units if u not in assigned], index)
    engine.short.update(u for u in new_units if sm.is_short(by_id[u].text))  # known up front: no views prefetched for them
    workers = config.workers - 1 if len(new_units) >= PARALLEL_MIN else 0
    with _worker_pool(workers) as pool:
        views.pool = pool
        vector_rows(new_units, pool)
        chunks = [new_units[i:i + CHUNK] for i in range(0, len(new_units), CHUNK)]
        infos = infos_of(chunks[0], pool) if chunks else None
        pending = views.submit(views_needed(engine, chunks[0], [], vectors)) if chunks else None
        with one_blas_thread():
            for c, chunk in enumerate(chunks):
                assert infos is not None
                engine.observe(chunk, infos())  # chunks hold CHUNK units: one observe each, as ``observe``
                need = views_needed(engine, chunk, chunks[c - 1] if c else [], vectors)
                views.build_own(need[: views.capacity // 2])  # this process's share, while the worker builds its own
                views.collect(pending)
                # the worker builds its share of the next chunk's views (judged on the stories as they are now)
                infos = infos_of(chunks[c + 1], pool) if c + 1 < len(chunks) else None
                pending = views.submit(views_needed(engine, chunks[c + 1], chunk, vectors)) if c + 1 < len(chunks) else None
                views(need[: views.capacity // 2])
                for u in chunk:
                    engine.add_unit(u, as_f32(vectors[u]))
                for u in chunks[c - 1] if c else ():  # bounded memory: views needed later embed their text again
                    views.text_vecs.pop(u, None)
                    views.lexical.pop(u, None)
            views.collect(pending)
        views.pool = None

    # 3. stories of short texts split by the online pass are joined, then stories, roles and story-level relations
    with one_blas_thread():
        engine.consolidate(first_new)
        return _finish(engine, articles, relations, group_of, views, link_scores)


def views_needed(engine: OnlineStories, chunk: list[str], before: list[str], vectors: dict[str, np.ndarray]) -> list[str]:
    """The views the units of ``chunk`` will likely need: units near an existing story, an earlier unit of the chunk
    or a unit of the chunk ``before`` it, with the cores of their candidate stories. A speed-up only: views that
    turn out to be missing are built when needed, so the result never depends on it."""
    floor, size = engine.config.pair_floor, engine.config.core_size
    chunk = [u for u in chunk if u not in engine.short]
    before = [u for u in before if u not in engine.short]
    if not chunk:
        return []
    V = np.stack([vectors[u] for u in chunk]).astype(np.float32)
    need: dict[str, None] = {}
    n = len(engine.stories)
    if n:
        S = engine.centroids[:n] @ V.T
        k = min(engine.config.candidates, n)
        for j in np.flatnonzero((S >= floor).any(axis=0)):
            need[chunk[j]] = None
            col = S[:, j]
            for i in np.argpartition(-col, k - 1)[:k]:
                if col[i] >= engine.config.retrieval_floor:
                    need.update(dict.fromkeys(u for u in engine.stories[i].core(size) if as_f32(vectors[u]) @ V[j] >= floor))
    W = np.tril(V @ V.T, -1)
    for i, j in zip(*np.nonzero(W >= floor)):
        need[chunk[i]] = None
        need[chunk[j]] = None
    if before:
        B = np.stack([vectors[u] for u in before]).astype(np.float32) @ V.T
        for i, j in zip(*np.nonzero(B >= floor)):
            need[before[i]] = None
            need[chunk[j]] = None
    return list(need)


def _finish(engine: OnlineStories, articles: Sequence[Article], relations: Sequence[Relation],
            group_of: dict[str, Group], views: ViewCache, link_scores: dict[tuple[str, str], float]
            ) -> tuple[list[Story], list[Relation]]:
    by_id = {a.id: a for a in articles}
    dup_relations = [r for r in relations if r.relation in DUPLICATE_RELATIONS]
    stories: list[Story] = []
    out: list[Relation] = []
    for state in engine.stories:
        canonical = state.canonical
        roles: dict[str, tuple[str, float]] = {canonical: ("canonical", 1.0)}
        unit_roles = story_unit_roles(engine, state, views)
        documents: list[str] = []
        for u in state.units:
            group = group_of[u]
            members = [u, *[m for m in group.members if m != u]]
            documents += members
            if u == canonical:
                roles.update({m: r for m, r in member_roles(group, dup_relations).items() if m != u})
            else:
                roles[u] = unit_roles[u]
                for m in members[1:]:
                    roles[m] = unit_roles[u]
        for u, (relation, s) in unit_roles.items():
            a, b = (u, canonical) if sm.newer_first(by_id[u], by_id[canonical]) else (canonical, u)
            out.append(Relation(a=a, b=b, relation=relation, score=float(s), details={"story": state.id}))
        dated = sorted(d for d in (by_id[m].date for m in documents) if d)
        canon = by_id[canonical]
        stories.append(Story(
            id=state.id, canonical=canonical, documents=documents, related=list(dict.fromkeys(state.related)),
            title=canon.title or sm.split_title(canon.text) or None, start=dated[0] if dated else None,
            end=dated[-1] if dated else None, roles=roles,
        ))
    for newer, older, s in story_links(engine, views, link_scores):
        out.append(Relation(a=newer.canonical, b=older.canonical, relation="related", score=float(s),
                            details={"stories": [newer.id, older.id]}))
    return stories, out


def story_unit_roles(engine: OnlineStories, state: _State, views: ViewCache) -> dict[str, tuple[str, float]]:
    """(role, score) of each unit of a story but its canonical: rewrite or same_story against the canonical
    (the role found when the unit joined while that is still the canonical, else computed now)."""
    canonical = state.canonical
    unit_roles: dict[str, tuple[str, float]] = {}
    for u in state.units:
        if u == canonical:
            continue
        previous_role = state.roles.get(u)
        if previous_role is not None and (previous_role[0] == canonical or u in engine.short):
            # a short text keeps its role from when it joined (its title cosine; no story view is built for it)
            unit_roles[u] = (previous_role[1], previous_role[2])
        else:
            unit_roles[u] = engine.role(u, canonical, views([u, canonical]))
    return unit_roles


def story_links(engine: OnlineStories, views: ViewCache, link_scores: dict[tuple[str, str], float] | None = None
                ) -> list[tuple[_State, _State, float]]:
    """Related links between stories as (newer story, older story, score), once per pair in story order, scored
    canonical against canonical (the same in every run; ``link_scores`` holds scores known from the store)."""
    states = {s.id: s for s in engine.stories}
    link_scores = link_scores or {}
    out: list[tuple[_State, _State, float]] = []
    seen: set[tuple[str, str]] = set()
    for state in engine.stories:
        for other_id in state.related:
            other = states.get(other_id)
            if other is None:
                continue
            pair = (min(state.id, other_id), max(state.id, other_id))
            if pair in seen:
                continue
            seen.add(pair)
            newer, older = (state, other) if state.row > other.row else (other, state)
            s = link_scores.get((newer.canonical, older.canonical))
            if s is None:
                s = engine.score(newer.canonical, older.canonical, views([newer.canonical, older.canonical]))
            out.append((newer, older, float(s)))
    return out




def cluster_texts(texts: Sequence[str], config: StoryConfig | None = None,
                  dates: Sequence[str | None] | None = None) -> list[int]:
    """Story number of each text (plain strings, each its own duplicate group) through ``build_stories``: the
    story path of ``analyze`` without the store and the duplicate stage (tests and tuning scripts)."""
    from ..records import Article
    from ..text.normalize import normalize

    articles = [Article(id=f"t{i}", source="", locator="", kind="text", raw=b"", text=t, norm=normalize(t),
                        content_hash="", date=(dates[i] if dates is not None else None)) for i, t in enumerate(texts)]
    groups = [Group(id=f"g{i}", canonical=a.id, members=[a.id]) for i, a in enumerate(articles)]
    stories, _ = build_stories(articles, groups, [], config=config or StoryConfig())
    number = {d: n for n, s in enumerate(stories) for d in s.documents}
    return [number[a.id] for a in articles]
