"""Groups and stories built from relations, and the JSON output contract of ``storytrace analyze``."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..records import Article, Relation
from .canonical import CanonicalCandidate, choose_canonical
from .unionfind import connected_components

DUPLICATE_RELATIONS = frozenset({"exact", "near_duplicate", "contains"})


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


@dataclass(slots=True)
class Analysis:
    """The result of analysing a corpus: documents with their group/story, stories, relations."""

    articles: list[Article]
    groups: list[Group]
    stories: list[Story]
    relations: list[Relation]

    def group_of(self) -> dict[str, Group]:
        """Document id -> its duplicate group."""
        return {m: g for g in self.groups for m in g.members}

    def story_of(self) -> dict[str, Story]:
        """Document id -> its story."""
        return {d: s for s in self.stories for d in s.documents}

    def to_dict(self) -> dict[str, Any]:
        """The output contract: ``documents``, ``stories``, ``relations`` (keys fixed across versions)."""
        group_of, story_of = self.group_of(), self.story_of()
        documents = [
            {
                "id": a.id,
                "source": a.source if not a.locator else f"{a.source}:{a.locator}",
                "url": a.url,
                "title": a.title,
                "date": a.date,
                "language": a.language,
                "story": story_of[a.id].id,
                "group": group_of[a.id].id,
                "is_canonical": group_of[a.id].canonical == a.id,
            }
            for a in self.articles
        ]
        stories = [
            {
                "id": s.id, "canonical": s.canonical, "title": s.title, "start": s.start, "end": s.end,
                "documents": s.documents, "related": s.related,
                "roles": {d: {"relation": r, "score": round(sc, 4)} for d, (r, sc) in s.roles.items()},
            }
            for s in self.stories
        ]
        relations = [
            {"a": r.a, "b": r.b, "relation": r.relation, "score": round(r.score, 4), **({"details": r.details} if r.details else {})}
            for r in self.relations
        ]
        return {"documents": documents, "stories": stories, "relations": relations}


def exact_relations(articles: Sequence[Article]) -> list[Relation]:
    """``exact`` relations: each later document with the same normalised-text hash -> the first one."""
    first: dict[str, str] = {}
    relations: list[Relation] = []
    for article in articles:
        seen = first.setdefault(article.content_hash, article.id)
        if seen != article.id:
            relations.append(Relation(a=article.id, b=seen, relation="exact", score=1.0))
    return relations


def build_groups(articles: Sequence[Article], relations: Sequence[Relation], keep: str = "canonical") -> list[Group]:
    """Duplicate groups = connected components of duplicate relations; canonical chosen per group."""
    index = {a.id: i for i, a in enumerate(articles)}
    edges = [(index[r.a], index[r.b]) for r in relations if r.relation in DUPLICATE_RELATIONS]
    left = np.array([e[0] for e in edges], dtype=np.int64)
    right = np.array([e[1] for e in edges], dtype=np.int64)
    labels = connected_components(len(articles), left, right)
    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        members[label].append(i)
    groups = []
    for n, (_, idxs) in enumerate(sorted(members.items())):
        chosen = choose_canonical([CanonicalCandidate(i, articles[i]) for i in idxs], keep)
        groups.append(Group(id=f"g{n:06d}", canonical=chosen.article.id, members=[articles[i].id for i in idxs]))
    return groups


def stories_from_groups(articles: Sequence[Article], groups: Sequence[Group]) -> list[Story]:
    """One story per duplicate group: the fallback until the story engine links rewrites and reports."""
    by_id = {a.id: a for a in articles}
    stories = []
    for n, group in enumerate(groups):
        dates = sorted(d for d in (by_id[m].date for m in group.members) if d)
        stories.append(
            Story(
                id=f"s{n:06d}", canonical=group.canonical, documents=list(group.members),
                title=by_id[group.canonical].title, start=dates[0] if dates else None, end=dates[-1] if dates else None,
            )
        )
    return stories
