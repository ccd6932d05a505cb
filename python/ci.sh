#!/usr/bin/env bash
# Builds the Python package into a fresh virtual environment and runs its tests (the API
# tests, the Dask test on a local two-worker cluster, and the Spark test in local[2]
# mode, which pipes through the release `recto` binary and is skipped without Java).
# Needs python3 (>= 3.10) with venv, the Rust toolchain, and PyPI and crates.io
# reachable; installs everything else.
#
#   python/ci.sh                 # from anywhere
#   python/ci.sh -k dask         # arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")"

# Under target/ (ignored by git), rebuilt on every run so nothing installed by hand leaks in.
venv=$PWD/target/ci-venv
rm -rf "$venv"
python3 -m venv "$venv"
pip() { "$venv/bin/python" -m pip --disable-pip-version-check --quiet "$@"; }

pip install -r requirements-test.txt
# The way a user installs it; maturin builds the extension in release mode, reusing
# python/target between runs.
pip install --no-deps .

# For the Spark test (a no-op when scripts/test.sh has just built it).
cargo build --release --locked --quiet --manifest-path ../Cargo.toml --bin recto
export RECTO_BIN=$PWD/../target/release/recto

# Outside this directory, whose recto/ (without the compiled module) would shadow it.
(cd / && "$venv/bin/python" -c "import recto; assert recto.clean('ﬁne') == 'fine'")
# A hung cluster must fail the run, not stall it.
timeout 900 "$venv/bin/pytest" -q -rs -p no:cacheprovider "$@"
