"""Adding documents from the web UI: one writer thread runs every ingest + analyze job, in order.

A job is the same pipeline as the CLI: uploaded bytes go to a fresh private temporary directory under a
name the server makes (a slug of the upload's name, used only so the document id reads well), then
``Corpus.add`` and ``Corpus.analyze``. Pasted text goes through ``Corpus.add_text``. A single worker thread
means one SQLite writer; readers keep reading through WAL meanwhile.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..corpus import Corpus, source_key
from ..store import queries

#: Upload types accepted: the readers' formats, optionally compressed.
ALLOWED_SUFFIXES: tuple[str, ...] = (".txt", ".text", ".html", ".htm", ".jsonl", ".ndjson", ".warc", ".parquet")
COMPRESSED_SUFFIXES: tuple[str, ...] = (".gz", ".zst")
KEEP_JOBS = 200  # finished jobs remembered for their status page


class UploadRejected(ValueError):
    """An upload the server will not take (type or size); the message is shown to the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class Upload:
    """One uploaded file: the name the user gave (display only) and its bytes."""

    name: str
    data: bytes


@dataclass(slots=True)
class Job:
    """The progress and outcome of one add-documents request."""

    id: str
    kind: str  # "upload" or "paste"
    names: list[str]
    state: str = "queued"  # queued -> reading -> analyzing -> done | failed
    records: int = 0
    added: int = 0
    documents: list[dict[str, str | None]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    message: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def finished_ok(self) -> bool:
        """True when the job ended and its documents are stored and analysed."""
        return self.state == "done"

    def to_dict(self) -> dict[str, Any]:
        """The job as the polling endpoint returns it."""
        return {**asdict(self), "done": self.state in ("done", "failed")}


def upload_suffix(name: str) -> str:
    """The accepted suffix of an uploaded file name (e.g. ``.jsonl.gz``), or raise ``UploadRejected``."""
    lower = name.lower().strip()
    compression = next((c for c in COMPRESSED_SUFFIXES if lower.endswith(c)), "")
    base = lower[: len(lower) - len(compression)] if compression else lower
    suffix = next((s for s in ALLOWED_SUFFIXES if base.endswith(s)), None)
    if suffix is None:
        allowed = ", ".join(ALLOWED_SUFFIXES)
        raise UploadRejected(f"{name!r}: unsupported file type; accepted: {allowed} (optionally .gz or .zst)", 415)
    return suffix + compression


def safe_stem(name: str, suffix: str) -> str:
    """A file-system-safe stem from an upload's name: letters, digits, - and _ only (never a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = base[: len(base) - len(suffix)] if base.lower().endswith(suffix) else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-_")[:64]
    return stem or "upload"


class Writer:
    """The single writer: a one-thread executor running jobs in order against its own store connection."""

    def __init__(self, db_path: Path, on_change: Callable[[], None] = lambda: None) -> None:
        self.db_path = db_path
        self.on_change = on_change
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storytrace-writer")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit_files(self, uploads: list[Upload]) -> Job:
        """Queue uploaded files (already checked for type and size) for ingestion."""
        for upload in uploads:
            upload_suffix(upload.name)
        job = self._new_job("upload", [u.name for u in uploads])
        self._executor.submit(self._run, job, lambda corpus: self._ingest_files(job, corpus, uploads))
        return job

    def submit_text(self, text: str, title: str | None, date: str | None, url: str | None) -> Job:
        """Queue pasted text or HTML for ingestion."""
        job = self._new_job("paste", [title or "pasted text"])
        self._executor.submit(self._run, job, lambda corpus: self._ingest_text(job, corpus, text, title, date, url))
        return job

    def get(self, job_id: str) -> Job | None:
        """A job by id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Block until every queued job has run (tests, shutdown)."""
        self._executor.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        """Finish queued jobs and stop the thread."""
        self._executor.shutdown(wait=True)

    # -- running -----------------------------------------------------------------------------------
    def _new_job(self, kind: str, names: list[str]) -> Job:
        """Register a job (forgetting the oldest finished ones beyond ``KEEP_JOBS``)."""
        job = Job(id=uuid.uuid4().hex, kind=kind, names=names)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        return job

    def _run(self, job: Job, ingest: Callable[[Corpus], list[str]]) -> None:
        """Ingest, analyse, record the new documents' stories; any error fails the job, never the server."""
        try:
            with Corpus(self.db_path) as corpus:
                job.state = "reading"
                ids = ingest(corpus)
                if not ids:
                    job.state, job.message = "failed", "no document could be read from the input"
                    return
                job.state = "analyzing"
                corpus.analyze()
                queries.ensure_indexes(corpus.store.conn)
                job.documents = [
                    {"id": i, "story": queries.story_of(corpus.store.conn, i)} for i in ids
                ]
            self.on_change()  # before "done": a client that polls and reloads sees fresh pages
            job.state = "done"
            job.message = f"{len(ids)} document{'s' if len(ids) != 1 else ''} added and analysed"
        except Exception as exc:
            job.state, job.message = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = time.time()
            self.on_change()

    def _ingest_files(self, job: Job, corpus: Corpus, uploads: list[Upload]) -> list[str]:
        """Write the uploads under server-made names in a private temp dir and ``Corpus.add`` them."""
        tmp = Path(tempfile.mkdtemp(prefix="storytrace-upload-"))
        try:
            paths: list[str] = []
            for n, upload in enumerate(uploads):
                suffix = upload_suffix(upload.name)
                stem = safe_stem(upload.name, suffix)
                target = tmp / f"{stem}{suffix}"
                if target.exists():
                    target = tmp / f"{stem}-{n}{suffix}"
                target.write_bytes(upload.data)
                paths.append(str(target))

            def count(n: int) -> None:
                job.records += n

            report = corpus.add(paths, progress=count)
            job.added = report.added
            job.problems = [str(p).replace(str(tmp) + "/", "") for p in report.problems][:50]
            return [i for path in paths for i in queries.documents_from_source(corpus.store.conn, source_key(path))]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _ingest_text(
        self, job: Job, corpus: Corpus, text: str, title: str | None, date: str | None, url: str | None
    ) -> list[str]:
        """``Corpus.add_text`` on pasted text or HTML."""
        fields = {k: v for k, v in (("title", title), ("date", date), ("url", url)) if v}
        article = corpus.add_text(text, **fields)
        job.records, job.added = 1, 1
        return [article.id]
