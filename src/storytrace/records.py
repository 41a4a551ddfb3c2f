"""Record types that flow through the pipeline: read -> clean -> fingerprint -> match -> cluster."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BodyKind = Literal["text", "html"]

#: Every relation name the output contract allows, strongest first.
RELATIONS: tuple[str, ...] = ("exact", "near_duplicate", "contains", "rewrite", "same_story", "related")


@dataclass(slots=True)
class RawRecord:
    """One input document as a reader found it, before any cleaning.

    ``content`` keeps the original bytes (a whole file, one JSONL line, a WARC payload,
    a Parquet row as JSON) so nothing is lost; ``body`` is the decoded text or HTML.
    """

    source: str  # file path as given, or "-" for stdin
    locator: str  # where inside the source: "" (whole file), "line:12", "record:<id>", "row:5"
    content: bytes
    kind: BodyKind
    body: str
    record_id: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class ReadProblem:
    """A record or file that could not be read; reported on stderr and skipped."""

    source: str
    locator: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.locator}" if self.locator else self.source
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class Article:
    """A cleaned document: extracted fields, display text and the normalised comparable form."""

    id: str
    source: str
    locator: str
    kind: BodyKind
    raw: bytes
    text: str  # article body as extracted, original characters, for display and spans
    norm: str  # normalised comparable form (see storytrace.text.normalize)
    content_hash: str  # hash of ``norm``: equal hashes are exact duplicates
    language: str = "und"
    title: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Relation:
    """A directed link between two documents: ``a`` <relation> ``b`` (e.g. a contains b) with a score."""

    a: str
    b: str
    relation: str
    score: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Group:
    """Documents that are copies of one article; ``canonical`` is the one to keep."""

    id: str
    canonical: str
    members: list[str]


@dataclass(slots=True)
class Story:
    """Documents that report one story; ``related`` lists linked stories."""

    id: str
    canonical: str
    documents: list[str]
    related: list[str] = field(default_factory=list)
    title: str | None = None
    start: str | None = None
    end: str | None = None
    #: each member's relation to the canonical document and its score ("canonical", 1.0 for itself)
    roles: dict[str, tuple[str, float]] = field(default_factory=dict)
