from storytrace.records import Article
from storytrace.web.present import canonical_reason


def _article(doc_id: str, words: int, raw_words: int | None = None, date: str | None = None) -> Article:
    text = " ".join(f"w{i}" for i in range(words))
    raw = " ".join(f"w{i}" for i in range(raw_words or words))
    return Article(id=doc_id, source=f"{doc_id}.txt", locator="file", kind="text", raw=raw.encode(), text=text,
                   norm=text, content_hash=doc_id, date=date)


def test_reason_names_the_deciding_criterion():
    clean, page = _article("a", 500), _article("b", 500, raw_words=1500)
    assert canonical_reason([page, clean], "a").startswith("the clean article")
    full, excerpt = _article("a", 500), _article("b", 150)
    assert canonical_reason([full, excerpt], "a").startswith("the most complete text")
    # a medoid beats a slightly longer copy that fewer members verified against
    docs = [_article("a", 500), _article("b", 520), _article("c", 498), _article("d", 497)]
    links = [("a", "b"), ("a", "c"), ("a", "d"), ("c", "d")]
    reason = canonical_reason(docs, "a", links)
    assert reason.startswith("the copy most others verified against") and "3 verified" in reason
    assert canonical_reason(docs, "b").startswith("the most complete text")
    dated = [_article("a", 500, date="2024-01-01"), _article("b", 500, date="2024-02-01")]
    assert "2024-01-01" in canonical_reason(dated, "a")


def test_reason_for_other_rules_and_odd_input():
    docs = [_article("a", 500), _article("b", 100)]
    assert canonical_reason(docs, "b") == "chosen by another keep rule (--keep first or longest)"
    assert canonical_reason(docs, "zzz") == "kept by the canonical rule"
    assert canonical_reason(docs[:1], "a") == "the only document of its group"
    assert canonical_reason([_article("a", 5), _article("b", 5)], "a") == "identical candidates: the first one ingested"
