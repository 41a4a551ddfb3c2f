"""Online, incremental story clustering of duplicate groups.

Each duplicate group is one UNIT, represented by its canonical document. Units are taken in order of
publication date (undated ones after the dated, in ingestion order) and each one either

* joins the best candidate story: story similarity (``match.story``) >= the same-story threshold against
  the story's CORE (its canonical and its first few members: never against every member, so a story cannot
  chain into a topic) and no time conflict with the story (publication dates more than ``max_gap_days``
  from the story's dates, or event times that exclude each other);
* or starts a new story, linked as ``related`` to the best candidate when the score reaches the related
  threshold, or reaches the same-story threshold but the time conflicts (same actors, a later event);
* or starts a new, unlinked story.

Candidates are the ``candidates`` stories with the highest centroid cosine (mean unit embedding), found by
brute force over a numpy matrix (see docs/bench_story.md for when an ANN index would pay off).
Previous stories (from the store) are kept and new units are assigned against them, so adding documents
never reclusters the corpus; running everything at once gives the same stories as adding the same
documents in the same order in several steps.

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
from typing import Any, Literal

import numpy as np

from ..fingerprint.semantic import one_blas_thread
from ..match import story as sm
from ..records import Article, Relation
from . import _parallel
from .analysis import DUPLICATE_RELATIONS, Group, Story, member_roles

StoryMode = Literal["document", "title"]
VIEW_CACHE = 2048  # story views kept in memory while clustering (LRU)
CHUNK = 256  # units whose views are prefetched in one batch
PARALLEL_MIN = 1500  # new units from which a forked process builds the next chunk's views while this one clusters


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
    mode: StoryMode = "document"
    # title mode (short texts such as headlines): join the nearest centroid when cosine >= title_threshold,
    # on vectors [sqrt(1 - w) * embedding, sqrt(w) * hashed words]; tuned on the train stories of News.jsonl
    # (scripts/build_story_model/tune_titles.py: w = 0.7 and 0.8 tie at NMI + F1 = 1.647)
    title_threshold: float = 0.20
    title_lexical_weight: float = 0.8

    def __post_init__(self) -> None:
        if self.core_size < 1 or self.candidates < 1 or self.workers < 1:
            raise ValueError("core_size, candidates and workers must be >= 1")
        if self.mode not in ("document", "title"):
            raise ValueError(f"unknown story mode {self.mode!r}; choose document or title")

    def thresholds(self) -> tuple[float, float]:
        """(same-story, related) thresholds in force."""
        same = sm.same_story_threshold() if self.same_story is None else self.same_story
        related = sm.related_threshold() if self.related is None else self.related
        return same, min(related, same)


@dataclass(slots=True)
class _State:
    """A story while clustering."""

    id: str
    units: list[str]  # unit ids in join order
    canonical: str
    row: int  # row in the centroid matrix
    start: int | None = None  # day numbers of the earliest/latest dated unit
    end: int | None = None
    related: list[str] = field(default_factory=list)
    #: unit -> (the canonical it was compared with, role, score); stale when that is no longer the canonical
    roles: dict[str, tuple[str, str, float]] = field(default_factory=dict)

    def core(self, size: int) -> list[str]:
        return [self.canonical, *[u for u in self.units if u != self.canonical][: size - 1]]


class OnlineStories:
    """The online assignment loop shared by ``build_stories`` (documents) and ``storytrace eval`` (titles).

    ``vectors`` gives each unit's retrieval vector (unit length); in document mode ``views`` gives story
    views (batched and cached) and ``dates``/``order`` the canonical rule's keys.
    """

    def __init__(self, config: StoryConfig, dim: int, views: _ViewCache | None = None,
                 dates: dict[str, str | None] | None = None, order: dict[str, int] | None = None) -> None:
        self.config = config
        self.same, self.related_min = config.thresholds()
        self.views = views
        self.dates = dates or {}
        self.order = order or {}
        self.vectors: dict[str, np.ndarray] = {}  # unit -> retrieval vector, float16 (document mode)
        self.stories: list[_State] = []
        self.centroids = np.zeros((64, dim), dtype=np.float32)  # unit-length mean of each story's unit vectors
        self.norms = np.zeros(64, dtype=np.float64)  # length of each story's vector sum (sum = centroid * norm)
        self.next_id = 0

    # -- stories ---------------------------------------------------------------------------------
    def new_story(self, unit: str, vec: np.ndarray, story_id: str | None = None) -> _State:
        if story_id is None:
            story_id = f"s{self.next_id:06d}"
            self.next_id += 1
        row = len(self.stories)
        if row == len(self.centroids):
            self.centroids = np.vstack([self.centroids, np.zeros_like(self.centroids)])
            self.norms = np.concatenate([self.norms, np.zeros_like(self.norms)])
        state = _State(id=story_id, units=[], canonical=unit, row=row)
        self.stories.append(state)
        self._join(state, unit, vec)
        return state

    def _join(self, state: _State, unit: str, vec: np.ndarray) -> None:
        state.units.append(unit)
        total = self.centroids[state.row] * np.float32(self.norms[state.row]) + vec
        norm = float(np.linalg.norm(total))
        self.centroids[state.row] = total / norm if norm else total
        self.norms[state.row] = norm
        day = sm.day_number(self.dates.get(unit))
        if day is not None:
            state.start = day if state.start is None else min(state.start, day)
            state.end = day if state.end is None else max(state.end, day)

    def candidates(self, vec: np.ndarray) -> list[tuple[_State, float]]:
        """Stories by centroid cosine (brute force over the centroid matrix), best first, above the floor."""
        n = len(self.stories)
        if not n:
            return []
        sims = self.centroids[:n] @ vec
        k = min(self.config.candidates, n)
        top = np.argpartition(-sims, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(self.stories[i], float(sims[i])) for i in top if sims[i] >= self.config.retrieval_floor]

    # -- document mode ---------------------------------------------------------------------------
    def _key(self, unit: str, view: sm.StoryView | None) -> tuple[int, int, int, int, int]:
        """Canonical rule as a sort key (smaller wins)."""
        day = sm.day_number(self.dates.get(unit))
        complete = view.quantity_count if view is not None else 0
        length = len(view.text) if view is not None else 0
        return (0 if day is not None else 1, day or 0, -complete, -length, self.order.get(unit, 0))

    def _event(self, state: _State) -> tuple[int, int] | None:
        """The story's event time: the intersection of its core members' intervals (contradicting ones skipped)."""
        event: tuple[int, int] | None = None
        core = state.core(self.config.core_size)
        views = self.views(core)  # type: ignore[misc]
        for u in core:
            e = views[u].event
            if e is None:
                continue
            if event is None:
                event = e
            elif not sm.intervals_disjoint(event, e):
                event = (max(event[0], e[0]), min(event[1], e[1]))
        return event

    def _conflict(self, unit: str, view: sm.StoryView, state: _State) -> bool:
        day = sm.day_number(self.dates.get(unit))
        if day is not None and state.start is not None and state.end is not None:
            return max(state.start - day, day - state.end, 0) > self.config.max_gap_days
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

    def add_document(self, unit: str, vec: np.ndarray) -> _State:
        """Assign one unit (document mode)."""
        assert self.views is not None
        size, floor = self.config.core_size, self.config.pair_floor
        cands = [(state, [u for u in state.core(size) if float(_f32(self.vectors[u]) @ vec) >= floor])
                 for state, _ in self.candidates(vec)]
        cands = [(state, core) for state, core in cands if core]
        if not cands:
            return self.new_story(unit, vec)
        views = self.views([unit, *{u for _, core in cands for u in core}])
        view = views[unit]
        best_join: tuple[float, _State] | None = None
        best_any: tuple[float, _State] | None = None
        pair: dict[str, float] = {}
        for state, core in cands:
            for u in core:
                if u not in pair:
                    pair[u] = self.score(unit, u, views)
            s = max(pair[u] for u in core)
            if best_any is None or s > best_any[0]:
                best_any = (s, state)
            if s >= self.same and (best_join is None or s > best_join[0]) and not self._conflict(unit, view, state):
                best_join = (s, state)
        if best_join is not None:
            state = best_join[1]
            self._join(state, unit, vec)
            canonical_view = self.views([state.canonical])[state.canonical]
            if self._key(unit, view) < self._key(state.canonical, canonical_view):
                state.canonical = unit  # the new unit is the original: re-role the members whose views are at hand
                cached = self.cached(state.units)
                for u in state.units:
                    if u != unit and u in cached:
                        state.roles[u] = (unit, *self.role(u, unit, {u: cached[u], unit: view}, pair.get(u)))
            else:
                v = {unit: view, state.canonical: canonical_view}
                state.roles[unit] = (state.canonical, *self.role(unit, state.canonical, v, pair.get(state.canonical)))
            return state
        new = self.new_story(unit, vec)
        if best_any is not None and best_any[0] >= self.related_min:
            other = best_any[1]
            new.related.append(other.id)
            other.related.append(new.id)
        return new

    # -- title mode ------------------------------------------------------------------------------
    def add_title(self, unit: str, vec: np.ndarray) -> _State:
        """Assign one unit (title mode): the nearest centroid if cosine >= title_threshold."""
        n = len(self.stories)
        if n:
            sims = self.centroids[:n] @ vec
            j = int(np.argmax(sims))
            if sims[j] >= self.config.title_threshold:
                self._join(self.stories[j], unit, vec)
                return self.stories[j]
        return self.new_story(unit, vec)


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def _f32(v: np.ndarray) -> np.ndarray:
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
    return sorted(units, key=lambda u: unit_order_key(sm.day_number(articles[index[u]].date), index[u]))


def _light(a: Article) -> tuple[str, str, str, str | None, str | None]:
    """What a story view needs of an article (sent to a worker process instead of the raw bytes)."""
    return (a.id, a.text, a.norm, a.title, a.date)


def _views_from_light(items: list[tuple[str, str, str, str | None, str | None]],
                      text_vecs: list[np.ndarray | None] | None = None) -> list[sm.StoryView]:
    """Worker side of the parallel view building (see ``_parallel.for_transfer``)."""
    arts = [Article(id=i, source="", locator="", kind="text", raw=b"", text=t, norm=n, content_hash="", title=ti, date=d)
            for i, t, n, ti, d in items]
    with one_blas_thread():
        return [_parallel.for_transfer(v) for v in _parallel.views_of(arts, text_vecs)]


def _worker_init() -> None:
    from ..fingerprint.semantic import model

    model()


class _ViewCache:
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
        self.inflight: set[str] = set()  # ids the worker is building
        self.share = _parallel.WorkerShare()

    def _build(self, ids: list[str]) -> dict[str, sm.StoryView]:
        self.built += len(ids)
        if not ids:
            return {}
        if self.build is not None:
            return dict(zip(ids, self.build(ids)))
        return dict(zip(ids, _parallel.views_of([self.by_id[i] for i in ids], self._text_vecs(ids))))

    def _text_vecs(self, ids: Sequence[str]) -> list[np.ndarray | None] | None:
        return [self.text_vecs.get(i) for i in ids] if self.text_vecs else None

    def submit(self, ids: Sequence[str]) -> Any:
        """Start building the views of ``ids`` in the worker: the worker's share of them (``_parallel.WorkerShare``;
        this process builds the rest when it asks for them). None without a pool or when all are cached."""
        missing = [i for i in dict.fromkeys(ids) if i not in self.cache and i not in self.inflight]
        if self.pool is None or not missing:
            return None
        missing = missing[:self.share.count(len(missing))]
        self.inflight.update(missing)
        return missing, self.pool.submit(_views_from_light, [_light(self.by_id[i]) for i in missing],
                                         self._text_vecs(missing))

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
        for i, v in zip(ids, future.result()):
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
    if config.mode != "document":
        raise ValueError("build_stories clusters documents; title mode is for OnlineStories directly")
    index = {a.id: i for i, a in enumerate(articles)}
    by_id = {a.id: a for a in articles}
    group_of = {m: g for g in groups for m in g.members}
    units = [g.canonical for g in groups if g.canonical in index]
    views = _ViewCache(by_id)
    dates = {a.id: a.date for a in articles}
    engine = OnlineStories(config, dim=512, views=views, dates=dates, order=index)

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
    vector_rows([u for _, us in restored for u in us])
    numbers = [int(st.id[1:]) for st, _ in restored if st.id[1:].isdigit()]
    engine.next_id = max(numbers, default=len(restored) - 1) + 1
    for story, story_units in restored:
        state = engine.new_story(story_units[0], _f32(vectors[story_units[0]]), story_id=story.id)
        for u in story_units[1:]:
            engine._join(state, u, _f32(vectors[u]))
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
    new_units = _unit_order(articles, [u for u in units if u not in assigned], index)
    workers = config.workers - 1 if len(new_units) >= PARALLEL_MIN else 0
    with _worker_pool(workers) as pool:
        views.pool = pool
        vector_rows(new_units, pool)
        chunks = [new_units[i:i + CHUNK] for i in range(0, len(new_units), CHUNK)]
        pending = views.submit(_needed(engine, chunks[0], [], vectors)) if chunks else None
        with one_blas_thread():
            for c, chunk in enumerate(chunks):
                need = _needed(engine, chunk, chunks[c - 1] if c else [], vectors)
                views.build_own(need[: views.capacity // 2])  # this process's share, while the worker builds its own
                views.collect(pending)
                # the worker builds its share of the next chunk's views (judged on the stories as they are now)
                pending = views.submit(_needed(engine, chunks[c + 1], chunk, vectors)) if c + 1 < len(chunks) else None
                views(need[: views.capacity // 2])
                for u in chunk:
                    engine.add_document(u, _f32(vectors[u]))
                for u in chunks[c - 1] if c else ():  # bounded memory: views needed later embed their text again
                    views.text_vecs.pop(u, None)
            views.collect(pending)
        views.pool = None

    # 3. stories, roles and story-level relations
    with one_blas_thread():
        return _finish(engine, articles, relations, group_of, views, link_scores)


def _needed(engine: OnlineStories, chunk: list[str], before: list[str], vectors: dict[str, np.ndarray]) -> list[str]:
    """The views the units of ``chunk`` will likely need: units near an existing story, an earlier unit of the chunk
    or a unit of the chunk ``before`` it, with the cores of their candidate stories. A speed-up only: views that
    turn out to be missing are built when needed, so the result never depends on it."""
    floor, size = engine.config.pair_floor, engine.config.core_size
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
                    need.update(dict.fromkeys(u for u in engine.stories[i].core(size) if _f32(vectors[u]) @ V[j] >= floor))
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
            group_of: dict[str, Group], views: _ViewCache, link_scores: dict[tuple[str, str], float]
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


def story_unit_roles(engine: OnlineStories, state: _State, views: _ViewCache) -> dict[str, tuple[str, float]]:
    """(role, score) of each unit of a story but its canonical: rewrite or same_story against the canonical
    (the role found when the unit joined while that is still the canonical, else computed now)."""
    canonical = state.canonical
    unit_roles: dict[str, tuple[str, float]] = {}
    for u in state.units:
        if u == canonical:
            continue
        previous_role = state.roles.get(u)
        if previous_role is not None and previous_role[0] == canonical:
            unit_roles[u] = (previous_role[1], previous_role[2])
        else:
            unit_roles[u] = engine.role(u, canonical, views([u, canonical]))
    return unit_roles


def story_links(engine: OnlineStories, views: _ViewCache, link_scores: dict[tuple[str, str], float] | None = None
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


# ---------------------------------------------------------------------------------------------
# Titles (short texts): the same online loop on centroid cosine alone
# ---------------------------------------------------------------------------------------------

_HASHES = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def hashed_words(texts: Sequence[str], dim: int = 512) -> np.ndarray:
    """Unit-length hashed bag-of-words vectors (folded word ids, 4 signed hashes each): a lexical vector that
    needs no fitting, so it works on any stream."""
    from ..text.tokens import tokenize

    out = np.zeros((len(texts), dim), dtype=np.float32)
    rows, ids = [], []
    for i, t in enumerate(texts):
        tok = tokenize(t)
        rows.append(np.full(len(tok.ids), i, dtype=np.int64))
        ids.append(tok.ids)
    if not rows:
        return out
    r = np.concatenate(rows)
    w = np.concatenate(ids).astype(np.uint64)
    shift = np.uint64(64 - int(np.log2(dim)))
    with np.errstate(over="ignore"):
        for h in _HASHES:
            mixed = w * h
            col = (mixed >> shift).astype(np.int64)
            sign = np.where((mixed >> np.uint64(7)) & np.uint64(1), 1.0, -1.0).astype(np.float32)
            np.add.at(out, (r, col), sign)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def title_vectors(texts: Sequence[str], lexical_weight: float) -> np.ndarray:
    """[sqrt(1 - w) * story embedding, sqrt(w) * hashed words]: unit vectors for title mode."""
    from ..fingerprint.semantic import embed

    dense = embed(list(texts)).astype(np.float32)
    if lexical_weight <= 0:
        return dense
    return np.hstack([np.sqrt(1 - lexical_weight) * dense, np.sqrt(lexical_weight) * hashed_words(texts)])


def cluster_titles(texts: Sequence[str], config: StoryConfig | None = None) -> list[int]:
    """Story label of each short text, clustered online in the given order (title mode of the story engine)."""
    config = config or StoryConfig(mode="title")
    vectors = title_vectors(texts, config.title_lexical_weight)
    engine = OnlineStories(config, dim=vectors.shape[1])
    labels = []
    with one_blas_thread():
        for i, v in enumerate(vectors):
            labels.append(engine.add_title(str(i), v).row)
    return labels
