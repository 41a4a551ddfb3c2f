"""Tune the title-mode threshold and lexical weight on the TRAIN stories of News.jsonl (md5(clusterNo) even).

    python scripts/build_story_model/tune_titles.py --news ../shared/data/news-titles/News.jsonl

Each half is clustered as its own stream in file order; the score is NMI + pairwise F1 on the train stories.
The chosen values are the defaults of ``StoryConfig.title_threshold`` / ``title_lexical_weight``.
"""
from __future__ import annotations

import argparse

import numpy as np

from storytrace.cluster.stories import StoryConfig, cluster_titles
from storytrace.evaluation.datasets import is_heldout_story, load_titles
from storytrace.evaluation.metrics import normalized_mutual_info, pairwise_prf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--news", required=True)
    a = ap.parse_args()
    titles = [t for t in load_titles(a.news) if not is_heldout_story(t.story)]
    texts, truth = [t.text for t in titles], [t.story for t in titles]
    best = None
    for w in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9):
        for thr in np.arange(0.15, 0.61, 0.05):
            cfg = StoryConfig(mode="title", title_threshold=round(float(thr), 2), title_lexical_weight=w)
            labels = cluster_titles(texts, cfg)
            nmi, f1 = normalized_mutual_info(truth, labels), pairwise_prf(truth, labels).f1
            print(f"w={w} thr={thr:.2f} NMI={nmi:.3f} F1={f1:.3f} clusters={len(set(labels))}", flush=True)
            if best is None or nmi + f1 > best[0]:
                best = (nmi + f1, w, round(float(thr), 2))
    print(f"best: title_lexical_weight={best[1]} title_threshold={best[2]}")


if __name__ == "__main__":
    main()
