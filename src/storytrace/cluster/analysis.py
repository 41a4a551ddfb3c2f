"""Groups and stories built from relations, and the JSON output contract of ``storytrace analyze``."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..fingerprint.config import DedupConfig
from ..match.verify import verify_pairs
from ..records import Article, Group, Relation, Story
from ..text.clean import WRAPPER_SHARE, chrome_share
from .groups import CanonicalKeys, PairVerifier, guarded_groups, keep_rule_keys

DUPLICATE_RELATIONS = frozenset({"exact", "near_duplicate", "contains"})


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


def canonical_keys(articles: Sequence[Article], keep: str = "canonical") -> CanonicalKeys:
    """Per-document keys of the keep rule (``canonical``, ``first`` or ``longest``) as arrays."""
    return keep_rule_keys(
        keep,
        wrapped=np.array([chrome_share(a) > WRAPPER_SHARE for a in articles], dtype=np.int64),
        length=np.array([len(a.norm) for a in articles], dtype=np.int64),
        longest=np.array([len(a.text) for a in articles], dtype=np.int64),
        dates=np.array([a.date or "9999" for a in articles], dtype=object).astype(str),
    )


def build_groups(
    articles: Sequence[Article], relations: Sequence[Relation], keep: str = "canonical",
    verify: PairVerifier | None = None, config: DedupConfig | None = None,
) -> list[Group]:
    """Duplicate groups: components of duplicate relations, every member checked against the canonical.

    ``verify`` decides pairs the relations do not cover (default: the duplicate verifier on the
    normalised texts with ``config``, the settings the relations were found with).
    """
    index = {a.id: i for i, a in enumerate(articles)}
    duplicate = [r for r in relations if r.relation in DUPLICATE_RELATIONS]
    edges = np.array([(index[r.a], index[r.b]) for r in duplicate], dtype=np.int64).reshape(-1, 2)
    near = np.array([r.relation in ("exact", "near_duplicate") for r in duplicate], dtype=bool)
    if verify is None:
        norms = [a.norm for a in articles]
        settings = config or DedupConfig()
        verify = lambda pairs: verify_pairs(norms, pairs, settings).matched  # noqa: E731
    labels, _ = guarded_groups(len(articles), edges, canonical_keys(articles, keep), verify, near=near)
    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        members[label].append(i)
    return [
        Group(id=f"g{n:06d}", canonical=articles[label].id, members=[articles[i].id for i in idxs])
        for n, (label, idxs) in enumerate(sorted(members.items()))
    ]


def orient(relations: Sequence[Relation], groups: Sequence[Group]) -> list[Relation]:
    """Symmetric relations (exact, near-duplicate) read "member -> canonical": the canonical goes to b."""
    canonical = {g.canonical for g in groups}
    out = []
    for r in relations:
        if r.relation in ("exact", "near_duplicate") and r.a in canonical and r.b not in canonical:
            r = Relation(a=r.b, b=r.a, relation=r.relation, score=r.score, details=r.details)
        out.append(r)
    return out


def member_roles(group: Group, relations: Sequence[Relation]) -> dict[str, tuple[str, float]]:
    """Each group member's relation to the group's canonical (``canonical`` for itself)."""
    roles: dict[str, tuple[str, float]] = {group.canonical: ("canonical", 1.0)}
    members = set(group.members)
    for r in relations:
        if r.relation not in DUPLICATE_RELATIONS or r.a not in members or r.b not in members:
            continue
        other = r.a if r.b == group.canonical else r.b if r.a == group.canonical else None
        if other is not None and other not in roles:
            name = "contained_in" if r.relation == "contains" and r.b == other else r.relation
            roles[other] = (name, r.score)
    for m in group.members:
        roles.setdefault(m, ("near_duplicate", 0.0))  # grouped through the canonical check, no direct edge
    return roles


def stories_from_groups(articles: Sequence[Article], groups: Sequence[Group], relations: Sequence[Relation] = ()) -> list[Story]:
    """One story per duplicate group: the fallback when the story engine is not asked for."""
    by_id = {a.id: a for a in articles}
    stories = []
    for n, group in enumerate(groups):
        dates = sorted(d for d in (by_id[m].date for m in group.members) if d)
        stories.append(
            Story(
                id=f"s{n:06d}", canonical=group.canonical, documents=list(group.members),
                title=by_id[group.canonical].title, start=dates[0] if dates else None, end=dates[-1] if dates else None,
                roles=member_roles(group, relations),
            )
        )
    return stories
