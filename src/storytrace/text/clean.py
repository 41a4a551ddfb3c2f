"""The clean stage: a reader's ``RawRecord`` becomes an ``Article`` (extracted, normalised, tagged)."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import NamedTuple

import xxhash

from ..records import Article, BodyKind, RawRecord, ReadProblem
from .extract import Extracted, extract_html, extract_text_dump, looks_like_html
from .language import detect_language
from .normalize import fix_text, normalize

_TITLE_MAX_WORDS = 20
WRAPPER_SHARE = 0.3  # a page whose extracted article is under 70 % of its text counts as a wrapper


_WORD = re.compile(r"\w")


class NoArticleError(ValueError):
    """The record holds no article text (an empty page, a login form, only chrome)."""


def content_hash(norm: str) -> str:
    """Hash of the normalised text: documents with equal hashes are exact duplicates."""
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=16).hexdigest()


def chrome_share(article: Article) -> float:
    """Share of a text document's words that extraction removed as page chrome (0 for a clean article).

    Only whole text files count: the raw bytes of a JSONL line or Parquet row hold other fields too.
    """
    if article.kind != "text" or not article.raw or article.locator.startswith(("line:", "row:")):
        return 0.0
    raw_len = len(article.raw.decode("utf-8", errors="replace").split())
    kept = len(article.text.split())
    return max(0.0, 1.0 - kept / raw_len) if raw_len else 0.0


def is_wrapped_article(article: Article) -> bool:
    """The wrapper rule on a cleaned article (as ``is_wrapper`` on its record): over ``WRAPPER_SHARE`` of the
    original text's words were page chrome, so the document is a page around the article."""
    return chrome_share(article) > WRAPPER_SHARE


def guess_title(text: str) -> str | None:
    """A text file's title: its first line when that line is short and more text follows."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    first = lines[0]
    if len(first.split()) <= _TITLE_MAX_WORDS and not first.endswith((",", ";", ":")):
        return first.rstrip(".")
    return None


def extract_record(record: RawRecord) -> Extracted:
    """Pull the article out of a record: HTML through the extractor, text through the page-dump cleaner."""
    if record.kind == "html":
        return extract_html(record.body, url=record.url)
    return extract_text_dump(fix_text(record.body))


class ArticleText(NamedTuple):
    """The text a record is compared on (``article_text``)."""

    extracted: Extracted  # what extraction found (title, date, url, author)
    text: str  # the article, original characters
    norm: str  # its normalised form
    fallback: bool  # extraction left no words in a text document: its whole text was used


def article_text(record: RawRecord) -> ArticleText:
    """The one road from a record to its article text: extraction (HTML through the extractor, text through
    the page-dump cleaner), normalisation, and the fallback: a text document whose extraction leaves no
    words is compared on its whole (mojibake-repaired) text. Every command, the API and the web go through
    it (``clean_record``, ``clean_document``; the story stage builds its articles with it)."""
    extracted = extract_record(record)
    text = extracted.text.strip()
    norm = normalize(text)
    fallback = False
    if not _WORD.search(norm) and record.kind == "text":
        text, fallback = fix_text(record.body).strip(), True
        norm = normalize(text)
    return ArticleText(extracted, text, norm, fallback)


def is_wrapper(record: RawRecord, text: str) -> bool:
    """The wrapper rule: a text document whose extracted article is under 70 % of its words is a page
    around the article (HTML pages are never flagged). ``text`` is the article (``article_text``)."""
    if record.kind != "text":
        return False
    body = record.body
    if len(text) == len(body) and text == body or text == body.strip():  # extraction kept it all: 0 % removed
        return False
    total = len(body.split())
    return total > 0 and 1.0 - len(text.split()) / total > WRAPPER_SHARE


def raw_hash(content: bytes) -> int:
    """xxh3-64 of a record's original bytes: identifies the record itself (the dataset engines check that a
    record read again is the one read first). Not ``content_hash`` (the normalised text's identity)."""
    return xxhash.xxh3_64_intdigest(content)


def clean_record(record: RawRecord, doc_id: str) -> Article:
    """Extract, normalise, detect language and hash one record; raises ``NoArticleError`` when empty."""
    extracted, text, norm, _ = article_text(record)
    if not _WORD.search(norm):
        raise NoArticleError("no article text found")
    title = record.title or extracted.title or (guess_title(text) if record.kind == "text" else None)
    return Article(
        id=doc_id,
        source=record.source,
        locator=record.locator,
        kind=record.kind,
        raw=record.content,
        text=text,
        norm=norm,
        content_hash=content_hash(norm),
        language=detect_language(text),
        title=title,
        date=record.date or extracted.date,
        url=record.url or extracted.url,
        author=record.author or extracted.author,
        metadata=record.metadata,
    )


def text_record(text: str, doc_id: str, source: str = "api", *, title: str | None = None, date: str | None = None,
                url: str | None = None, author: str | None = None) -> RawRecord:
    """The record of a document given as a string (the API, the web upload, ``compare``): HTML when it looks
    like a page, else text; its original bytes are the string's UTF-8."""
    kind: BodyKind = "html" if looks_like_html(text) else "text"
    return RawRecord(source=source, locator=doc_id, content=text.encode("utf-8", "surrogatepass"), kind=kind,
                     body=text, title=title, date=date, url=url, author=author)


def article_from_text(text: str, doc_id: str, *, whole_text_fallback: bool = False, title: str | None = None,
                      date: str | None = None, url: str | None = None, author: str | None = None) -> Article:
    """``clean_record`` of ``text_record(text)``. With ``whole_text_fallback`` a text in which extraction finds
    no article (a bare headline, a fragment) is its own article, whole, instead of raising ``NoArticleError``."""
    record = text_record(text, doc_id, title=title, date=date, url=url, author=author)
    try:
        return clean_record(record, doc_id)
    except NoArticleError:
        if not whole_text_fallback:
            raise
    norm = normalize(text)
    return Article(id=doc_id, source=record.source, locator=doc_id, kind="text", raw=record.content,
                   text=text.strip(), norm=norm, content_hash=content_hash(norm), title=record.title, date=record.date,
                   url=record.url, author=record.author)


# --------------------------------------------------------------------------------------------
# The dataset engines' form of a cleaned record (no language detection; a few numbers per document)
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class CleanDoc:
    """What the dataset stages need of one document (the record itself is not kept)."""

    id: str
    locator: str
    norm: str
    wrapped: bool  # a page wrapping the article in chrome (the canonical rule's first criterion, cluster.groups)
    length: int  # characters of the normalised text (canonical rule)
    body_length: int  # characters of the document as given (``--keep longest``)
    date: str | None
    raw_hash: int  # ``raw_hash`` of the record's original bytes (pass-2 check)
    record_line: bytes  # the output JSON line for txt/html/warc documents (b"" for JSONL/Parquet rows)
    fallback: bool = False  # extraction found nothing; the whole body was used


def locator_kind(locator: str) -> str:
    """Input kind named by a reader locator: line:N -> jsonl, row:N -> parquet, record:ID -> warc, "" -> doc."""
    head = locator.split(":", 1)[0]
    return {"line": "jsonl", "row": "parquet", "record": "warc"}.get(head, "doc")


def record_line(record: RawRecord, doc_id: str, text: str, title: str | None, date: str | None,
                url: str | None) -> bytes:
    """The JSONL record {id, text, source, title, date, url} of a document that has no row of its own
    (txt, html, warc): what the dataset engines write for it."""
    row = {"id": doc_id, "text": text, "source": record.source, "title": record.title or title,
           "date": date, "url": record.url or url}
    return json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n"


def clean_document(record: RawRecord, doc_id: str) -> CleanDoc | ReadProblem:
    """``article_text`` of one record in the dataset engines' form, or a ReadProblem (a record that fails to
    clean or holds no words after the fallback is reported, never fatal)."""
    try:
        extracted, text, norm, fallback = article_text(record)
    except Exception as exc:
        return ReadProblem(record.source, record.locator, f"could not clean: {exc!r}")
    if not _WORD.search(norm):
        return ReadProblem(record.source, record.locator, "no article text found")
    date = record.date or extracted.date
    own_row = locator_kind(record.locator) in ("jsonl", "parquet")
    return CleanDoc(
        id=doc_id, locator=record.locator, norm=norm, wrapped=is_wrapper(record, text),
        length=len(norm), body_length=len(record.body), date=date, raw_hash=raw_hash(record.content),
        record_line=b"" if own_row else record_line(record, doc_id, text, extracted.title, date, extracted.url),
        fallback=fallback,
    )
