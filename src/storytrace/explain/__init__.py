"""storytrace explain stage: why two documents are related (fact differences; passages and provenance)."""
from __future__ import annotations

from .facts import Fact, FactDifference, extract_facts, fact_differences

__all__ = ["Fact", "FactDifference", "extract_facts", "fact_differences"]
