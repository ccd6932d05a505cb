#!/usr/bin/env bash
# Checks that two recto binaries give byte-identical results: the test every speed
# change must pass, since a speed change must not change behaviour.
#
#   scripts/same_outputs.sh OLD_RECTO NEW_RECTO
#
# Both binaries run `clean`, `clean --unsafe`, `clean --keep-lines` and `check --unsafe`
# on every benchmark input (../shared/bench/dev/*.noisy.txt, when present) and every
# seed, and `clean -j1 --report` on all of them concatenated (so that change ids, which
# hash the context of each change, and segmenting are compared too). Exit 0 and
# "identical" when nothing differs; otherwise the differences (`diff -r`) and exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 OLD_RECTO NEW_RECTO" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

inputs=(seeds/*)
if compgen -G "../shared/bench/dev/*.noisy.txt" > /dev/null; then
  inputs+=(../shared/bench/dev/*.noisy.txt)
fi
for f in "${inputs[@]}"; do
  cat "$f"
  printf '\n\f'
done > "$tmp/all.txt"

outputs() {
  local bin=$1 out=$2
  mkdir -p "$out"/{clean,unsafe,keep,check}
  "$bin" clean -j1 "$tmp/all.txt" --report "$out/all.jsonl" > "$out/all.txt"
  for f in "${inputs[@]}"; do
    local n
    n=$(basename "$f")
    "$bin" clean "$f" > "$out/clean/$n"
    "$bin" clean --unsafe "$f" > "$out/unsafe/$n"
    "$bin" clean --keep-lines "$f" > "$out/keep/$n"
    # `check` exits 1 when anything would change; its summary line ends with the
    # seconds and MB/s of the run, which differ from run to run: cut them.
    { "$bin" check --unsafe "$f" 2>&1 || true; } |
      sed -E 's/, [0-9.]+ s, [0-9.]+ MB\/s$//' > "$out/check/$n"
  done
}

outputs "$old" "$tmp/old"
outputs "$new" "$tmp/new"
diff -r "$tmp/old" "$tmp/new"
echo "identical: ${#inputs[@]} inputs, 4 modes each, and all of them concatenated"
