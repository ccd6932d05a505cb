#!/usr/bin/env python3
"""Throughput of recto against ftfy on the same input, in the same run.

    python3 benches/compare.py [--copies N] [--recto target/release/recto]

The input is the shared benchmark's dev split (../shared/bench/dev/*.noisy.txt; the
seeds when it is absent), copied N times into a temporary directory so that there are
enough documents to keep two workers busy. recto cleans the directory with -j1 and -j2
(best of three runs each, wall clock, process start included once per run); ftfy's
`fix_text` cleans the same documents in this process. Prints MB/s, MB/s per core, the
2-job scaling and the ratio to ftfy. Needs `pip install ftfy`.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def documents():
    files = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "bench", "dev", "*.noisy.txt")))
    if not files:
        files = sorted(glob.glob(os.path.join(ROOT, "seeds", "*.txt")))
    return files


def best_of(n, fn):
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--recto", default=os.path.join(ROOT, "target", "release", "recto"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(args.recto):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    files = documents()
    work = tempfile.mkdtemp(prefix="recto-bench-")
    try:
        src = os.path.join(work, "in")
        os.makedirs(src)
        texts = []
        for k in range(args.copies):
            for f in files:
                data = open(f, "rb").read()
                dest = os.path.join(src, "%d_%s" % (k, os.path.basename(f)))
                open(dest, "wb").write(data)
                texts.append(data.decode("utf-8"))
        total = sum(len(t.encode("utf-8")) for t in texts)
        mb = total / 1e6

        def recto(jobs):
            out = os.path.join(work, "out%d" % jobs)
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run([args.recto, "clean", "-q", "-j", str(jobs), src, "-o", out], check=True)

        t1 = best_of(args.runs, lambda: recto(1))
        t2 = best_of(args.runs, lambda: recto(2))
        try:
            import ftfy
        except ImportError:
            ftfy = None
        if ftfy is not None:
            tf = best_of(1, lambda: [ftfy.fix_text(t) for t in texts])
        print("input: %d documents, %.1f MB" % (len(texts), mb))
        print("recto -j1: %6.2f s  %7.1f MB/s  (%.1f MB/s per core)" % (t1, mb / t1, mb / t1))
        print("recto -j2: %6.2f s  %7.1f MB/s  (%.1f MB/s per core; scaling %.2fx)" % (t2, mb / t2, mb / t2 / 2, t1 / t2))
        if ftfy is not None:
            print("ftfy.fix_text: %6.2f s  %7.2f MB/s  (one core)" % (tf, mb / tf))
            print("recto -j1 / ftfy: %.1fx" % (tf / t1))
        else:
            print("ftfy not installed (pip install ftfy): no comparison")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
