"""explain() on the seeds and on bad input: relation, passages, facts, provenance."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from storytrace.explain import explain
from storytrace.records import RawRecord
from storytrace.text.clean import clean_record


def _article(doc_id: str, text: str, date: str | None = None):
    rec = RawRecord(source="t", locator=doc_id, content=text.encode(), kind="text", body=text, date=date)
    return clean_record(rec, doc_id)


def test_wrapper_page_contains_the_article_as_one_passage(seed_articles):
    a, b = seed_articles["000"], seed_articles["002"]
    e = explain(a, b)
    assert e.relation == "contains" and e.direction == (b.id, a.id)
    assert len(e.shared_passages) == 1
    p = e.shared_passages[0]
    assert p.a_start == 0 and a.text[p.a_end:].strip(" .\n") == ""  # all of 000's text
    assert e.only_a == []
    chrome = " ".join(e.text_b[s:t] for s, t in e.only_b)
    assert "AdBlock Detected" in chrome and "You Might Also Like" in chrome
    assert e.fact_differences == []
    assert e.provenance.original == a.id and e.provenance.decided
    assert e.to_dict()["spans_index"] == {"a": "article", "b": "original"}


def test_contradicting_year_reported_in_its_slot(seed_articles):
    e = explain(seed_articles["000"], seed_articles["003"])
    diffs = [(d.kind, d.a_value, d.b_value) for d in e.fact_differences]
    assert ("year", "2006", "2008") in diffs
    d = next(d for d in e.fact_differences if d.a_value == "2006")
    assert "independence" in d.a_sentence and "independence" in d.b_sentence


def test_spun_rewrite_aligns_in_order_without_false_facts(seed_articles):
    e = explain(seed_articles["000"], seed_articles["001"])
    assert e.fact_differences == []
    assert len(e.aligned_sentences) >= 6
    starts_a = [s.a_start for s in e.aligned_sentences]
    starts_b = [s.b_start for s in e.aligned_sentences]
    assert starts_a == sorted(starts_a) and starts_b == sorted(starts_b)


def test_diacritics_are_not_differences():
    a = _article("a", "Serbian President Aleksandar Vučić met Recep Tayyip Erdoğan in Belgrade on Friday.")
    b = _article("b", "Serbian President Aleksandar Vucic met Recep Tayyip Erdogan in Belgrade on Friday.")
    e = explain(a, b)
    assert e.relation in ("exact", "near_duplicate") and e.fact_differences == []


def test_bad_input_identical_empty_bilingual_long():
    text = "The council approved the budget of 4.5 million euros on Tuesday, officials said. " * 3
    same = explain(_article("a", text), _article("b", text))
    assert same.relation == "exact" and same.fact_differences == []
    de = _article("de", "Der Stadtrat hat am Dienstag den Haushalt von 4,5 Millionen Euro beschlossen, sagten Beamte.")
    mixed = explain(_article("en", text), de)
    assert mixed.relation in ("unrelated", "related", "same_story")
    long_text = " ".join(f"Paragraph {i} says the council met {i % 7} times in {1990 + i % 30}." for i in range(12000))
    big = explain(_article("l1", long_text), _article("l2", long_text.replace("council", "board", 50)))
    assert big.relation in ("near_duplicate", "exact") and big.shared_passages


def test_empty_text_is_refused_clearly():
    from storytrace.text.clean import NoArticleError

    with pytest.raises(NoArticleError):
        _article("empty", "   ")


def test_cli_explain_json_keys(seed_dir):
    exe = Path(sys.executable).with_name("storytrace")
    files = sorted(seed_dir.glob("*.txt"))
    proc = subprocess.run([str(exe), "explain", str(files[0]), str(files[3]), "--format", "json"], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert {"relation", "scores", "shared_passages", "only_a", "only_b", "fact_differences", "provenance"} <= set(out)
    missing = subprocess.run([str(exe), "explain", "nope-1", "nope-2"], capture_output=True, timeout=60)
    assert missing.returncode == 1 and b"nope-1: no such file or document id" in missing.stderr


def test_heaviest_increasing_chain():
    from storytrace.explain.explanation import _longest_increasing

    items = [(0, 5, 1.0), (1, 1, 0.5), (2, 2, 0.5), (3, 3, 0.5), (4, 0, 1.0), (5, 6, 1.0)]
    assert _longest_increasing(items) == [(1, 1, 0.5), (2, 2, 0.5), (3, 3, 0.5), (5, 6, 1.0)]
    assert _longest_increasing([(0, 0, 1.0), (1, 0, 2.0)]) == [(1, 0, 2.0)]  # strictly increasing b
    assert _longest_increasing([]) == []
