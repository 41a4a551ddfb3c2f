"""The clean stage: a reader's ``RawRecord`` becomes an ``Article`` (extracted, normalised, tagged)."""
from __future__ import annotations

import hashlib
import re

from ..records import Article, RawRecord
from .extract import Extracted, extract_html, extract_text_dump
from .language import detect_language
from .normalize import fix_text, normalize

_TITLE_MAX_WORDS = 20
WRAPPER_SHARE = 0.3  # a page whose extracted article is under 70 % of its text counts as a wrapper


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


def clean_record(record: RawRecord, doc_id: str) -> Article:
    """Extract, normalise, detect language and hash one record; raises ``NoArticleError`` when empty."""
    extracted = extract_record(record)
    text = extracted.text.strip()
    norm = normalize(text)
    if not re.search(r"\w", norm):
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
