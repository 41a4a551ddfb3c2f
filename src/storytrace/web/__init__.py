"""Local web UI (``storytrace serve``): server-rendered pages and a JSON API over a store."""
from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # imported on first use: ``storytrace.cli`` registers ``serve`` from ``web.cli``, and every other command
    # would otherwise pay for fastapi and the app (about 0.4 s of start-up)
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
