"""In-process tests of every page and JSON API route (FastAPI TestClient over a small store)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storytrace.store import queries
from storytrace.web import create_app

from .conftest import BASE


def _story_of(client: TestClient, doc_id: str) -> str:
    return client.get(f"/api/documents/{doc_id}").json()["story"]["id"]


# -- pages and their JSON -------------------------------------------------------------------------


def test_stories_page_and_api(client: TestClient) -> None:
    html = client.get("/stories")
    assert html.status_code == 200 and "Storm floods the old harbour district" in html.text
    assert client.get("/").text == html.text
    data = client.get("/api/stories").json()
    assert data["total"] == 3 and {s["size"] for s in data["items"]} == {2, 1}
    flood = next(s for s in data["items"] if s["size"] == 2)
    assert flood["languages"] == ["en"] and flood["title"].startswith("Storm floods")


def test_stories_pagination_and_filters(client: TestClient) -> None:
    first = client.get("/api/stories", params={"per_page": 2}).json()
    second = client.get("/api/stories", params={"per_page": 2, "page": 2}).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not {s["id"] for s in first["items"]} & {s["id"] for s in second["items"]}
    assert client.get("/api/stories", params={"language": "en"}).json()["total"] == 3
    assert client.get("/api/stories", params={"language": "xx"}).json()["total"] == 0
    assert client.get("/api/stories", params={"source": "rail"}).json()["total"] == 1
    assert client.get("/api/stories", params={"source": "%"}).json()["total"] == 0  # LIKE wildcards are literal
    assert client.get("/api/stories", params={"q": "harbour"}).json()["total"] == 1
    assert client.get("/api/stories", params={"date_from": "2030-01-01"}).json()["total"] == 0
    page = client.get("/stories", params={"q": "harbour"})
    assert "Matching documents" in page.text and "<mark>harbour</mark>" in page.text
    assert client.get("/api/stories", params={"page": 0}).status_code == 422


def test_search_api_quotes_fts_syntax(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "railways"}).json()
    assert [h["id"] for h in hits] == ["rail"] and "\x02railways\x03" in hits[0]["snippet"]
    assert client.get("/api/search", params={"q": 'rail" OR "x AND ( NEAR'}).status_code == 200


def test_story_page_and_api(client: TestClient) -> None:
    story = _story_of(client, "flood")
    data = client.get(f"/api/stories/{story}").json()
    roles = {m["id"]: m["relation"] for m in data["members"]}
    assert set(roles) == {"flood", "flood-copy"}
    assert roles[data["story"]["canonical"]] == "canonical"
    assert "exact" in roles.values()
    html = client.get(f"/stories/{story}").text
    assert "Timeline" in html and "flood-copy" in html and "Compare with canonical" in html


def test_document_page_api_and_raw(client: TestClient) -> None:
    data = client.get("/api/documents/rail").json()
    assert data["text"].startswith("Parliament passes") and data["raw_size"] > 0 and data["group"]
    html = client.get("/documents/rail").text
    assert "Extracted text" in html and "Download original" in html and "Parliament passes" in html
    raw = client.get("/raw/rail")
    assert raw.status_code == 200 and raw.content.startswith(b"Parliament passes")
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"].startswith("attachment")
    listing = client.get("/api/documents", params={"per_page": 2}).json()
    assert listing["total"] == 4 and len(listing["items"]) == 2
    assert [d["id"] for d in client.get("/api/documents", params={"q": "railways"}).json()["items"]] == ["rail"]
    assert "rail" in client.get("/documents").text


def test_compare_page_and_api(client: TestClient) -> None:
    data = client.get("/api/compare", params={"a": "flood", "b": "flood-copy"}).json()
    assert data["fact_differences"] == [] and data["provenance"] is not None
    passages = data["shared_passages"]
    assert passages and passages[0]["a_start"] == 0 and data["alignment"]["a_coverage"] > 0.95
    assert data["stored_relation"]["relation"] == "exact" and data["relation"] in (None, "exact")
    assert data["documents"]["a"]["id"] == "flood" and data["documents"]["b"]["id"] == "flood-copy"
    html = client.get("/compare", params={"a": "flood", "b": "flood-copy"}).text
    assert 'class="sh"' in html and 'data-p="1"' in html and "shared passage" in html
    unrelated = client.get("/api/compare", params={"a": "flood", "b": "rail"}).json()
    assert unrelated["shared_passages"] == [] and unrelated["only_a"] and unrelated["only_b"]
    assert 'class="on"' in client.get("/compare", params={"a": "flood", "b": "rail"}).text
    assert "Pick two document ids" in client.get("/compare").text


def test_groups_page_and_api(client: TestClient) -> None:
    data = client.get("/api/groups").json()
    assert data["total"] == 1 and data["singletons"] == 2
    group = data["items"][0]
    assert group["size"] == 2 and group["members"][0]["id"] == group["canonical"] and group["reason"]
    everything = client.get("/api/groups", params={"min_size": 1}).json()
    sizes = [g["size"] for g in everything["items"]]
    assert sizes == sorted(sizes, reverse=True)
    html = client.get("/groups").text
    assert "Duplicate groups" in html and "kept" in html and group["reason"].split(" ")[0] in html


def test_stats_and_openapi(client: TestClient) -> None:
    assert client.get("/api/stats").json() == {"documents": 4, "stories": 3, "groups": 3, "duplicate_groups": 1}
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("/api/stories", "/api/stories/{story_id}", "/api/documents", "/api/documents/{doc_id}",
                  "/api/compare", "/api/groups", "/api/jobs/{job_id}"):
        assert route in paths, route
    assert "post" in paths["/api/documents"]
    assert client.get("/docs").status_code == 200


# -- bad input and security -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/stories/nope", "/documents/nope", "/raw/nope", "/jobs/nope", "/compare?a=flood&b=nope",
     "/api/stories/nope", "/api/documents/nope", "/api/compare?a=nope&b=flood", "/api/jobs/nope"],
)
def test_unknown_ids_are_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert "No " in response.json()["detail"]
    else:
        assert "Not found" in response.text


@pytest.mark.parametrize("doc_id", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "rail%2F..%2Frail"])
def test_ids_are_looked_up_never_used_as_paths(client: TestClient, doc_id: str) -> None:
    for prefix in ("/documents/", "/raw/", "/api/documents/"):
        response = client.get(prefix + doc_id)
        assert response.status_code == 404 and b"root:" not in response.content


def test_document_markup_is_shown_as_text(client: TestClient) -> None:
    for url in ("/documents/xss", "/stories", "/compare?a=xss&b=rail", "/stories?q=alert", "/documents"):
        html = client.get(url).text
        assert "<script>alert" not in html, url
    page = client.get("/documents/xss").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt; &amp; ampersands" in page
    assert client.get("/api/documents/xss").json()["text"].startswith("<script>alert(1)</script>")


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/stories").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


# -- adding documents -----------------------------------------------------------------------------------


def _wait(client: TestClient, job_id: str) -> dict:
    client.app.state.storytrace.writer.wait_idle()
    return client.get(f"/api/jobs/{job_id}").json()


def test_upload_file_through_api(db_copy: Path) -> None:
    with TestClient(create_app(db_copy)) as c:
        text = BASE.replace("Tuesday", "Wednesday") + "\nA late update: the water has started to recede."
        response = c.post("/api/documents", files={"files": ("late update.txt", text.encode(), "text/plain")})
        assert response.status_code == 202
        job = _wait(c, response.json()["id"])
        assert job["state"] == "done" and job["added"] == 1, job
        doc = job["documents"][0]
        assert doc["id"] == "late-update" and doc["story"]
        assert c.get(f"/api/documents/{doc['id']}").json()["story"]["id"] == doc["story"]
        assert doc["id"] in c.get(f"/stories/{doc['story']}").text
        assert c.get("/api/stats").json()["documents"] == 5


def test_upload_form_redirects_to_job_page(db_copy: Path) -> None:
    with TestClient(create_app(db_copy)) as c:
        response = c.post("/add", files={"files": ("note.html", b"<html><body><article><h1>Bridge reopens</h1><p>" + b"The old bridge reopened to traffic on Monday after two years of repairs, the city said. " * 5 + b"</p></article></body></html>", "text/html")}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/jobs/")
        job_id = response.headers["location"].rsplit("/", 1)[1]
        _wait(c, job_id)
        page = c.get(f"/jobs/{job_id}").text
        assert 'data-state="done"' in page and "/documents/note" in page


def test_paste_text(db_copy: Path) -> None:
    with TestClient(create_app(db_copy)) as c:
        response = c.post("/api/documents", data={"text": OTHER_PASTE, "title": "Pasted rail story", "date": "2024-05-02"})
        job = _wait(c, response.json()["id"])
        assert job["state"] == "done"
        doc = c.get(f"/api/documents/{job['documents'][0]['id']}").json()
        assert doc["title"] == "Pasted rail story" and doc["date"] == "2024-05-02"
        assert c.post("/api/documents", data={"text": "   "}).status_code == 400


OTHER_PASTE = "Lawmakers approved the regional railway budget on Wednesday after a long debate. " * 3


def test_upload_name_is_never_a_path(db_copy: Path, tmp_path: Path) -> None:
    with TestClient(create_app(db_copy)) as c:
        name = "../../" + str(tmp_path.name) + "-evil.txt"
        response = c.post("/api/documents", files={"files": (name, b"A harmless text about the weather today and tomorrow.", "text/plain")})
        job = _wait(c, response.json()["id"])
        assert job["state"] == "done"
        assert "/" not in job["documents"][0]["id"] and ".." not in job["documents"][0]["id"]
        assert not list(tmp_path.parent.parent.glob("*-evil.txt"))


def test_upload_limits(db_copy: Path) -> None:
    with TestClient(create_app(db_copy, max_upload_bytes=1000)) as c:
        bad_type = c.post("/api/documents", files={"files": ("tool.exe", b"MZ", "application/octet-stream")})
        assert bad_type.status_code == 415 and "unsupported file type" in bad_type.json()["detail"]
        too_big = c.post("/api/documents", files={"files": ("big.txt", b"x" * 5000, "text/plain")})
        assert too_big.status_code == 413 and "too large" in too_big.text
        slightly_big = c.post("/api/documents", files={"files": ("big.txt", b"word " * 300, "text/plain")})
        assert slightly_big.status_code == 413 and "limit is 1000 B" in slightly_big.json()["detail"]
        form = c.post("/add", files={"files": ("tool.exe", b"MZ", "application/octet-stream")})
        assert form.status_code == 415 and "unsupported file type" in form.text and 'id="add-error"' in form.text
        assert c.post("/api/documents", files={"files": ("ok.txt.gz", b"not gzip", "application/gzip")}).status_code == 202


def test_read_only_mode(synthetic_db: Path, tmp_path: Path) -> None:
    with TestClient(create_app(synthetic_db, read_only=True)) as c:
        page = c.get("/add")
        assert "read-only mode" in page.text and 'id="upload-form"' not in page.text
        assert "Read-only mode" in c.get("/stories").text
        response = c.post("/api/documents", data={"text": "some text"})
        assert response.status_code == 403 and "read-only" in response.json()["detail"]
        assert c.post("/add", data={"text": "some text"}).status_code == 403
        assert c.get("/api/stats").json()["documents"] == 4
    with pytest.raises(FileNotFoundError):
        create_app(tmp_path / "missing.db", read_only=True)


def test_read_connections_cannot_write(synthetic_db: Path) -> None:
    conn = queries.connect_readonly(synthetic_db)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM documents")


def test_story_list_uses_its_index(synthetic_db: Path, client: TestClient) -> None:
    # the app creates the page indexes when it opens the store (``client`` started it)
    conn = queries.connect_readonly(synthetic_db)
    plan = " ".join(str(r) for r in conn.execute(
        'EXPLAIN QUERY PLAN SELECT id FROM stories s ORDER BY s."end" DESC, s.id LIMIT 50'
    ))
    assert "stories_by_end" in plan and "TEMP B-TREE" not in plan
