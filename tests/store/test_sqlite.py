import sqlite3

import pytest

from storytrace.records import Article, ReadProblem
from storytrace.store import SQLiteStore
from storytrace.store.migrations import MIGRATIONS, Migration, current_version, migrate


def _article(doc_id: str, locator: str = "", text: str = "Some article text.") -> Article:
    return Article(
        id=doc_id, source="/data/a.jsonl", locator=locator, kind="text", raw=text.encode(), text=text,
        norm=text.lower(), content_hash="h-" + text, language="en", title="T", metadata={"k": [1, 2]},
    )


def test_round_trip_keeps_raw_bytes_and_fields(tmp_path):
    with SQLiteStore(tmp_path / "s.db") as store:
        store.add_articles([_article("a", "line:1"), _article("b", "line:2", "Other text")])
        assert store.count() == 2
        got = store.get("b").article
        assert got.raw == b"Other text" and got.locator == "line:2" and got.metadata == {"k": [1, 2]}
        assert [d.article.id for d in store.documents(batch_size=1)] == ["a", "b"]
        assert store.get("missing") is None


def test_same_record_twice_is_replaced_not_duplicated(tmp_path):
    with SQLiteStore(tmp_path / "s.db") as store:
        store.add_articles([_article("a", "line:1", "v1")])
        store.add_articles([_article("a", "line:1", "v2")])
        assert store.count() == 1
        assert store.get("a").article.text == "v2"


def test_migrations_are_versioned_and_idempotent(tmp_path):
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    assert current_version(conn) == max(m.version for m in MIGRATIONS)
    assert migrate(conn) == []  # nothing left to apply
    conn.close()


def test_failed_migration_rolls_back(tmp_path):
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    bad = MIGRATIONS + (Migration(99, "broken", "CREATE TABLE ok_table (x INTEGER); CREATE TABLE broken ("),)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, bad)
    assert current_version(conn) == max(m.version for m in MIGRATIONS)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'ok_table'").fetchone() is None


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'now')")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this storytrace"):
        SQLiteStore(path)


def test_failed_batch_leaves_store_unchanged(tmp_path):
    with SQLiteStore(tmp_path / "s.db") as store:
        store.add_articles([_article("a", "line:1")])
        broken = _article("b", "line:2")
        broken.metadata = {"bad": object()}  # serialisable via default=str, so break the row instead
        broken.text = None  # type: ignore[assignment]  # NOT NULL violation mid-batch
        with pytest.raises(sqlite3.IntegrityError):
            store.add_articles([_article("c", "line:3"), broken])
        assert [d.article.id for d in store.documents()] == ["a"]


def test_sources_and_problems_bookkeeping(tmp_path):
    with SQLiteStore(tmp_path / "s.db") as store:
        assert not store.source_done("/x.txt", 10, 5)
        store.mark_source_done("/x.txt", 10, 5, records=1)
        assert store.source_done("/x.txt", 10, 5)
        assert not store.source_done("/x.txt", 11, 5)  # changed file is read again
        store.add_problems([ReadProblem("/x.jsonl", "line:3", "invalid JSON")])
        assert [str(p) for p in store.problems()] == ["/x.jsonl:line:3: invalid JSON"]


def test_temporary_store_is_removed_on_close():
    store = SQLiteStore()
    path = store.path
    assert path.exists()
    store.close()
    assert not path.exists()


def test_not_a_database_gives_clear_error(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ValueError, match="not a storytrace database"):
        SQLiteStore(bogus)


def test_missing_directory_gives_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        SQLiteStore(tmp_path / "nope" / "s.db")


def test_analysis_is_saved_and_searchable(tmp_path):
    from storytrace.cluster.analysis import Group, Story
    from storytrace.records import Relation

    with SQLiteStore(tmp_path / "s.db") as store:
        store.add_articles([_article("a", "line:1", "Vucic met Erdogan in Belgrade"), _article("b", "line:2", "Budget vote")])
        groups = [Group("g1", "a", ["a"]), Group("g2", "b", ["b"])]
        stories = [Story("s1", "a", ["a"], related=["s2"], roles={"a": ("canonical", 1.0)}), Story("s2", "b", ["b"])]
        store.save_analysis(groups, stories, [Relation("b", "a", "related", 0.4)])
        store.save_analysis(groups, stories, [Relation("b", "a", "related", 0.5)])  # replaces, not appends
        assert store.conn.execute("SELECT COUNT(*), MAX(score) FROM relations").fetchone() == (1, 0.5)
        assert store.conn.execute("SELECT relation FROM story_members WHERE doc_id='a'").fetchone() == ("canonical",)
        assert store.conn.execute("SELECT b FROM story_links WHERE a='s1'").fetchone() == ("s2",)
        assert store.search("belgrade") == ["a"]
        assert store.search("") == []
        store.add_articles([_article("a", "line:1", "Changed text about Skopje")])  # update keeps FTS in sync
        assert store.search("belgrade") == [] and store.search("skopje") == ["a"]


def test_sqlite_store_implements_the_store_interface() -> None:
    from storytrace.store import SQLiteStore, Store

    with SQLiteStore(None) as store:
        assert isinstance(store, Store)
        missing = [name for name in Store.__dict__ if not name.startswith("_") and not hasattr(store, name)]
        assert not missing
