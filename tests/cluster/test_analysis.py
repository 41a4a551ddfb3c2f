"""cluster.analysis: groups of stored relations, checked with the settings the relations were found with."""
import random

from storytrace.cluster.analysis import build_groups
from storytrace.fingerprint import DedupConfig
from storytrace.match.verify import verify
from storytrace.records import Article, Relation


def _article(doc_id: str, words: list[str]) -> Article:
    text = " ".join(words)
    return Article(id=doc_id, source="t", locator="", kind="text", raw=b"", text=text, norm=text, content_hash=doc_id)


def _edited(words: list[str], rate: float, rng: random.Random) -> list[str]:
    return [f"w{rng.randrange(10**6)}" if rng.random() < rate else w for w in words]


def test_guard_verifies_with_the_callers_config() -> None:
    rng = random.Random(3)
    base = [f"word{rng.randrange(5000)}" for _ in range(400)]
    x = _article("x", base)
    y = _article("y", base[:300])  # inside x
    w = _article("w", base[50:330])  # inside x
    z = _article("z", _edited(base[:320], 0.06, rng))  # an edited copy, no relation to x given
    strict = DedupConfig(near_threshold=0.97, containment_threshold=0.97)
    assert verify(z.norm, x.norm).relation is not None and verify(z.norm, x.norm, strict).relation is None
    relations = [Relation("x", "y", "contains", 1.0), Relation("x", "w", "contains", 1.0),
                 Relation("y", "z", "contains", 0.9)]
    default = {g.canonical: sorted(g.members) for g in build_groups([x, y, w, z], relations)}
    assert default == {"x": ["w", "x", "y", "z"]}
    checked = {g.canonical: sorted(g.members) for g in build_groups([x, y, w, z], relations, config=strict)}
    assert checked["x"] == ["w", "x", "y"] and ["z"] in checked.values()
