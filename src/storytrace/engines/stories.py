"""Dataset-mode story map behind ``storytrace stories``: the local engine, and what it shares with the
Spark one (``engines.spark_stories``).

Stages of the local engine (``run_stories``), memory-resident: the articles of every duplicate group's
canonical (its text, normalised text, title and date; about 2-3 times the text size per group) stay in
memory while the stories are built, as ``build_stories`` needs them; use ``--engine spark`` for inputs that do
not fit.

1. read, clean, fingerprint, candidates, verify, groups: ``engines.local`` (``read_pass`` and
   ``dedup_stage``), exactly as ``storytrace dedup``;
2. articles of the group canonicals (the story UNITS): the text the dedup stage compared, its normalised
   form, title and date, as the dedup output records hold them: txt/html/WARC documents from their spilled
   record (``record_article``), JSONL lines and Parquet rows read again (``story_article``);
3. stories: ``cluster.stories.build_stories`` over the units (each its own group: the stories and roles
   of whole groups follow from their canonicals);
4. write: ``stories.<fmt>`` (one row per input document, input order), ``story_links.<fmt>``,
   ``summary.json`` and ``_SUCCESS``, in a staging directory renamed into place (``engines.output``).

Map columns: ``id, source, locator`` (as in ``clusters.<fmt>`` of ``storytrace dedup``), ``group`` (id of the
group's canonical document), ``story`` (story id, ``s000000``... in order of creation), ``story_canonical``
(id of the story's canonical document), ``role`` and ``score``: ``canonical`` for the story canonical; the
duplicate relation to it (``exact``, ``near_duplicate``, ``contains``, ``contained_in``, as
``cluster.analysis.member_roles`` and the dedup map) for the other members of its group; ``rewrite`` or
``same_story`` (story similarity to the story canonical) for every member of the story's other groups.
``story_links.<fmt>``: one row per related pair of stories, ``story`` (the newer), ``related`` (the older),
``score`` (story similarity of their canonicals), ``canonical`` and ``related_canonical``.

The Spark engine runs the same assignment on its driver from views computed on the executors:
``StreamAssigner`` here (no pyspark needed, so it is tested against ``build_stories`` without Spark).
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..cluster.stories import (
    CHUNK,
    VIEW_CACHE,
    OnlineStories,
    StoryConfig,
    as_f32,
    views_needed,
    ViewCache,
    story_links,
    story_unit_roles,
    unit_infos,
    unit_order_key,
    unit_vectors,
)
from ..fingerprint import DedupConfig
from ..fingerprint.semantic import DIM, one_blas_thread
from ..match import story as sm
from ..records import Article, RawRecord
from ..text.dates import day_number
from . import output as out_io
from ..cluster.groups import MAP_RELATIONS
from ..timing import Clock, peak_rss_mb
from .local import DedupOptions, NothingReadable, ProblemCounter

STORY_MAP_SCHEMA = {"id": "string", "source": "string", "locator": "string", "group": "string", "story": "string",
                    "story_canonical": "string", "role": "string", "score": "float"}
LINK_SCHEMA = {"story": "string", "related": "string", "score": "float", "canonical": "string",
               "related_canonical": "string"}
STORY_ROLES = ("canonical", "exact", "near_duplicate", "contains", "contained_in", "rewrite", "same_story")
VIEW_BATCH = 256  #: articles whose views are built with one embedding call


# --------------------------------------------------------------------------------------------
# Articles and views (shared with the Spark executors)
# --------------------------------------------------------------------------------------------

def story_article(record: RawRecord, key: str) -> Article:
    """The article a story view is built from: the text the dedup stage compared (``local.article_text``),
    its normalised form, title and date, as the dedup engines' output records hold them (``record_article``
    rebuilds the same article from such a record). ``key`` is its id."""
    from ..text.clean import article_text

    extracted, text, norm, _ = article_text(record)
    return _article(key, text, norm, record.title or extracted.title, record.date or extracted.date)


def record_article(line: str, norm: str, key: str) -> Article:
    """``story_article`` from a dedup output record (the JSON line of a txt/html/WARC document: id, text,
    source, title, date, url) and the document's normalised text."""
    import json

    obj = json.loads(line)
    return _article(key, obj["text"], norm, obj.get("title"), obj.get("date"))


def _article(key: str, text: str, norm: str, title: str | None, date: str | None) -> Article:
    return Article(id=key, source="", locator="", kind="text", raw=b"", text=text, norm=norm, content_hash="",
                   title=title, date=date)


def pack_view(view: sm.StoryView) -> bytes:
    """A story view as bytes (pickle, zstd); the vectors travel as float16, which they are rounded to, so
    ``unpack_view(pack_view(v))`` scores exactly as ``v``."""
    import zstandard

    half = (view.vec, view.title_vec, view.lead_vec, view.sent_vecs)
    fields = (view.id, view.text, view.title, view.date, *[np.asarray(a, dtype=np.float16) for a in half],
              view.sentences, view.grams, view.words, view.title_words, view.caps, view.numbers, view.years,
              view.event, view.event_source, view.quantity_count)
    return zstandard.ZstdCompressor(level=1).compress(pickle.dumps(fields, protocol=5))


def unpack_view(data: bytes) -> sm.StoryView:
    """The view ``pack_view`` packed."""
    import zstandard

    (vid, text, title, date, vec, title_vec, lead_vec, sent_vecs, sentences, grams, words, title_words, caps,
     numbers, years, event, event_source, quantity_count) = pickle.loads(zstandard.ZstdDecompressor().decompress(data))
    return sm.StoryView(
        id=vid, text=text, title=title, date=date, vec=vec.astype(np.float32), title_vec=title_vec.astype(np.float32),
        lead_vec=lead_vec.astype(np.float32), sentences=sentences, sent_vecs=sent_vecs.astype(np.float32),
        grams=grams, words=words, title_words=title_words, caps=caps, numbers=numbers, years=years, event=event,
        event_source=event_source, quantity_count=quantity_count)


@dataclass(slots=True)
class UnitFeatures:
    """What the assignment needs of one unit, computed where its record is: order key, date, retrieval
    vector (float16, unit length) and packed story view."""

    key: int
    id: str
    date: str | None
    day: int | None
    vector: np.ndarray
    view: bytes


def unit_features(keys: Sequence[int], articles: Sequence[Article]) -> list[UnitFeatures]:
    """Views and retrieval vectors of articles, ``VIEW_BATCH`` at a time (one embedding call each). The
    retrieval vector is the view's text vector normalised as ``build_stories`` normalises ``embed``: the same
    bits, since ``embed`` gives a text the same vector in any batch."""
    out: list[UnitFeatures] = []
    with one_blas_thread():
        for lo in range(0, len(articles), VIEW_BATCH):
            part = articles[lo:lo + VIEW_BATCH]
            views = sm.build_views(list(part))
            vectors = unit_vectors(np.stack([v.vec for v in views]).astype(np.float16))
            for k, a, v, vec in zip(keys[lo:lo + VIEW_BATCH], part, views, vectors):
                out.append(UnitFeatures(k, a.id, a.date, day_number(a.date), vec, pack_view(v)))
    return out


# --------------------------------------------------------------------------------------------
# The assignment from precomputed features (the Spark driver's loop)
# --------------------------------------------------------------------------------------------

class ViewSpill:
    """Packed views appended to a driver-local file and read back by key with ``pread``."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        fd, self.path = tempfile.mkstemp(prefix="st-views-", dir=directory)
        self.fd: int | None = fd
        self.index: dict[int, tuple[int, int]] = {}
        self.end = 0
        self.reads = 0

    def append(self, key: int, data: bytes) -> None:
        assert self.fd is not None
        os.pwrite(self.fd, data, self.end)
        self.index[key] = (self.end, len(data))
        self.end += len(data)

    def get(self, key: int) -> bytes:
        assert self.fd is not None
        offset, size = self.index[key]
        self.reads += 1
        return os.pread(self.fd, size, offset)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        Path(self.path).unlink(missing_ok=True)


class _Order:
    """Ingestion order of a unit keyed by its position: the key itself."""

    @staticmethod
    def get(key: int, default: int = 0) -> int:
        return key


@dataclass(slots=True)
class StoryResult:
    """Stories of the units: per unit its story and role; per story its id and canonical; related links."""

    story_of: dict[int, int]  # unit key -> story number (index into ``ids``)
    ids: list[str]  # story number -> story id
    canonical: list[int]  # story number -> canonical unit key
    roles: dict[int, tuple[str, float]]  # unit key -> (rewrite | same_story, score), story canonicals absent
    links: list[tuple[int, int, float]]  # (newer story number, older story number, score)

    def stats(self) -> dict[str, int]:
        units = np.bincount(np.fromiter(self.story_of.values(), dtype=np.int64, count=len(self.story_of)),
                            minlength=len(self.ids))
        return {"units": len(self.story_of), "stories": len(self.ids),
                "stories_with_several_groups": int((units > 1).sum()), "largest_story_groups": int(units.max(initial=0)),
                "related_links": len(self.links)}


class StreamAssigner:
    """``build_stories``' online assignment fed with precomputed features, chunk by chunk in unit order
    (publication day, the undated after, ingestion order), with the same engine (``OnlineStories``),
    view prefetch (``views_needed``) and LRU view cache, so it gives the same stories, canonicals, roles and links.

    Driver memory per unit: its retrieval vector (1 kB float16), date, id and a spill offset (about 1.3 kB
    with Python's overhead), plus per story its centroid (2 kB float32; up to 4 kB as the matrix grows by
    doubling) and state; views live in a local spill file (``spill_dir``, 25-55 kB a unit) with ``capacity``
    of them unpacked in memory.
    """

    def __init__(self, config: StoryConfig | None = None, spill_dir: str | None = None,
                 capacity: int = VIEW_CACHE) -> None:
        self.config = config or StoryConfig()
        self.spill = ViewSpill(spill_dir)
        self.views = ViewCache({}, capacity=capacity, build=self._load)  # type: ignore[arg-type]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
        self.vectors: dict[int, np.ndarray] = {}
        self.dates: dict[int, str | None] = {}
        self.ids: dict[int, str] = {}
        self.engine = OnlineStories(self.config, dim=DIM, views=self.views, dates=self.dates,  # type: ignore[arg-type]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
                                    order=_Order())  # type: ignore[arg-type]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
        self.engine.vectors = self.vectors  # type: ignore[assignment]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
        self.engine.dates = self.dates  # type: ignore[assignment]  # int unit keys; an empty dict means none
        self.before: list[int] = []
        self.pending: list[int] = []  # units taken, not yet assigned (fewer than CHUNK)
        self.last: tuple[int, int, int] | None = None
        self.wall = {"unpack": 0.0, "assign": 0.0, "finish": 0.0}

    def _load(self, keys: list[int]) -> list[sm.StoryView]:
        started = time.perf_counter()
        views = [unpack_view(self.spill.get(k)) for k in keys]
        self.wall["unpack"] += time.perf_counter() - started
        return views

    def add(self, chunk: Sequence[UnitFeatures]) -> None:
        """Take the next units (in unit order, after every earlier chunk); they are assigned in blocks of
        ``cluster.stories.CHUNK`` whatever the size of the chunks given, so the corpus statistics a unit is
        judged with are those ``build_stories`` has at that unit."""
        started = time.perf_counter()
        for f in chunk:
            order = unit_order_key(f.day, f.key)
            if self.last is not None and order <= self.last:
                raise ValueError(f"units out of order: {order} after {self.last}")
            self.last = order
            self.vectors[f.key] = np.asarray(f.vector, dtype=np.float16)
            self.dates[f.key] = f.date
            self.ids[f.key] = f.id
            self.spill.append(f.key, f.view)
            self.pending.append(f.key)
        while len(self.pending) >= CHUNK:
            self._assign(self.pending[:CHUNK])
            del self.pending[:CHUNK]
        self.wall["assign"] += time.perf_counter() - started

    def _assign(self, keys: list[int]) -> None:
        with one_blas_thread():
            # the block's terms are counted before any of it is assigned, as build_stories does
            texts = self._load(keys)
            self.engine.observe(keys, unit_infos([(v.text, v.title) for v in texts]))  # type: ignore[arg-type]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
            del texts
            need = views_needed(self.engine, keys, self.before, self.vectors)  # type: ignore[arg-type]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
            self.views(need[: self.views.capacity // 2])
            for k in keys:
                self.engine.add_unit(k, as_f32(self.vectors[k]))  # type: ignore[arg-type]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
        self.before = keys

    def finish(self) -> StoryResult:
        """Roles against the final canonicals and the related links (``cluster.stories._finish``'s rules)."""
        started = time.perf_counter()
        if self.pending:
            self._assign(self.pending)
            self.pending = []
        engine = self.engine
        story_of: dict[int, int] = {}
        roles: dict[int, tuple[str, float]] = {}
        with one_blas_thread():
            engine.consolidate(0)
            number = {s.id: n for n, s in enumerate(engine.stories)}
            for n, state in enumerate(engine.stories):
                for u in state.units:
                    story_of[u] = n  # type: ignore[index]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
                roles.update(story_unit_roles(engine, state, self.views))  # type: ignore[arg-type]  # int unit keys
            links = [(number[a.id], number[b.id], s) for a, b, s in story_links(engine, self.views)]
        self.wall["finish"] += time.perf_counter() - started
        return StoryResult(story_of, [s.id for s in engine.stories], [s.canonical for s in engine.stories],  # type: ignore[misc]  # int unit keys: OnlineStories is typed for str ids, works on any hashable
                           roles, links)

    def stats(self) -> dict[str, Any]:
        """Views spilled and read back, spill size."""
        return {"views_spilled": len(self.spill.index), "spill_bytes": self.spill.end, "views_read": self.spill.reads,
                "views_unpacked": self.views.built}

    def close(self) -> None:
        self.spill.close()


def assign_stream(features: Iterable[UnitFeatures], config: StoryConfig | None = None, spill_dir: str | None = None,
                  chunk: int = 256, capacity: int = VIEW_CACHE) -> tuple[StoryResult, dict[str, Any]]:
    """Stories of units streamed in unit order (``StreamAssigner`` over chunks of ``chunk``); (result, stats)."""
    assigner = StreamAssigner(config, spill_dir, capacity)
    try:
        batch: list[UnitFeatures] = []
        for f in features:
            batch.append(f)
            if len(batch) >= chunk:
                assigner.add(batch)
                batch = []
        assigner.add(batch)
        return assigner.finish(), {**assigner.stats(), **{f"driver_{k}_s": round(v, 3) for k, v in assigner.wall.items()}}
    finally:
        assigner.close()


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

def role_of(unit: int, story_canonical: int, dup_relation: str, dup_score: float,
            unit_role: tuple[str, float] | None) -> tuple[str, float]:
    """A document's role: its duplicate relation inside the story canonical's group, else its group's
    story role (``cluster.stories._finish``).

    >>> role_of(3, 3, "contains", 0.97, None), role_of(5, 3, "exact", 1.0, ("rewrite", 0.91))
    (('contains', 0.97), ('rewrite', 0.91))
    """
    if unit == story_canonical:
        return dup_relation, dup_score
    assert unit_role is not None
    return unit_role


@dataclass(slots=True)
class StorySummary:
    """What a ``storytrace stories`` run did (written as summary.json)."""

    documents: int
    groups: int  # duplicate groups = story units (singletons included)
    stories: int
    stories_with_several_groups: int
    largest_story_groups: int
    largest_story_documents: int
    related_links: int
    roles: dict[str, int]
    problems: dict[str, int]
    files: int
    timings_s: dict[str, float]
    cpu_s: dict[str, float]
    docs_per_s: float
    peak_rss_mb: float
    config: dict[str, Any]
    options: dict[str, Any]
    engine: str = "local"
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self, out_dir: Path | str) -> str:
        return (f"storytrace: {self.documents:,} documents, {self.groups:,} groups, {self.stories:,} stories "
                f"({self.stories_with_several_groups:,} with several groups), {self.related_links:,} related links, "
                f"{sum(self.problems.values()):,} problems -> {out_dir} ({self.timings_s.get('total', 0.0):,.1f} s)")


def story_settings(config: DedupConfig, story: StoryConfig) -> dict[str, Any]:
    """The settings in force, for summary.json."""
    same, related = story.thresholds()
    return {"dedup": asdict(config), "story": {**asdict(story), "same_story": same, "related": related}}


def write_links(path: Path, fmt: str, result: StoryResult, doc_id: dict[int, str] | Any) -> int:
    """story_links.<fmt>: one row per related pair (newer story, older story, score, their canonicals)."""
    with out_io.RowWriter(path, fmt, LINK_SCHEMA) as writer:
        links = result.links
        writer.write({
            "story": [result.ids[a] for a, _, _ in links], "related": [result.ids[b] for _, b, _ in links],
            "score": round4([s for _, _, s in links]),
            "canonical": [doc_id[result.canonical[a]] for a, _, _ in links],
            "related_canonical": [doc_id[result.canonical[b]] for _, b, _ in links],
        })
        return writer.rows


def round4(values: Sequence[float]) -> list[float]:
    """Scores as written: ``np.round(x, 4)``, as the dedup map (and the Spark engine's verification) rounds."""
    rounded: list[float] = np.round(np.asarray(values, dtype=np.float64), 4).tolist()
    return rounded


def role_counts(roles: Iterable[str]) -> dict[str, int]:
    """{role: documents} over STORY_ROLES."""
    counts: dict[str, int] = dict.fromkeys(STORY_ROLES, 0)
    for r in roles:
        counts[r] = counts.get(r, 0) + 1
    return counts


# --------------------------------------------------------------------------------------------
# The local engine
# --------------------------------------------------------------------------------------------

def unit_articles(pass1: Any, units: np.ndarray, reader: Any) -> list[Article]:
    """The articles of the documents numbered ``units`` (sorted): a txt/html/WARC document from its spilled
    output record (``record_article``); a JSONL line or Parquet row read again from its file, matched to its
    document by file, locator and content hash (a record that did not clean in the first pass matches none).
    Article ids are the document numbers."""
    import xxhash

    from ..io import read_path
    from ..records import ReadProblem
    from .local import check_unchanged

    columns, locators, spills = pass1.columns, pass1.spills.locators, pass1.spills
    wanted: dict[tuple[int, str], deque[int]] = defaultdict(deque)
    found: dict[int, Article] = {}
    for row in units.tolist():
        line = spills.records.get_bytes(row)
        if line:
            found[row] = record_article(line.decode("utf-8", "surrogatepass"), spills.norms[row], str(row))
        else:
            wanted[(int(columns.file_no[row]), locators[row])].append(row)
    for file_no in sorted({f for f, _ in wanted}):
        source = pass1.files[file_no]
        check_unchanged(source)
        for item in read_path(source.path, replace(reader, input_format=source.fmt)):
            if isinstance(item, ReadProblem):
                continue
            rows = wanted.get((file_no, item.locator))
            if not rows or xxhash.xxh3_64_intdigest(item.content) != int(columns.raw_hash[rows[0]]):
                continue
            row = rows.popleft()
            item.source = source.name
            found[row] = story_article(item, str(row))
    missing = [r for r in units.tolist() if r not in found]
    if missing:
        raise out_io.InputChanged(f"{pass1.files[int(columns.file_no[missing[0]])].name}: a document could not be "
                                  "read again; rerun on a stable copy")
    return [found[r] for r in units.tolist()]


def local_stories(articles: Sequence[Article], config: StoryConfig) -> StoryResult:
    """``build_stories`` over units (articles keyed by their document number), as a StoryResult."""
    from ..cluster.stories import build_stories
    from ..records import Group

    groups = [Group(id=f"g{a.id}", canonical=a.id, members=[a.id]) for a in articles]
    stories, relations = build_stories(articles, groups, [], config=config)
    number = {s.id: n for n, s in enumerate(stories)}
    story_of = {int(d): n for n, s in enumerate(stories) for d in s.documents}
    roles = {int(d): r for s in stories for d, r in s.roles.items() if d != s.canonical}
    links = [(number[r.details["stories"][0]], number[r.details["stories"][1]], float(r.score))
             for r in relations if r.relation == "related"]
    return StoryResult(story_of, [s.id for s in stories], [int(s.canonical) for s in stories], roles, links)


def write_story_map(path: Path, fmt: str, pass1: Any, grouping: Any, result: StoryResult,
                    chunk: int = 65536) -> dict[str, int]:
    """stories.<fmt> of the local engine: one row per input document, in input order; {role: documents}."""
    ids, locators = pass1.spills.ids, pass1.spills.locators
    names = [f.name for f in pass1.files]
    labels = grouping.labels
    counts: dict[str, int] = role_counts(())
    with out_io.RowWriter(path, fmt, STORY_MAP_SCHEMA) as writer:
        for lo in range(0, len(labels), chunk):
            rows = range(lo, min(lo + chunk, len(labels)))
            story, canonical, role, score = [], [], [], []
            for i in rows:
                unit = int(labels[i])
                n = result.story_of[unit]
                c = result.canonical[n]
                r, s = role_of(unit, c, MAP_RELATIONS[int(grouping.relation[i])], float(grouping.score[i]),
                               result.roles.get(unit))
                story.append(result.ids[n])
                canonical.append(ids[c])
                role.append(r)
                score.append(s)
                counts[r] += 1
            group_ids = {int(g): ids[int(g)] for g in np.unique(labels[lo:rows.stop])}
            writer.write({
                "id": [ids[i] for i in rows],
                "source": [names[int(f)] for f in pass1.columns.file_no[lo:rows.stop]],
                "locator": [locators[i] for i in rows], "group": [group_ids[int(g)] for g in labels[lo:rows.stop]],
                "story": story, "story_canonical": canonical, "role": role, "score": round4(score),
            })
    return counts


def process_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of this process so far and of its finished children (the story view worker)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"process_cpu_s": round(own.ru_utime + own.ru_stime, 3), "children_cpu_s": round(kids.ru_utime + kids.ru_stime, 3)}


class _SpillIds:
    """Document id by number, read from the spill."""

    def __init__(self, ids: Any) -> None:
        self.ids = ids

    def __getitem__(self, row: int) -> str:
        return str(self.ids[int(row)])


def run_stories(inputs: Sequence[str], out_dir: str | os.PathLike[str], config: DedupConfig | None = None,
                options: DedupOptions | None = None, story: StoryConfig | None = None) -> StorySummary:
    """The story map of ``inputs`` in ``out_dir`` (stories.<fmt>, story_links.<fmt>, summary.json, _SUCCESS),
    written atomically; ``options.map_format`` picks the format.

    Raises output.OutputExists before any work when ``out_dir`` is not empty (without overwrite),
    NothingReadable when no document could be read (nothing is written).
    """
    from .local import dedup_stage, read_pass, refuse_inputs_inside

    config = config or DedupConfig()
    options = options or DedupOptions()
    story = story or StoryConfig()
    counter = ProblemCounter(options.on_problem)
    options = replace(options, on_problem=counter)
    out = Path(os.path.abspath(out_dir))
    refuse_inputs_inside(inputs, out)
    clock = Clock()
    start = time.perf_counter()
    fmt = options.map_format
    with out_io.staged_output(out, options.overwrite) as staging:
        workdir = staging / "_work"
        workdir.mkdir()
        pass1 = None
        try:
            pass1 = read_pass(inputs, config, options, workdir, clock, exclude=out)
            n = len(pass1.columns)
            if n == 0:
                raise NothingReadable(f"nothing could be read from {', '.join(inputs)}")
            grouping = dedup_stage(pass1, config, options.keep, clock)
            with clock.stage("articles"):
                articles = unit_articles(pass1, np.flatnonzero(grouping.kept), options.reader)
            with clock.stage("stories"):
                result = local_stories(articles, story)
            with clock.stage("write"):
                roles = write_story_map(staging / f"stories.{fmt}", fmt, pass1, grouping, result)
                write_links(staging / f"story_links.{fmt}", fmt, result, _SpillIds(pass1.spills.ids))
            files = len(pass1.files)
        finally:
            if pass1 is not None:
                pass1.spills.close()
            shutil.rmtree(workdir, ignore_errors=True)
        clock.wall["total"] = time.perf_counter() - start
        sizes = np.bincount(np.array([result.story_of[int(u)] for u in grouping.labels], dtype=np.int64))
        summary = StorySummary(
            documents=n, **{k: v for k, v in result.stats().items() if k != "units"},  # type: ignore[arg-type]  # the int counters by field name
            groups=len(result.story_of),
            largest_story_documents=int(sizes.max(initial=0)), roles=roles,
            problems={"records": counter.records, "files": counter.files}, files=files,
            timings_s={k: round(v, 3) for k, v in clock.wall.items()}, cpu_s={k: round(v, 3) for k, v in clock.cpu.items()},
            docs_per_s=round(n / max(clock.wall["total"], 1e-9), 1), peak_rss_mb=round(peak_rss_mb(), 1),
            config=story_settings(config, story),
            options={"inputs": list(inputs), "keep": options.keep, "map_format": fmt, "reader": asdict(options.reader)},
            stats=process_cpu(),
        )
        out_io.write_json(staging / "summary.json", summary.to_dict())
    return summary
