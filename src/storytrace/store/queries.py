"""Read-only page queries over the store, for the web UI and its JSON API.

Every query is bounded: lists are paginated over an index (stories by date, groups by size, documents by
row number), details look rows up by primary key, so a request never scans the whole corpus (the source
filter, a substring match, is the one exception: it scans a narrow covering index of source and URL, not the
documents). The SQL lives here, not in web handlers.
"""
from __future__ import annotations

import sqlite3
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

from ..records import Article
from .sqlite import DOCUMENT_COLUMNS, row_to_document

#: Indexes the page queries rely on; created when the store is opened writable (see ``ensure_indexes``).
PAGE_INDEXES: tuple[str, ...] = (
    'CREATE INDEX IF NOT EXISTS stories_by_end ON stories ("end" DESC, id)',
    "CREATE INDEX IF NOT EXISTS groups_by_size ON groups (size DESC, id)",
    "CREATE INDEX IF NOT EXISTS story_links_b ON story_links (b)",
    "CREATE INDEX IF NOT EXISTS documents_language ON documents (language)",
    # the source filter scans this narrow covering index instead of the documents table (text, raw)
    "CREATE INDEX IF NOT EXISTS documents_source_url ON documents (source, url, id)",
)
TITLE_PREVIEW = 160  # characters of a document's text used as its title when it has none


# -- connections ---------------------------------------------------------------------------------


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``): page queries can never write, even by mistake."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


def ensure_indexes(conn: sqlite3.Connection) -> None:
    """Create the indexes the page queries need (idempotent; needs a writable connection)."""
    for statement in PAGE_INDEXES:
        conn.execute(statement)


def has_analysis_tables(conn: sqlite3.Connection) -> bool:
    """True when the store has the stories/groups tables (schema migration 2 or later)."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stories'").fetchone()
    return row is not None


# -- result types -------------------------------------------------------------------------------


@dataclass(slots=True)
class StoryRow:
    """One story in a list: size, time span, languages and a title."""

    id: str
    canonical: str
    title: str
    start: str | None
    end: str | None
    size: int
    languages: list[str]


@dataclass(slots=True)
class StoryFilters:
    """Filters of the stories list; empty strings mean no filter."""

    date_from: str = ""
    date_to: str = ""
    language: str = ""
    source: str = ""
    q: str = ""

    def active(self) -> bool:
        """True when any filter is set."""
        return any((self.date_from, self.date_to, self.language, self.source, self.q))


@dataclass(slots=True)
class StoryPage:
    """A page of stories and the total matching the filters."""

    items: list[StoryRow]
    total: int
    page: int
    per_page: int


@dataclass(slots=True)
class DocumentHit:
    """A full-text search hit: the document, its story and a snippet (markers \\x02 ... \\x03 around matches)."""

    id: str
    title: str
    date: str | None
    story: str | None
    snippet: str


@dataclass(slots=True)
class DocumentRow:
    """One document in a list."""

    id: str
    title: str
    date: str | None
    language: str
    source: str
    url: str | None
    story: str | None
    group: str | None


@dataclass(slots=True)
class DocumentPage:
    """A page of documents."""

    items: list[DocumentRow]
    total: int
    page: int
    per_page: int


@dataclass(slots=True)
class Member:
    """A story member: its place in the timeline and its relation to the story's canonical document."""

    id: str
    title: str
    date: str | None
    language: str
    source: str
    url: str | None
    relation: str | None
    score: float | None
    group: str | None
    group_canonical: str | None


@dataclass(slots=True)
class RelationRow:
    """A stored relation ``a <relation> b``."""

    a: str
    b: str
    relation: str
    score: float


@dataclass(slots=True)
class LinkedStory:
    """A story linked to another one, with the link's relation."""

    story: StoryRow
    relation: str
    score: float


@dataclass(slots=True)
class StoryDetail:
    """A story with its members by date, the relations among them and its linked stories."""

    story: StoryRow
    members: list[Member]
    relations: list[RelationRow]
    related: list[LinkedStory]


@dataclass(slots=True)
class DocumentDetail:
    """A document's metadata and text, where it belongs (story, group) and its relations."""

    id: str
    title: str
    has_title: bool
    date: str | None
    author: str | None
    url: str | None
    language: str
    source: str
    locator: str
    kind: str
    ingested_at: str
    raw_size: int
    text: str
    metadata: str
    story: StoryRow | None
    relation_to_canonical: str | None
    score: float | None
    group: str | None
    group_canonical: str | None
    group_size: int | None
    relations: list[RelationRow] = field(default_factory=list)


@dataclass(slots=True)
class GroupMember:
    """A member of a duplicate group."""

    id: str
    title: str
    date: str | None
    source: str
    chars: int


@dataclass(slots=True)
class GroupRow:
    """A duplicate group: its kept (canonical) document and its members."""

    id: str
    canonical: str
    size: int
    members: list[GroupMember]
    reason: str = ""  # why the canonical was kept (filled in by the caller, from the canonical rule)


@dataclass(slots=True)
class GroupPage:
    """A page of groups, largest first."""

    items: list[GroupRow]
    total: int
    page: int
    per_page: int
    singletons: int


@dataclass(slots=True)
class Stats:
    """Corpus totals shown in the page header."""

    documents: int
    stories: int
    groups: int
    duplicate_groups: int


# -- helpers ------------------------------------------------------------------------------------


def fts_query(text: str) -> str:
    """A safe FTS5 query: every word quoted (so syntax characters are literal), words ANDed."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in text.split())


def display_title(title: str | None, text: str | None) -> str:
    """The document's title, else the start of its text (one line), else a dash: what lists show."""
    if title:
        return title
    preview = " ".join((text or "").split())
    if len(preview) > TITLE_PREVIEW:
        preview = preview[:TITLE_PREVIEW].rsplit(" ", 1)[0] + "…"
    return preview or "—"


def _languages(value: str | None) -> list[str]:
    """The comma-joined languages column as a list."""
    return [v for v in (value or "").split(",") if v]


def _offset(page: int, per_page: int) -> int:
    """Row offset of a 1-based page."""
    return (max(1, page) - 1) * per_page


_STORY_SELECT = """SELECT s.id, s.canonical, s.title, s.start, s."end", s.size, s.languages, substr(d.text, 1, 400)
                   FROM stories s LEFT JOIN documents d ON d.id = s.canonical"""


def _story_row(row: tuple[Any, ...]) -> StoryRow:
    """StoryRow from a row of ``_STORY_SELECT``."""
    sid, canonical, title, start, end, size, languages, preview = row
    return StoryRow(sid, canonical, display_title(title, preview), start, end, int(size), _languages(languages))


# -- stories ------------------------------------------------------------------------------------


def _story_where(filters: StoryFilters) -> tuple[str, list[object]]:
    """WHERE clause and parameters for the stories list filters."""
    clauses: list[str] = []
    params: list[object] = []
    if filters.date_from:
        clauses.append('s."end" >= ?')
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append("s.start <= ?")
        params.append(filters.date_to + "\uffff")  # the whole end day, whatever time follows the date
    if filters.language:
        clauses.append("(',' || s.languages || ',') LIKE ?")
        params.append(f"%,{filters.language},%")
    if filters.source:
        clauses.append(
            """s.id IN (SELECT m.story_id FROM documents sd JOIN story_members m ON m.doc_id = sd.id
                        WHERE sd.source LIKE ? ESCAPE '\\' OR sd.url LIKE ? ESCAPE '\\')"""
        )
        pattern = "%" + filters.source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [pattern, pattern]
    if filters.q and fts_query(filters.q):
        clauses.append(
            """s.id IN (SELECT m.story_id FROM documents_fts f JOIN documents fd ON fd.pk = f.rowid
                        JOIN story_members m ON m.doc_id = fd.id WHERE documents_fts MATCH ?)"""
        )
        params.append(fts_query(filters.q))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_stories(conn: sqlite3.Connection, filters: StoryFilters, page: int = 1, per_page: int = 50) -> StoryPage:
    """Stories newest first (by their latest document's date; undated last), filtered and paginated."""
    where, params = _story_where(filters)
    # The page's ids come from the index alone (OFFSET skips index entries, not joined rows); then 50 joins.
    rows = conn.execute(
        f"""{_STORY_SELECT} JOIN (SELECT s.id AS pid FROM stories s{where} ORDER BY s."end" DESC, s.id LIMIT ? OFFSET ?) p
            ON p.pid = s.id ORDER BY s."end" DESC, s.id""",
        [*params, per_page, _offset(page, per_page)],
    ).fetchall()
    total = int(conn.execute(f"SELECT COUNT(*) FROM stories s{where}", params).fetchone()[0])
    return StoryPage([_story_row(r) for r in rows], total, max(1, page), per_page)


def story_row(conn: sqlite3.Connection, story_id: str) -> StoryRow | None:
    """One story's list row, or None."""
    row = conn.execute(f"{_STORY_SELECT} WHERE s.id = ?", (story_id,)).fetchone()
    return None if row is None else _story_row(row)


def search_documents(conn: sqlite3.Connection, q: str, limit: int = 20) -> list[DocumentHit]:
    """Best full-text matches (FTS5 rank) with their story and a snippet of the matching text."""
    query = fts_query(q)
    if not query:
        return []
    rows = conn.execute(
        """SELECT d.id, d.title, d.date, m.story_id, snippet(documents_fts, 1, char(2), char(3), '…', 16),
                  substr(d.text, 1, 400)
           FROM documents_fts f JOIN documents d ON d.pk = f.rowid LEFT JOIN story_members m ON m.doc_id = d.id
           WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?""",
        (query, limit),
    ).fetchall()
    return [DocumentHit(r[0], display_title(r[1], r[5]), r[2], r[3], r[4] or "") for r in rows]


def story_detail(conn: sqlite3.Connection, story_id: str) -> StoryDetail | None:
    """A story with its members (timeline by date, undated last), relations among them and linked stories."""
    story = story_row(conn, story_id)
    if story is None:
        return None
    rows = conn.execute(
        """SELECT d.id, d.title, d.date, d.language, d.source, d.url, m.relation, m.score, g.group_id, gr.canonical,
                  substr(d.text, 1, 400)
           FROM story_members m JOIN documents d ON d.id = m.doc_id
           LEFT JOIN group_members g ON g.doc_id = d.id LEFT JOIN groups gr ON gr.id = g.group_id
           WHERE m.story_id = ? ORDER BY d.date IS NULL, d.date, d.pk""",
        (story_id,),
    ).fetchall()
    ids = [r[0] for r in rows]
    relations = relations_among(conn, ids)
    members = [
        Member(r[0], display_title(r[1], r[10]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]) for r in rows
    ]
    _fill_roles(members, story.canonical, relations)
    return StoryDetail(story, members, relations, linked_stories(conn, story_id))


def _fill_roles(members: list[Member], canonical: str, relations: list[RelationRow]) -> None:
    """Members without a stored role get one from the data: the canonical itself, else its stored relation to it."""
    to_canonical = {r.a: r for r in relations if r.b == canonical} | {r.b: r for r in relations if r.a == canonical}
    for member in members:
        if member.relation:
            continue
        if member.id == canonical:
            member.relation, member.score = "canonical", 1.0
        elif member.id in to_canonical:
            member.relation, member.score = to_canonical[member.id].relation, to_canonical[member.id].score


def relations_among(conn: sqlite3.Connection, ids: list[str], limit: int = 2000) -> list[RelationRow]:
    """Stored relations whose two ends are both in ``ids`` (bounded, for large stories)."""
    if not ids:
        return []
    marks = ",".join("?" * min(len(ids), 900))
    chosen = ids[:900]
    rows = conn.execute(
        f"SELECT a, b, relation, score FROM relations WHERE a IN ({marks}) AND b IN ({marks}) LIMIT ?",
        [*chosen, *chosen, limit],
    ).fetchall()
    return [RelationRow(*r) for r in rows]


def linked_stories(conn: sqlite3.Connection, story_id: str) -> list[LinkedStory]:
    """Stories linked to this one in either direction."""
    rows = conn.execute(
        """SELECT b, relation, score FROM story_links WHERE a = ?
           UNION SELECT a, relation, score FROM story_links WHERE b = ? LIMIT 100""",
        (story_id, story_id),
    ).fetchall()
    linked = []
    for other, relation, score in rows:
        story = story_row(conn, other)
        if story is not None:
            linked.append(LinkedStory(story, relation, float(score)))
    return linked


# -- documents ----------------------------------------------------------------------------------


_DOC_ROW_SELECT = """SELECT d.id, d.title, d.date, d.language, d.source, d.url, m.story_id, g.group_id,
                            substr(d.text, 1, 400)
                     FROM documents d LEFT JOIN story_members m ON m.doc_id = d.id
                     LEFT JOIN group_members g ON g.doc_id = d.id"""


def _document_row(r: tuple[Any, ...]) -> DocumentRow:
    """DocumentRow from a row of ``_DOC_ROW_SELECT``."""
    return DocumentRow(r[0], display_title(r[1], r[8]), r[2], r[3], r[4], r[5], r[6], r[7])


def list_documents(conn: sqlite3.Connection, page: int = 1, per_page: int = 50, q: str = "") -> DocumentPage:
    """Documents in ingestion order (newest ingested first), or full-text matches by rank when ``q`` is given."""
    query = fts_query(q)
    if query:
        rows = conn.execute(
            f"""{_DOC_ROW_SELECT} JOIN (SELECT rowid, rank FROM documents_fts WHERE documents_fts MATCH ?) f
                ON f.rowid = d.pk ORDER BY f.rank LIMIT ? OFFSET ?""",
            (query, per_page, _offset(page, per_page)),
        ).fetchall()
        total = int(conn.execute("SELECT COUNT(*) FROM documents_fts WHERE documents_fts MATCH ?", (query,)).fetchone()[0])
    else:
        rows = conn.execute(
            f"{_DOC_ROW_SELECT} ORDER BY d.pk DESC LIMIT ? OFFSET ?", (per_page, _offset(page, per_page))
        ).fetchall()
        total = int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    return DocumentPage([_document_row(r) for r in rows], total, max(1, page), per_page)


def document_detail(conn: sqlite3.Connection, doc_id: str) -> DocumentDetail | None:
    """A document with its story, group and every stored relation it takes part in."""
    row = conn.execute(
        """SELECT d.id, d.title, d.date, d.author, d.url, d.language, d.source, d.locator, d.kind, d.ingested_at,
                  length(d.raw), d.text, d.metadata, m.story_id, m.relation, m.score, g.group_id, gr.canonical, gr.size
           FROM documents d LEFT JOIN story_members m ON m.doc_id = d.id
           LEFT JOIN group_members g ON g.doc_id = d.id LEFT JOIN groups gr ON gr.id = g.group_id
           WHERE d.id = ?""",
        (doc_id,),
    ).fetchone()
    if row is None:
        return None
    (did, title, date, author, url, language, source, locator, kind, ingested_at, raw_size, text, metadata,
     story_id, relation, score, group_id, group_canonical, group_size) = row
    relations = document_relations(conn, did)
    story = story_row(conn, story_id) if story_id else None
    detail = DocumentDetail(
        did, display_title(title, text), bool(title), date, author, url, language, source, locator, kind, ingested_at,
        int(raw_size), text, metadata, story, relation, score, group_id, group_canonical, group_size, relations,
    )
    if story is not None and not relation:
        member = Member(did, "", None, "", "", None, None, None, None, None)
        _fill_roles([member], story.canonical, relations)
        detail.relation_to_canonical, detail.score = member.relation, member.score
    return detail


def document_relations(conn: sqlite3.Connection, doc_id: str, limit: int = 200) -> list[RelationRow]:
    """Stored relations with this document on either side (uses the primary key and ``relations_b``)."""
    rows = conn.execute(
        """SELECT a, b, relation, score FROM relations WHERE a = ?
           UNION ALL SELECT a, b, relation, score FROM relations WHERE b = ? LIMIT ?""",
        (doc_id, doc_id, limit),
    ).fetchall()
    return [RelationRow(*r) for r in rows]


def relation_between(conn: sqlite3.Connection, a: str, b: str) -> RelationRow | None:
    """The stored relation between two documents, in either direction, or None."""
    row = conn.execute(
        "SELECT a, b, relation, score FROM relations WHERE (a = ? AND b = ?) OR (a = ? AND b = ?) LIMIT 1",
        (a, b, b, a),
    ).fetchone()
    return None if row is None else RelationRow(*row)


def document_raw(conn: sqlite3.Connection, doc_id: str) -> bytes | None:
    """A document's original bytes, or None for an unknown id."""
    row = conn.execute("SELECT raw FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return None if row is None else bytes(row[0])


def get_article(conn: sqlite3.Connection, doc_id: str) -> Article | None:
    """A whole stored document as an ``Article`` (for comparing and explaining), or None."""
    row = conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return None if row is None else row_to_document(row).article


def content_hashes(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    """Content hash of each known id: a cheap cache key for comparisons."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return dict(conn.execute(f"SELECT id, content_hash FROM documents WHERE id IN ({marks})", ids).fetchall())


def documents_from_source(conn: sqlite3.Connection, source: str) -> list[str]:
    """Ids of the documents read from one source (an uploaded file), in ingestion order."""
    return [r[0] for r in conn.execute("SELECT id FROM documents WHERE source = ? ORDER BY pk", (source,))]


def story_of(conn: sqlite3.Connection, doc_id: str) -> str | None:
    """The story a document belongs to, or None before analysis."""
    row = conn.execute("SELECT story_id FROM story_members WHERE doc_id = ?", (doc_id,)).fetchone()
    return None if row is None else str(row[0])


# -- groups -------------------------------------------------------------------------------------


def list_groups(
    conn: sqlite3.Connection, page: int = 1, per_page: int = 25, min_size: int = 2, members_shown: int = 20
) -> GroupPage:
    """Duplicate groups largest first (index ``groups_by_size``), each with its first members, canonical first."""
    rows = conn.execute(
        "SELECT id, canonical, size FROM groups WHERE size >= ? ORDER BY size DESC, id LIMIT ? OFFSET ?",
        (min_size, per_page, _offset(page, per_page)),
    ).fetchall()
    total = int(conn.execute("SELECT COUNT(*) FROM groups WHERE size >= ?", (min_size,)).fetchone()[0])
    singletons = int(conn.execute("SELECT COUNT(*) FROM groups WHERE size < ?", (min_size,)).fetchone()[0])
    items = [GroupRow(gid, canonical, int(size), group_members(conn, gid, canonical, members_shown)) for gid, canonical, size in rows]
    return GroupPage(items, total, max(1, page), per_page, singletons)


def group_members(conn: sqlite3.Connection, group_id: str, canonical: str, limit: int = 20) -> list[GroupMember]:
    """A group's members, the canonical one first, then by ingestion order."""
    rows = conn.execute(
        """SELECT d.id, d.title, d.date, d.source, length(d.text), substr(d.text, 1, 400)
           FROM group_members g JOIN documents d ON d.id = g.doc_id
           WHERE g.group_id = ? ORDER BY d.id != ?, d.pk LIMIT ?""",
        (group_id, canonical, limit),
    ).fetchall()
    return [GroupMember(r[0], display_title(r[1], r[5]), r[2], r[3], int(r[4])) for r in rows]


def group_articles(conn: sqlite3.Connection, group_id: str, limit: int = 20) -> list[Article]:
    """A group's members as Articles (to explain why its canonical was kept), in ingestion order."""
    rows = conn.execute(
        f"""SELECT {", ".join("d." + c.strip() for c in DOCUMENT_COLUMNS.split(","))}
            FROM group_members g JOIN documents d ON d.id = g.doc_id WHERE g.group_id = ? ORDER BY d.pk LIMIT ?""",
        (group_id, limit),
    ).fetchall()
    return [row_to_document(r).article for r in rows]


# -- totals and choices -------------------------------------------------------------------------


def stats(conn: sqlite3.Connection) -> Stats:
    """Totals for the header (COUNT over indexed tables: fast even for large stores)."""
    documents = int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    stories = int(conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0])
    groups = int(conn.execute("SELECT COUNT(*) FROM groups").fetchone()[0])
    duplicate_groups = int(conn.execute("SELECT COUNT(*) FROM groups WHERE size >= 2").fetchone()[0])
    return Stats(documents, stories, groups, duplicate_groups)


def languages(conn: sqlite3.Connection) -> list[str]:
    """Distinct document languages (for the filter menu; an index scan with ``documents_language``)."""
    return [r[0] for r in conn.execute("SELECT DISTINCT language FROM documents ORDER BY language LIMIT 200")]
