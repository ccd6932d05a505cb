#!/usr/bin/env python3
"""Regenerates the English dictionary data in rules/dict/ from registry packages.

Inputs (fetched with the ordinary package clients, pinned so the output is reproducible):
  * Debian package `scowl` — SCOWL word lists split by category and size class; gives the
    vocabulary, its capitalisation, and a rough commonness class for every word.
  * PyPI package `symspellpy` — ships SymSpell's MIT-licensed unigram and bigram frequency
    lists (counts from the Google Books Ngram corpus, intersected with SCOWL).

Outputs:
  * rules/dict/en.words.txt   `word<TAB>zipf`, sorted by word (byte order)
  * rules/dict/en.bigrams.txt `first second<TAB>log10 P(second | first)`, sorted
  * rules/dict/LICENSES/*     licence texts of the sources

Usage: python3 scripts/build_dict.py [--cache DIR]
Needs `apt-get` (Debian) and `pip`; run `apt-get update` once first. See rules/dict/SOURCES.md.
"""

import argparse
import glob
import math
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

SCOWL_DEB = "scowl"
SCOWL_VERSION = "2020.12.07-2"
SYMSPELL_WHEEL = "symspellpy"
SYMSPELL_VERSION = "6.10.1"

# SCOWL spelling categories and word classes taken into the vocabulary. Regional
# categories are all included because documents mix spellings; variant_1 holds the
# "almost equal" alternative spellings (e.g. both "judgment" and "judgement").
SCOWL_SPELLINGS = [
    "english", "american", "british", "british_z", "canadian", "australian",
    "variant_1", "british_variant_1", "canadian_variant_1", "australian_variant_1",
]
SCOWL_CLASSES = ["words", "upper", "proper-names", "contractions", "abbreviations"]

# Every entry up to this size class is included; larger classes (80, 95: rare, archaic
# and technical words) are included only when the frequency source attests them. This
# keeps the list near 150k entries instead of 600k mostly-obscure ones.
SCOWL_ALWAYS_UP_TO = 70

# Zipf given to a SCOWL word the frequency source lacks, by SCOWL size class. The
# frequency source's rarest word has zipf 1.4 (count 12 714 of 5.4e11), so every
# unattested word sits below every attested one, and commoner classes above rarer ones.
DEFAULT_ZIPF_BY_SIZE = {10: 1.3, 20: 1.3, 35: 1.3, 40: 1.2, 50: 1.2, 55: 1.1, 60: 1.1, 70: 1.0}

# SymSpell lists contractions ("don't", "I'll") with one placeholder count, 300 000,
# identical for all of them and far too low (zipf 2.7 for "don't"). Contractions that
# carry it get an estimate by SCOWL size class instead: the commonest ones (class 10:
# "don't", "can't") sit with everyday words, rarer ones ("who've") lower.
SYMSPELL_PLACEHOLDER = 300_000
CONTRACTION_ZIPF_BY_SIZE = {10: 5.0, 20: 4.5, 35: 4.5, 40: 4.0, 50: 3.5, 55: 3.0, 60: 3.0, 70: 2.5}

# SymSpell's bigram counts are 64 times its unigram counts' scale (see build_bigrams).
BIGRAM_SCALE = 64

# The bigram file is pruned to its most frequent entries so it stays under this size.
BIGRAM_MAX_BYTES = 3_000_000

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "rules", "dict")


def fetch(cache):
    """Downloads and unpacks both packages into `cache` (reused when already there)."""
    scowl_dir = os.path.join(cache, "scowl")
    if not os.path.isdir(scowl_dir):
        subprocess.run(["apt-get", "download", f"{SCOWL_DEB}={SCOWL_VERSION}"], cwd=cache, check=True)
        deb = glob.glob(os.path.join(cache, f"{SCOWL_DEB}_*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, scowl_dir], check=True)
    sym_dir = os.path.join(cache, "symspellpy")
    if not os.path.isdir(sym_dir):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", cache,
             f"{SYMSPELL_WHEEL}=={SYMSPELL_VERSION}"],
            check=True,
        )
        wheel = glob.glob(os.path.join(cache, f"{SYMSPELL_WHEEL}-{SYMSPELL_VERSION}-*.whl"))[0]
        with zipfile.ZipFile(wheel) as z:
            z.extractall(sym_dir)
    return scowl_dir, sym_dir


def read_scowl(scowl_dir):
    """Returns ({word: smallest size class it appears in}, {contractions})."""
    lists = os.path.join(scowl_dir, "usr", "share", "dict", "scowl")
    words = {}
    contractions = set()
    for spelling in SCOWL_SPELLINGS:
        for cls in SCOWL_CLASSES:
            for path in glob.glob(os.path.join(lists, f"{spelling}-{cls}.*")):
                size = int(path.rsplit(".", 1)[1])
                with open(path, encoding="utf-8") as f:
                    for line in f:
                        w = line.strip()
                        # Possessives ("Moscow's") double the list for no information:
                        # the lexicon derives them from the stem at lookup time.
                        # Contractions ("it's", "let's") are kept.
                        if not w or (cls != "contractions" and w.endswith("'s")):
                            continue
                        if size < words.get(w, 1000):
                            words[w] = size
                        if cls == "contractions":
                            contractions.add(w)
    return words, contractions


def read_counts(path, fields):
    counts = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != fields:
                continue
            key = " ".join(parts[:-1])
            counts[key] = counts.get(key, 0) + int(parts[-1])
    return counts


def zipf(count, total):
    return math.log10(count / total * 1e9)


def build_words(scowl, contractions, unigrams):
    total = sum(unigrams.values())
    # Capitalised and lowercase SCOWL forms share the source's (case-folded) count.
    forms_by_lower = {}
    for w in scowl:
        forms_by_lower.setdefault(w.lower(), []).append(w)

    entries = {}
    for w, size in scowl.items():
        count = unigrams.get(w.lower())
        commonest = min(scowl[form] for form in forms_by_lower[w.lower()])
        if size > SCOWL_ALWAYS_UP_TO and commonest <= SCOWL_ALWAYS_UP_TO:
            # The source is case-folded, so its count for "moscow" attests "Moscow" and
            # says nothing about the rare lowercase entry SCOWL also lists. Keeping it
            # would make a lowercase "moscow" look like a word.
            continue
        if w in contractions and size in CONTRACTION_ZIPF_BY_SIZE and count in (None, SYMSPELL_PLACEHOLDER):
            entries[w] = CONTRACTION_ZIPF_BY_SIZE[size]
        elif count is not None:
            entries[w] = zipf(count, total)
        elif size <= SCOWL_ALWAYS_UP_TO:
            entries[w] = DEFAULT_ZIPF_BY_SIZE[size]
    # Attested words SCOWL lacks in every capitalisation (rare: the source was already
    # intersected with SCOWL, but with other size classes and categories).
    for w, count in unigrams.items():
        if w not in forms_by_lower and w.isalpha():
            entries[w] = zipf(count, total)
    return entries, total


def build_bigrams(bigrams, unigrams):
    scored = []
    for pair, count in bigrams.items():
        a, b = pair.split(" ")
        ca = unigrams.get(a)
        if ca is None or b not in unigrams:
            continue
        # The bigram counts are on a different scale from the unigram counts: every one
        # is a multiple of 64 and they sum to 23x the unigram total. Divided by 64 they
        # fit: no pair then outnumbers its first word ("in accordance with": 0.95,
        # P(the | of) = 0.21). The clamp only guards against rounding.
        logp = min(0.0, math.log10(count / BIGRAM_SCALE / ca))
        scored.append((count, a, b, logp))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    kept, size = [], 0
    for count, a, b, logp in scored:
        line = f"{a} {b}\t{logp:.2f}\n"
        if size + len(line.encode()) > BIGRAM_MAX_BYTES:
            break
        size += len(line.encode())
        kept.append(line)
    kept.sort()
    return kept


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="directory for downloaded packages (default: a temporary one)")
    args = ap.parse_args()
    cache = args.cache or tempfile.mkdtemp(prefix="recto-dict-")
    os.makedirs(cache, exist_ok=True)

    scowl_dir, sym_dir = fetch(cache)
    scowl, contractions = read_scowl(scowl_dir)
    data = os.path.join(sym_dir, "symspellpy")
    unigrams = read_counts(os.path.join(data, "frequency_dictionary_en_82_765.txt"), 2)
    bigrams = read_counts(os.path.join(data, "frequency_bigramdictionary_en_243_342.txt"), 3)

    entries, total = build_words(scowl, contractions, unigrams)
    os.makedirs(os.path.join(OUT, "LICENSES"), exist_ok=True)
    with open(os.path.join(OUT, "en.words.txt"), "w", encoding="utf-8", newline="\n") as f:
        for w in sorted(entries, key=lambda s: s.encode()):
            f.write(f"{w}\t{entries[w]:.1f}\n")
    bigram_lines = build_bigrams(bigrams, unigrams)
    with open(os.path.join(OUT, "en.bigrams.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.writelines(bigram_lines)

    shutil.copy(os.path.join(scowl_dir, "usr", "share", "doc", "scowl", "copyright"),
                os.path.join(OUT, "LICENSES", "SCOWL.txt"))
    lic = glob.glob(os.path.join(sym_dir, "*.dist-info", "licenses", "LICENSE"))[0]
    shutil.copy(lic, os.path.join(OUT, "LICENSES", "symspellpy-MIT.txt"))

    attested = sum(1 for w in entries if unigrams.get(w.lower(), SYMSPELL_PLACEHOLDER) != SYMSPELL_PLACEHOLDER)
    print(f"en.words.txt: {len(entries)} entries ({attested} with a real count, "
          f"{len(entries) - attested} with a size-class estimate); corpus total {total}")
    print(f"en.bigrams.txt: {len(bigram_lines)} of {len(bigrams)} bigrams")


if __name__ == "__main__":
    main()
