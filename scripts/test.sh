#!/usr/bin/env bash
# Runs every test of the project. Installs nothing by hand-waving: everything a fresh
# machine needs beyond the Rust toolchain is installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

# Unit, integration, golden, CLI-case, property and doc tests.
cargo test --locked

# The HTML review page in a real headless browser (installs Debian's chromium and
# playwright-core from the lockfile when missing).
bash tests/browser/run.sh

# The Python package (pyo3 + maturin) in a fresh venv: API tests, Dask on a local
# two-worker cluster, Spark local[2] piping through the CLI.
bash python/ci.sh

# Large inputs through the release binary (too slow for a debug-build test):
# a 200 MB file that is one single line must come out cleaned, not crash.
cargo build --locked --release --quiet

# The pipeline fuzzer, reproducibly: one seed, a fixed number of cases, six option sets
# (see examples/fuzz_pipeline.rs). On the garble code that once failed CI, this seed
# panics at case 1,000.
cargo run --locked --release --quiet --example fuzz_pipeline -- --seed 1 --cases 30000

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/one-line.txt" <<'PY'
import sys
chunk = "The \ufb01nancial report of the C o m m i t t e e, caf\u00c3\u00a9 and more words. "
n = 200_000_000 // len(chunk.encode())
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(chunk * n)
PY
./target/release/recto clean "$tmp/one-line.txt" > "$tmp/out.txt"
python3 - "$tmp/out.txt" <<'PY'
import sys
data = open(sys.argv[1], encoding="utf-8").read()
assert "\ufb01" not in data and "caf\u00e9" in data and "\n" not in data[:-1], "large single-line file not cleaned"
print("large-input check: %d MB single line cleaned: ok" % (len(data.encode()) // 1_000_000))
PY
