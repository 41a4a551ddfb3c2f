"""Local web UI (``storytrace serve``): server-rendered pages and a JSON API over a store."""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
