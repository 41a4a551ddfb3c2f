"""Execution engines over the library stages: ``incremental`` (the store behind ``analyze``) and the
dataset engines behind ``storytrace dedup`` and ``storytrace stories`` (``local`` here, ``spark`` as an optional extra).

A dataset engine is a module with ``run_dedup(inputs, out_dir, config, options, **settings)``;
``load_engine`` imports it lazily, so nothing heavy (or optional, like pyspark) is imported with this
package. ``engine_settings`` turns engine-specific command-line settings (``--master``) into the
keyword arguments of the engine's ``run_dedup`` (for Spark: ``spark=SparkOptions fields``).
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

#: engine name -> module holding its ``run_dedup``
DATASET_ENGINES: dict[str, str] = {
    "local": "storytrace.engines.local",
    "spark": "storytrace.engines.spark",
}
#: engine name -> module holding its ``run_stories``
STORY_ENGINES: dict[str, str] = {
    "local": "storytrace.engines.stories",
    "spark": "storytrace.engines.spark_stories",
}
#: engine name -> what to install when its module (or a dependency of it) is missing
ENGINE_EXTRAS: dict[str, str] = {"spark": "storytrace[spark]"}


#: engine name -> the engine-specific settings it takes (``engine_settings``)
ENGINE_SETTINGS: dict[str, tuple[str, ...]] = {"local": (), "spark": ("master",)}


class EngineUnavailable(RuntimeError):
    """The engine asked for is not installed (its module or one of its dependencies is missing)."""


def load_engine(name: str) -> Callable[..., Any]:
    """The ``run_dedup`` function of a dataset engine, imported on demand."""
    return _load(name, DATASET_ENGINES, "run_dedup")


def load_story_engine(name: str) -> Callable[..., Any]:
    """The ``run_stories`` function of a story engine, imported on demand."""
    return _load(name, STORY_ENGINES, "run_stories")


def _load(name: str, engines: dict[str, str], function: str) -> Callable[..., Any]:
    """``function`` of engine ``name``'s module in ``engines``; EngineUnavailable when it is not installed."""
    try:
        module_name = engines[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(engines)}") from None
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_name or not missing.startswith("storytrace"):
            extra = ENGINE_EXTRAS.get(name, "storytrace")
            raise EngineUnavailable(f"the {name} engine is not available ({missing or exc}): install {extra}") from exc
        raise
    run = getattr(module, function, None)
    if not callable(run):
        raise EngineUnavailable(f"{module_name} has no {function}(inputs, out_dir, config, options)")
    return cast("Callable[..., Any]", run)


AUTO_WORKERS_BYTES = 64 << 20  #: below this much input, starting cleaning processes costs more than it saves


def auto_workers(inputs: Sequence[str], cpus: int | None = None) -> int:
    """Cleaning processes for ``--workers 0``: one per CPU when the local input files (directories walked)
    hold at least ``AUTO_WORKERS_BYTES``, else 1 (stdin and remote paths count as small)."""
    cpus = cpus or os.cpu_count() or 1
    total = 0
    for arg in inputs:
        path = Path(arg)
        if arg == "-" or "://" in arg or not path.exists():
            continue
        files = [path] if path.is_file() else (Path(root) / name for root, _, names in os.walk(path) for name in names)
        for file in files:
            total += file.stat().st_size if file.is_file() else 0
            if total >= AUTO_WORKERS_BYTES:
                return cpus
    return 1


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
