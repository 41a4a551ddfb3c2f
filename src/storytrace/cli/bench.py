"""``storytrace bench``: run the benchmarks and print their tables (the runners live in ``storytrace.bench``)."""
from __future__ import annotations

from ..bench.cli import bench

__all__ = ["bench"]
