"""Real-browser tests: headless Debian Chromium driven by Playwright over a live server on 127.0.0.1.

Skipped when /usr/bin/chromium or Playwright is missing, and (for the seeds) when ../shared is missing.
Set STORYTRACE_SCREENSHOTS=1 to refresh the screenshots in docs/img/web-*.png.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from storytrace.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@contextmanager
def live_server(db: Path, **options: Any) -> Iterator[str]:
    """Serve ``create_app(db)`` with uvicorn in a thread on a free loopback port; yields the base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db, **options), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (never downloaded: Debian's binary)."""
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; fails the test if the page ever opens a JavaScript dialog (alert from document text)."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    assert not dialogs, f"a script from document text ran: {dialogs}"


@pytest.fixture(scope="module")
def seeds_server(seeds_db: Path) -> Iterator[str]:
    """The analysed seeds, served read-write from a private copy."""
    with live_server(seeds_db) as url:
        yield url


def shot(page: Any, name: str, full_page: bool = False) -> None:
    """Save docs/img/web-<name>.png when STORYTRACE_SCREENSHOTS is set."""
    if os.environ.get("STORYTRACE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"web-{name}.png"), full_page=full_page)


def wait_job(page: Any) -> None:
    """Wait until the job page reports the end of its job, and check it succeeded."""
    page.wait_for_selector('#job[data-state="done"], #job[data-state="failed"]', timeout=30_000)
    assert page.locator("#job").get_attribute("data-state") == "done", page.locator("#job-status").inner_text()


def doc_ids(base: str, page: Any) -> dict[str, str]:
    """Seed document ids by three-digit prefix, read through the JSON API."""
    items = page.request.get(f"{base}/api/documents?per_page=500").json()["items"]
    return {d["id"][:3]: d["id"] for d in items}


def story_of(base: str, page: Any, doc_id: str) -> str:
    """The story id of a document, through the JSON API."""
    return page.request.get(f"{base}/api/documents/{doc_id}").json()["story"]["id"]


# -- today's behaviour ----------------------------------------------------------------------------------


def test_stories_page_renders_the_seed_stories(seeds_server: str, page: Any) -> None:
    page.goto(f"{seeds_server}/stories")
    rows = page.locator("table.stories tbody tr")
    total = page.request.get(f"{seeds_server}/api/stories").json()["total"]
    assert 1 <= rows.count() == total <= 5
    sizes = sum(int(t) for t in rows.locator(".size").all_inner_texts())
    assert sizes == 5  # every seed document is in exactly one story
    assert "Turkey" in page.locator("table.stories").inner_text()
    shot(page, "stories")


def test_story_page_of_000_lists_its_documents_with_relations(seeds_server: str, page: Any) -> None:
    ids = doc_ids(seeds_server, page)
    page.goto(f"{seeds_server}/stories/{story_of(seeds_server, page, ids['000'])}")
    items = page.locator(".timeline .tl-item")
    members = {items.nth(i).get_attribute("data-doc"): items.nth(i).get_attribute("data-relation") for i in range(items.count())}
    assert ids["000"] in members and ids["002"] in members  # 002 is 000 inside page chrome
    assert members[ids["000"]] == "canonical"
    assert members[ids["002"]] in ("exact", "near_duplicate", "contains")
    assert all(members.values()), members  # every member shows its relation to the canonical
    assert page.locator(".timeline .badge").count() == items.count()
    shot(page, "story")


def test_compare_000_002_highlights_shared_passages(seeds_server: str, page: Any) -> None:
    ids = doc_ids(seeds_server, page)
    page.goto(f"{seeds_server}/compare?a={ids['000']}&b={ids['002']}")
    shared_a = page.locator(".aligned .side-a .sh")
    shared_b = page.locator(".aligned .side-b .sh")
    assert shared_a.count() > 0 and shared_b.count() > 0
    highlighted = sum(len(t) for t in shared_a.all_inner_texts())
    text_len = len(page.request.get(f"{seeds_server}/api/documents/{ids['000']}").json()["text"])
    assert highlighted > 0.9 * text_len  # 000 is wholly inside 002
    color = shared_a.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color not in ("rgba(0, 0, 0, 0)", "transparent")
    shot(page, "compare")
    assert "only in B" in page.locator(".aligned .side-b details.fold summary").first.inner_text()  # 002's page chrome
    page.evaluate("document.querySelector('.aligned .pnum').scrollIntoView({block: 'start'}); window.scrollBy(0, -160)")
    shot(page, "compare-passages")
    shared_a.first.hover()
    assert page.locator(".aligned .side-b .sh.hl").count() > 0  # hovering lights up the counterpart


def test_document_page_shows_metadata_text_and_original(seeds_server: str, page: Any) -> None:
    ids = doc_ids(seeds_server, page)
    page.goto(f"{seeds_server}/documents/{ids['002']}")
    assert "Extracted text" in page.content()
    assert "Drone" in page.locator("#doc-text").inner_text()
    shot(page, "document")
    page.locator("details.raw summary").click()
    assert "AdBlock" in page.locator(".raw-text").inner_text() or "Geek Room" in page.locator(".raw-text").inner_text()


def test_groups_page_explains_what_was_kept(seeds_server: str, page: Any) -> None:
    ids = doc_ids(seeds_server, page)
    page.goto(f"{seeds_server}/groups")
    card = page.locator(".group-card").first
    assert ids["000"] in card.inner_text() and ids["002"] in card.inner_text()
    assert "kept" in card.locator(".kept").inner_text().lower()
    assert card.locator(".kept-row").inner_text().find(ids["000"]) >= 0  # the clean article, not the page
    shot(page, "groups")


def test_upload_through_the_form_adds_a_document(seeds_db: Path, tmp_path: Path, page: Any) -> None:
    db = tmp_path / "upload.db"
    shutil.copy(seeds_db, db)
    article = tmp_path / "harbour-flood.txt"
    article.write_text(
        "Storm floods the harbour of Port Elma.\nHeavy rain flooded the harbour district of Port Elma on Tuesday, "
        "forcing two hundred residents from their homes, the mayor said. Crews pumped water through the night.",
        encoding="utf-8",
    )
    with live_server(db) as base:
        page.goto(f"{base}/add")
        shot(page, "add")
        page.set_input_files("#files", str(article))
        page.locator("#upload-form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/jobs/[0-9a-f]+$"))
        wait_job(page)
        assert "1 document added" in page.locator("#job-status").inner_text()
        shot(page, "job")
        page.locator("#job-docs a.mono").first.click()
        assert "Storm floods the harbour of Port Elma" in page.locator("h1").inner_text()
        page.locator(".lede a").first.click()  # its story
        assert page.locator('.tl-item[data-doc="harbour-flood"]').count() == 1
        page.goto(f"{base}/stories?q=Elma")
        assert page.locator("table.stories tbody tr").count() == 1


def test_document_script_is_shown_as_text(seeds_db: Path, tmp_path: Path, page: Any) -> None:
    db = tmp_path / "script.db"
    shutil.copy(seeds_db, db)
    note = tmp_path / "markup-note.txt"
    note.write_text("Markup test\nPlain words <script>alert(1)</script> and more plain words after it.", encoding="utf-8")
    with live_server(db) as base:
        page.goto(f"{base}/add")
        page.set_input_files("#files", str(note))
        page.locator("#upload-form button[type=submit]").click()
        wait_job(page)
        page.locator("#job-docs a.mono").first.click()
        assert "<script>alert(1)</script>" in page.locator("#doc-text").inner_text()
        assert page.locator("#doc-text script").count() == 0
        page.goto(f"{base}/stories?q=plain+words")
        assert "<script>" in page.locator(".hits").inner_text()  # the snippet shows it as text too


def test_pasted_text_is_added(seeds_db: Path, tmp_path: Path, page: Any) -> None:
    db = tmp_path / "paste.db"
    shutil.copy(seeds_db, db)
    with live_server(db) as base:
        page.goto(f"{base}/add")
        page.fill("#paste-form input[name=title]", "Ferry strike ends")
        page.fill("#paste-form textarea", "The ferry workers ended their strike on Monday after a pay deal. " * 3)
        page.locator("#paste-form button[type=submit]").click()
        wait_job(page)
        page.locator("#job-docs a.mono").first.click()
        assert page.locator("h1").inner_text() == "Ferry strike ends"


def test_oversize_upload_is_refused_with_a_message(seeds_db: Path, tmp_path: Path, page: Any) -> None:
    db = tmp_path / "limit.db"
    shutil.copy(seeds_db, db)
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 1000)
    with live_server(db, max_upload_bytes=1000) as base:
        page.goto(f"{base}/add")
        page.set_input_files("#files", str(big))
        page.locator("#upload-form button[type=submit]").click()
        assert "too large" in page.locator("#upload-client-error").inner_text()
        assert page.url.endswith("/add")


# -- the final expectations (seeds/expected.json) ------------


def test_seeds_make_two_stories(seeds_server: str, page: Any) -> None:
    page.goto(f"{seeds_server}/stories")
    assert page.locator("table.stories tbody tr").count() == 2


def test_story_of_000_has_rewrite_001_and_same_story_003(seeds_server: str, page: Any) -> None:
    ids = doc_ids(seeds_server, page)
    page.goto(f"{seeds_server}/stories/{story_of(seeds_server, page, ids['000'])}")
    relations = {
        item.get_attribute("data-doc"): item.get_attribute("data-relation") for item in page.locator(".tl-item").all()
    }
    assert relations.get(ids["001"]) == "rewrite"
    assert relations.get(ids["003"]) == "same_story"
    assert relations.get(ids["002"]) == "contains"
    assert ids["004"] not in relations
    assert page.locator(".related li").count() >= 1  # 004's story is linked as related


def test_compare_000_003_highlights_2006_against_2008(seeds_server: str, page: Any) -> None:
    ids = doc_ids(seeds_server, page)
    page.goto(f"{seeds_server}/compare?a={ids['000']}&b={ids['003']}")
    facts = page.locator(".fact-table tbody tr")
    assert facts.count() >= 1
    assert "2006" in " ".join(page.locator(".aligned .side-a .fd").all_inner_texts())
    assert "2008" in " ".join(page.locator(".aligned .side-b .fd").all_inner_texts())
    assert "2006" in facts.first.inner_text() or "2006" in page.locator(".fact-table").inner_text()
    shot(page, "compare-facts")
    page.locator("#f1-a").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('f1-a').scrollIntoView({block: 'center'})")
    shot(page, "compare-facts-text")
