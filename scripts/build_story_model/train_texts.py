"""The unlabelled context corpus of the distilled table: the texts of the TRAIN-split story pairs only.

    python scripts/build_story_model/train_texts.py --pairs ../shared/data/story-pairs/semeval2022-task8-pairs.csv \
        --out /tmp/train_texts.txt

A text that also appears in a held-out pair is left out, so no held-out text shapes the table.
"""
from __future__ import annotations

import argparse

from storytrace.evaluation.datasets import load_pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    pairs = load_pairs(a.pairs)
    held = {t for p in pairs if p.heldout for t in (p.text1, p.text2)}
    train = {t for p in pairs if not p.heldout for t in (p.text1, p.text2)} - held
    with open(a.out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(t.replace("\n", " ") for t in train) + "\n")
    print(f"{len(train)} train texts -> {a.out}")


if __name__ == "__main__":
    main()
