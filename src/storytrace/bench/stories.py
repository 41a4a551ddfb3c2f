"""A story corpus for the story-map engines: real news pairs with dates, planted copies and rewrites, plus
synthetic articles, reproducible from a seed (tests and ``benchmarks/spark_stories.py``).

Records (JSONL objects ``id``, ``text``, optional ``date``), shuffled:

* the given seed articles (``seeds``: path -> text) and two planted copies of them (an exact copy of the
  third, the first 80 % of the first);
* for each of the first ``pairs`` SemEval-2022 task 8 pairs (``pairs_csv``; skipped when None): both texts
  (same story, related or unrelated, as rated), dated in 2021 a few days apart, one pair in four the second
  text three months later (a time conflict), one in six undated; and, by turns, an exact copy, a copy
  wrapped in site chrome, the first two thirds of its sentences, or every sentence but one in three (a
  rewrite-like copy dated with the second text);
* ``synthetic`` documents of ``bench.synthetic.SyntheticCorpus`` (planted copies of pseudo-word articles),
  half of them dated.
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from pathlib import Path


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def semeval_pairs(path: str | Path | None, limit: int) -> list[tuple[str, str, float]]:
    """(text1, text2, overall) of the first ``limit`` pairs whose texts both have over 200 characters."""
    if path is None or not Path(path).is_file():
        return []
    from ..evaluation.datasets import load_pairs

    out = [(p.text1, p.text2, p.overall) for p in load_pairs(path) if len(p.text1) > 200 and len(p.text2) > 200]
    return out[:limit]


def story_records(seeds: Mapping[str, str], pairs_csv: str | Path | None, pairs: int = 110, synthetic: int = 120,
                  seed: int = 11) -> list[dict[str, str | None]]:
    """The corpus described above, as records in file order."""
    from .synthetic import SyntheticCorpus

    rng = random.Random(seed)
    records: list[dict[str, str | None]] = [{"id": k, "text": t} for k, t in seeds.items()]
    texts = list(seeds.values())
    if len(texts) >= 3:
        words = texts[0].split()
        records += [{"id": f"{list(seeds)[2]}-copy", "text": texts[2]},
                    {"id": f"{list(seeds)[0]}-trunc", "text": " ".join(words[: int(len(words) * 0.8)])}]
    for k, (a, b, _) in enumerate(semeval_pairs(pairs_csv, pairs)):
        day = 1 + (k * 37) % 360
        date = None if k % 6 == 5 else f"2021-{1 + day // 31:02d}-{1 + day % 28:02d}"
        later = None if date is None else (f"2021-{1 + day // 31:02d}-{1 + (day + 3) % 28:02d}" if k % 4
                                            else f"2022-{1 + (day + 90) // 31 % 12:02d}-{1 + day % 28:02d}")
        records.append({"id": f"p{k}a", "text": a, "date": date})
        records.append({"id": f"p{k}b", "text": b, "date": later if k % 5 else None})
        sents = _sentences(a)
        if k % 7 == 0:
            records.append({"id": f"p{k}a-exact", "text": a, "date": date})
        elif k % 7 == 1:
            records.append({"id": f"p{k}a-wrap", "text": "Home | World | Politics | Sports\nMenu\n" + a +
                            "\nShare this article\nRelated: more news from the region\nSubscribe to our newsletter"})
        elif k % 7 == 2 and len(sents) > 3:
            records.append({"id": f"p{k}a-trunc", "text": " ".join(sents[: len(sents) * 2 // 3]), "date": date})
        elif k % 7 == 3 and len(sents) > 4:
            kept = [s for i, s in enumerate(sents) if i % 3 != 1]
            records.append({"id": f"p{k}a-rw", "text": " ".join(kept), "date": later})
    if synthetic:
        for doc in SyntheticCorpus(synthetic, seed=seed).docs():
            record: dict[str, str | None] = {"id": f"syn-{doc.id}", "text": doc.text}
            if rng.random() < 0.5:
                record["date"] = f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            records.append(record)
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[i] for i in order]


def write_jsonl(path: str | Path, records: list[dict[str, str | None]]) -> Path:
    """Records as JSONL (missing dates left out)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n")
    return path
