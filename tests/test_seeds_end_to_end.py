"""The seeds end to end: `Corpus.analyze()` gives exactly what seeds/expected.json says a careful reader concludes."""
import json

import pytest

from storytrace import Corpus
from storytrace.explain import explain


@pytest.fixture(scope="module")
def analysed(seed_dir, tmp_path_factory):
    expected = json.loads((seed_dir / "expected.json").read_text(encoding="utf-8"))
    with Corpus(tmp_path_factory.mktemp("seeds") / "s.db") as corpus:
        corpus.add(sorted(str(p) for p in seed_dir.glob("*.txt")))
        result = corpus.analyze()
        articles = {a.id[:3]: a for a in corpus.documents()}
        yield expected, result, articles


def _short(doc_id: str) -> str:
    return doc_id[:3]


def test_stories_and_duplicate_groups(analysed):
    expected, result, _ = analysed
    stories = sorted(sorted(_short(d) for d in s.documents) for s in result.stories)
    assert stories == sorted(sorted(s) for s in expected["stories"])
    groups = [sorted(_short(m) for m in g.members) for g in result.groups if len(g.members) > 1]
    assert groups == expected["duplicate_groups"]


def test_canonicals(analysed):
    expected, result, _ = analysed
    story = next(s for s in result.stories if any(_short(d) == "000" for d in s.documents))
    group = next(g for g in result.groups if any(_short(m) == "000" for m in g.members))
    assert _short(story.canonical) == expected["canonical"]["story_of_000"]
    assert _short(group.canonical) == expected["canonical"]["group_of_000"]


def test_every_expected_relation(analysed):
    expected, result, _ = analysed
    got = {(_short(r.a), _short(r.b)): r.relation for r in result.relations}
    for rel in expected["relations"]:
        assert got.get((rel["a"], rel["b"])) == rel["relation"], rel
    story_of = {d: s for s in result.stories for d in s.documents}
    s000 = next(s for s in result.stories if any(_short(d) == "000" for d in s.documents))
    s004 = next(s for s in result.stories if any(_short(d) == "004" for d in s.documents))
    assert s004.id in s000.related or s000.id in s004.related
    roles = {_short(d): r for d, (r, _) in s000.roles.items()}
    assert roles == {"000": "canonical", "001": "rewrite", "002": "contains", "003": "same_story"}
    assert len(story_of) == 5


def test_fact_difference(analysed):
    expected, _, articles = analysed
    for fd in expected["fact_differences"]:
        e = explain(articles[fd["a"]], articles[fd["b"]])
        assert any(d.a_value == fd["a_value"] and d.b_value == fd["b_value"] for d in e.fact_differences)


def test_incremental_gives_the_same_stories(seed_dir, tmp_path):
    files = sorted(str(p) for p in seed_dir.glob("*.txt"))
    with Corpus(tmp_path / "inc.db") as corpus:
        corpus.add(files[:2])
        corpus.analyze()
        corpus.add(files[2:])
        result = corpus.analyze()
    stories = sorted(sorted(_short(d) for d in s.documents) for s in result.stories)
    assert stories == [["000", "001", "002", "003"], ["004"]]
