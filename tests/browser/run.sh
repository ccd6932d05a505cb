#!/usr/bin/env bash
# Browser test of the HTML review page: installs what it needs (Debian's Chromium,
# playwright-core from the lockfile), builds recto and runs the test in
# headless Chromium. Usage: bash tests/browser/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v chromium >/dev/null; then
    # Playwright cannot download a browser here; Debian's Chromium is the one we drive.
    if [ "$(id -u)" -ne 0 ]; then
        echo "chromium is missing; install Debian's chromium package (as root)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$root" && cargo build --locked --quiet --bin recto)

cd "$here"
RECTO="$root/target/debug/recto" \
CHROMIUM="$(command -v chromium)" \
    node --test --test-reporter=spec review.test.mjs
