"""Execution engines over the library stages: ``incremental`` (the store behind ``analyze``) and the
dataset engines behind ``storytrace dedup`` (``local`` here, ``spark`` as an optional extra).

A dataset engine is a module with ``run_dedup(inputs, out_dir, config, options)``; ``load_engine``
imports it lazily, so nothing heavy (or optional, like pyspark) is imported with this package.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

#: engine name -> module holding its ``run_dedup``
DATASET_ENGINES: dict[str, str] = {
    "local": "storytrace.engines.local",
    "spark": "storytrace.engines.spark",
}
#: engine name -> what to install when its module (or a dependency of it) is missing
ENGINE_EXTRAS: dict[str, str] = {"spark": "storytrace[spark]"}


class EngineUnavailable(RuntimeError):
    """The engine asked for is not installed (its module or one of its dependencies is missing)."""


def load_engine(name: str) -> Callable[..., Any]:
    """The ``run_dedup`` function of a dataset engine, imported on demand."""
    try:
        module_name = DATASET_ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(DATASET_ENGINES)}") from None
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_name or not missing.startswith("storytrace"):
            extra = ENGINE_EXTRAS.get(name, "storytrace")
            raise EngineUnavailable(f"the {name} engine is not available ({missing or exc}): install {extra}") from exc
        raise
    run = getattr(module, "run_dedup", None)
    if run is None:
        raise EngineUnavailable(f"{module_name} has no run_dedup(inputs, out_dir, config, options)")
    return run  # type: ignore[no-any-return]
