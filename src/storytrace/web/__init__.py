"""Local web UI (``storytrace serve``): server-rendered pages and a JSON API over a store."""
from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` imported on first use: importing the package (``web.net`` for the serve command) must not
    pay for FastAPI and the analysis stack (about a second)."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
