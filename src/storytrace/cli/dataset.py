"""What the dataset commands (``dedup``, ``stories``) share: turning an engine's known failures into one
line on stderr and an exit status.

Exit status: 0 when documents were processed, 1 when nothing was readable (or the engine is missing, or the
output could not be written), 2 for bad arguments (including a non-empty ``--out`` without ``--overwrite``).
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from ..engines import ENGINE_EXTRAS, EngineUnavailable
from ..engines import output as out_io
from ..engines.local import NothingReadable

T = TypeVar("T")


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    click.echo(f"storytrace: {message}", err=True)
    sys.exit(code)


def run_dataset_job(engine: str, out: str, overwrite: bool, job: Callable[[], T]) -> T:
    """Run a dataset command's ``job``: a non-empty local ``--out`` is refused first, whatever the engine,
    and every known failure becomes one line on stderr and an exit status."""
    try:
        if "://" not in out:  # a local path: refuse a non-empty --out before any work
            out_io.check_out_dir(Path(out[5:] if out.startswith("file:") else out), overwrite)
        return job()
    except EngineUnavailable as exc:
        fail(str(exc), 1)
    except ModuleNotFoundError as exc:
        if engine == "local" or (exc.name or "").startswith("storytrace"):
            raise
        fail(f"the {engine} engine is not available ({exc.name}): install {ENGINE_EXTRAS.get(engine, 'storytrace')}", 1)
    except out_io.OutputExists as exc:
        fail(str(exc), 2)
    except NothingReadable as exc:
        fail(str(exc), 1)
    except (out_io.OutputError, out_io.InputChanged) as exc:
        fail(str(exc), 1)
    except OSError as exc:
        fail(f"{getattr(exc, 'filename', None) or out}: {exc.strerror or exc}", 1)
