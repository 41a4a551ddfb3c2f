"""The Python API over a store: ``Corpus(db).add(paths)``, ``documents()``, ``analyze()``.

The CLI and the web app are thin layers over this object.
"""
from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .cluster.analysis import Analysis, build_groups, orient, stories_from_groups
from .cluster.stories import build_stories, embed_articles
from .fingerprint.semantic import MODEL_NAME as SEMANTIC_MODEL
from .engines.incremental import stored_pairs, update_duplicates
from .fingerprint import DedupConfig
from .match.relate import duplicate_relation
from .match.verify import Match
from .io import iter_sources, read_path
from .io.base import ReaderOptions
from .io.ids import derive_id
from .records import Article, BodyKind, RawRecord, ReadProblem, Relation
from .store import SQLiteStore
from .store.sqlite import raw_digest
from .text.clean import NoArticleError, clean_record

BATCH_SIZE = 500  # records per transaction: a killed run loses at most one batch, which the next run redoes

ProblemHandler = Callable[[ReadProblem], None]


@dataclass(slots=True)
class IngestReport:
    """What one ``Corpus.add`` did."""

    added: int = 0
    unchanged: int = 0  # records already in the store with the same bytes
    files_skipped: int = 0  # files read completely by an earlier run and unchanged since
    problems: list[ReadProblem] = field(default_factory=list)

    @property
    def readable(self) -> int:
        """Records that could be read (new or already stored)."""
        return self.added + self.unchanged


def source_key(path: str) -> str:
    """The store's key for a source: the absolute path (so the same file under two spellings is one)."""
    return path if path == "-" else os.path.abspath(path)


class Corpus:
    """A corpus of news documents in an embedded store (a temporary one when ``db`` is None)."""

    def __init__(self, db: str | os.PathLike[str] | None = None, reader_options: ReaderOptions | None = None) -> None:
        self.store = SQLiteStore(db)
        self.reader_options = reader_options or ReaderOptions()

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingestion -------------------------------------------------------------------------------
    def add(
        self,
        paths: Iterable[str],
        on_problem: ProblemHandler | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Read, clean and store every record under ``paths``; idempotent and resumable.

        Problems (unreadable files, malformed records) are collected in the report, passed to
        ``on_problem`` as they happen, stored, and never stop the run.
        """
        report = IngestReport()
        for path in iter_sources(paths):
            if isinstance(path, ReadProblem):
                self._problem(path, report, on_problem)
            else:
                self._add_file(path, report, on_problem, progress)
        self.store.add_problems(report.problems)
        return report

    def _add_file(
        self, path: str, report: IngestReport, on_problem: ProblemHandler | None, progress: Callable[[int], None] | None
    ) -> None:
        """Ingest one file in batches; mark it complete only after its last batch is stored."""
        key = source_key(path)
        stat = os.stat(path) if path != "-" and os.path.isfile(path) else None
        if stat is not None and self.store.source_done(key, stat.st_size, stat.st_mtime_ns):
            report.files_skipped += 1
            return
        batch: list[Article] = []
        taken: set[str] = set()
        records = 0
        for item in read_path(path, self.reader_options):
            if isinstance(item, ReadProblem):
                self._problem(item, report, on_problem)
                continue
            records += 1
            article = self._prepare(item, key, taken, report, on_problem)
            if article is not None:
                batch.append(article)
            if progress is not None:
                progress(1)
            if len(batch) >= BATCH_SIZE:
                report.added += self.store.add_articles(batch)
                batch.clear()
                taken.clear()
        report.added += self.store.add_articles(batch)
        if stat is not None:
            self.store.mark_source_done(key, stat.st_size, stat.st_mtime_ns, records)

    def _prepare(
        self, record: RawRecord, key: str, taken: set[str], report: IngestReport, on_problem: ProblemHandler | None
    ) -> Article | None:
        """Clean one record unless the store already has it; give it an id that no other record holds."""
        if key == "-":  # stdin has no stable position: its records are keyed by content
            record.locator = f"{record.locator}#{raw_digest(record.content)[:16]}"
        stored = self.store.known_record(key, record.locator)
        if stored is not None and stored == raw_digest(record.content):
            report.unchanged += 1
            return None
        doc_id = derive_id(record)
        if stored is None and (doc_id in taken or self.store.id_taken(doc_id)):
            doc_id = f"{doc_id}~{hashlib.blake2b(f'{key}|{record.locator}'.encode(), digest_size=4).hexdigest()}"
        try:
            article = clean_record(record, doc_id)
        except NoArticleError as exc:
            self._problem(ReadProblem(record.source, record.locator, str(exc)), report, on_problem)
            return None
        except Exception as exc:
            self._problem(ReadProblem(record.source, record.locator, f"could not clean: {exc!r}"), report, on_problem)
            return None
        article.source = key
        taken.add(doc_id)
        return article

    @staticmethod
    def _problem(problem: ReadProblem, report: IngestReport, on_problem: ProblemHandler | None) -> None:
        report.problems.append(problem)
        if on_problem is not None:
            on_problem(problem)

    def add_text(self, text: str, doc_id: str | None = None, *, title: str | None = None, date: str | None = None,
                 url: str | None = None, author: str | None = None) -> Article:
        """Add one document given as a string (text or HTML); returns the stored article."""
        content = text.encode("utf-8")
        kind: BodyKind = "html" if _looks_like_html(text) else "text"
        doc_id = doc_id or "text-" + hashlib.blake2b(content, digest_size=6).hexdigest()
        record = RawRecord(source="api", locator=doc_id, content=content, kind=kind, body=text, title=title, date=date,
                           url=url, author=author)
        article = clean_record(record, doc_id)
        self.store.add_articles([article])
        return article

    # -- reading ---------------------------------------------------------------------------------
    def documents(self) -> Iterator[Article]:
        """Every stored document, in ingestion order."""
        for stored in self.store.documents():
            yield stored.article

    def _embeddings(self, articles: list[Article]) -> np.ndarray:
        """Story embeddings aligned with ``articles``: stored ones reused, the missing ones computed and kept."""
        pk_of = self.store.document_pks()
        pks = [pk_of[a.id] for a in articles]
        stored = self.store.embeddings_for(pks, SEMANTIC_MODEL)
        missing = [i for i, pk in enumerate(pks) if pk not in stored]
        if missing:
            fresh = embed_articles([articles[i] for i in missing])
            self.store.save_embeddings([(pks[i], fresh[k]) for k, i in enumerate(missing)], SEMANTIC_MODEL)
            stored.update({pks[i]: fresh[k].astype(np.float16) for k, i in enumerate(missing)})
        if not articles:
            return np.zeros((0, 0), dtype=np.float16)
        return np.stack([stored[pk] for pk in pks])

    def __len__(self) -> int:
        return self.store.count()

    def get(self, doc_id: str) -> Article | None:
        """One document by id."""
        stored = self.store.get(doc_id)
        return None if stored is None else stored.article

    # -- analysis --------------------------------------------------------------------------------
    def analyze(self, keep: str = "canonical", config: DedupConfig | None = None, stories_mode: bool = True) -> Analysis:
        """Relate, group and story-cluster every stored document, and save the result in the store.

        Incremental: only documents added since the last call are fingerprinted and embedded, and earlier
        stories are kept and extended. ``stories_mode=False`` stops at duplicate groups (one story each).
        """
        update_duplicates(self.store, config)
        articles = list(self.documents())
        by_id = {a.id: a for a in articles}
        relations = [
            _duplicate_relation(by_id[a], by_id[b], relation, direction, score, measures)
            for a, b, relation, direction, score, measures in stored_pairs(self.store)
        ]
        groups = build_groups(articles, relations, keep=keep, config=config)
        relations = orient(relations, groups)
        if stories_mode:
            stories, story_relations = build_stories(
                articles, groups, relations, previous=self.store.load_stories(), embeddings=self._embeddings(articles)
            )
            relations = relations + story_relations
        else:
            stories = stories_from_groups(articles, groups, relations)
        self.store.save_analysis(groups, stories, relations)
        return Analysis(articles=articles, groups=groups, stories=stories, relations=relations)


def _duplicate_relation(x: Article, y: Article, relation: str, direction: int, score: float,
                        measures: dict[str, float]) -> Relation:
    """A stored verified pair as a relation, with the wrapper rule of ``match.relate`` applied."""
    match = Match(
        relation=relation, direction={1: "a_contains_b", -1: "b_contains_a"}.get(direction), jaccard=measures["jaccard"],
        containment_ab=0.0, containment_ba=0.0, coverage_ab=measures["coverage_ab"], coverage_ba=measures["coverage_ba"],
        score=score,
    )
    pair = duplicate_relation(x, y, match=match)
    details = {k: round(v, 4) for k, v in pair.scores.items() if k not in ("containment_ab", "containment_ba")}
    return Relation(a=pair.a, b=pair.b, relation=pair.relation or relation, score=pair.score, details=details)


def _looks_like_html(text: str) -> bool:
    """Delegate to the extractor's HTML sniffing (imported lazily to keep import time low)."""
    from .text.extract import looks_like_html

    return looks_like_html(text)


def print_problem(problem: ReadProblem) -> None:
    """The CLI's problem handler: one line on stderr."""
    print(f"storytrace: {problem}", file=sys.stderr)
