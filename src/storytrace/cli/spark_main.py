"""``spark-submit`` entry point: ``storytrace dedup --engine spark`` with the master and settings that
spark-submit gives (``--master``, ``--conf``, ``--driver-memory`` ...).

    spark-submit --master yarn --deploy-mode client \\
        "$(python -c 'import storytrace.cli.spark_main as m; print(m.__file__)')" \\
        hdfs:///corpus/2024/ --out hdfs:///dedup/2024 --map-format parquet

Arguments are those of ``storytrace dedup`` (``--engine spark`` is implied). Leave the master to
spark-submit: a ``--master`` among the application's arguments would take precedence over it.
"""
from __future__ import annotations

import sys


def dedup_argv(argv: list[str]) -> list[str]:
    """The ``storytrace`` command line for spark-submit's arguments.

    >>> dedup_argv(["in/", "--out", "o"])
    ['dedup', '--engine', 'spark', 'in/', '--out', 'o']
    """
    return ["dedup", "--engine", "spark", *argv]


def main(argv: list[str] | None = None) -> None:
    """Run ``storytrace dedup --engine spark ARGS``."""
    from storytrace.cli import main as cli_main

    sys.argv = ["storytrace", *dedup_argv(list(sys.argv[1:] if argv is None else argv))]
    cli_main()


if __name__ == "__main__":
    main()
