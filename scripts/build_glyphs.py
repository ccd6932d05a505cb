#!/usr/bin/env python3
"""Regenerates rules/glyphs/ — the Adobe Glyph List — from a registry package.

PDF extractors that meet a glyph without a Unicode mapping sometimes print the glyph's
*name* instead (pypdf: `Khrushchev/quotesingle.ts1s`). The `unicode.glyph-name` rule maps
such names back to characters with the Adobe Glyph List.

Input (fetched with pip, pinned so the output is reproducible):
  * PyPI package `fonttools` — `fontTools/agl.py` embeds Adobe's glyphlist.txt verbatim
    (BSD-3-Clause, Copyright 2002-2019 Adobe), taken from
    https://github.com/adobe-type-tools/agl-aglfn at commit 4036a9ca.

Outputs:
  * rules/glyphs/glyphlist.txt  `name;XXXX[ XXXX…]` as in Adobe's file (comments kept)
  * rules/glyphs/LICENSE        Adobe's licence, as the file's header states it

Usage: python3 scripts/build_glyphs.py [--cache DIR]
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import zipfile

FONTTOOLS_VERSION = "4.55.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "rules", "glyphs")


def fetch_agl_source(cache):
    os.makedirs(cache, exist_ok=True)
    wheels = glob.glob(os.path.join(cache, f"fonttools-{FONTTOOLS_VERSION}-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", cache,
             "--only-binary=:all:", f"fonttools=={FONTTOOLS_VERSION}"],
            check=True,
        )
        wheels = glob.glob(os.path.join(cache, f"fonttools-{FONTTOOLS_VERSION}-*.whl"))
    with zipfile.ZipFile(wheels[0]) as z:
        return z.read("fontTools/agl.py").decode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "recto-glyphs"))
    args = ap.parse_args()
    source = fetch_agl_source(args.cache)
    m = re.search(r'_aglText = """\\\n(.*?)"""', source, re.S)
    if not m:
        sys.exit("fontTools/agl.py: glyph list not found (layout changed?)")
    glyphlist = m.group(1)
    entries = [l for l in glyphlist.splitlines() if l and not l.startswith("#")]
    if not all(re.fullmatch(r"[A-Za-z0-9._]+;[0-9A-F]{4}( [0-9A-F]{4})*", e) for e in entries):
        sys.exit("unexpected line in the glyph list")
    # The licence is the header's comment block from the copyright line to the end of
    # the disclaimer; blank comment lines separate its paragraphs.
    licence = []
    for l in glyphlist.splitlines():
        if not l.startswith("#"):
            break
        body = l[2:] if l.startswith("# ") else ""
        if licence or body.startswith("Copyright"):
            licence.append(body)
        if body.endswith("DAMAGE."):
            break
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "glyphlist.txt"), "w", encoding="utf-8") as f:
        f.write(glyphlist)
    with open(os.path.join(OUT, "LICENSE"), "w", encoding="utf-8") as f:
        f.write("\n".join(licence) + "\n")
    print(f"{len(entries)} glyph names -> {OUT}/glyphlist.txt")


if __name__ == "__main__":
    main()
