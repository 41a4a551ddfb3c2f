"""Web UI fixtures: small stores (synthetic, and the seeds when ../shared is there) and in-process clients."""
from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from storytrace.corpus import Corpus

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

from fastapi.testclient import TestClient  # noqa: E402

from storytrace.web import create_app  # noqa: E402

BASE = (
    "Storm floods the old harbour district. Heavy rain on Tuesday flooded the old harbour district of Port Elma, "
    "forcing two hundred residents from their homes, the mayor said. Emergency crews pumped water from basements "
    "through the night while the coast guard closed the marina. The river rose four metres above its usual level, "
    "the highest since 1998, according to the regional water authority.\n"
    "Schools in the district will stay closed until Friday. The mayor asked residents to avoid the waterfront and to "
    "boil tap water until further notice, as the treatment plant was partly flooded."
)
OTHER = (
    "Parliament passes the new rail budget. Lawmakers approved a twelve billion budget for regional railways on "
    "Wednesday after a long debate about rural lines, ticket prices and the maintenance backlog of old bridges. "
    "The opposition voted against the plan, calling it too small for the needs of the northern provinces."
)
XSS = "<script>alert(1)</script> Headline with markup\nThe body mentions <b>bold</b> & ampersands and <script>alert(2)</script> again."


def shared_dir() -> Path | None:
    """../shared beside the repository (as the brief places it), else /work/shared, else None."""
    for candidate in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")):
        if (candidate / "seeds").is_dir():
            return candidate
    return None


def build_store(path: Path, files: dict[str, str], src: Path) -> Path:
    """Write ``files`` under ``src``, ingest them into a store at ``path`` and analyse it."""
    src.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8")
    with Corpus(path) as corpus:
        corpus.add([str(src / name) for name in files])
        corpus.analyze()
    return path


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small analysed store: an article, an exact copy, another article, and one full of markup."""
    root = tmp_path_factory.mktemp("synthetic")
    files = {"flood.txt": BASE, "flood-copy.txt": BASE, "rail.txt": OTHER, "xss.txt": XSS}
    return build_store(root / "store.db", files, root / "src")


@pytest.fixture()
def db_copy(synthetic_db: Path, tmp_path: Path) -> Path:
    """A private copy of the synthetic store (for tests that write)."""
    target = tmp_path / "store.db"
    shutil.copy(synthetic_db, target)
    return target


@pytest.fixture(scope="session")
def client(synthetic_db: Path) -> Iterator[TestClient]:
    """An in-process client over the synthetic store (read paths only)."""
    with TestClient(create_app(synthetic_db)) as c:
        yield c


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seed articles, ingested and analysed; skips without ../shared."""
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared/seeds is not available")
    root = tmp_path_factory.mktemp("seeds")
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted((shared / "seeds").glob("*.txt"))}
    return build_store(root / "seeds.db", files, root / "src")


def seed_id(client: TestClient, prefix: str) -> str:
    """The document id of a seed by its three-digit prefix."""
    items = client.get("/api/documents", params={"per_page": 500}).json()["items"]
    return next(d["id"] for d in items if d["id"].startswith(prefix))
