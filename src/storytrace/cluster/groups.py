"""Duplicate groups at corpus scale: connected components with a guard against chaining, and the
canonical member of each group, all over numpy arrays (one row per document, one per edge).

Chaining: A~B and B~C can glue two different articles A and C through a shared boilerplate paragraph
or a page that quotes both. The guard checks every member of a group of three or more against the
group's canonical; members that do not verify against it leave the group and are grouped again among
themselves (the same check applies to those new groups), for at most ``MAX_ROUNDS`` rounds. A member
more than three times longer than the canonical leaves too (unless it is a page around it): thousands
of copies of a cookie banner must not make the banner the canonical of the articles that carry it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..fingerprint.config import DedupConfig
from ..match.verify import CONTAINS, EXACT, NEAR, NONE, Edges, apply_wrapper_rule, verify_pairs
from .unionfind import connected_components

#: relation of a document to its group's canonical, as the dataset engines write it (index = code); read
#: "this document <relation> the canonical" (contains: it contains the canonical; contained_in: it is inside it)
MAP_RELATIONS: tuple[str, ...] = ("canonical", "exact", "near_duplicate", "contains", "contained_in")
CANONICAL, R_EXACT, R_NEAR, R_CONTAINS, R_CONTAINED_IN = range(5)
#: the canonical rule's date key: UTF-8 bytes of the date cut to DATE_BYTES; MISSING_DATE sorts after every date
DATE_BYTES = 32
MISSING_DATE = b"\xff"
MAX_ROUNDS = 4
#: a member more than FRAGMENT_RATIO times longer than its canonical (and not a page around it) is not
#: removed in its favour: the canonical is a fragment of it (a shared banner, a teaser), not its article
FRAGMENT_RATIO = 3
#: verify(pairs (k, 2) int64) -> bool mask (k,): whether each pair is really a duplicate pair
PairVerifier = Callable[[np.ndarray], np.ndarray]


@dataclass(slots=True, frozen=True)
class CanonicalKeys:
    """Per-document sort keys of a keep rule: smaller wins.

    With ``by_degree`` (the ``canonical`` rule) a group-level key comes between ``wrapped`` and ``length``:
    the member's number of verified edges inside the group. The full article is verified against its
    copies, excerpts and wrapping pages alike, so it has the most; an excerpt is verified only against the
    texts that hold it, an insertion-edited copy or an unflagged page (longer, but not the article) only
    against part of the family.
    """

    wrapped: np.ndarray  # 1 for a page that wraps the article in chrome, else 0
    length: np.ndarray  # length of the normalised text (longer wins)
    date_rank: np.ndarray  # rank of the publication date (missing dates rank last)
    order: np.ndarray  # ingestion order
    by_degree: bool = False
    text_length: np.ndarray | None = None  # normalised length for the fragment guard (None: no guard)
    page: np.ndarray | None = None  # 1 for a page wrapping an article (exempt from the fragment guard)

    @classmethod
    def by_order(cls, n: int) -> CanonicalKeys:
        """Keys that make the first document of each group its canonical (``--keep first``)."""
        zeros = np.zeros(n, dtype=np.int64)
        return cls(zeros, zeros, zeros, np.arange(n, dtype=np.int64))


def date_key(date: str | None) -> bytes:
    """Sort key of a publication date for the canonical rule (earlier wins, missing last): its UTF-8 bytes
    cut to DATE_BYTES, MISSING_DATE when there is none (store as dtype ``S{DATE_BYTES}``)."""
    return (date or "").encode("utf-8")[:DATE_BYTES] or MISSING_DATE


def keep_rule_keys(keep: str, wrapped: np.ndarray, length: np.ndarray, longest: np.ndarray,
                   dates: np.ndarray) -> CanonicalKeys:
    """Keys of a keep rule from per-document columns: ``canonical`` (clean before wrapped, longer normalised
    text, earlier date, first seen), ``first`` (first seen) or ``longest`` (``longest`` column, first seen).

    ``dates`` may hold any sortable values with missing dates encoded to sort last.
    """
    n = len(length)
    order = np.arange(n, dtype=np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    text_length, page = np.asarray(length, dtype=np.int64), np.asarray(wrapped, dtype=np.int64)
    if keep == "first":
        return CanonicalKeys(zeros, zeros, zeros, order, text_length=text_length, page=page)
    if keep == "longest":
        return CanonicalKeys(zeros, np.asarray(longest, dtype=np.int64), zeros, order, text_length=text_length, page=page)
    if keep != "canonical":
        raise ValueError(f"unknown keep rule {keep!r}; choose one of canonical, first, longest")
    date_rank = np.unique(dates, return_inverse=True)[1].astype(np.int64).reshape(-1)
    return CanonicalKeys(page, text_length, date_rank, order, by_degree=True, text_length=text_length, page=page)


def canonical_of(labels: np.ndarray, keys: CanonicalKeys, degree: np.ndarray | None = None) -> np.ndarray:
    """For each document, the index of its group's canonical document.

    ``degree``: verified edges per document inside its group (used when ``keys.by_degree``).
    """
    n = len(labels)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if keys.by_degree:
        degree = np.zeros(n, dtype=np.int64) if degree is None else np.asarray(degree, dtype=np.int64)
        order = np.lexsort((keys.order, keys.date_rank, -keys.length, -degree, keys.wrapped, labels))
    else:
        order = np.lexsort((keys.order, keys.date_rank, -keys.length, keys.wrapped, labels))
    sorted_labels = labels[order]
    first = np.ones(n, dtype=bool)
    first[1:] = sorted_labels[1:] != sorted_labels[:-1]
    winner_of_label = np.empty(int(labels.max()) + 1, dtype=np.int64)
    winner_of_label[sorted_labels[first]] = order[first]
    winners: np.ndarray = winner_of_label[labels]
    return winners


def guarded_groups(n: int, edges: np.ndarray, keys: CanonicalKeys, verify: PairVerifier,
                   near: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(group label, canonical index) per document, with every member checked against its canonical.

    ``edges`` are verified duplicate pairs (k, 2); ``near`` marks the whole-text ones (exact or
    near-duplicate, not containment). A member that fails against the canonical stays when it is a
    near-duplicate of a member that is itself a near-duplicate of the canonical: two whole-text hops
    cannot glue two articles through a shared paragraph, and in a giant family the canonical may be a
    copy edited one way that copies edited the other way no longer match. Returns labels equal to the
    canonical's index.
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    near = np.zeros(len(edges), dtype=bool) if near is None else np.asarray(near, dtype=bool)
    active = np.ones(n, dtype=bool)  # documents still to be grouped this round
    labels = np.arange(n, dtype=np.int64)
    for _ in range(MAX_ROUNDS):
        keep = active[edges[:, 0]] & active[edges[:, 1]]
        round_edges, round_near = edges[keep], near[keep]
        comp = connected_components(n, round_edges[:, 0], round_edges[:, 1])
        canon = canonical_of(comp, keys, np.bincount(round_edges.ravel(), minlength=n))
        sizes = np.bincount(comp, minlength=n)
        direct = _has_direct_edge(round_edges, canon)
        fragment = _fragment_canonical(keys, canon)
        check = active & (canon != np.arange(n)) & (sizes[comp] > 2) & ~direct & ~fragment
        ok = ~fragment
        if check.any():
            members = np.flatnonzero(check)
            ok[members] = verify(np.stack([members, canon[members]], axis=1))
            ok |= _near_of_near(round_edges[round_near], canon, check & ~ok, ~fragment)
        settled = active & ok
        labels[settled] = canon[settled]
        active = active & ~ok
        if not active.any():
            break
    return labels, labels.copy()


def _near_of_near(near_edges: np.ndarray, canon: np.ndarray, failed: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Failed members with a near-duplicate edge to an (eligible) member that has one to the canonical."""
    rescued = np.zeros(len(canon), dtype=bool)
    if not len(near_edges) or not failed.any():
        return rescued
    a, b = near_edges[:, 0], near_edges[:, 1]
    anchor = np.zeros(len(canon), dtype=bool)
    anchor[a[canon[a] == b]] = True
    anchor[b[canon[b] == a]] = True
    anchor &= eligible
    rescued[a[failed[a] & anchor[b]]] = True
    rescued[b[failed[b] & anchor[a]]] = True
    return rescued


def _fragment_canonical(keys: CanonicalKeys, canon: np.ndarray) -> np.ndarray:
    """Members whose canonical is a fragment of them (``FRAGMENT_RATIO``): they leave the group."""
    if keys.text_length is None:
        return np.zeros(len(canon), dtype=bool)
    page = np.zeros(len(canon), dtype=np.int64) if keys.page is None else keys.page
    leaves: np.ndarray = (canon != np.arange(len(canon))) & (page == 0) & (keys.text_length[canon] * FRAGMENT_RATIO < keys.text_length)
    return leaves


def _has_direct_edge(edges: np.ndarray, canon: np.ndarray) -> np.ndarray:
    """Whether each document has a verified edge straight to its canonical."""
    n = len(canon)
    direct = np.zeros(n, dtype=bool)
    if len(edges):
        a, b = edges[:, 0], edges[:, 1]
        direct[a[canon[a] == b]] = True
        direct[b[canon[b] == a]] = True
    return direct


# --------------------------------------------------------------------------------------------
# Groups of a verified edge list: labels, and each member's relation to its canonical
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Grouping:
    """Per document its canonical (``labels``), relation code (MAP_RELATIONS) and score."""

    labels: np.ndarray
    relation: np.ndarray
    score: np.ndarray
    candidate_pairs: int
    verified_pairs: int

    @property
    def kept(self) -> np.ndarray:
        """Documents written to the corpus: each group's canonical."""
        kept: np.ndarray = self.labels == np.arange(len(self.labels))
        return kept


def group_edges(n: int, edges: Edges, keys: CanonicalKeys, verify: PairVerifier) -> np.ndarray:
    """Group label per document = the index of its group's canonical (guarded against chaining)."""
    labels, _ = guarded_groups(n, edges.pairs, keys, verify, near=np.isin(edges.relation, (EXACT, NEAR)))
    return labels


def member_relations(labels: np.ndarray, edges: Edges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(relation code in MAP_RELATIONS, score, has-direct-edge mask) of each document to its canonical,
    read as "document <relation> canonical" (contains: the document contains the canonical)."""
    n = len(labels)
    relation = np.full(n, CANONICAL, dtype=np.int8)
    score = np.ones(n, dtype=np.float64)
    known = labels == np.arange(n)
    a, b = (edges.pairs[:, 0], edges.pairs[:, 1]) if len(edges) else (np.zeros(0, np.int64),) * 2
    for member, canon, sign in ((a, b, 1), (b, a, -1)):
        hit = (labels[member] == canon) & (member != canon)
        m = member[hit]
        code = member_codes(edges.relation[hit], edges.direction[hit] * sign)
        relation[m] = code
        score[m] = edges.score[hit]
        known[m] = True
    return relation, score, known


def member_codes(relation: np.ndarray, member_direction: np.ndarray) -> np.ndarray:
    """Map codes for edges oriented (member, canonical): direction 1 = the member contains the canonical."""
    contains = np.where(member_direction > 0, R_CONTAINS, R_CONTAINED_IN)
    return np.select([relation == EXACT, relation == NEAR, relation == CONTAINS],
                     [R_EXACT, R_NEAR, contains], R_NEAR).astype(np.int8)


def relate_indirect(texts: Sequence[str], labels: np.ndarray, relation: np.ndarray, score: np.ndarray,
                    known: np.ndarray, wrapped: np.ndarray, config: DedupConfig) -> None:
    """Fill in members grouped through the canonical check (no verified edge to the canonical)
    by verifying them against it now; in place."""
    members = np.flatnonzero(~known)
    if len(members) == 0:
        return
    pairs = np.stack([members, labels[members]], axis=1)
    table = verify_pairs(texts, pairs, config)
    rel, direction = apply_wrapper_rule(table.relation, table.direction, wrapped[pairs[:, 0]], wrapped[pairs[:, 1]])
    relation[members] = member_codes(np.where(rel == NONE, NEAR, rel), direction)
    score[members] = table.score
