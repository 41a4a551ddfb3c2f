"""Incremental duplicate detection over the store: new documents only, same result as one batch."""
import json
import random
import shutil

import pytest

from storytrace import Corpus
from storytrace.engines.incremental import index_dir, stored_pairs, update_duplicates
from storytrace.fingerprint import DedupConfig
from storytrace.match import candidates as candidates_module
from storytrace.match import segments as segments_module
from storytrace.match.candidates import CandidateIndex

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


def _pairs(store):
    return sorted((a, b, rel) for a, b, rel, *_ in stored_pairs(store))


def _ingest(corpus, docs):
    for doc_id, text in docs:
        corpus.add_text(text, doc_id=doc_id)


def _updates(tmp_path, name, chunks):
    """Update after each chunk of documents; return the verified pairs, the reports and the index directory."""
    with Corpus(tmp_path / name) as corpus:
        reports = []
        for chunk in chunks:
            _ingest(corpus, chunk)
            reports.append(update_duplicates(corpus.store))
        return _pairs(corpus.store), reports, index_dir(corpus.store)


def _family():
    """Unrelated documents plus copies and excerpts of a few of them, enough to link across updates."""
    docs = _docs("u", 40)
    docs += [(f"c{k}", "Update: " + docs[k][1]) for k in range(0, 40, 3)]
    docs += [(f"x{k}", " ".join(docs[k][1].split()[10:90]) + ".") for k in range(1, 40, 5)]
    docs += [("base", BASE), ("base2", "Breaking: " + BASE)]
    random.Random(4).shuffle(docs)
    return docs


def test_many_small_updates_equal_one_update_and_merge_segments(tmp_path):
    docs = _family()
    batch, _, _ = _updates(tmp_path, "batch.db", [docs])
    chunks = [docs[i : i + 3] for i in range(0, len(docs), 3)]
    incremental, reports, path = _updates(tmp_path, "inc.db", chunks)
    assert not any(r.rebuilt for r in reports[1:])
    assert incremental == batch and len(batch) > 10
    manifest = json.loads((path / "manifest.json").read_text())
    assert len(manifest["segments"]) < len(chunks) / 2  # the tiered policy merged them
    assert manifest["size"] == len(docs)
    assert {"open", "fingerprint", "candidates", "save", "merge"} <= set(reports[-1].timings)


def test_torn_update_before_the_index_swap_rolls_back_and_continues(tmp_path, monkeypatch):
    docs = _family()
    batch, _, _ = _updates(tmp_path, "batch.db", [docs])
    real_write = segments_module.write_manifest

    def crash(*args, **kwargs):
        raise OSError("killed while writing the index")

    with Corpus(tmp_path / "torn.db") as corpus:
        _ingest(corpus, docs[:30])
        update_duplicates(corpus.store)
        _ingest(corpus, docs[30:45])
        monkeypatch.setattr(candidates_module, "write_manifest", crash)
        with pytest.raises(OSError):
            update_duplicates(corpus.store)  # the new segment is on disk, the manifest and the rows are not
        monkeypatch.setattr(candidates_module, "write_manifest", real_write)
        assert corpus.store.conn.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0] == 30
        report = update_duplicates(corpus.store)
        assert not report.rebuilt and report.new_documents == 15  # old index still valid: no rebuild
        _ingest(corpus, docs[45:])
        assert not update_duplicates(corpus.store).rebuilt
        assert _pairs(corpus.store) == batch
        live = {s["name"] for s in json.loads((index_dir(corpus.store) / "manifest.json").read_text())["segments"]}
        assert {p.name for p in index_dir(corpus.store).iterdir()} == live | {"manifest.json"}  # orphan removed


def test_index_ahead_of_database_or_other_config_rebuilds(tmp_path, monkeypatch):
    docs = _family()
    batch, _, _ = _updates(tmp_path, "batch.db", [docs])
    real_save = CandidateIndex.save

    def save_then_crash(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        raise OSError("killed between the index swap and the commit")

    with Corpus(tmp_path / "ahead.db") as corpus:
        _ingest(corpus, docs[:30])
        update_duplicates(corpus.store)
        _ingest(corpus, docs[30:])
        monkeypatch.setattr(CandidateIndex, "save", save_then_crash)
        with pytest.raises(OSError):
            update_duplicates(corpus.store)
        monkeypatch.setattr(CandidateIndex, "save", real_save)
        report = update_duplicates(corpus.store)
        assert report.rebuilt and report.new_documents == len(docs)
        assert _pairs(corpus.store) == batch
        other = update_duplicates(corpus.store, DedupConfig(anchor_df_cap=8))
        assert other.rebuilt and other.new_documents == len(docs)
        (index_dir(corpus.store) / "manifest.json").write_text("{not json")
        assert update_duplicates(corpus.store).rebuilt
        assert _pairs(corpus.store) == batch


def test_changed_document_is_flagged_without_a_scan(tmp_path):
    docs = _family()[:20]
    with Corpus(tmp_path / "t.db") as corpus:
        _ingest(corpus, docs)
        update_duplicates(corpus.store)
        conn = corpus.store.conn
        flag = "SELECT COUNT(*) FROM index_state WHERE name = 'stale'"
        _ingest(corpus, [("late", BASE)])
        corpus.add_text(BASE + " Updated.", doc_id="late")  # changed before it was ever indexed: no flag
        assert conn.execute(flag).fetchone()[0] == 0
        assert not update_duplicates(corpus.store).rebuilt
        corpus.add_text(docs[0][1], doc_id=docs[0][0])  # the same text again: no flag
        assert conn.execute(flag).fetchone()[0] == 0
        corpus.add_text(BASE, doc_id=docs[0][0])
        assert conn.execute(flag).fetchone()[0] == 1
        assert update_duplicates(corpus.store).rebuilt
        assert conn.execute(flag).fetchone()[0] == 0
        # a store of schema 5 (no trigger) whose document changed: migration 6 adds the trigger and the flag
        conn.execute("DROP TRIGGER dup_index_stale")
        conn.execute("DELETE FROM schema_migrations WHERE version = 6")
        corpus.add_text(BASE + " Again.", doc_id=docs[1][0])
        assert conn.execute(flag).fetchone()[0] == 0
    with Corpus(tmp_path / "t.db") as corpus:
        conn = corpus.store.conn
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'dup_index_stale'").fetchone()
        assert conn.execute(flag).fetchone()[0] == 1
        assert update_duplicates(corpus.store).rebuilt


def test_failed_merge_after_the_commit_keeps_the_update(tmp_path, monkeypatch, caplog):
    docs = _family()
    batch, _, _ = _updates(tmp_path, "batch.db", [docs])

    def full_disk(self, *args, **kwargs):
        raise OSError("no space left on device")

    with Corpus(tmp_path / "m.db") as corpus:
        monkeypatch.setattr(CandidateIndex, "merge", full_disk)
        for i in range(0, len(docs), 4):
            _ingest(corpus, docs[i : i + 4])
            assert not update_duplicates(corpus.store).rebuilt or i == 0
        assert "merge failed" in caplog.text
        monkeypatch.undo()
        path = index_dir(corpus.store)
        unmerged = len(json.loads((path / "manifest.json").read_text())["segments"])
        _ingest(corpus, [("late", "Breaking: " + docs[2][1])])
        assert not update_duplicates(corpus.store).rebuilt
        assert len(json.loads((path / "manifest.json").read_text())["segments"]) < unmerged
        assert set(batch) <= set(_pairs(corpus.store))  # every pair of the one-shot analysis, plus the late copy's
