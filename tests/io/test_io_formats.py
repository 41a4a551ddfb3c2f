"""Each format read correctly, plain and compressed (gzip, zstd), with its locator, content and fields."""
from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from storytrace.io import FALLBACK_TEXT_FIELDS, detect_format, read_path
from storytrace.io.base import ReaderOptions, sniff_format

CODECS = [None, "gz", "zst"]
HTML = "<html><head><title>Flood</title></head><body><article><p>Water rose in the valley.</p></article></body></html>"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.txt", "txt"), ("a.md", "txt"), ("README", "txt"), ("a.TXT.GZ", "txt"),
        ("a.html", "html"), ("a.htm.zst", "html"), ("a.html.zstd", "html"),
        ("a.jsonl", "jsonl"), ("a.json", "jsonl"), ("a.ndjson.gz", "jsonl"),
        ("a.warc", "warc"), ("a.warc.gz", "warc"), ("crawl/x.warc.zst", "warc"),
        ("a.parquet", "parquet"), ("a.parquet.gz", "parquet"),
    ],
)
def test_detect_format_by_extension_under_compression(name, fmt):
    assert detect_format(name) == fmt


@pytest.mark.parametrize(
    ("head", "fmt"),
    [(b'{"text": 1}', "jsonl"), (b"\xef\xbb\xbf  <html>", "html"), (b"WARC/1.1\r\n", "warc"), (b"PAR1", "parquet"),
     (b"Just some words", "txt"), (b"\n\n  [1]", "jsonl")],
)
def test_sniff_format(head, fmt):
    assert sniff_format(head) == fmt


@pytest.mark.parametrize("codec", CODECS)
def test_text_file_is_one_record(write, read, split, codec):
    path = write("story.txt", "Storm hits the coast.\nResidents evacuated.\n", codec)
    recs, probs = split(read(path))
    assert probs == []
    [rec] = recs
    assert (rec.source, rec.locator, rec.kind) == (str(path), "", "text")
    assert rec.body == "Storm hits the coast.\nResidents evacuated.\n"
    assert rec.content == b"Storm hits the coast.\nResidents evacuated.\n"


def test_unknown_text_extension_reads_as_text(write, read, split):
    recs, probs = split(read(write("notes.md", "# Title\n\nBody text.")))
    assert probs == [] and recs[0].kind == "text" and recs[0].body.startswith("# Title")


@pytest.mark.parametrize("codec", CODECS)
def test_html_file_is_one_html_record(write, read, split, codec):
    path = write("page.html", HTML, codec)
    recs, probs = split(read(path))
    assert probs == []
    [rec] = recs
    assert (rec.kind, rec.locator, rec.body) == ("html", "", HTML)


def test_html_meta_charset_is_honoured(write, read, split):
    page = '<html><head><meta charset="windows-1251"></head><body><p>Новости дня: в Москве прошёл дождь.</p></body></html>'
    recs, _ = split(read(write("ru.html", page.encode("cp1251"))))
    assert "Новости дня" in recs[0].body


def test_html_without_article_is_still_yielded(write, read, split):
    recs, probs = split(read(write("nav.html", "<html><body><nav><a href='/'>Home</a></nav></body></html>")))
    assert probs == [] and len(recs) == 1


# -- JSONL ----------------------------------------------------------------------------------------------------
JSONL = (
    '{"id": "a1", "text": "First story.", "title": "One", "date": "2024-01-02", "url": "https://x/1", "section": "world"}\n'
    '{"id": 2, "text": "Second story.", "author": ["Ann", "Bo"]}\n'
)


@pytest.mark.parametrize("codec", CODECS)
def test_jsonl_one_record_per_line(write, read, split, codec):
    path = write("feed.jsonl", JSONL, codec)
    recs, probs = split(read(path))
    assert probs == []
    first, second = recs
    assert (first.locator, first.record_id, first.title, first.date, first.url) == ("line:1", "a1", "One", "2024-01-02", "https://x/1")
    assert first.metadata == {"section": "world"} and first.kind == "text" and first.body == "First story."
    assert first.content == JSONL.splitlines()[0].encode()
    assert (second.locator, second.record_id, second.author, second.title) == ("line:2", "2", "Ann, Bo", None)


def test_jsonl_crlf_blank_lines_and_missing_final_newline(write, read, split):
    path = write("crlf.jsonl", b'{"text": "a"}\r\n\r\n   \n{"text": "b"}')
    recs, probs = split(read(path))
    assert probs == [] and [(r.locator, r.body, r.content) for r in recs] == [
        ("line:1", "a", b'{"text": "a"}'), ("line:4", "b", b'{"text": "b"}')]


@pytest.mark.parametrize("field", FALLBACK_TEXT_FIELDS)
def test_jsonl_text_fallback_fields(write, read, split, field):
    recs, probs = split(read(write("f.jsonl", json.dumps({field: "Fallback body.", "other": 1}) + "\n")))
    assert probs == [] and recs[0].body == "Fallback body." and recs[0].metadata == {"other": 1}


def test_fallback_order_prefers_text_field_then_list_order(write, read, split):
    line = json.dumps({"body": "from body", "content": "from content", "text": "from text"})
    recs, _ = split(read(write("f.jsonl", line + "\n")))
    assert recs[0].body == "from text" and recs[0].metadata == {"body": "from body", "content": "from content"}
    recs, _ = split(read(write("g.jsonl", json.dumps({"body": "b", "content": "c"}) + "\n")))
    assert recs[0].body == "c"


@pytest.mark.parametrize(("key", "value", "expected"), [("Id", 5, "5"), ("_id", {"$oid": "ab"}, '{"$oid":"ab"}'), ("id", 1.5, "1.5")])
def test_jsonl_id_fallbacks_and_non_string_ids(write, read, split, key, value, expected):
    recs, _ = split(read(write("i.jsonl", json.dumps({key: value, "text": "t"}) + "\n")))
    assert recs[0].record_id == expected and key not in recs[0].metadata


def test_jsonl_custom_field_options(write, read, split):
    line = json.dumps({"uid": 9, "maintext": "Body.", "headline": "H", "published": 1700000000, "link": "u", "id": "x"})
    recs, probs = split(read(write("c.jsonl", line + "\n"), text_field="maintext", id_field="uid",
                             title_field="headline", date_field="published", url_field="link"))
    assert probs == []
    rec = recs[0]
    assert (rec.record_id, rec.body, rec.title, rec.date, rec.url) == ("9", "Body.", "H", "1700000000", "u")
    assert rec.metadata == {"id": "x"}


def test_jsonl_html_field_gives_html_kind(write, read, split):
    lines = json.dumps({"html": HTML, "text": "plain"}) + "\n" + json.dumps({"text": "only text"}) + "\n"
    recs, probs = split(read(write("h.jsonl", lines), html_field="html"))
    assert probs == []
    assert (recs[0].kind, recs[0].body, recs[0].metadata) == ("html", HTML, {"text": "plain"})
    assert (recs[1].kind, recs[1].body) == ("text", "only text")


def test_jsonl_non_utf8_lines_are_decoded(write, read, split):
    text = "Der Bürgermeister äußerte sich über die Straßenbahn. Größere Änderungen seien nötig."
    data = json.dumps({"text": text}, ensure_ascii=False).encode("cp1252") + b"\n"
    recs, probs = split(read(write("de.jsonl", data)))
    assert probs == [] and recs[0].body == text


def test_jsonl_bom_on_first_line(write, read, split):
    recs, probs = split(read(write("bom.jsonl", b'\xef\xbb\xbf{"text": "a"}\n')))
    assert probs == [] and recs[0].body == "a"


# -- Parquet --------------------------------------------------------------------------------------------------
def _parquet_bytes(table: pa.Table, **kwargs) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **kwargs)
    return sink.getvalue().to_pybytes()


@pytest.mark.parametrize("codec", CODECS)
def test_parquet_one_record_per_row(write, read, split, codec):
    import datetime as dt

    table = pa.table({
        "id": [10, 11, 12], "text": ["Row zero.", "Row one.", "Row two."], "title": ["A", None, "C"],
        "date": [dt.datetime(2024, 3, 1, 12, 0), None, None], "lang": ["en", "fr", "de"],
    })
    path = write("t.parquet", _parquet_bytes(table, row_group_size=2), codec)
    recs, probs = split(read(path))
    assert probs == []
    assert [(r.locator, r.record_id, r.body) for r in recs] == [("row:0", "10", "Row zero."), ("row:1", "11", "Row one."), ("row:2", "12", "Row two.")]
    assert recs[0].date == "2024-03-01T12:00:00" and recs[0].title == "A" and recs[1].title is None
    assert recs[0].metadata == {"lang": "en"}
    assert json.loads(recs[0].content) == {"id": 10, "text": "Row zero.", "title": "A", "date": "2024-03-01T12:00:00", "lang": "en"}
    assert b" " not in recs[2].content.replace(b"Row two.", b"")  # compact JSON


def test_parquet_reads_in_batches(write, read, split, monkeypatch):
    import storytrace.io.parquet as pqmod

    monkeypatch.setattr(pqmod, "MAX_BATCH_ROWS", 7)
    table = pa.table({"text": [f"row {i}" for i in range(50)]})
    recs, probs = split(read(write("many.parquet", _parquet_bytes(table, row_group_size=16))))
    assert probs == [] and [r.body for r in recs] == [f"row {i}" for i in range(50)]
    assert recs[-1].locator == "row:49"


def test_parquet_fallback_column_and_binary_text(write, read, split):
    table = pa.table({"_id": ["x"], "article": [b"caf\xe9 au lait et croissant, le matin"]})
    recs, probs = split(read(write("b.parquet", _parquet_bytes(table))))
    assert probs == [] and recs[0].record_id == "x" and recs[0].body.startswith("café")


def test_parquet_html_field(write, read, split):
    table = pa.table({"html": [HTML], "url": ["https://x"]})
    recs, _ = split(read(write("h.parquet", _parquet_bytes(table)), html_field="html"))
    assert (recs[0].kind, recs[0].url) == ("html", "https://x")


# -- WARC -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", [None, "gz-records", "gz", "zst"])
def test_warc_html_responses(write, read, split, make_warc, codec):
    specs = [
        {"url": "https://news.example/1", "body": HTML.encode()},
        {"type": "request", "body": b"GET / HTTP/1.1\r\n\r\n"},
        {"type": "metadata", "body": b"fetchTimeMs: 12"},
        {"url": "https://news.example/2", "body": b"<html><body>Two</body></html>", "content_type": "application/xhtml+xml"},
    ]
    data = make_warc(specs, gzip_records=codec == "gz-records")
    path = write("crawl.warc", data, None if codec == "gz-records" else codec)
    if codec == "gz-records":
        path = path.rename(path.with_name("crawl.warc.gz"))
    recs, probs = split(read(path))
    assert probs == []  # request/metadata/warcinfo are skipped silently
    assert [r.url for r in recs] == ["https://news.example/1", "https://news.example/2"]
    rec = recs[0]
    assert rec.kind == "html" and rec.body == HTML and rec.content == HTML.encode()
    assert rec.record_id.startswith("urn:uuid:") and rec.locator == f"record:{rec.record_id}"
    meta = rec.metadata
    assert meta["warc_record_id"] == rec.record_id and meta["warc_target_uri"] == "https://news.example/1"
    assert meta["content_type"] == "text/html; charset=utf-8" and meta["warc_date"]


def test_warc_non_html_and_non_2xx_are_skipped_and_counted(write, read, split, make_warc):
    specs = [
        {"url": "https://x/img", "body": b"\x89PNG\r\n\x1a\n....", "content_type": "image/png"},
        {"url": "https://x/missing", "status": "404 Not Found"},
        {"url": "https://x/ok"},
        {"type": "resource", "content_type": "text/html"},
    ]
    recs, probs = split(read(write("mixed.warc", make_warc(specs))))
    assert [r.url for r in recs] == ["https://x/ok"]
    [summary] = probs
    assert summary.reason.startswith("skipped 3 non-HTML records (") and "image/png 1" in summary.reason
    assert "HTTP 404 1" in summary.reason and "resource 1" in summary.reason


def test_warc_charset_and_content_encoding(write, read, split, make_warc):
    page = "<html><body><p>Caf\u00e9 \u201cr\u00e9sum\u00e9\u201d \u2013 na\u00efve.</p></body></html>"
    specs = [
        {"url": "https://x/cp", "body": page.encode("cp1252"), "content_type": "text/html; charset=windows-1252"},
        {"url": "https://x/gz", "body": gzip.compress(page.encode()), "headers": [("Content-Encoding", "gzip")]},
    ]
    recs, probs = split(read(write("enc.warc", make_warc(specs))))
    assert probs == []
    assert [r.body for r in recs] == [page, page]


def test_warc_payload_over_limit_is_a_problem(write, read, split, make_warc):
    specs = [{"url": "https://x/big", "body": b"<html>" + b"x" * 5000 + b"</html>"}, {"url": "https://x/small"}]
    recs, probs = split(read(write("big.warc", make_warc(specs)), max_record_bytes=1000))
    assert [r.url for r in recs] == ["https://x/small"]
    assert "payload too large" in probs[0].reason and probs[0].locator.startswith("record:urn:uuid:")


def test_read_path_reads_one_file(write):
    path = write("one.txt", "Hello there.")
    [rec] = list(read_path(str(path), ReaderOptions()))
    assert rec.body == "Hello there."


def test_warc_response_without_content_type_is_sniffed(write, read, split, make_warc):
    specs = [{"url": "https://x/page", "content_type": "", "body": b"<!DOCTYPE html><html><body>Hi</body></html>"},
             {"url": "https://x/blob", "content_type": "", "body": b"\x00\x01binary"}]
    recs, probs = split(read(write("noct.warc", make_warc(specs))))
    assert [r.url for r in recs] == ["https://x/page"]
    assert [p.reason for p in probs] == ["skipped 1 non-HTML record (no content type 1)"]
