"""``storytrace stories`` with the local engine: the seeds' story map (expected.json), output contract, refusals,
bad input; and the Spark driver's assignment (``StreamAssigner`` over precomputed, packed views) equal to
``build_stories`` on a few hundred documents, without Spark."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from storytrace.cluster.stories import StoryConfig, unit_order_key
from storytrace.engines.stories import (
    STORY_MAP_SCHEMA,
    StoryResult,
    assign_stream,
    local_stories,
    pack_view,
    round4,
    story_article,
    unit_features,
    unpack_view,
)
from storytrace.cli.stories import stories
from storytrace.io import read_path
from storytrace.match import story as sm
from storytrace.records import RawRecord


def invoke(*args: str) -> Result:
    """Run ``storytrace stories ARGS`` in-process."""
    return CliRunner().invoke(stories, list(args), catch_exceptions=False)


def short(doc_id: str) -> str:
    return doc_id[:3]


def test_seeds_story_map(seed_dir: Path, tmp_path: Path) -> None:
    expected = json.loads((seed_dir / "expected.json").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    result = invoke(str(seed_dir), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "stories.parquet", "story_links.parquet", "summary.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging directory left
    rows = pq.read_table(out / "stories.parquet").to_pylist()
    assert list(rows[0]) == list(STORY_MAP_SCHEMA) and len(rows) == 5
    by = {short(r["id"]): r for r in rows}
    members: dict[str, list[str]] = {}
    for r in rows:
        members.setdefault(r["story"], []).append(short(r["id"]))
    assert sorted(members.values()) == sorted(expected["stories"])
    assert short(by["000"]["story_canonical"]) == expected["canonical"]["story_of_000"]
    groups = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(short(r["id"]))
    assert [sorted(g) for g in groups.values() if len(g) > 1] == expected["duplicate_groups"]
    assert short(by["002"]["group"]) == expected["canonical"]["group_of_000"]
    roles = {k: r["role"] for k, r in by.items()}
    assert roles == {"000": "canonical", "001": "rewrite", "002": "contains", "003": "same_story", "004": "canonical"}
    for rel in expected["relations"]:  # every relation to 000 but "related" is a role in 000's story
        if rel["relation"] != "related":
            assert roles[rel["a"]] == rel["relation"] and short(by[rel["a"]]["story_canonical"]) == rel["b"]
    links = pq.read_table(out / "story_links.parquet").to_pylist()
    assert [(short(x["canonical"]), short(x["related_canonical"])) for x in links] == [("004", "000")]
    assert {links[0]["story"], links[0]["related"]} == {by["004"]["story"], by["000"]["story"]}
    assert 0.338 <= links[0]["score"] < 1
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["documents"], summary["groups"], summary["stories"], summary["related_links"]) == (5, 4, 2, 1)
    assert summary["roles"]["rewrite"] == 1 and summary["engine"] == "local"
    assert {"clean", "fingerprint", "verify", "articles", "stories", "write", "total"} <= set(summary["timings_s"])
    assert "2 stories" in result.stderr


def test_jsonl_map_and_overwrite(seed_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke(str(seed_jsonl), "--out", str(out), "--map-format", "jsonl", "-q").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "stories.jsonl", "story_links.jsonl", "summary.json"]
    rows = [json.loads(line) for line in (out / "stories.jsonl").open(encoding="utf-8")]
    assert [(r["id"], r["role"]) for r in rows] == [("000", "canonical"), ("001", "rewrite"), ("002", "contains"),
                                                    ("003", "same_story"), ("004", "canonical")]
    assert [r["locator"] for r in rows] == [f"line:{i}" for i in range(1, 6)]
    refused = invoke(str(seed_jsonl), "--out", str(out), "-q")
    assert refused.exit_code == 2 and "not empty" in refused.stderr
    assert (out / "stories.jsonl").exists() and not (out / "stories.parquet").exists()  # untouched
    assert invoke(str(seed_jsonl), "--out", str(out), "-q", "--overwrite").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "stories.parquet", "story_links.parquet", "summary.json"]


def test_nothing_readable_and_bad_arguments(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"id": "a", "text": "  "}\nnot json\n', encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(str(empty), str(junk), str(tmp_path / "missing.txt"), "--out", str(out))
    assert result.exit_code == 1 and "nothing could be read" in result.stderr
    assert "missing.txt" in result.stderr and "junk.jsonl:line:2" in result.stderr
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    bad = invoke(str(junk), "--out", str(out), "--master", "local[2]")
    assert bad.exit_code == 2 and "--engine spark" in bad.stderr
    bad = invoke(str(junk), "--out", str(out), "--engine", "spark", "--master", "local[two]")
    assert bad.exit_code == 2 and "not a Spark master URL" in bad.stderr
    inside = invoke(str(tmp_path), "--out", str(tmp_path))
    assert inside.exit_code == 2


# --------------------------------------------------------------------------------------------
# The Spark driver's loop, without Spark
# --------------------------------------------------------------------------------------------

def corpus_articles(path: Path) -> list:
    """Every record of a JSONL corpus as a story article keyed by its position (each its own unit)."""
    return [story_article(r, str(i)) for i, r in enumerate(x for x in read_path(str(path)) if isinstance(x, RawRecord))]


def canonical_form(result: StoryResult) -> tuple:
    """A StoryResult with scores as written (np.round(x, 4))."""
    units = list(result.roles)
    roles = dict(zip(units, zip([result.roles[u][0] for u in units], round4([result.roles[u][1] for u in units]))))
    links = [(a, b, s) for (a, b, _), s in zip(result.links, round4([s for _, _, s in result.links]))]
    return result.story_of, result.ids, result.canonical, roles, links


def test_packed_views_score_as_built(story_corpus: Path) -> None:
    articles = corpus_articles(story_corpus)[:60]
    views = sm.build_views(articles)
    unpacked = [unpack_view(pack_view(v)) for v in views]
    for i in range(0, 58, 3):
        assert sm.score_pair(views[i], views[i + 1]) == sm.score_pair(unpacked[i], unpacked[i + 1])
        assert sm.rewrite_coverage(views[i], views[i + 2]) == sm.rewrite_coverage(unpacked[i], unpacked[i + 2])
        assert unpacked[i].event == views[i].event and unpacked[i].quantity_count == views[i].quantity_count


@pytest.mark.parametrize("chunk,capacity", [(256, 2048), (7, 16)])
def test_stream_assigner_equals_build_stories(story_corpus: Path, story_corpus_rich: bool, tmp_path: Path, chunk: int,
                                             capacity: int) -> None:
    articles = corpus_articles(story_corpus)
    expected = local_stories(articles, StoryConfig())
    # features computed in other batches than build_stories embeds them in (as Spark partitions would)
    features = []
    for lo in range(0, len(articles), 37):
        features += unit_features(list(range(lo, min(lo + 37, len(articles)))), articles[lo:lo + 37])
    features.sort(key=lambda f: unit_order_key(f.day, f.key))
    got, stats = assign_stream(features, StoryConfig(), spill_dir=str(tmp_path), chunk=chunk, capacity=capacity)
    assert canonical_form(got) == canonical_form(expected)
    assert stats["views_spilled"] == len(articles) and stats["views_read"] > 0
    assert not list(tmp_path.iterdir())  # the spill file is removed
    several = sum(1 for n in np.bincount(list(got.story_of.values())) if n > 1)
    assert several >= 3 and got.links and {r for r, _ in got.roles.values()} >= {"same_story", "rewrite"}
    if story_corpus_rich:
        assert several >= 30 and len(got.links) >= 30


def test_stream_assigner_refuses_units_out_of_order(story_corpus: Path, tmp_path: Path) -> None:
    articles = corpus_articles(story_corpus)[:20]
    features = sorted(unit_features(list(range(20)), articles), key=lambda f: unit_order_key(f.day, f.key))
    with pytest.raises(ValueError, match="out of order"):
        assign_stream(features[::-1], spill_dir=str(tmp_path))
