"""Local web UI (``storytrace serve``): server-rendered pages and a JSON API over a store."""
from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` imported on first use: the CLI imports ``web.cli`` for every command, and the app
    (FastAPI, the analysis stack) costs about a second to import."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
