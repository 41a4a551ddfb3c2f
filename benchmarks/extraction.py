"""Article-body extraction benchmark: shingle precision/recall/F1 and pages/s on one core.

    python benchmarks/extraction.py                              # every method, ../shared data
    python benchmarks/extraction.py --methods storytrace,trafilatura --repeat 3
    python benchmarks/extraction.py --data /path/to/extraction --list

Data: ``--data`` holds ``html/<id>.html.gz`` and ``ground-truth.json`` (``{id: {"articleBody",
"url"}}``), a part of Zyte's article-extraction benchmark. The metric (``score_extraction``) is that
benchmark's: ``\\w+`` tokens, 4-token shingles with counts, per-page tp/fp/fn normalised, precision
and recall averaged over pages, F1 from the two means. Ids sorted: the first 60 are the split the
extractor was tuned on ("tune"), the rest are held out ("held").

Speed: pages are read, decompressed and decoded before timing; only the extraction call is timed,
in this one process, as CPU time (``time.process_time``: one core, not disturbed by other load);
the best of ``--repeat`` passes counts. Wall-clock pages/s of that pass is printed beside it.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storytrace.text.extract_metric import aggregate, score_extraction  # noqa: E402

TUNE_SPLIT = 60  # ids (sorted) the storytrace extractor was tuned on; the rest are held out

__all__ = ["score_extraction", "aggregate", "METHODS", "load_pages", "main"]


def default_data_dir() -> Path:
    """``shared/data/extraction`` beside the repository, else under /work/shared."""
    for base in (ROOT.parent / "shared", Path("/work/shared")):
        if (base / "data" / "extraction" / "ground-truth.json").is_file():
            return base / "data" / "extraction"
    return ROOT.parent / "shared" / "data" / "extraction"


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode_page(raw: bytes) -> str:
    """Bytes of a page as text: UTF-8, else the charset its meta tag names, else cp1252."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        m = _CHARSET.search(raw[:4096])
        for enc in ((m.group(1).decode("ascii", "ignore"),) if m else ()) + ("cp1252",):
            try:
                return raw.decode(enc, errors="replace")
            except LookupError:
                continue
        return raw.decode("latin-1")


def load_pages(data: Path) -> tuple[list[str], dict[str, str], dict[str, dict]]:
    """Sorted ids, decoded HTML by id and ground truth by id."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    pages = {i: decode_page(gzip.decompress((data / "html" / f"{i}.html.gz").read_bytes())) for i in ids}
    return ids, pages, truth


# -- methods: each maps (html, url) -> body text ---------------------------------------------------
def _storytrace() -> Callable[[str, str | None], str]:
    from storytrace.text.extract import extract_html

    return lambda html, url: extract_html(html, url).text


def _trafilatura(**options: object) -> Callable[[], Callable[[str, str | None], str]]:
    def make() -> Callable[[str, str | None], str]:
        import trafilatura

        return lambda html, url: trafilatura.extract(html, url=url, **options) or ""

    return make


def _trafilatura_with_metadata() -> Callable[[str, str | None], str]:
    import trafilatura

    def run(html: str, url: str | None) -> str:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        return (doc.text if doc is not None else "") or ""

    return run


def _resiliparse(**options: object) -> Callable[[], Callable[[str, str | None], str]]:
    def make() -> Callable[[str, str | None], str]:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        return lambda html, url: extract_plain_text(HTMLTree.parse(html), **options)

    return make


def _resiliparse_then_trafilatura() -> Callable[[str, str | None], str]:
    """Explored cascade: resiliparse main content as minimal HTML, then trafilatura on that small doc."""
    import trafilatura
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    def run(html: str, url: str | None) -> str:
        doc = extract_plain_text(
            HTMLTree.parse(html), preserve_formatting="minimal_html", links=True, main_content=True,
            comments=False, post_meta=False, alt_texts=False,
        )
        small = f"<html><body>{doc}</body></html>"
        return trafilatura.extract(small, favor_precision=True, include_comments=False) or ""

    return run


def _pruned_then_trafilatura() -> Callable[[str, str | None], str]:
    """Explored: resiliparse drops scripts, styles, forms, nav, footer; trafilatura reads the rest."""
    import trafilatura
    from resiliparse.parse.html import HTMLTree

    def run(html: str, url: str | None) -> str:
        tree = HTMLTree.parse(html)
        body = tree.body
        if body is None:
            return ""
        for _ in range(5000):  # single query_selector calls: collection iteration is quadratic in resiliparse 2.0
            node = body.query_selector("script,style,noscript,svg,iframe,form,template,nav,footer")
            if node is None:
                break
            node.decompose()
        return trafilatura.extract(body.html, url=url, favor_precision=True, include_comments=False) or ""

    return run


def _justext() -> Callable[[str, str | None], str]:
    import justext

    stoplist = justext.get_stoplist("English")

    def run(html: str, url: str | None) -> str:
        paragraphs = justext.justext(html.encode("utf-8", "replace"), stoplist)
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return run


METHODS: dict[str, tuple[str, Callable[[], Callable[[str, str | None], str]]]] = {
    "storytrace": ("storytrace extract_html (resiliparse + block classifier, with metadata)", _storytrace),
    "trafilatura": ("trafilatura 2.3.1 extract(), defaults", _trafilatura()),
    "trafilatura-meta": ("trafilatura bare_extraction(with_metadata=True)", _trafilatura_with_metadata),
    "trafilatura-fast": ("trafilatura extract(fast=True)", _trafilatura(fast=True)),
    "trafilatura-precision": (
        "trafilatura extract(favor_precision=True, include_comments=False)",
        _trafilatura(favor_precision=True, include_comments=False),
    ),
    "trafilatura-recall": ("trafilatura extract(favor_recall=True)", _trafilatura(favor_recall=True)),
    "resiliparse": ("resiliparse extract_plain_text(main_content=True)", _resiliparse(main_content=True)),
    "resiliparse-strict": (
        "resiliparse main_content, comments/post_meta/alt_texts off",
        _resiliparse(main_content=True, comments=False, post_meta=False, alt_texts=False),
    ),
    "resiliparse>trafilatura": (
        "resiliparse minimal_html main content, then trafilatura(favor_precision) on it",
        _resiliparse_then_trafilatura,
    ),
    "prune>trafilatura": (
        "resiliparse removes script/style/form/nav/footer, trafilatura(favor_precision) on the rest",
        _pruned_then_trafilatura,
    ),
    "justext": ("jusText 3.0.2, English stoplist", _justext),
}
DEFAULT_METHODS = "storytrace,trafilatura,trafilatura-fast,trafilatura-precision,resiliparse,resiliparse-strict"


def measure(
    fn: Callable[[str, str | None], str], ids: list[str], pages: dict[str, str], truth: dict[str, dict], repeat: int
) -> dict[str, float]:
    """Scores (all / tune / held) and best-of-``repeat`` CPU and wall pages/s of one method."""
    best_cpu = best_wall = float("inf")
    out: dict[str, str] = {}
    fn(pages[ids[0]], truth[ids[0]].get("url"))  # warm-up: lazy imports, stoplists
    for _ in range(repeat):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for i in ids:
            out[i] = fn(pages[i], truth[i].get("url"))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if cpu < best_cpu:
            best_cpu, best_wall = cpu, wall
    scores = {i: score_extraction(out[i] or "", truth[i].get("articleBody", "")) for i in ids}
    p, r, f = aggregate(scores.values())
    tune = aggregate(scores[i] for i in ids[:TUNE_SPLIT])
    held = aggregate(scores[i] for i in ids[TUNE_SPLIT:])
    return {
        "precision": p, "recall": r, "f1": f, "f1_tune": tune[2], "f1_held": held[2],
        "p_held": held[0], "r_held": held[1],
        "pages_s": len(ids) / max(best_cpu, 1e-9), "pages_s_wall": len(ids) / max(best_wall, 1e-9),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the chosen methods over the extraction set and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=default_data_dir(), help="dir with html/ and ground-truth.json")
    ap.add_argument("--methods", default=DEFAULT_METHODS, help=f"comma list of: {','.join(METHODS)} or 'all'")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per method; the fastest counts")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--list", action="store_true", help="list the methods and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name, (desc, _) in METHODS.items():
            print(f"{name:24s} {desc}")
        return 0
    if not (args.data / "ground-truth.json").is_file():
        print(f"no extraction data at {args.data}", file=sys.stderr)
        return 2
    names = list(METHODS) if args.methods == "all" else [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        print(f"unknown method(s): {', '.join(unknown)}; try --list", file=sys.stderr)
        return 2
    ids, pages, truth = load_pages(args.data)
    held = len(ids) - TUNE_SPLIT
    print(f"{len(ids)} pages ({TUNE_SPLIT} tune / {held} held-out), best of {args.repeat} passes, one process")
    header = (
        f"{'method':24s} {'P':>6s} {'R':>6s} {'F1':>6s} {'F1 tune':>8s} {'F1 held':>8s} {'pages/s':>8s} {'(wall)':>7s}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for name in names:
        res = measure(METHODS[name][1](), ids, pages, truth, args.repeat)
        results[name] = res
        print(
            f"{name:24s} {res['precision']:6.3f} {res['recall']:6.3f} {res['f1']:6.3f} {res['f1_tune']:8.3f} "
            f"{res['f1_held']:8.3f} {res['pages_s']:8.0f} {res['pages_s_wall']:7.0f}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
