"""Article-body extraction benchmark: shingle precision/recall/F1 and pages/s on one core.

    python benchmarks/extraction.py                              # every method, ../shared data
    python benchmarks/extraction.py --methods storytrace,trafilatura --repeat 3
    python benchmarks/extraction.py --data /path/to/extraction --list
    python benchmarks/extraction.py --cv                         # cross-validate the extractor variants

Data: ``--data`` holds ``html/<id>.html.gz`` and ``ground-truth.json`` (``{id: {"articleBody",
"url"}}``), a part of Zyte's article-extraction benchmark. The metric (``score_extraction``) is that
benchmark's: ``\\w+`` tokens, 4-token shingles with counts, per-page tp/fp/fn normalised, precision
and recall averaged over pages, F1 from the two means.

Splits: a page's fold is blake2b(id) % 5 (``extract_metric.fold_of``). Fold 0 is the held-out split
("held"): nothing is fitted on it. The other folds are the development split ("dev") the shipped
parameters were fitted on. ``--cv`` fits each variant's parameters on four folds and scores the
fifth, for all five, and pools the test pages. "rules-22" is the last 22 sorted ids: the pages that
were only scored, never looked at, while the classifier's rules were written on the first 60.

Speed: pages are read, decompressed and decoded before timing; only the extraction call is timed,
in this one process, as CPU time (``time.process_time``: one core, not disturbed by other load);
the best of ``--repeat`` passes counts. Wall-clock pages/s of that pass is printed beside it.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storytrace.text.extract_metric import (  # noqa: E402
    HELD_FOLD,
    K_FOLDS,
    aggregate,
    fold_of,
    score_counts,
    score_extraction,
    shingle_counts,
    shingles,
)

TUNE_SPLIT = 60  # ids (sorted) the rules were written looking at; the last 22 were only scored ("rules-22")

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


def _storytrace_with(**params: Any) -> Callable[[], Callable[[str, str | None], str]]:
    def make() -> Callable[[str, str | None], str]:
        from storytrace.text.extract import Params, extract_html

        chosen = Params(**params)
        return lambda html, url: extract_html(html, url, params=chosen).text

    return make


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
    "storytrace": ("storytrace extract_html as shipped (blocks, lenient re-read, trafilatura cascade, metadata)",
                   _storytrace),
    "storytrace-rules": ("extract_html with the classifier as written (no lenient re-read)", _storytrace_with()),
    "storytrace-cascade": ("extract_html, rules + trafilatura when under 75 % kept (CV variant 'cascade')",
                           _storytrace_with(cascade_below=0.75, cascade_longer=1.2)),
    "storytrace-lenient": ("extract_html, lenient re-read under 75 % kept, no cascade (CV variant 'lenient')",
                           _storytrace_with(recall_below=0.75, lenient_links=0.2)),
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
DEFAULT_METHODS = "storytrace,storytrace-rules,trafilatura,trafilatura-fast,trafilatura-precision,resiliparse,resiliparse-strict"


def measure(
    fn: Callable[[str, str | None], str], ids: list[str], pages: dict[str, str], truth: dict[str, dict], repeat: int
) -> dict[str, float]:
    """Scores (all / dev / held-out / the 22 pages the rules were not written on) and best-of-``repeat``
    CPU and wall pages/s of one method."""
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
    dev = aggregate(scores[i] for i in ids if fold_of(i) != HELD_FOLD)
    held = aggregate(scores[i] for i in ids if fold_of(i) == HELD_FOLD)
    unseen = aggregate(scores[i] for i in ids[TUNE_SPLIT:])
    return {
        "precision": p, "recall": r, "f1": f, "f1_dev": dev[2], "f1_held": held[2],
        "p_held": held[0], "r_held": held[1], "f1_rules22": unseen[2],
        "pages_s": len(ids) / max(best_cpu, 1e-9), "pages_s_wall": len(ids) / max(best_wall, 1e-9),
    }


# -- splits and cross-validation -------------------------------------------------------------------
# The split is extract_metric's: fold_of(id) = blake2b(id) % K_FOLDS; fold HELD_FOLD is held out, the
# other folds are the development pages the shipped parameters are fitted on. Cross-validation uses
# all K_FOLDS folds: parameters fitted on four, scored on the fifth, the per-page scores of the five
# test folds pooled into one figure. "rules-22" is the F1 of the dev-fitted setting on the 22 pages
# (the last sorted ids) that were only scored, never looked at, while the rules were written.


@dataclass
class PageCache:
    """What the variants need of one page, computed once: its blocks, stoplist, peers' outputs, truth."""

    blocks: list[tuple[str, str, int]]
    stoplist: frozenset[str]
    traf: str  # trafilatura(favor_precision=True, include_comments=False): the fallback and the cascade
    traf_recall: str  # trafilatura(favor_recall=True): the third voter of the vote variant
    truth: Counter[str]


def build_cache(ids: list[str], pages: dict[str, str], truth: dict[str, dict]) -> dict[str, PageCache]:
    """One PageCache per page (this runs resiliparse and trafilatura once per page)."""
    import trafilatura

    from storytrace.text.extract import _trafilatura_body, html_blocks

    cache = {}
    for i in ids:
        blocks, stoplist = html_blocks(pages[i])
        cache[i] = PageCache(
            [(b.text, b.kind, b.link_chars) for b in blocks], stoplist,
            _trafilatura_body(pages[i], truth[i].get("url")),
            trafilatura.extract(pages[i], url=truth[i].get("url"), favor_recall=True) or "",
            shingles(truth[i].get("articleBody", "")),
        )
    return cache


Setting = tuple[tuple[str, Any], ...]  # a variant's parameters, as sorted (name, value) pairs


class Variant:
    """An extractor with a grid of parameter settings: text per page per setting, fitted by F1."""

    def __init__(self, name: str, what: str, grid: dict[str, list[Any]], staged: list[list[str]] | None = None) -> None:
        self.name, self.what, self.grid = name, what, grid
        self.staged = staged  # fit these groups of parameters one after the other (else the full grid)

    def text(self, page: PageCache, setting: dict[str, Any]) -> str:
        raise NotImplementedError

    def settings(self, fixed: dict[str, Any] | None = None, names: list[str] | None = None) -> list[Setting]:
        """Every setting of the grid over ``names`` (all), the other parameters as in ``fixed``."""
        names = list(self.grid) if names is None else names
        base = {k: v[0] for k, v in self.grid.items()} | (fixed or {})
        out = []
        for values in itertools.product(*(self.grid[n] for n in names)):
            out.append(tuple(sorted((base | dict(zip(names, values))).items())))
        return out


class BlocksVariant(Variant):
    """storytrace's ``body_text`` (block classifier, trafilatura fallback and optional cascade) with
    ``Params`` from the setting; trafilatura's text comes from the cache."""

    def text(self, page: PageCache, setting: dict[str, Any]) -> str:
        from storytrace.text.extract import Block, Params, body_text

        blocks = [Block(t, k, n) for t, k, n in page.blocks]
        return body_text(blocks, page.stoplist, Params(**setting), lambda: page.traf)


class VoteVariant(Variant):
    """A line-level vote of three extractors: storytrace's blocks (rules), trafilatura precision and
    trafilatura recall. A line of the recall output (the most inclusive) is kept when at least
    ``votes`` of the three (itself included) hold ``share`` of its shingles."""

    def text(self, page: PageCache, setting: dict[str, Any]) -> str:
        from storytrace.text.extract import Block, Params, body_text

        ours = body_text([Block(t, k, n) for t, k, n in page.blocks], page.stoplist, Params(), lambda: page.traf)
        others = [shingles(ours), shingles(page.traf)]
        kept = []
        for line in page.traf_recall.splitlines():
            own = shingles(line)
            size = sum(own.values())
            if size and 1 + sum(sum((own & bag).values()) >= setting["share"] * size for bag in others) >= setting["votes"]:
                kept.append(line)
        return "\n".join(kept)


class PeerVariant(Variant):
    """A peer extractor's cached output, nothing to fit."""

    def __init__(self, name: str, what: str, attr: str) -> None:
        super().__init__(name, what, {"none": [None]})
        self.attr = attr

    def text(self, page: PageCache, setting: dict[str, Any]) -> str:
        return str(getattr(page, self.attr))


def _scores(variant: Variant, cache: dict[str, PageCache], settings: list[Setting],
            memo: dict[tuple[str, Setting], tuple[float, float, float]]) -> None:
    """Fill ``memo`` with the per-page score of every setting (texts made once per setting)."""
    for setting in settings:
        for i, page in cache.items():
            if (i, setting) not in memo:
                pred = variant.text(page, dict(setting))
                memo[i, setting] = score_counts(*shingle_counts(shingles(pred), page.truth))


def fit(variant: Variant, cache: dict[str, PageCache], train: list[str],
        memo: dict[tuple[str, Setting], tuple[float, float, float]]) -> Setting:
    """The setting with the best F1 on ``train`` (ties: the first in grid order, i.e. the prior)."""
    def best(settings: list[Setting]) -> Setting:
        _scores(variant, cache, settings, memo)
        return max(settings, key=lambda s: round(aggregate(memo[i, s] for i in train)[2], 6))

    if variant.staged is None:
        return best(variant.settings())
    chosen: dict[str, Any] = {}
    for names in variant.staged:
        chosen = dict(best(variant.settings(chosen, names)))
    return tuple(sorted(chosen.items()))


def cross_validate(variant: Variant, cache: dict[str, PageCache], ids: list[str],
                   memo: dict[tuple[str, Setting], tuple[float, float, float]]) -> dict[str, Any]:
    """Dev fit + held-out score, and K_FOLDS-fold CV (pooled test pages) of one variant."""
    dev = [i for i in ids if fold_of(i) != HELD_FOLD]
    held = [i for i in ids if fold_of(i) == HELD_FOLD]
    shipped = fit(variant, cache, dev, memo)
    pooled: list[tuple[float, float, float]] = []
    fold_f1, chosen = [], []
    for k in range(K_FOLDS):
        test = [i for i in ids if fold_of(i) == k]
        setting = fit(variant, cache, [i for i in ids if fold_of(i) != k], memo)
        scores = [memo[i, setting] for i in test]
        pooled += scores
        fold_f1.append(aggregate(scores)[2])
        chosen.append(dict(setting))
    cv = aggregate(pooled)
    return {
        "what": variant.what, "setting": dict(shipped),
        "dev": aggregate(memo[i, shipped] for i in dev), "held": aggregate(memo[i, shipped] for i in held),
        "cv": cv, "cv_fold_f1": fold_f1, "cv_settings": chosen,
        "all_fixed": aggregate(memo[i, shipped] for i in ids),
        "rules_unseen": aggregate(memo[i, shipped] for i in ids[TUNE_SPLIT:]),
    }


RULES = {"long_chars": [120], "long_stop": [0.25], "sent_chars": [50], "sent_stop": [0.28], "bad_links": [0.5],
         "penalty": [60]}
# jusText's defaults in our classifier's terms: length_high 200, stopwords_high 0.32, stopwords_low 0.30,
# max_link_density 0.2 (jusText 3.0.2, ``justext.core``).
JUSTEXT_PRIORS = {"long_chars": [200], "long_stop": [0.32], "sent_chars": [70], "sent_stop": [0.30],
                  "bad_links": [0.2], "penalty": [60]}
CLASSIFIER_GRID = {"long_chars": [120, 80, 160, 200], "long_stop": [0.25, 0.2, 0.3], "sent_chars": [50],
                   "sent_stop": [0.28, 0.25, 0.32], "bad_links": [0.5, 0.4, 0.6], "penalty": [60, 30, 120]}
LENIENT_GRID = {"recall_below": [0.0, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85], "lenient_links": [0.2, 0.1, 0.3]}
CASCADE_GRID = {"cascade_below": [0.0, 0.6, 0.65, 0.7, 0.75, 0.8], "cascade_longer": [1.2, 1.0, 1.1, 1.3, 1.5]}


def cv_variants() -> list[Variant]:
    """The variants compared by cross-validation (first value of each grid list: the prior)."""
    return [
        BlocksVariant("rules", "the classifier as written (nothing fitted)", RULES),
        BlocksVariant("fitted", "classifier thresholds fitted on the training folds", CLASSIFIER_GRID),
        BlocksVariant("lenient", "rules + lenient re-read of pages that keep little (2 fitted numbers)",
                      RULES | LENIENT_GRID),
        BlocksVariant("fitted+lenient", "thresholds, then the lenient re-read, fitted in turn",
                      CLASSIFIER_GRID | LENIENT_GRID, staged=[list(CLASSIFIER_GRID), list(LENIENT_GRID)]),
        BlocksVariant("justext-priors", "jusText's default thresholds instead of ours (nothing fitted)", JUSTEXT_PRIORS),
        BlocksVariant("justext-priors+lenient", "jusText's thresholds + the lenient re-read (2 fitted numbers)",
                      JUSTEXT_PRIORS | LENIENT_GRID),
        BlocksVariant("cascade", "rules + trafilatura on pages that keep little (2 fitted numbers)",
                      RULES | CASCADE_GRID),
        BlocksVariant("lenient+cascade", "rules + lenient re-read + trafilatura cascade, fitted in turn",
                      RULES | LENIENT_GRID | CASCADE_GRID, staged=[list(LENIENT_GRID), list(CASCADE_GRID)]),
        VoteVariant("vote", "line vote: rules blocks, trafilatura precision, trafilatura recall",
                    {"votes": [2, 3], "share": [0.5, 0.8]}),
        PeerVariant("trafilatura-precision", "trafilatura favor_precision, no comments (nothing fitted)", "traf"),
        PeerVariant("trafilatura-recall", "trafilatura favor_recall (nothing fitted)", "traf_recall"),
    ]


def cv_report(data: Path, names: list[str] | None = None, out: Path | None = None) -> int:
    """Print dev / held-out / CV figures for every variant (and the peers, which fit nothing)."""
    ids, pages, truth = load_pages(data)
    held = sum(fold_of(i) == HELD_FOLD for i in ids)
    print(f"{len(ids)} pages: held-out split (fold {HELD_FOLD} of {K_FOLDS} by blake2b(id)) {held} pages, "
          f"dev {len(ids) - held}; {K_FOLDS}-fold CV over all pages, parameters fitted on the other folds")
    t0 = time.perf_counter()
    cache = build_cache(ids, pages, truth)
    print(f"(pages parsed once in {time.perf_counter() - t0:.1f} s)")
    variants = [v for v in cv_variants() if names is None or v.name in names]
    header = f"{'variant':18s} {'dev F1':>7s} {'held P':>7s} {'held R':>7s} {'held F1':>7s} {'CV P':>6s} {'CV R':>6s} {'CV F1':>6s} {'fold sd':>7s} {'rules-22':>8s}"
    print(header)
    print("-" * len(header))
    results = {}
    for v in variants:
        memo: dict[tuple[str, Setting], tuple[float, float, float]] = {}
        res = cross_validate(v, cache, ids, memo)
        results[v.name] = res
        sd = statistics.pstdev(res["cv_fold_f1"])
        print(f"{v.name:18s} {res['dev'][2]:7.3f} {res['held'][0]:7.3f} {res['held'][1]:7.3f} {res['held'][2]:7.3f} "
              f"{res['cv'][0]:6.3f} {res['cv'][1]:6.3f} {res['cv'][2]:6.3f} {sd:7.3f} {res['rules_unseen'][2]:8.3f}"
              f"   {_short(res['setting'], v)}",
              flush=True)
    if out:
        out.write_text(json.dumps(results, indent=2, default=str))
    return 0


def _short(setting: dict[str, Any], variant: Variant) -> str:
    """The parameters a variant fits, as name=value (those with one grid value left out)."""
    return " ".join(f"{k}={v}" for k, v in setting.items() if len(variant.grid.get(k, [])) > 1)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen methods over the extraction set and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=default_data_dir(), help="dir with html/ and ground-truth.json")
    ap.add_argument("--methods", default=DEFAULT_METHODS, help=f"comma list of: {','.join(METHODS)} or 'all'")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per method; the fastest counts")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--list", action="store_true", help="list the methods and exit")
    ap.add_argument("--cv", nargs="?", const="all", metavar="VARIANTS",
                    help="cross-validate the extractor variants (comma list or 'all') instead of timing methods")
    args = ap.parse_args(argv)
    if args.cv and (args.data / "ground-truth.json").is_file():
        return cv_report(args.data, None if args.cv == "all" else args.cv.split(","), args.json)
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
    held = sum(fold_of(i) == HELD_FOLD for i in ids)
    print(f"{len(ids)} pages ({len(ids) - held} dev / {held} held-out by blake2b(id) % {K_FOLDS}; rules-22: the last "
          f"{len(ids) - TUNE_SPLIT} sorted ids), best of {args.repeat} passes, one process")
    header = (
        f"{'method':26s} {'P':>6s} {'R':>6s} {'F1':>6s} {'F1 dev':>7s} {'F1 held':>7s} {'rules-22':>8s} "
        f"{'pages/s':>8s} {'(wall)':>7s}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for name in names:
        res = measure(METHODS[name][1](), ids, pages, truth, args.repeat)
        results[name] = res
        print(
            f"{name:26s} {res['precision']:6.3f} {res['recall']:6.3f} {res['f1']:6.3f} {res['f1_dev']:7.3f} "
            f"{res['f1_held']:7.3f} {res['f1_rules22']:8.3f} {res['pages_s']:8.0f} {res['pages_s_wall']:7.0f}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
