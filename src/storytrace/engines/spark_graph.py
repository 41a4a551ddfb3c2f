"""Distributed graph steps of the Spark engine, on DataFrames only (no single-machine step).

* ``bucket_pairs``: candidate pairs from (src, key, idx) postings with the giant-bucket guard of
  ``match.buckets.BucketIndex``: in arrival order (``idx``) the first ``cap`` members of a bucket are
  linked pairwise and every later member to the first ``HUBS`` members only. The first ``cap`` members
  come from ``row_number() <= cap``, which Spark evaluates with a map-side group limit, so a bucket of
  millions of postings (a cookie banner) ships at most ``cap`` rows per map task to one reducer; later
  members are found by joining their bucket's (last head, hubs) row.
* ``connected_components``: large-star / small-star (Kiveris et al., SoCC 2014) over an edge list;
  every node ends labelled with the smallest node of its component, like ``cluster.unionfind``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from .spark_batches import HUBS

log = logging.getLogger("storytrace.engines.spark")


def _cap_column(caps: dict[int, int]) -> Column:
    """Per-source bucket cap as a column expression over ``src``."""
    expr = None
    for src, cap in caps.items():
        expr = F.when(F.col("src") == src, F.lit(cap)) if expr is None else expr.when(F.col("src") == src, F.lit(cap))
    return expr.otherwise(F.lit(max(caps.values())))  # type: ignore[union-attr]


def bucket_pairs(postings: DataFrame, caps: dict[int, int], hubs: int = HUBS) -> DataFrame:
    """(src, a, b) with a < b: one row per bucket link (a pair linked in k buckets appears k times).

    ``postings`` has columns src (int), key (long), idx (long); ``caps`` maps src -> bucket cap.
    """
    limit = max(caps.values())
    cap = _cap_column(caps)
    n_hubs = F.least(F.lit(hubs), cap)
    order = Window.partitionBy("src", "key").orderBy("idx")
    heads = (postings.withColumn("rank", F.row_number().over(order))
             .filter(F.col("rank") <= F.lit(limit))  # literal limit: Spark's WindowGroupLimit applies
             .filter(F.col("rank") <= cap))
    left = heads.select("src", "key", F.col("idx").alias("a"), F.col("rank").alias("ra"))
    right = heads.select("src", "key", F.col("idx").alias("b"), F.col("rank").alias("rb"))
    head_pairs = (left.join(right, ["src", "key"]).filter(F.col("ra") < F.col("rb"))
                  .select("src", "a", "b"))
    full = (heads.groupBy("src", "key")
            .agg(F.count("*").alias("n"), F.max("idx").alias("last"),
                 F.array_sort(F.collect_list(F.when(F.col("rank") <= n_hubs, F.col("idx")))).alias("hubs"))
            .filter(F.col("n") >= cap)
            .select("src", "key", "last", "hubs"))
    tail_pairs = (postings.join(full, ["src", "key"]).filter(F.col("idx") > F.col("last"))
                  .select("src", F.explode("hubs").alias("a"), F.col("idx").alias("b")))
    return head_pairs.unionByName(tail_pairs)


@dataclass(frozen=True, slots=True)
class Components:
    """Component labels of the nodes that have edges, and the large/small-star rounds it took."""

    labels: DataFrame  # node (long), label (long): smallest node of the component
    rounds: int


def _undirected(edges: DataFrame) -> DataFrame:
    """(u, v) with u > v, self-loops dropped, duplicates removed."""
    return (edges.select(F.greatest("src", "dst").alias("u"), F.least("src", "dst").alias("v"))
            .filter(F.col("u") != F.col("v")).distinct())


def _large_star(e: DataFrame) -> DataFrame:
    """Connect every strictly larger neighbour of x to the smallest node of x's closed neighbourhood."""
    sym = e.select(F.col("u").alias("x"), F.col("v").alias("y")).unionByName(
        e.select(F.col("v").alias("x"), F.col("u").alias("y")))
    mins = sym.groupBy("x").agg(F.least(F.first("x"), F.min("y")).alias("m"))
    return (sym.filter(F.col("y") > F.col("x")).join(mins, "x")
            .select(F.col("y").alias("u"), F.col("m").alias("v")).distinct())


def _small_star(e: DataFrame) -> DataFrame:
    """Connect x and its smaller neighbours to the smallest of them (x's stars are made flat)."""
    mins = e.groupBy("u").agg(F.min("v").alias("m"))
    joined = e.join(mins, "u")
    moved = joined.filter(F.col("v") != F.col("m")).select(F.col("v").alias("u"), F.col("m").alias("v"))
    return moved.unionByName(mins.select("u", F.col("m").alias("v"))).distinct()


def _is_star_forest(e: DataFrame) -> bool:
    """True when every node has at most one smaller neighbour and no such neighbour has one itself."""
    roles = (e.select(F.col("u").alias("n"), F.lit(1).alias("child"), F.lit(0).alias("parent"))
             .unionByName(e.select(F.col("v").alias("n"), F.lit(0).alias("child"), F.lit(1).alias("parent"))))
    bad = (roles.groupBy("n").agg(F.sum("child").alias("c"), F.max("parent").alias("p"))
           .filter((F.col("c") > 1) | ((F.col("c") > 0) & (F.col("p") > 0))))
    return bad.limit(1).count() == 0


def connected_components(edges: DataFrame, max_rounds: int = 100) -> Components:
    """Labels (smallest member) of nodes in ``edges`` (columns src, dst) by large-star/small-star."""
    e = _undirected(edges).localCheckpoint()
    rounds = 0
    while not _is_star_forest(e):
        if rounds >= max_rounds:
            raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
        e = _small_star(_large_star(e)).localCheckpoint()
        rounds += 1
    log.info("connected components: %d large-star/small-star rounds", rounds)
    labels = e.select(F.col("u").alias("node"), F.col("v").alias("label")).unionByName(
        e.select(F.col("v").alias("node"), F.col("v").alias("label"))).distinct()
    return Components(labels, rounds)
