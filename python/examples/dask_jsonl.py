"""Clean one field of JSON Lines shards on a Dask cluster with recto.

Each shard is a partition of a Dask bag; each partition is cleaned with one
``Cleaner.clean_jsonl`` call, which runs in parallel on the worker without the GIL.
Only the field's value changes: records keep their order and every other byte, and
records that are not JSON, or whose field is missing or not a string, pass through.

    python examples/dask_jsonl.py 'corpus/*.jsonl' cleaned/ --field text --workers 4

writes ``cleaned/0.jsonl``, ``cleaned/1.jsonl``, … (one per input shard, in the sorted
order of the input paths). Pass ``--scheduler tcp://host:8786`` to use an existing
cluster instead of starting a local one; the workers need ``recto`` installed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import dask.bag as db

import recto


def clean_lines(lines: list[str], cleaner: recto.Cleaner, field: str) -> list[str]:
    """Cleans ``field`` of the JSON records of one partition; other bytes stay as they were."""
    # to_textfiles puts the line breaks back.
    return cleaner.clean_jsonl([line.rstrip("\r\n") for line in lines], field)


def clean_bag(paths: str | list[str], cleaner: recto.Cleaner, field: str = "text") -> db.Bag:
    """A bag of cleaned JSON lines, one partition per input file, in input order."""
    # One partition per file (blocksize=None) keeps each shard's records together and
    # in order; the partition, not the record, is the unit of work.
    lines = db.read_text(paths, blocksize=None, encoding="utf-8")
    return lines.map_partitions(clean_lines, cleaner=cleaner, field=field)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", help="JSONL files (a glob such as 'corpus/*.jsonl')")
    parser.add_argument("output", type=Path, help="directory for the cleaned shards")
    parser.add_argument("--field", default="text", help="the field to clean (default: text)")
    parser.add_argument("--unsafe", action="store_true", help="also apply review fixes")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler")
    args = parser.parse_args()

    from dask.distributed import Client, LocalCluster

    cleaner = recto.Cleaner(unsafe=args.unsafe)
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1))
    with client:
        args.output.mkdir(parents=True, exist_ok=True)
        bag = clean_bag(args.inputs, cleaner, args.field)
        bag.to_textfiles(str(args.output / "*.jsonl"), last_endline=True)


if __name__ == "__main__":
    main()
