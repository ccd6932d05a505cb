"""Clean one field of a JSON Lines corpus on Spark by piping it through the recto CLI.

``RDD.pipe`` starts one ``recto clean --jsonl`` process per partition, writes the
partition's lines to its standard input and reads the cleaned lines back, so the
executors need only the ``recto`` binary (no Python package). Only the chosen field of
each record changes; every other byte, and the order of records within a partition,
is kept.

recto passes through records that are not JSON or lack the field, but then exits with
status 2, as it does when it fails. The example pipes with ``checkCode=True`` so that a
failing recto fails the task (and Spark retries it) rather than silently yielding fewer
records; the price is that such records fail the task too. Filter them out first, or
pass ``--no-check`` to accept recto's output whatever its exit status (its notes go to
the executor logs).

    spark-submit examples/spark_pipe.py 'corpus/*.jsonl' cleaned/ --field text
    python examples/spark_pipe.py 'corpus/*.jsonl' cleaned/ --master 'local[2]'

``--recto`` names the binary if it is not on the executors' PATH.
"""

from __future__ import annotations

import argparse
import shlex

from pyspark import SparkContext


def recto_command(recto: str = "recto", field: str = "text", unsafe: bool = False) -> list[str]:
    """The command each partition is piped through."""
    # -q: no summary on stderr per partition; -j1: Spark already runs one task per core.
    command = [recto, "clean", "--jsonl", "--field", field, "-q", "-j1"]
    if unsafe:
        command.append("--unsafe")
    return command


def clean_corpus(
    sc: SparkContext, inputs: str, output: str, command: list[str], check: bool = True
) -> None:
    """Writes ``inputs`` (text files, one JSON record a line) cleaned to ``output``."""
    lines = sc.textFile(inputs)
    lines.pipe(shlex.join(command), checkCode=check).saveAsTextFile(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", help="JSONL files (a path or glob Spark understands)")
    parser.add_argument("output", help="output directory (must not exist)")
    parser.add_argument("--field", default="text", help="the field to clean (default: text)")
    parser.add_argument("--unsafe", action="store_true", help="also apply review fixes")
    parser.add_argument("--recto", default="recto", help="the recto binary (default: recto)")
    parser.add_argument("--master", help="Spark master when not run by spark-submit")
    parser.add_argument(
        "--no-check", action="store_true", help="ignore recto's exit status (see above)"
    )
    args = parser.parse_args()

    sc = SparkContext(master=args.master, appName="recto") if args.master else SparkContext()
    try:
        command = recto_command(args.recto, args.field, args.unsafe)
        clean_corpus(sc, args.inputs, args.output, command, check=not args.no_check)
    finally:
        sc.stop()


if __name__ == "__main__":
    main()
