"""Execution engines over the library stages: ``incremental`` (the store behind ``analyze``) and the
dataset engines behind ``storytrace dedup`` (``local`` here, ``spark`` as an optional extra).

A dataset engine is a module with ``run_dedup(inputs, out_dir, config, options, **settings)``;
``load_engine`` imports it lazily, so nothing heavy (or optional, like pyspark) is imported with this
package. ``engine_settings`` turns engine-specific command-line settings (``--master``) into the
keyword arguments of the engine's ``run_dedup`` (for Spark: ``spark=SparkOptions fields``).
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


#: engine name -> the engine-specific settings it takes (``engine_settings``)
ENGINE_SETTINGS: dict[str, tuple[str, ...]] = {"local": (), "spark": ("master",)}


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


def engine_settings(name: str, master: str | None = None) -> dict[str, Any]:
    """Keyword arguments of engine ``name``'s ``run_dedup`` for the settings given (None: not given);
    ValueError for a setting the engine does not take, or a malformed one.

    >>> engine_settings("spark", master="local[2]"), engine_settings("local")
    ({'spark': {'master': 'local[2]'}}, {})
    >>> engine_settings("local", master="yarn")
    Traceback (most recent call last):
    ...
    ValueError: --master applies to --engine spark only (this run uses --engine local)
    """
    given = {"master": master}
    settings = {key: value for key, value in given.items() if value is not None}
    for key in settings:
        if key not in ENGINE_SETTINGS.get(name, ()):
            takes = [engine for engine, keys in ENGINE_SETTINGS.items() if key in keys]
            raise ValueError(f"--{key} applies to --engine {' or '.join(takes)} only (this run uses --engine {name})")
    if not settings:
        return {}
    if name == "spark":
        from .spark import check_master

        check_master(settings["master"])
        return {"spark": settings}
    return settings
