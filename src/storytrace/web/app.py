"""The local web UI and its JSON API: ``create_app(db_path, read_only=False)`` builds the FastAPI app.

Pages are server-rendered Jinja2 (autoescaped); every page's data is also under ``/api/`` (OpenAPI at
``/docs``). Handlers stay thin: SQL is in ``storytrace.store.queries``, comparing in ``web.compare``, writes
in ``web.jobs`` (one writer thread).
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import jinja2
from markupsafe import Markup
from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from ..cluster.analysis import DUPLICATE_RELATIONS
from ..store import queries
from . import present
from .compare import Comparison, compare
from .db import LRUCache, ReadPool, TimedValue, prepare_store
from .jobs import ALLOWED_SUFFIXES, Job, Upload, UploadRejected, Writer, upload_suffix

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024  # bytes per request (all files, or the pasted text)
MULTIPART_SLACK = 64 * 1024  # form fields and multipart framing allowed on top of the upload limit
RAW_PREVIEW = 200_000  # characters of the original shown inline on the document page
REQUEST_THREADS = 4  # worker threads running page handlers (anyio's default is 40)
UPLOAD_PATHS = frozenset({"/add", "/api/documents"})
READ_ONLY_MESSAGE = "This server runs in read-only mode (--read-only): adding documents is disabled."


@dataclass(slots=True)
class AppState:
    """What the handlers share: the store path, read connections, the writer and caches."""

    path: Path
    read_only: bool
    max_upload: int
    pool: ReadPool
    writer: Writer | None
    comparisons: LRUCache[Comparison] = field(default_factory=lambda: LRUCache(256))
    stats: TimedValue[queries.Stats] | None = None
    languages: TimedValue[list[str]] | None = None

    def conn(self) -> Any:
        """This thread's read-only connection."""
        return self.pool.conn()

    def changed(self) -> None:
        """The writer changed the store: drop cached totals and comparisons."""
        self.comparisons.clear()
        for cached in (self.stats, self.languages):
            if cached is not None:
                cached.invalidate()


def create_app(db_path: str | Path, read_only: bool = False, max_upload_bytes: int = DEFAULT_MAX_UPLOAD) -> FastAPI:
    """Build the app over the store at ``db_path`` (created when missing, unless ``read_only``)."""
    path = Path(db_path)
    prepare_store(path, read_only)
    state = AppState(path, read_only, max_upload_bytes, ReadPool(path), None)
    state.stats = TimedValue(lambda: queries.stats(state.conn()), ttl=5.0)
    state.languages = TimedValue(lambda: queries.languages(state.conn()), ttl=60.0)  # an index scan: not per request
    if not read_only:
        state.writer = Writer(path, on_change=state.changed)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Few request threads: under the GIL more threads only interleave requests and stretch the tail.
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        yield
        if state.writer is not None:
            state.writer.close()
        state.pool.close()

    app = FastAPI(
        title="storytrace",
        summary="Every copy, rewrite and follow-up of a news story: stories, documents, comparisons, duplicate groups.",
        version="1",
        lifespan=lifespan,
    )
    app.state.storytrace = state
    templates = _templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(UploadLimit, limit=max_upload_bytes + MULTIPART_SLACK, max_upload=max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    _install_error_pages(app, templates, state)
    app.include_router(api_router(state))
    app.include_router(pages_router(state, templates))
    return app


# -- templates ------------------------------------------------------------------------------------


def _templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on for every template, plus the display filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters.update(
        span=lambda s: present.time_span(s.start, s.end), score=present.score, percent=present.percent,
        bytes=present.human_bytes, snippet=lambda s: Markup(present.snippet_html(s)),
        safe_url=_safe_url,
    )
    return Jinja2Templates(env=env)


def _safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) (so a stored ``javascript:`` URL never becomes a link), else None."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def _render(templates: Jinja2Templates, state: AppState, request: Request, name: str, code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page with the context every page shares."""
    assert state.stats is not None
    common = {"stats": state.stats.get(), "read_only": state.read_only, "max_upload": state.max_upload}
    return templates.TemplateResponse(request, name, {**common, **ctx}, status_code=code)


# -- middleware and errors ----------------------------------------------------------------------------


class UploadLimit:
    """Refuse an upload whose declared size is over the limit before reading it (413), or undeclared (411)."""

    def __init__(self, app: ASGIApp, limit: int, max_upload: int) -> None:
        self.app, self.limit, self.max_upload = app, limit, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS:
            headers = dict(scope["headers"])
            length = headers.get(b"content-length")
            if length is None or not length.isdigit():
                await _plain(send, 411, "Uploads need a Content-Length header.")
                return
            if int(length) > self.limit:
                await _plain(send, 413, too_large_message(self.max_upload))
                return
        await self.app(scope, receive, send)


async def _plain(send: Send, status: int, message: str) -> None:
    """Send a short plain-text response from middleware."""
    body = message.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def too_large_message(max_upload: int) -> str:
    """The message for an over-size upload."""
    return f"Upload too large: the limit is {present.human_bytes(max_upload)} per request (serve --max-upload-mb)."


class SecurityHeaders:
    """No inline script, no framing, no MIME sniffing: stored text can never run as code."""

    CSP = b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc", "/docs/oauth2-redirect")

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                            (b"x-frame-options", b"DENY")]
                if not docs:  # Swagger UI loads its own scripts and styles
                    headers.append((b"content-security-policy", self.CSP))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _install_error_pages(app: FastAPI, templates: Jinja2Templates, state: AppState) -> None:
    """JSON errors under /api/, an HTML error page elsewhere."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/openapi"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return _render(templates, state, request, "error.html", exc.status_code, status=exc.status_code, message=exc.detail)


def _not_found(kind: str, key: str) -> HTTPException:
    """404 naming what was not found."""
    return HTTPException(404, f"No {kind} with id {key!r}.")


# -- shared lookups -----------------------------------------------------------------------------------


def _story_filters(q: str, date_from: str, date_to: str, language: str, source: str) -> queries.StoryFilters:
    """Filters from query parameters, trimmed."""
    return queries.StoryFilters(date_from.strip(), date_to.strip(), language.strip(), source.strip(), q.strip())


def _groups(state: AppState, page: int, per_page: int, min_size: int) -> queries.GroupPage:
    """A page of groups with the reason each canonical was kept."""
    conn = state.conn()
    result = queries.list_groups(conn, page, per_page, min_size)
    for group in result.items:
        articles = queries.group_articles(conn, group.id)
        links = [(r.a, r.b) for r in queries.relations_among(conn, [a.id for a in articles])
                 if r.relation in DUPLICATE_RELATIONS]
        group.reason = present.canonical_reason(articles, group.canonical, links)
    return result


def _comparison(state: AppState, a: str, b: str) -> Comparison:
    """The (cached) comparison of two documents; 404 when either id is unknown."""
    conn = state.conn()
    hashes = queries.content_hashes(conn, [a, b])
    for key in (a, b):
        if key not in hashes:
            raise _not_found("document", key)
    cache_key = (a, b, hashes[a], hashes[b])

    def compute() -> Comparison:
        article_a, article_b = queries.get_article(conn, a), queries.get_article(conn, b)
        assert article_a is not None and article_b is not None
        stored = queries.relation_between(conn, a, b)
        return compare(article_a, article_b, None if stored is None else asdict(stored))

    return state.comparisons.get_or_compute(cache_key, compute)


async def _read_uploads(state: AppState, files: list[UploadFile]) -> list[Upload]:
    """Uploaded files checked for type and size (the type by name, never used as a path)."""
    uploads: list[Upload] = []
    total = 0
    for file in files:
        if not file.filename:
            continue
        upload_suffix(file.filename)
        data = await file.read(state.max_upload + 1)
        total += len(data)
        if total > state.max_upload:
            raise UploadRejected(too_large_message(state.max_upload), 413)
        uploads.append(Upload(file.filename, data))
    return uploads


def _submit(state: AppState, uploads: list[Upload], text: str, title: str, date: str, url: str) -> Job:
    """Queue an add job from uploads or pasted text; ``UploadRejected`` when there is nothing usable."""
    if state.writer is None:
        raise UploadRejected(READ_ONLY_MESSAGE, 403)
    if uploads:
        return state.writer.submit_files(uploads)
    if text.strip():
        if len(text.encode("utf-8")) > state.max_upload:
            raise UploadRejected(too_large_message(state.max_upload), 413)
        return state.writer.submit_text(text, title.strip() or None, date.strip() or None, url.strip() or None)
    raise UploadRejected("Nothing to add: choose at least one file or paste some text.", 400)


def _job(state: AppState, job_id: str) -> Job:
    """A job by id, 404 when unknown (or on a read-only server, which runs none)."""
    job = state.writer.get(job_id) if state.writer is not None else None
    if job is None:
        raise _not_found("job", job_id)
    return job


# -- JSON API -------------------------------------------------------------------------------------------


def api_router(state: AppState) -> APIRouter:
    """The JSON API: the data of every page."""
    api = APIRouter(prefix="/api", tags=["api"])

    @api.get("/stats")
    def api_stats() -> queries.Stats:
        """Totals: documents, stories, groups, duplicate groups."""
        assert state.stats is not None
        return state.stats.get()

    @api.get("/stories")
    def api_stories(
        q: str = Query("", description="Full-text search over documents (FTS5; words ANDed)"),
        date_from: str = Query("", description="Stories ending on or after this date (YYYY-MM-DD)"),
        date_to: str = Query("", description="Stories starting on or before this date"),
        language: str = Query("", description="Stories with a document in this language (e.g. en)"),
        source: str = Query("", description="Stories with a document whose source path or URL contains this"),
        page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=500),
    ) -> queries.StoryPage:
        """Stories newest first, filtered and paginated."""
        return queries.list_stories(state.conn(), _story_filters(q, date_from, date_to, language, source), page, per_page)

    @api.get("/search")
    def api_search(q: str = Query(..., min_length=1), limit: int = Query(20, ge=1, le=200)) -> list[queries.DocumentHit]:
        """Full-text search hits with snippets (matches between \\u0002 and \\u0003)."""
        return queries.search_documents(state.conn(), q, limit)

    @api.get("/stories/{story_id}")
    def api_story(story_id: str) -> queries.StoryDetail:
        """A story: members by date with their relation to the canonical, relations among them, linked stories."""
        detail = queries.story_detail(state.conn(), story_id)
        if detail is None:
            raise _not_found("story", story_id)
        return detail

    @api.get("/documents")
    def api_documents(q: str = "", page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=500)) -> queries.DocumentPage:
        """Documents, newest ingested first, or full-text matches by rank."""
        return queries.list_documents(state.conn(), page, per_page, q)

    @api.get("/documents/{doc_id:path}")
    def api_document(doc_id: str) -> queries.DocumentDetail:
        """A document: metadata, text, story, group and relations (original bytes at /raw/{id})."""
        detail = queries.document_detail(state.conn(), doc_id)
        if detail is None:
            raise _not_found("document", doc_id)
        return detail

    @api.get("/compare")
    def api_compare(a: str = Query(..., min_length=1), b: str = Query(..., min_length=1)) -> dict[str, Any]:
        """Compare two documents: shared passages (char spans in both texts), unique spans, fact differences and
        provenance."""
        return _comparison(state, a, b).data

    @api.get("/groups")
    def api_groups(
        page: int = Query(1, ge=1), per_page: int = Query(25, ge=1, le=200), min_size: int = Query(2, ge=1)
    ) -> queries.GroupPage:
        """Duplicate groups largest first, with the kept (canonical) document and why it was kept."""
        return _groups(state, page, per_page, min_size)

    @api.post("/documents", status_code=202)
    async def api_add(
        files: list[UploadFile] = File(default=[]), text: str = Form(""), title: str = Form(""),
        date: str = Form(""), url: str = Form(""),
    ) -> dict[str, Any]:
        """Add documents (files: txt/html/jsonl/warc/parquet, optionally .gz/.zst; or pasted text/HTML). Returns a job
        to poll at /api/jobs/{id}; 403 in read-only mode, 413 over the size limit, 415 for other file types."""
        try:
            job = _submit(state, await _read_uploads(state, files), text, title, date, url)
        except UploadRejected as exc:
            raise HTTPException(exc.status, str(exc)) from None
        return {**job.to_dict(), "status_url": f"/api/jobs/{job.id}"}

    @api.get("/jobs/{job_id}")
    def api_job(job_id: str) -> dict[str, Any]:
        """An add job's progress: state (queued, reading, analyzing, done, failed), counts, new documents."""
        return _job(state, job_id).to_dict()

    return api


# -- HTML pages -----------------------------------------------------------------------------------------


def pages_router(state: AppState, templates: Jinja2Templates) -> APIRouter:
    """The server-rendered pages."""
    pages = APIRouter(include_in_schema=False)

    def render(request: Request, name: str, code: int = 200, **ctx: Any) -> HTMLResponse:
        return _render(templates, state, request, name, code, **ctx)

    @pages.get("/", response_class=HTMLResponse)
    @pages.get("/stories", response_class=HTMLResponse)
    def stories_page(
        request: Request, q: str = "", date_from: str = "", date_to: str = "", language: str = "", source: str = "",
        page: int = Query(1, ge=1),
    ) -> HTMLResponse:
        conn = state.conn()
        filters = _story_filters(q, date_from, date_to, language, source)
        result = queries.list_stories(conn, filters, page, 50)
        hits = queries.search_documents(conn, filters.q, 10) if filters.q else []
        return render(request, "stories.html", result=result, filters=filters, hits=hits,
                      languages=state.languages.get() if state.languages else [])

    @pages.get("/stories/{story_id}", response_class=HTMLResponse)
    def story_page(request: Request, story_id: str) -> HTMLResponse:
        detail = queries.story_detail(state.conn(), story_id)
        if detail is None:
            raise _not_found("story", story_id)
        return render(request, "story.html", d=detail)

    @pages.get("/documents", response_class=HTMLResponse)
    def documents_page(request: Request, q: str = "", page: int = Query(1, ge=1)) -> HTMLResponse:
        return render(request, "documents.html", result=queries.list_documents(state.conn(), page, 50, q), q=q.strip())

    @pages.get("/documents/{doc_id:path}", response_class=HTMLResponse)
    def document_page(request: Request, doc_id: str) -> HTMLResponse:
        conn = state.conn()
        detail = queries.document_detail(conn, doc_id)
        if detail is None:
            raise _not_found("document", doc_id)
        raw = queries.document_raw(conn, doc_id) or b""
        preview = raw[: RAW_PREVIEW * 4].decode("utf-8", errors="replace")[:RAW_PREVIEW]
        return render(request, "document.html", d=detail, raw_preview=preview, raw_truncated=len(preview) < len(raw.decode("utf-8", errors="replace")))

    @pages.get("/raw/{doc_id:path}")
    def raw_download(doc_id: str) -> Response:
        raw = queries.document_raw(state.conn(), doc_id)
        if raw is None:
            raise _not_found("document", doc_id)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in doc_id)[:80] or "document"
        return Response(raw, media_type="application/octet-stream",
                        headers={"content-disposition": f'attachment; filename="{name}.raw"'})

    @pages.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, a: str = "", b: str = "") -> HTMLResponse:
        if not a or not b:
            return render(request, "compare_pick.html", a=a, b=b)
        result = _comparison(state, a, b)
        return render(request, "compare.html", c=result.data, rows=result.rows)

    @pages.get("/groups", response_class=HTMLResponse)
    def groups_page(request: Request, page: int = Query(1, ge=1)) -> HTMLResponse:
        return render(request, "groups.html", result=_groups(state, page, 25, 2))

    @pages.get("/add", response_class=HTMLResponse)
    def add_page(request: Request) -> HTMLResponse:
        return render(request, "add.html", error=None,
                      suffixes=ALLOWED_SUFFIXES, form={})

    @pages.post("/add", response_class=HTMLResponse)
    async def add_submit(
        request: Request, files: list[UploadFile] = File(default=[]), text: str = Form(""), title: str = Form(""),
        date: str = Form(""), url: str = Form(""),
    ) -> Response:
        try:
            job = _submit(state, await _read_uploads(state, files), text, title, date, url)
        except UploadRejected as exc:
            return render(request, "add.html", code=exc.status, error=str(exc), suffixes=ALLOWED_SUFFIXES,
                          form={"text": text, "title": title, "date": date, "url": url})
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @pages.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        return render(request, "job.html", job=_job(state, job_id))

    return pages
