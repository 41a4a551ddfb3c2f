"""storytrace explain stage: why two documents are related (passages, fact differences, provenance)."""
from __future__ import annotations

from .explanation import AlignedSentence, Explanation, explain
from .facts import Fact, FactDifference, extract_facts, fact_differences
from .provenance import Provenance, provenance

__all__ = [
    "AlignedSentence", "Explanation", "Fact", "FactDifference", "Provenance", "explain", "extract_facts",
    "fact_differences", "provenance",
]
