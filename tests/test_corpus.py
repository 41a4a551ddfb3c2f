"""End-to-end tests of the Corpus API: ingest, idempotency, resume after a crash, exact groups."""
import gzip
import json
import shutil

import pytest

import storytrace
from storytrace import Corpus
from storytrace.io.ids import derive_id
from storytrace.records import RawRecord

ARTICLE = (
    "The city council approved the new budget on Tuesday after a long debate about school funding. "
    "Council members voted seven to two in favour of the plan, which raises spending on schools by "
    "four percent and cuts road maintenance. The mayor said the vote showed the council cared about children."
)


def _jsonl(path, n, start=0):
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            fh.write(json.dumps({"id": f"doc{i}", "text": f"Story number {i}. " + ARTICLE.replace("Tuesday", f"day {i}")}) + "\n")


def test_seeds_ingest_with_stable_ids(seed_dir, tmp_path):
    with Corpus(tmp_path / "c.db") as corpus:
        report = corpus.add([str(seed_dir)])
        assert report.added == 5 and not report.problems
        ids = sorted(a.id for a in corpus.documents())
        assert [i[:3] for i in ids] == ["000", "001", "002", "003", "004"]
        assert all(len(i) == len("000_97e066c4a8e86d61") for i in ids)
        assert all(a.language == "en" for a in corpus.documents())


def test_add_is_idempotent_and_incremental(tmp_path):
    data = tmp_path / "a.jsonl"
    _jsonl(data, 20)
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        assert corpus.add([str(data)]).added == 20
    with Corpus(db) as corpus:
        again = corpus.add([str(data)])
        assert again.added == 0 and again.files_skipped == 1
        more = tmp_path / "b.jsonl"
        _jsonl(more, 5, start=20)
        assert corpus.add([str(data), str(more)]).added == 5
        assert len(corpus) == 25


def test_interrupted_ingest_resumes_without_loss_or_duplicates(tmp_path, monkeypatch):
    data = tmp_path / "big.jsonl"
    _jsonl(data, 1200)  # three batches of 500
    db = tmp_path / "c.db"
    corpus = Corpus(db)
    original = corpus.store.add_articles
    calls = {"n": 0}

    def crash_on_second_batch(batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process is killed mid-ingest
        return original(batch)

    monkeypatch.setattr(corpus.store, "add_articles", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        corpus.add([str(data)])
    assert len(corpus) == 500  # the first batch landed whole, the second not at all
    corpus.close()
    with Corpus(db) as resumed:
        report = resumed.add([str(data)])
        assert report.unchanged == 500 and report.added == 700
        assert len(resumed) == 1200
        assert len({a.id for a in resumed.documents()}) == 1200


def test_exact_duplicates_are_grouped(seed_dir, tmp_path):
    for name in ("000_97e066c4a8e86d61.txt", "003_e02dd76d310cbf88.txt"):
        shutil.copy(seed_dir / name, tmp_path / name)
    with gzip.open(tmp_path / "copy_of_000.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write((seed_dir / "000_97e066c4a8e86d61.txt").read_text(encoding="utf-8").upper())
    with Corpus() as corpus:
        corpus.add([str(tmp_path)])
        result = corpus.analyze().to_dict()
    exact = [r for r in result["relations"] if r["relation"] == "exact"]
    assert len(exact) == 1 and {exact[0]["a"], exact[0]["b"]} == {"copy_of_000", "000_97e066c4a8e86d61"}
    docs = {d["id"]: d for d in result["documents"]}
    assert docs["copy_of_000"]["group"] == docs["000_97e066c4a8e86d61"]["group"]
    assert docs["003_e02dd76d310cbf88"]["group"] != docs["000_97e066c4a8e86d61"]["group"]
    assert sum(d["is_canonical"] for d in result["documents"]) == 2


def test_bad_records_are_reported_and_good_ones_kept(tmp_path):
    data = tmp_path / "mixed.jsonl"
    data.write_text(
        json.dumps({"id": "ok1", "text": ARTICLE}) + "\n{not json\n" + json.dumps({"id": "notext"}) + "\n"
        + json.dumps({"id": "ok2", "text": ARTICLE + " More."}) + "\n",
        encoding="utf-8",
    )
    seen = []
    with Corpus() as corpus:
        report = corpus.add([str(data), str(tmp_path / "missing.txt")], on_problem=seen.append)
        assert report.added == 2
        assert sorted(a.id for a in corpus.documents()) == ["ok1", "ok2"]
        assert len(seen) == 3 and len(corpus.store.problems()) == 3
    assert any("line:2" in str(p) for p in seen) and any("missing.txt" in str(p) for p in seen)


def test_same_stem_in_two_directories_gets_distinct_ids(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "story.txt").write_text(f"{sub.upper()} edition. " + ARTICLE, encoding="utf-8")
    with Corpus() as corpus:
        corpus.add([str(tmp_path)])
        ids = sorted(a.id for a in corpus.documents())
    assert len(ids) == 2 and ids[0] == "story" and ids[1].startswith("story~")


def test_derive_id_rules():
    rec = RawRecord(source="/x/feed.jsonl.gz", locator="line:3", content=b"{}", kind="text", body="t")
    assert derive_id(rec) == "feed:line:3"
    rec.record_id = "abc"
    assert derive_id(rec) == "abc"


def test_public_api_surface(tmp_path):
    assert storytrace.normalize("Vučić") == "vucic"
    extracted = storytrace.extract("<html><head><title>T</title></head><body><article><p>" + ARTICLE + "</p></article></body></html>")
    assert "council approved" in extracted.text
    with storytrace.Corpus() as corpus:
        article = corpus.add_text(ARTICLE, doc_id="manual")
        assert corpus.get("manual").norm == article.norm


def test_public_api_names_match_the_lazy_exports() -> None:
    import storytrace

    assert set(storytrace.__all__) == {"__version__", *storytrace._EXPORTS}
    for name in storytrace.__all__:
        assert getattr(storytrace, name) is not None
