"""Story similarity and compare(): seeds, the embedding, and bad input (never a crash, a documented fallback)."""
import numpy as np
import pytest

from storytrace.fingerprint import semantic
from storytrace.match import story as sm
from storytrace.match.story import compare, story_similarity
from storytrace.records import RawRecord
from storytrace.text.clean import clean_record


def _article(doc_id: str, text: str, date: str | None = None):
    rec = RawRecord(source="t", locator=doc_id, content=text.encode(), kind="text", body=text, date=date)
    return clean_record(rec, doc_id)


def test_embed_is_float16_unit_vectors():
    e = semantic.embed(["Serbia and Turkey discuss drones.", "Serbien und die Türkei sprechen über Drohnen.", ""])
    assert e.dtype == np.float16 and e.shape == (3, semantic.DIM)
    norms = np.linalg.norm(e.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=2e-3)
    cross = float(e[0].astype(np.float32) @ e[1].astype(np.float32))
    assert cross > 0.6  # the same sentence in German is close in the multilingual space
    assert semantic.embed("one text").shape == (1, semantic.DIM)
    assert semantic.embed([]).shape == (0, semantic.DIM)


@pytest.mark.parametrize("other, relation", [("001", "rewrite"), ("002", "contains"), ("003", "same_story"), ("004", "related")])
def test_seed_relations(seed_articles, other, relation):
    c = compare(seed_articles[other], seed_articles["000"])
    assert c.relation == relation
    assert 0.0 <= c.score <= 1.0
    assert (c.a, c.b) == (seed_articles[other].id, seed_articles["000"].id)  # the copy/newer side first


def test_seed_similarity_orders_the_cases(seed_articles):
    a = seed_articles["000"]
    views = dict(zip(seed_articles, sm.build_views(list(seed_articles.values()))))
    s = {k: sm.score_pair(views["000"], v)[0] for k, v in views.items() if k != "000"}
    assert s["002"] >= s["001"] > s["003"] > sm.same_story_threshold()
    assert s["004"] >= sm.same_story_threshold()  # the score alone says same story ...
    assert sm.time_conflict(views["004"], views["000"])  # ... the event time says a later event
    assert not sm.time_conflict(views["003"], views["000"])
    assert views["000"].event == (2024 * 12 + 9,) * 2  # "On Friday, October 2024, ..." in the lead
    assert views["004"].event[0] == 2025 * 12  # "in 2024, they announced ...": background, so later
    assert story_similarity(a.text, a.text) > 0.95


def test_compare_accepts_plain_strings(seeds):
    c = compare(seeds["001"], seeds["000"])
    assert c.relation == "rewrite" and c.a == "a" and c.b == "b"
    assert set(c.scores) >= {"cos", "char5_ovl", "story_similarity"}


def test_publication_dates_decide_direction_and_gap():
    text = ("Flooding closed the main bridge in Riverton on Monday after three days of heavy rain. Officials said "
            "the bridge would stay closed until engineers inspect it. Residents were told to use the northern ring road.")
    reworded = ("The main bridge of Riverton was shut on Monday because of floods that followed three days of rain. "
                "According to officials it remains closed until an inspection by engineers. People should take the "
                "northern ring road instead.")
    old, new = _article("old", text, "2024-03-04"), _article("new", reworded, "2024-03-05")
    c = compare(old, new)
    assert c.relation in ("rewrite", "same_story") and (c.a, c.b) == ("new", "old")
    later = _article("later", reworded, "2024-09-30")
    assert compare(later, old).relation == "related"  # same actors, half a year later: another event


BAD_INPUT = {
    "title_only": ("Serbia and Turkey agree on joint drone production", "Erdogan and Vucic agree to build drones together"),
    "uncovered_language": ("ሰርቢያና ቱርክ የድሮን ምርት ላይ ተስማሙ። ስብሰባው በቤልግሬድ ተካሄደ።", "საქართველოს პარლამენტმა ახალი კანონი მიიღო."),
    "mixed_language": ("Serbia and Turkey: Zusammenarbeit bei Drohnen, la cooperación militar avanza.",
                       "Serbien und die Türkei wollen gemeinsam Drohnen bauen, says Vucic."),
    "mojibake": ("PrÃ¤sident VuÄiÄ‡ traf ErdoÄŸan in Belgrad, um Ã¼ber Drohnen zu sprechen.",
                 "Präsident Vučić traf Erdoğan in Belgrad, um über Drohnen zu sprechen."),
    "no_dates_numbers_or_names": ("the meeting went well and both sides were happy about the talks",
                                  "everyone agreed that the talks had gone well"),
    "empty": ("", "Some text here."),
    "punctuation_only": ("!!! ... ???", "--- ***"),
    "html": ("<html><body><p>Serbia and Turkey discuss joint drone production in Belgrade.</p></body></html>",
             "Serbia and Turkey discuss joint drone production in Belgrade."),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_never_crashes(case):
    a, b = BAD_INPUT[case]
    c = compare(a, b)
    assert c.relation in ("exact", "near_duplicate", "contains", "rewrite", "same_story", "related", "unrelated")
    assert 0.0 <= c.score <= 1.0
    assert all(np.isfinite(v) for v in c.scores.values())


def test_bad_input_fallbacks():
    assert compare("", "Some text here.").score == 0.0  # nothing to compare: score 0
    assert compare(*BAD_INPUT["mojibake"]).relation in ("exact", "near_duplicate")  # ftfy repairs it first
    same = BAD_INPUT["uncovered_language"][0]
    assert compare(same, same).relation == "exact"
    assert compare(*BAD_INPUT["title_only"]).score > compare(BAD_INPUT["title_only"][0], "Heavy rain floods Riverton").score


def test_ordered_chain_is_one_to_one_and_in_order():
    sim = np.array([[0.9, 0.8, 0.0], [0.95, 0.0, 0.0], [0.0, 0.0, 0.8]])
    chain = sm.ordered_chain(sim, 0.75)
    assert chain in ([(0, 1), (2, 2)], [(1, 0), (2, 2)], [(0, 0), (2, 2)])
    assert [i for i, _ in chain] == sorted({i for i, _ in chain}) and [j for _, j in chain] == sorted({j for _, j in chain})
    assert sm.ordered_chain(np.zeros((0, 3))) == []


def test_char_grams_and_overlap():
    g = sm.char_grams("vucic met erdogan in belgrade")
    assert g.dtype == np.uint64 and np.all(np.diff(g.astype(np.float64)) >= 0)
    assert sm._overlap(g, g) == 1.0 and sm._overlap(g, sm.char_grams("completely different")) < 0.2
    assert len(sm.char_grams("ab")) == 1


def test_compare_decides_as_the_story_engine_does(seed_articles):
    """One path: for two documents (no corpus to weigh evidence with) compare's story relation is what
    build_stories makes of them: one story for rewrite/same_story, a related link for related."""
    from storytrace.cluster.analysis import Group
    from storytrace.cluster.stories import build_stories

    arts = [seed_articles[k] for k in sorted(seed_articles)]
    for a, b in [(arts[0], arts[1]), (arts[0], arts[3]), (arts[0], arts[4]), (arts[1], arts[4])]:
        c = compare(a, b)
        if c.relation in ("exact", "near_duplicate", "contains"):
            continue
        stories, _ = build_stories([a, b], [Group("g1", a.id, [a.id]), Group("g2", b.id, [b.id])], [])
        together = len(stories) == 1
        linked = len(stories) == 2 and stories[0].related == [stories[1].id]
        assert together == (c.relation in ("rewrite", "same_story")), (a.id, b.id, c.relation)
        assert linked == (c.relation == "related"), (a.id, b.id, c.relation)


def test_compare_of_two_headlines_follows_the_short_text_rule():
    from storytrace.cluster.stories import cluster_texts

    pairs = [("serbia turkey drone production", "turkey serbia drones joint production"),
             ("riverton bridge closed floods", "central bank holds interest rates")]
    for a, b in pairs:
        c = compare(a, b)
        labels = cluster_texts([a, b])
        assert (labels[0] == labels[1]) == (c.relation == "same_story"), (a, b, c.relation, c.scores)
    assert compare(*pairs[0]).relation == "same_story" and compare(*pairs[1]).relation == "unrelated"
