#!/usr/bin/env python3
"""Peak memory of `recto clean --jsonl` on a stream of any size, generated on the fly.

Records are the benchmark's noisy inputs (../shared/bench/dev, or --cases DIR) cycled,
each with an id, a nested metadata object and the text field; the generator writes
them to recto's stdin and recto writes to /dev/null, so neither the stream nor its
output ever exists on disk. Prints bytes streamed, seconds, MB/s and recto's peak RSS
(from getrusage of the child).

Usage: python3 benches/jsonl_rss.py [--gb 5] [--jobs N] [--recto target/release/recto]
"""

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=5.0, help="stream size in GB (10^9 bytes)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--cases", default=os.path.join(ROOT, "..", "shared", "bench", "dev"))
    ap.add_argument("--recto", default=os.path.join(ROOT, "target", "release", "recto"))
    args = ap.parse_args()
    texts = [open(p, encoding="utf-8").read()
             for p in sorted(glob.glob(os.path.join(args.cases, "*.noisy.txt")))]
    if not texts:
        sys.exit(f"no *.noisy.txt under {args.cases}")
    lines = [
        (json.dumps({"id": i, "meta": {"source": "bench", "n": i}, "text": t},
                    ensure_ascii=False) + "\n").encode("utf-8")
        for i, t in enumerate(texts)
    ]
    target = int(args.gb * 1e9)
    child = subprocess.Popen(
        [args.recto, "clean", "--jsonl", "--field", "text", "-q", "-j", str(args.jobs)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )
    start = time.perf_counter()
    sent = 0
    i = 0
    chunk = []
    while sent < target:
        line = lines[i % len(lines)]
        chunk.append(line)
        sent += len(line)
        i += 1
        if len(chunk) == 256:
            child.stdin.write(b"".join(chunk))
            chunk.clear()
    child.stdin.write(b"".join(chunk))
    child.stdin.close()
    code = child.wait()
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{sent / 1e9:.2f} GB, {i} records, {seconds:.0f} s, {sent / 1e6 / seconds:.1f} MB/s "
          f"with {args.jobs} jobs; recto peak RSS {rss_mb:.0f} MB; exit {code}")
    sys.exit(code)


if __name__ == "__main__":
    main()
