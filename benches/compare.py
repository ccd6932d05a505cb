#!/usr/bin/env python3
"""Throughput of recto against ftfy on the same input, in the same run.

    python3 benches/compare.py [--copies N] [--runs R] [--recto target/release/recto]
                               [--scratch DIR]

The input is the shared benchmark's dev split (../shared/bench/dev/*.noisy.txt; the
seeds when it is absent). recto cleans it two ways, each with -j1 and -j2 (best of R
runs, wall clock, process start included once per run):

- one file: the documents concatenated, each followed by a form feed (what the speed
  targets name: "the concatenated dev inputs"); a file over 2 MiB is cleaned in
  segments of even lengths, in parallel;
- a directory: the documents copied N times, enough to keep two workers busy.

ftfy's `fix_text` cleans the same documents in this process. Prints MB/s, MB/s per core,
the 2-job scaling and the ratio to ftfy. Needs `pip install ftfy`.

Inputs and outputs live under a scratch directory, by default /dev/shm (a RAM file
system) where there is one. Why: on this project's ext4 disk, writing a directory run's
480 outputs right after deleting the previous run's spent a third of a -j1 run in the
kernel's inode allocator (`find_inode_bit`, `recently_deleted`, seen with `perf
record`), which serialises the writers of a -j2 run; that measures the file system,
not recto. `--scratch DIR` measures on another file system.
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


def default_scratch():
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        return shm
    return None


def seconds(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--recto", default=os.path.join(ROOT, "target", "release", "recto"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scratch", default=default_scratch(),
                    help="where inputs and outputs are written (default: /dev/shm if writable)")
    args = ap.parse_args()
    if not os.path.exists(args.recto):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    files = documents()
    work = tempfile.mkdtemp(prefix="recto-bench-", dir=args.scratch)
    try:
        src = os.path.join(work, "in")
        os.makedirs(src)
        docs = [open(f, "rb").read() for f in files]
        concatenated = os.path.join(work, "concatenated.txt")
        with open(concatenated, "wb") as out:
            for data in docs:
                out.write(data)
                out.write(b"\n\f")
        one_mb = os.path.getsize(concatenated) / 1e6
        texts = []
        for k in range(args.copies):
            for f, data in zip(files, docs):
                dest = os.path.join(src, "%d_%s" % (k, os.path.basename(f)))
                open(dest, "wb").write(data)
                texts.append(data.decode("utf-8"))
        total = sum(len(t.encode("utf-8")) for t in texts)
        mb = total / 1e6

        def recto(jobs, path, name):
            out = os.path.join(work, "%s%d" % (name, jobs))
            shutil.rmtree(out, ignore_errors=True)
            subprocess.run([args.recto, "clean", "-q", "-j", str(jobs), path, "-o", out], check=True)

        # Interleaved, so that a change in the machine's load falls on both.
        best = {}
        for _ in range(args.runs):
            for jobs in (1, 2):
                for name, path in (("file", concatenated), ("dir", src)):
                    t = seconds(lambda: recto(jobs, path, name))
                    best[name, jobs] = min(best.get((name, jobs), float("inf")), t)
        try:
            import ftfy
        except ImportError:
            ftfy = None
        if ftfy is not None:
            tf = seconds(lambda: [ftfy.fix_text(t) for t in texts])

        print("scratch: %s" % (args.scratch or tempfile.gettempdir()))
        print("one file: %d documents concatenated, %.1f MB" % (len(docs), one_mb))
        f1, f2 = best["file", 1], best["file", 2]
        print("  recto -j1: %6.3f s  %7.1f MB/s  (%.1f MB/s per core)" % (f1, one_mb / f1, one_mb / f1))
        print("  recto -j2: %6.3f s  %7.1f MB/s  (%.1f MB/s per core; scaling %.2fx)"
              % (f2, one_mb / f2, one_mb / f2 / 2, f1 / f2))
        print("directory: %d documents, %.1f MB" % (len(texts), mb))
        t1, t2 = best["dir", 1], best["dir", 2]
        print("  recto -j1: %6.3f s  %7.1f MB/s  (%.1f MB/s per core)" % (t1, mb / t1, mb / t1))
        print("  recto -j2: %6.3f s  %7.1f MB/s  (%.1f MB/s per core; scaling %.2fx)"
              % (t2, mb / t2, mb / t2 / 2, t1 / t2))
        if ftfy is not None:
            print("ftfy.fix_text on the directory's documents: %6.2f s  %7.2f MB/s  (one core)" % (tf, mb / tf))
            print("recto -j1 / ftfy: %.1fx" % (tf / t1))
        else:
            print("ftfy not installed (pip install ftfy): no comparison")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
