"""Incremental duplicate detection over the store: new documents only, same result as one batch."""
import json
import random
import shutil

from storytrace import Corpus
from storytrace.engines.incremental import index_dir, update_duplicates

BASE = (
    "The regional parliament voted on Thursday to approve a new water management law after months of debate "
    "between farmers and environmental groups. The law sets limits on groundwater pumping during droughts and "
    "creates a fund of 40 million euros to repair leaking irrigation channels across the province. Critics said "
    "the limits come too late for rivers that have already run dry, while farm unions warned of lost harvests. "
)


def _write(path, docs):
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in docs), encoding="utf-8")


WORDS = BASE.lower().replace(".", "").split() + [f"w{i}" for i in range(400)]


def _docs(prefix, n, copy_of=None):
    rng = random.Random(prefix)
    docs = []
    for k in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(120)) + "."
        docs.append((f"{prefix}{k}", text))
    if copy_of is not None:
        docs.append((f"{prefix}copy", "Breaking: " + copy_of + " Share this article."))
    return docs


def _partition(result):
    groups = {}
    for d in result["documents"]:
        groups.setdefault(d["group"], set()).add(d["id"])
    return sorted(sorted(g) for g in groups.values())


def test_incremental_matches_batch_and_only_fingerprints_new(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    docs_a = _docs("a", 30)
    _write(first, docs_a)
    _write(second, _docs("b", 10, copy_of=docs_a[3][1]))
    with Corpus(tmp_path / "inc.db") as corpus:
        corpus.add([str(first)])
        corpus.analyze()
        corpus.add([str(second)])
        report = update_duplicates(corpus.store)
        assert report.new_documents == 11 and not report.rebuilt
        assert update_duplicates(corpus.store).new_documents == 0  # nothing new: no work
        incremental = corpus.analyze().to_dict()
    with Corpus(tmp_path / "batch.db") as corpus:
        corpus.add([str(first), str(second)])
        batch = corpus.analyze().to_dict()
    assert _partition(incremental) == _partition(batch)
    assert ["a3", "bcopy"] in _partition(batch)
    rels = {frozenset((r["a"], r["b"])): r["relation"] for r in batch["relations"]}
    assert rels[frozenset(("bcopy", "a3"))] in ("contains", "near_duplicate")


def test_lost_index_or_changed_document_triggers_rebuild(tmp_path):
    data = tmp_path / "a.jsonl"
    _write(data, _docs("a", 12, copy_of=BASE))
    with Corpus(tmp_path / "c.db") as corpus:
        corpus.add([str(data)])
        before = _partition(corpus.analyze().to_dict())
        shutil.rmtree(index_dir(corpus.store))  # a crash between the commit and the index swap
        corpus.add_text("A completely different text about football and the final score of the cup match.", doc_id="new")
        report = update_duplicates(corpus.store)
        assert report.rebuilt and report.new_documents == 14
        after = _partition(corpus.analyze().to_dict())
        assert [g for g in after if g != ["new"]] == before
        corpus.add_text(BASE, doc_id="new")  # same id and source: the document changes
        assert update_duplicates(corpus.store).rebuilt
