"""Fixtures of the engine tests: a story corpus with planted copies, rewrites, dates and follow-ups, and a
Spark session shared by the Spark modules (run them in one xdist group: one JVM).

``test_spark.py`` keeps its own module-scoped ``spark`` fixture (the same settings), which overrides the one
here in that module; the one here hands out the running session, or starts one when there is none (or it
was stopped), and stops what it started at the end of the test session.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path | None:
    """../shared beside the repository (or /work/shared), as tests/conftest.py finds it; None when absent."""
    for candidate in (REPO.parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


def spark_available() -> str | None:
    """Why Spark cannot run here (None: it can): pyspark, pandas and a working Java are needed."""
    for module in ("pyspark", "pandas"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed"
    try:
        ok = subprocess.run(["java", "-version"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = bool(os.environ.get("JAVA_HOME"))
    return None if ok else "Java does not run here"


@pytest.fixture(scope="session")
def _spark_started() -> list:
    started: list = []
    yield started
    for session in started:
        try:
            session.stop()
        except Exception:
            pass


@pytest.fixture
def spark(_spark_started):
    """A small local Spark (2 cores, 2 GB driver, no UI): the running one, else a new one."""
    reason = spark_available()
    if reason:
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    from storytrace.engines.spark import SparkOptions, build_session

    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext._jsc is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = build_session(SparkOptions(master="local[2]", app_name="storytrace-tests", shuffle_partitions=4, conf={
        "spark.ui.enabled": "false", "spark.driver.memory": "2g", "spark.ui.showConsoleProgress": "false",
        "spark.sql.adaptive.coalescePartitions.minPartitionSize": "1m"}))
    session.sparkContext.setLogLevel("ERROR")
    _spark_started.append(session)
    return session


# --------------------------------------------------------------------------------------------
# A story corpus (storytrace.bench.stories)
# --------------------------------------------------------------------------------------------

def seed_texts(seed_dir: Path) -> dict[str, str]:
    """The five seeds by their three-digit prefix."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))}


def pairs_csv() -> Path | None:
    """The SemEval pairs in ../shared, None when absent (the corpus is then seeds and synthetic articles)."""
    shared = shared_dir()
    path = shared / "data" / "story-pairs" / "semeval2022-task8-pairs.csv" if shared is not None else None
    return path if path is not None and path.is_file() else None


@pytest.fixture(scope="session")
def story_corpus(tmp_path_factory, seed_dir) -> Path:
    """``bench.stories.story_records`` (about 400 records with ../shared, 130 without) as one JSONL file."""
    from storytrace.bench.stories import story_records, write_jsonl

    return write_jsonl(tmp_path_factory.mktemp("story-corpus") / "stories.jsonl",
                       story_records(seed_texts(seed_dir), pairs_csv()))


@pytest.fixture(scope="session")
def story_corpus_rich() -> bool:
    """Whether ``story_corpus`` holds the SemEval part (many stories of several groups, related links)."""
    return pairs_csv() is not None


@pytest.fixture(scope="session")
def seed_jsonl(tmp_path_factory, seed_dir) -> Path:
    """The seeds as one JSONL file (ids 000 .. 004, undated)."""
    from storytrace.bench.stories import write_jsonl

    return write_jsonl(tmp_path_factory.mktemp("seed-jsonl") / "seeds.jsonl",
                       [{"id": k, "text": t} for k, t in seed_texts(seed_dir).items()])
