"""Shared fixtures: where ../shared lives (tests skip cleanly without it) and the seed articles."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_SEEDS = REPO / "examples" / "seeds"


def shared_dir() -> Path | None:
    """../shared beside the repository (or /work/shared), None when absent."""
    for candidate in (REPO.parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data directory; skips the test when it is not there."""
    path = shared_dir()
    if path is None:
        pytest.skip("../shared is not available")
    return path


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The seed articles: ../shared/seeds when present, else the copy shipped under examples/."""
    path = shared_dir()
    if path is not None and (path / "seeds").is_dir():
        return path / "seeds"
    return EXAMPLE_SEEDS


@pytest.fixture(scope="session")
def seeds(seed_dir: Path) -> dict[str, str]:
    """Seed texts by their three-digit prefix ("000" .. "004")."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))}


@pytest.fixture(scope="session")
def seed_articles(seed_dir: Path) -> dict:
    """Seed articles (extracted, normalised) by their three-digit prefix."""
    from storytrace.loading import load_article

    return {p.name[:3]: load_article(str(p)) for p in sorted(seed_dir.glob("*.txt"))}
