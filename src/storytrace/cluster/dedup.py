"""The dedup sequence, defined once: fingerprint -> candidates -> verify (+ wrapper rule) -> guarded groups
-> each member's relation to its canonical.

``Deduplicator`` holds the candidate index between batches. The local engine (``engines.local``), the store's
incremental path (``engines.incremental``: its first three stages, the groups come later from
``cluster.analysis.build_groups``) and the benchmark (``bench.dedup.run_pipeline``) all run it; the Spark
engine runs distributed versions of the same ``STAGES`` with the same rules (``match.verify.apply_wrapper_rule``,
``cluster.groups.keep_rule_keys`` / ``guarded_groups`` / ``member_codes``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..fingerprint import DedupConfig, Fingerprints, fingerprint
from ..match.candidates import CandidateIndex
from ..match.verify import Edges, MatchTable, verified_edges, verify_pairs
from ..timing import Clock
from .groups import CanonicalKeys, Grouping, group_edges, member_relations, relate_indirect

#: the stages of the sequence, in order (the names the engines time them under)
STAGES: tuple[str, ...] = ("fingerprint", "candidates", "verify", "groups", "relations")


@dataclass(slots=True)
class Deduplicator:
    """Batches of normalised texts in, groups out. ``add`` (fingerprint + candidates) once per batch, then
    ``verify`` and ``group`` once over all documents (texts: any indexable, e.g. a spill file)."""

    config: DedupConfig = field(default_factory=DedupConfig)
    index: CandidateIndex | None = None  # made by the first ``add`` when not given
    clock: Clock = field(default_factory=Clock)
    threads: int = 1  # verification threads (the texts must then allow reads from several threads)

    @property
    def size(self) -> int:
        """Documents added so far (their numbers are 0 .. size - 1, in order)."""
        return self.index.size if self.index is not None else 0

    def drop_index(self) -> None:
        """Free the candidate index once every batch is added (verification needs only the pairs)."""
        self.index = None

    def add(self, norms: Sequence[str]) -> tuple[Fingerprints, np.ndarray, np.ndarray]:
        """Fingerprint a batch and find its candidate pairs among all documents so far:
        (fingerprints, pairs (k, 2) int64 (earlier, later), source flags per pair)."""
        with self.clock.stage("fingerprint"):
            fp = fingerprint(norms, self.config)
        pairs, flags = self.add_fingerprints(fp)
        return fp, pairs, flags

    def add_fingerprints(self, fp: Fingerprints) -> tuple[np.ndarray, np.ndarray]:
        """``add`` for a batch fingerprinted elsewhere (a cleaning process, with this ``config``)."""
        if self.index is None:
            self.index = CandidateIndex(self.config)
        with self.clock.stage("candidates"):
            return self.index.add(fp)

    def verify(self, texts: Sequence[str], pairs: np.ndarray, wrapped: np.ndarray | None = None
               ) -> tuple[MatchTable, Edges]:
        """Verify candidate pairs on the texts; (every verdict, the duplicates with the wrapper rule applied).
        ``wrapped``: per document, a page wrapping its article (None: no document is)."""
        with self.clock.stage("verify"):
            table = verify_pairs(texts, pairs, self.config, threads=self.threads)
            if wrapped is None:
                wrapped = np.zeros(int(table.pairs.max()) + 1 if len(table) else 0, dtype=bool)
            return table, verified_edges(table, wrapped)

    def group(self, texts: Sequence[str], edges: Edges, keys: CanonicalKeys, wrapped: np.ndarray | None = None,
              candidate_pairs: int = 0) -> Grouping:
        """Guarded groups with the canonical by ``keys``, then each member's relation to its canonical
        (members grouped through the guard without a verified edge to it are verified against it now)."""
        n = len(keys.order)
        if wrapped is None:
            wrapped = np.zeros(n, dtype=bool)
        config, threads = self.config, self.threads
        with self.clock.stage("groups"):
            labels = group_edges(n, edges, keys, lambda pairs: verify_pairs(texts, pairs, config, threads=threads).matched)
        with self.clock.stage("relations"):
            relation, score, known = member_relations(labels, edges)
            relate_indirect(texts, labels, relation, score, known, wrapped, config)
        return Grouping(labels, relation, score, candidate_pairs, len(edges))
