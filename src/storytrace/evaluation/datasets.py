"""Labelled sets for ``storytrace eval`` (read from ``../shared/data`` or ``--data DIR``; never shipped).

* ``story-pairs/semeval2022-task8-pairs.csv``: SemEval-2022 task 8 news pairs rated 1 (same) .. 4.
  Fixed split: a pair is HELD OUT when ``md5(pair_id) % 100 < 30`` (367 of 1,283 pairs); everything fitted
  (combiner, thresholds, the embedding's context corpus) used only the other 916.
* ``news-titles/News.jsonl`` and ``News-T.jsonl``: 11,109 titles in 152 stories (MStream). Held-out stories
  are those with ``md5(clusterNo)`` odd; the short-text settings were tuned on the even ones.
* ``seeds/``: the five seed articles and ``expected.json``.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PAIRS = Path("story-pairs") / "semeval2022-task8-pairs.csv"
NEWS = Path("news-titles") / "News.jsonl"
NEWS_T = Path("news-titles") / "News-T.jsonl"


def default_data_dir() -> Path | None:
    """``../shared/data`` beside the repository (or the working directory), else ``/work/shared/data``."""
    repo = Path(__file__).resolve().parents[3]
    for candidate in (repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data", Path("/work/shared/data")):
        if candidate.is_dir():
            return candidate
    return None


def md5_int(value: object) -> int:
    """The split hash: first 8 hex digits of md5(str(value)) as an integer."""
    return int(hashlib.md5(str(value).encode()).hexdigest()[:8], 16)


def is_heldout_pair(pair_id: str) -> bool:
    """The fixed 70/30 split of the story pairs: held out when md5(pair_id) % 100 < 30."""
    return md5_int(pair_id) % 100 < 30


def is_heldout_story(cluster: object) -> bool:
    """News-titles split: stories with an odd md5(clusterNo) are held out (even ones tuned the threshold)."""
    return int(hashlib.md5(str(cluster).encode()).hexdigest(), 16) % 2 == 1


@dataclass(slots=True, frozen=True)
class Pair:
    """One rated pair of news texts."""

    pair_id: str
    lang1: str
    lang2: str
    text1: str
    text2: str
    overall: float  # 1 very similar .. 4 very dissimilar

    @property
    def heldout(self) -> bool:
        return is_heldout_pair(self.pair_id)

    @property
    def languages(self) -> str:
        return f"{self.lang1}-{self.lang2}"

    @property
    def same_story(self) -> bool:
        """The task's binary view: Overall <= 2."""
        return self.overall <= 2


def load_pairs(path: str | os.PathLike[str]) -> list[Pair]:
    """The pairs CSV (missing texts read as empty strings)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Pair(
                pair_id=row["pair_id"], lang1=row["lang1"], lang2=row["lang2"], text1=row.get("text1") or "",
                text2=row.get("text2") or "", overall=float(row["Overall"]),
            ))
    return out


@dataclass(slots=True, frozen=True)
class Title:
    """One labelled news title."""

    id: str
    story: int
    text: str


def load_titles(path: str | os.PathLike[str]) -> list[Title]:
    """A news-titles JSONL file, in file order (the stream order)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out.append(Title(id=str(row["Id"]), story=int(row["clusterNo"]), text=str(row["textCleaned"])))
    return out


def seed_dir(data: Path | None) -> Path | None:
    """The seeds: ``<data>/../seeds`` when present, else the copy in ``examples/seeds``."""
    candidates = []
    if data is not None:
        candidates.append(data.parent / "seeds")
    candidates.append(Path(__file__).resolve().parents[3] / "examples" / "seeds")
    for c in candidates:
        if (c / "expected.json").is_file():
            return c
    return None


def seed_files(directory: Path) -> Iterator[Path]:
    """The seed articles in name order."""
    yield from sorted(directory.glob("*.txt"))
