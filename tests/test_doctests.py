"""The examples in docstrings run: a docstring that shows a call and its result is a test."""
from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "storytrace"
WITH_EXAMPLES = sorted(
    ".".join(("storytrace", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py") if re.search(r"^\s*>>> ", p.read_text(encoding="utf-8"), re.M)
)


@pytest.mark.parametrize("module_name", WITH_EXAMPLES)
def test_docstring_examples(module_name: str) -> None:
    if module_name.startswith("storytrace.engines.spark"):
        pytest.importorskip("pyspark")
    result = doctest.testmod(importlib.import_module(module_name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{module_name}: {result.failed} of {result.attempted} examples failed"
