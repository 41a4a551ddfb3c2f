"""Distributed graph steps of the Spark engine, on DataFrames only (no single-machine step).

* ``bucket_pairs``: candidate pairs from (src, key, idx) postings with the giant-bucket guard of
  ``match.buckets.BucketIndex``: in arrival order (``idx``) the first ``cap`` members of a bucket are
  linked pairwise and every later member to the first ``HUBS`` members only. One shuffle by
  (src, key), one window pass (rank, first members); a bucket's postings are sorted by one task
  (spilling to disk), and its output is bounded by the guard.
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
    if not caps:
        raise ValueError("no bucket caps given")
    items = iter(caps.items())
    src, cap = next(items)
    expr = F.when(F.col("src") == src, F.lit(cap))
    for src, cap in items:
        expr = expr.when(F.col("src") == src, F.lit(cap))
    return expr.otherwise(F.lit(max(caps.values())))


def bucket_pairs(postings: DataFrame, caps: dict[int, int], hubs: int = HUBS) -> DataFrame:
    """(src, a, b, wa, wb) with a < b: one row per bucket link (a pair linked in k buckets appears k
    times); ``postings`` has src (int), key (long), idx (long) and optionally w (a per-posting
    payload, returned as wa/wb); ``caps`` maps src -> bucket cap.

    One shuffle: postings are partitioned by (src, key) and sorted by idx; each row learns its rank
    and the bucket's first ``hubs`` members in the same window pass. Ranks <= cap pair with every
    earlier rank (a self-join on the already partitioned heads); later ranks pair with the hubs.
    """
    if "w" not in postings.columns:
        postings = postings.withColumn("w", F.lit(0))
    cap = _cap_column(caps)
    n_hubs = F.least(F.lit(hubs), cap)
    order = Window.partitionBy("src", "key").orderBy("idx")
    running = order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    ranked = postings.select(
        "src", "key", "idx", "w", F.row_number().over(order).alias("rank"),
        F.array(*[F.struct(F.nth_value("idx", k).over(running).alias("idx"),
                           F.nth_value("w", k).over(running).alias("w")) for k in range(1, hubs + 1)]).alias("hubs"))
    heads = ranked.filter(F.col("rank") <= cap)
    left = heads.select("src", "key", F.col("idx").alias("a"), F.col("w").alias("wa"), F.col("rank").alias("ra"))
    right = heads.select("src", "key", F.col("idx").alias("b"), F.col("w").alias("wb"), F.col("rank").alias("rb"))
    head_pairs = (left.join(right, ["src", "key"]).filter(F.col("ra") < F.col("rb"))
                  .select("src", "a", "b", "wa", "wb"))
    tails = (ranked.filter(F.col("rank") > cap)
             .select("src", "idx", "w", F.explode(F.slice("hubs", F.lit(1), n_hubs)).alias("hub"))
             .select("src", F.col("hub.idx").alias("a"), F.col("idx").alias("b"), F.col("hub.w").alias("wa"),
                     F.col("w").alias("wb")))
    return head_pairs.unionByName(tails)


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
    """Connect every strictly larger neighbour of x to the smallest node of x's closed neighbourhood
    (may repeat edges; the small star removes repeats)."""
    sym = e.select(F.col("u").alias("x"), F.col("v").alias("y")).unionByName(
        e.select(F.col("v").alias("x"), F.col("u").alias("y")))
    m = F.least(F.col("x"), F.min("y").over(Window.partitionBy("x")))
    return sym.select("x", "y", m.alias("m")).filter(F.col("y") > F.col("x")).select(
        F.col("y").alias("u"), F.col("m").alias("v"))


def _small_star(e: DataFrame) -> DataFrame:
    """Connect x and its smaller neighbours to the smallest of them (x's stars are made flat)."""
    with_min = e.select("u", "v", F.min("v").over(Window.partitionBy("u")).alias("m"))
    moved = with_min.filter(F.col("v") != F.col("m")).select(F.col("v").alias("u"), F.col("m").alias("v"))
    return moved.unionByName(with_min.select("u", F.col("m").alias("v"))).distinct()


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
