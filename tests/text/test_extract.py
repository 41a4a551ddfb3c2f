"""Article extraction: seeds de-chromed or left alone, HTML bodies and metadata, the benchmark metric."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storytrace.text.extract import (
    HTML_PARAMS,
    TEXT_PARAMS,
    Block,
    Extracted,
    Params,
    body_text,
    extract,
    extract_html,
    extract_text_dump,
    looks_like_html,
    looks_like_page_dump,
    read_metadata,
    select_blocks,
)
from storytrace.text.extract_metric import HELD_FOLD, aggregate, fold_of, score_extraction, shingles

# F1 of extract_html on shared/data/extraction, measured when these floors were set (docs/bench_extraction.md):
# 0.962 on the held-out split (fold 0: 11 pages nothing was fitted on), 0.982 on all 82 pages.
HELD_F1_FLOOR = 0.955
ALL_F1_FLOOR = 0.977  # the classifier as written (no re-read, no cascade) scores 0.975: it fails this


def _shared() -> Path | None:
    """shared/ beside the repository root, else /work/shared; None when neither exists."""
    for candidate in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


def _seed(prefix: str) -> str:
    shared = _shared()
    if shared is None or not (shared / "seeds").is_dir():
        pytest.skip("shared/seeds is not available")
    paths = sorted((shared / "seeds").glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip(f"seed {prefix} is not available")
    return paths[0].read_text(encoding="utf-8")


def _overlap(pred: str, truth: str) -> tuple[float, float]:
    """Precision and recall of pred's word 4-gram shingles (with counts) against truth's."""
    p, t = shingles(pred), shingles(truth)
    tp = sum((p & t).values())
    return tp / max(1, sum(p.values())), tp / max(1, sum(t.values()))


# -- the metric ------------------------------------------------------------------------------------
def test_metric_identical_and_empty():
    assert score_extraction("The cat sat on the mat.", "The cat sat on the mat.") == (1.0, 1.0, 1.0)
    assert score_extraction("", "") == (1.0, 1.0, 1.0)  # nothing to find, nothing found
    assert score_extraction("", "one two three four five") == (0.0, 0.0, 0.0)
    assert score_extraction("one two three four five", "") == (0.0, 0.0, 0.0)


def test_metric_hand_computed():
    # truth has shingles [a b c d], [b c d e]; pred has [a b c d]: tp=1 fp=0 fn=1
    p, r, f = score_extraction("a b c d", "a b c d e")
    assert (p, r) == (1.0, 0.5) and f == pytest.approx(2 / 3)
    # pred adds one wrong shingle: tp=1 fp=1 fn=0
    p, r, f = score_extraction("a b c d x", "a b c d")
    assert (p, r) == (0.5, 1.0)
    # counts matter: truth "x x x x x" holds [x x x x] twice, pred once
    assert score_extraction("x x x x", "x x x x x")[:2] == (1.0, 0.5)
    # a text shorter than four tokens is one shingle of all its tokens; punctuation is not a token
    assert score_extraction("Hello, world!", "hello world")[0] == 0.0  # case differs
    assert score_extraction("Hello, world!", "Hello world") == (1.0, 1.0, 1.0)


def test_metric_aggregate_is_f1_of_means():
    p, r, f = aggregate([(1.0, 0.5, 2 / 3), (0.5, 1.0, 2 / 3)])
    assert (p, r) == (0.75, 0.75) and f == pytest.approx(0.75)
    assert aggregate([]) == (0.0, 0.0, 0.0)


# -- plain-text dumps --------------------------------------------------------------------------------
def test_seed_002_loses_its_chrome():
    article, dump = _seed("000"), _seed("002")
    assert looks_like_page_dump(dump)
    text = extract_text_dump(dump).text
    precision, recall = _overlap(text, article)
    assert recall >= 0.95, recall
    assert precision >= 0.9, precision
    assert " ".join(text.split()) == " ".join(article.split())  # exactly seed 000's text
    for chrome in ("AdBlock Detected", "Share This Article", "You Might Also Like", "Lost your password"):
        assert chrome not in text


@pytest.mark.parametrize("prefix", ["000", "001", "003", "004"])
def test_clean_seeds_come_back_whole(prefix):
    article = _seed(prefix)
    result = extract(article)
    precision, recall = _overlap(result.text, article)
    assert recall >= 0.98 and precision >= 0.98, (precision, recall)


def test_clean_article_with_headings_untouched():
    text = (
        "The council approved the new budget on Monday after a long debate about school funding.\n"
        "What changes\n"
        "Teachers will receive a raise of three percent, and two schools will be renovated next year.\n"
        "What comes next\n"
        "The mayor said the plan would be reviewed again in the spring, when the tax figures are known.\n"
    )
    assert not looks_like_page_dump(text)
    assert extract_text_dump(text).text == text.strip()


def test_text_dump_edge_cases():
    assert extract_text_dump("").text == ""
    assert extract_text_dump("   \n\n  ").text == ""
    assert extract("").text == ""
    one = "Just one line of text without any chrome around it."
    assert extract(one).text == one


# -- HTML ------------------------------------------------------------------------------------------------
_PARAS = [
    "The city council voted on Tuesday to approve a new plan for the harbour district, ending a debate "
    "that had lasted for almost two years and divided residents of the old town.",
    "Under the plan, the former warehouses along the water will be turned into housing, and a new park "
    "will be built where the ferry terminal used to stand before it was moved to the north pier.",
    "Opponents of the project said they would take the decision to court, arguing that the council had "
    "not listened to the people who live in the district and who will pay for the works.",
    "The mayor said she was confident the plan would survive any challenge and that the first homes "
    "could be finished within three years if the funding from the region arrives on time.",
]


def _page(body_extra: str = "", head_extra: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in _PARAS)
    return (
        "<!DOCTYPE html><html><head><title>Harbour plan approved | The Daily Example</title>"
        f"{head_extra}<script>var tracking = 'SECRET_SCRIPT_TOKEN'; function f() {{ return 1; }}</script>"
        "<style>.x { color: red }</style></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/politics'>Politics</a></li>"
        "<li><a href='/sport'>Sport NAVTOKEN</a></li></ul></nav>"
        "<header><h1>Harbour plan approved after two-year fight</h1></header>"
        f"<main><article>{paras}{body_extra}</article></main>"
        "<script>document.write('ANOTHER_SCRIPT_TOKEN')</script>"
        "<footer><p>Copyright 2024 The Daily Example. All rights reserved. FOOTERTOKEN</p>"
        "<a href='/privacy'>Privacy policy</a></footer></body></html>"
    )


def test_html_keeps_article_drops_script_nav_footer():
    result = extract_html(_page(), url="https://example.com/harbour")
    assert isinstance(result, Extracted)
    for para in _PARAS:
        assert para in result.text
    for junk in ("SECRET_SCRIPT_TOKEN", "ANOTHER_SCRIPT_TOKEN", "NAVTOKEN", "FOOTERTOKEN", "color: red"):
        assert junk not in result.text
    assert result.url == "https://example.com/harbour"


@pytest.mark.parametrize("wrapper", ["<div class='related-stories'>", "<div>"])  # by class, by link density
def test_html_drops_related_links_and_ad_labels(wrapper):
    related = (
        f"<p>Advertisement</p>{wrapper}<h2>More stories</h2><ul>"
        + "".join(f"<li><a href='/s{i}'>Another story about something else number {i}</a></li>" for i in range(6))
        + "</ul></div>"
    )
    text = extract_html(_page(body_extra=related)).text
    assert _PARAS[-1] in text
    assert "Advertisement" not in text
    assert "Another story about" not in text


def test_paragraphs_starting_like_chrome_words_survive():
    extra = (
        "<p>Next year, the council will vote again on the second phase of the harbour plan, "
        "which covers the old shipyard and the land around the railway station.</p>"
        "<p>Previously, the district had been promised a school, but the money went to the bridge instead.</p>"
        "<p>Tags on the old cranes will be kept as a memory of the port, the architects said on Monday.</p>"
        f"<p>{_PARAS[0]}</p>"
    )
    text = extract_html(_page(body_extra=extra)).text
    assert "Next year, the council" in text
    assert "Previously, the district" in text
    assert "Tags on the old cranes" in text


def test_article_inside_a_page_wide_form():
    # ASP.NET-style pages wrap the whole body in one <form>; that must not hide the article
    html = _page().replace("<body>", "<body><form id='aspnetForm' method='post'>").replace("</body>", "</form></body>")
    text = extract_html(html).text
    for para in _PARAS:
        assert para in text


def test_login_page_gives_little_or_nothing():
    html = (
        "<html><head><title>Sign in</title></head><body><div class='login'>"
        "<h1>Sign in to your account</h1><form action='/login' method='post'>"
        "<label>Email</label><input name='email'><label>Password</label><input type='password' name='pw'>"
        "<button>Log in</button></form><a href='/forgot'>Forgot your password?</a>"
        "<a href='/register'>Create an account</a></div></body></html>"
    )
    result = extract_html(html)
    assert len(result.text) < 80, result.text
    assert result.title == "Sign in"


def test_html_edge_cases_do_not_raise():
    assert extract_html("").text == ""
    assert extract_html("<html></html>").text == ""
    assert extract_html("<p>short</p>").text in ("", "short")
    deep = "<html><body>" + "<div>" * 2000 + "deep" + "</div>" * 2000 + "</body></html>"
    assert extract_html(deep).text in ("", "deep")


def test_metadata_from_meta_tags():
    head = (
        '<meta property="og:title" content="Harbour plan approved">'
        '<meta property="article:published_time" content="2024-05-01T10:00:00Z">'
        '<meta name="author" content="Jane Reporter">'
        '<meta property="og:site_name" content="The Daily Example">'
        '<link rel="canonical" href="https://example.com/harbour-plan">'
    )
    result = extract(_page(head_extra=head))
    assert result.title == "Harbour plan approved"
    assert result.date == "2024-05-01T10:00:00Z"
    assert result.author == "Jane Reporter"
    assert result.sitename == "The Daily Example"
    assert result.url == "https://example.com/harbour-plan"
    assert _PARAS[0] in result.text


def test_metadata_from_json_ld_and_title_fallback():
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour plan approved",
        "datePublished": "2024-05-02", "author": [{"@type": "Person", "name": "A. Writer"}, {"name": "B. Writer"}],
        "publisher": {"@type": "Organization", "name": "Example News"},
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    meta = read_metadata(_page(head_extra=head))
    assert meta["title"] == "Harbour plan approved"
    assert meta["date"] == "2024-05-02"
    assert meta["author"] == "A. Writer; B. Writer"
    assert meta["sitename"] == "Example News"
    assert read_metadata(_page())["title"] == "Harbour plan approved | The Daily Example"
    assert read_metadata("") == {}


def test_date_fallbacks_itemprop_time_and_url():
    body = '<span itemprop="datePublished" content="2024-06-07">June 7</span>'
    assert read_metadata(_page(body_extra=body))["date"] == "2024-06-07"
    timed = _page(body_extra='<time datetime="2024-06-08T09:00">8 June</time>')
    assert read_metadata(timed)["date"] == "2024-06-08T09:00"
    assert read_metadata(_page(), url="https://news.example/2023/9/04/harbour-plan")["date"] == "2023-09-04"
    assert "date" not in read_metadata(_page(), url="https://news.example/harbour-plan")
    result = extract_html(_page(), url="https://news.example/2023/09/04/harbour-plan.html")
    assert result.date == "2023-09-04"


def test_dispatch_and_html_detection():
    assert looks_like_html(_page())
    assert looks_like_html("<div><p>Hello</p></div>")
    assert looks_like_html("<span class='x'>Hello</span> world")
    assert not looks_like_html("Plain prose with a < sign and a > sign, but no tags at all.")
    assert not looks_like_html("")
    text = "A plain article.\nIt has two lines of text and nothing else."
    assert extract(text).text == text
    assert extract(text, url="https://x.example/a").url == "https://x.example/a"
    assert _PARAS[1] in extract(_page()).text


# -- the lenient re-read and the trafilatura cascade ------------------------------------------------
_PROSE = ("The council approved the harbour plan on Tuesday after a debate that ran late into the night, "
          "and the mayor said the work would start in the spring with money from the port.")


def _listing_page() -> list[Block]:
    """An article whose second half is a listing (dates and venues) the classifier leaves undecided."""
    listing = [Block(f"June {d} - Venue number {d}, City {d}", "li") for d in range(1, 25)]
    return [Block(_PROSE, "p"), Block(_PROSE.replace("Tuesday", "Monday"), "p"), *listing,
            Block("Share this article", "text"), Block("Home News Sport Contact", "text", link_chars=23)]


def test_lenient_reread_keeps_what_the_strict_pass_drops():
    strict = select_blocks(_listing_page(), frozenset(), TEXT_PARAMS)
    assert [b.kind for b in strict] == ["p", "p", "li"]  # a list item right after prose, no more
    lenient = select_blocks(_listing_page(), frozenset(), Params(recall_below=0.75))
    assert [b.kind for b in lenient] == ["p", "p"] + ["li"] * 24  # the chrome lines stay out
    linked = _listing_page()
    for b in linked[2:26]:
        b.link_chars = len(b.text)  # a list of links is navigation: the lenient pass does not take it
    assert [b.kind for b in select_blocks(linked, frozenset(), Params(recall_below=0.75))] == ["p", "p"]


def test_lenient_reread_only_below_its_share():
    blocks = _listing_page()
    strict = [b.text for b in select_blocks(_listing_page(), frozenset(), TEXT_PARAMS)]
    kept = sum(map(len, strict)) / sum(len(b.text) for b in blocks)
    assert 0.3 < kept < 0.5
    assert [b.text for b in select_blocks(blocks, frozenset(), Params(recall_below=kept - 0.01))] == strict


def test_cascade_asks_trafilatura_only_when_little_is_kept():
    asked: list[int] = []

    def other() -> str:
        asked.append(1)
        return "\n".join([_PROSE] * 12)

    text = body_text(_listing_page(), frozenset(), Params(cascade_below=0.7, cascade_longer=1.2), other)
    assert asked and text.count(_PROSE) == 12  # kept two paragraphs of ~30 blocks: trafilatura's longer text wins
    asked.clear()
    text = body_text(_listing_page(), frozenset(), Params(recall_below=0.75, cascade_below=0.7), other)
    assert not asked and "Venue number 24" in text  # the lenient pass kept enough: no trafilatura
    assert HTML_PARAMS.recall_below > 0 and HTML_PARAMS.cascade_below > 0


def test_markup_shown_as_text_is_chrome():
    pixel = '<img height="1" width="1" style="display:none" src="http://b.example/p?c1=2&amp;c2=15743189" />'
    blocks = [Block(_PROSE, "p"), Block(pixel, "text"), Block(_PROSE.replace("Tuesday", "Friday"), "p")]
    assert [b.text for b in select_blocks(blocks, frozenset(), TEXT_PARAMS)] == [_PROSE, _PROSE.replace("Tuesday", "Friday")]
    page = f"<html><body><p>{_PROSE}</p>&lt;img height=&quot;1&quot; src=&quot;http://b.example/p&quot;&gt;<p>{_PROSE}</p></body></html>"
    assert "<img" not in extract_html(page).text
    prose = "<b>Bold</b> opens a paragraph that goes on to say what the council decided on Tuesday night."
    assert [b.text for b in select_blocks([Block(prose, "p"), Block(_PROSE, "p")], frozenset(), TEXT_PARAMS)][0] == prose


def test_split_is_fixed_by_page_id():
    assert [fold_of(f"page-{i}") for i in range(8)] == [fold_of(f"page-{i}") for i in range(8)]
    assert {fold_of(f"{i:064x}") for i in range(200)} == set(range(5))
    assert fold_of("04a6711caa7c687592777718866e781e976e0fe684faebe8b3cedcef8cd0ea34") == 4


# -- quality floor on the extraction benchmark ----------------------------------------------------
def test_quality_floor_on_extraction_set():
    shared = _shared()
    data = shared / "data" / "extraction" if shared else None
    if data is None or not (data / "ground-truth.json").is_file():
        pytest.skip("shared/data/extraction is not available")
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    scores = {}
    for page_id in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        html = raw.decode("utf-8", errors="replace")
        pred = extract_html(html, truth[page_id].get("url")).text
        scores[page_id] = score_extraction(pred, truth[page_id].get("articleBody", ""))
    held = aggregate(s for i, s in scores.items() if fold_of(i) == HELD_FOLD)
    assert held[2] >= HELD_F1_FLOOR, held
    everything = aggregate(scores.values())
    assert everything[2] >= ALL_F1_FLOOR, everything
