#!/usr/bin/env python3
"""Generate the differential-oracle cases for recto's mojibake repair.

Writes `tests/data/mojibake/cases.jsonl`: one JSON object per line with
  kind     "clean" (must come back unchanged) or "broken"
  how      how a broken case was made, e.g. "cp1252x2/segments"
  input    the text recto sees
  source   the true text (equal to `input` for clean cases)
  ftfy     what `ftfy.fix_encoding` returns for `input`

The texts are built by a seeded random generator from a vocabulary of real-looking
fragments: English prose, accented Latin names and sentences (Hungarian, Czech, Polish,
Romanian, Portuguese, French, German, Nordic), Cyrillic and Greek, typographic
punctuation, math symbols, and upper-case words that end in accented letters (the
shapes that look most like mojibake). Broken cases encode the whole text or only some
segments as UTF-8 and decode the bytes as windows-1252 (undefined bytes kept as C1
controls, as "sloppy" decoders and browsers do) or latin-1, once or twice.

A quarter of the fragments are names, addresses, company names and sentences from
Faker (MIT) in 30 locales, upper-cased at times: real spellings rather than the
hand-picked ones above.

The unit test `oracle` in `src/stages/unicode/mojibake.rs` reads the file; ftfy is the
oracle it is compared against. Re-running this script requires `pip install ftfy faker`
(ftfy is Apache-2.0, Faker MIT); the output is deterministic for given versions of the
two (recorded in the first line).

Usage: python3 scripts/mojibake_oracle.py [--n 3000] [--seed 2026]
"""

import argparse
import json
import pathlib
import random

import faker
import ftfy

ENGLISH = (
    "the committee approved the report after a long debate about the budget "
    "and asked the secretary to circulate the minutes before the next session "
    "results were measured at room temperature with a standard deviation of "
    "see the appendix for details of the method and the data used in this study"
).split()

NAMES = [
    "Mátyás Rákosi", "Árpád Pulai", "János Beck", "András Bocz", "Imre Nagy",
    "Ernő Gerő", "Pál Erdős", "Kurt Gödel", "Antonín Dvořák", "Karel Čapek",
    "Łukasz Żółć", "Stanisław Lem", "Ștefan Țiriac", "Mircea Eliade", "Zoë Brontë",
    "François Truffaut", "Jürgen Müller", "Søren Kierkegaard", "Þórr Ásgeirsson",
    "Đorđe Balašević", "José Ibáñez", "Gabriel García Márquez", "João Gonçalves",
    "Ærø", "Øresund", "Malmö", "Zürich", "Kraków", "Brașov", "Ölüdeniz", "Ağrı",
    "Nguyễn Văn Thiệu", "Dušan Šimić", "Bjørn Dæhlie", "Ångström", "Ñuñoa",
]

SENTENCES = [
    "Le café de la gare est fermé à cause de la grève.",
    "À bientôt, dit-il, en français.",
    "O coração de São Paulo não dorme.",
    "A irmã e a mãe estão à espera.",
    "Über die Brücke gehen wir morgen früh.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "Zażółć gęślą jaźń.",
    "Învățământul din România este gratuit.",
    "Árvíztűrő tükörfúrógép.",
    "El niño comió piñata en el año pasado.",
    "Færøerne og Ålborg ligger i Danmark.",
    "Hyvää päivää, mitä kuuluu?",
    "Советский Союз распался в 1991 году.",
    "В 1990 году пленум ЦК собрался в Москве.",
    "Ёлка стоит в углу, а ещё — подарки.",
    "Україна, їжак і ґанок.",
    "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "Το β-blocker και το α-κύμα.",
    "日本語のテキスト", "中文文本", "שלום עולם", "مرحبا بالعالم", "😀 done",
]

UPPER = [
    "SÃO PAULO", "NÃO", "IRMÃ", "CORAÇÃO", "CAFÉ", "NESCAFÉ®", "HYVÄ", "JÄÄ",
    "ÎNVĂȚĂMÂNT", "CHÂTEAU", "ÉTÉ", "GRÜSSE", "AÑO", "ÅR", "ÞÓRR", "ÉCOLE",
    "PÍŠE", "NÁŠ", "ÚŽASNÉ", "ÇA", "OÙ", "ÎLE", "DÉJÀ", "MÜNCHEN", "ÖL",
]

SYMBOLS = [
    "x² × y³ ≤ ½", "25 °C", "±0.5", "5 µm", "¼ + ¾ = 1", "∑ xᵢ ≈ ∞", "√2 ≠ 1.41",
    "a ÷ b", "№ 7", "§ 12", "¶ 3", "© 2024", "Brand™", "Name®", "€ 20", "£5",
    "¥100", "¢", "x ∈ A ∩ B", "½×¾", "3×²", "Ø 4 mm", "°", "×", "¹²³",
]

PUNCT_WRAP = [
    ("“", "”"), ("‘", "’"), ("«", "»"), ("„", "“"), ("‹", "›"), ("«\u00a0", "\u00a0»"),
    ("(", ")"), ("", "…"), ("", " —"), ("", " –"), ("", "’s"), ("• ", ""),
]


# Letters that lead mis-decoded UTF-8 sequences, and the symbols that follow them in
# mojibake, put together the way correct text does: at the end of an upper-case word
# before closing punctuation or a footnote mark, after an accented lower-case letter, or
# quoted alone. (`Â` is left out: no word ends in it.)
LEADS_UPPER = "ÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"
LEADS_LOWER = "àáâãäåæçèéêëìíîï"
CLOSERS = ["”", "’", "»", "…", "–", "—", "™", "®", "·", "\u00a0", "¹", "²", "³", "“", "›"]


def adversarial(rng):
    r = rng.random()
    if r < 0.4:
        word = "".join(rng.choice("BCDFGHJKLMNPRSTV") for _ in range(rng.randint(1, 4)))
        return word + rng.choice(LEADS_UPPER) + rng.choice(CLOSERS)
    if r < 0.7:
        word = "".join(rng.choice("bcdfghlmnprstv") for _ in range(rng.randint(1, 4)))
        return word + rng.choice(LEADS_LOWER) + rng.choice(CLOSERS) + rng.choice(CLOSERS)
    if r < 0.85:
        quote = rng.choice([("“", "”"), ("«", "»"), ("‘", "’"), ("„", "“")])
        return quote[0] + rng.choice(LEADS_UPPER) + quote[1]
    return rng.choice("x3nØ×") + rng.choice("×±²³½¼°") + rng.choice(["", "²", "³", " "])


FAKER_LOCALES = [
    "pt_BR", "pt_PT", "fr_FR", "de_DE", "cs_CZ", "pl_PL", "ro_RO", "hu_HU", "fi_FI",
    "sv_SE", "da_DK", "no_NO", "es_ES", "it_IT", "tr_TR", "vi_VN", "ru_RU", "uk_UA",
    "el_GR", "he_IL", "ar_AA", "zh_CN", "ja_JP", "sk_SK", "hr_HR", "sl_SI", "lt_LT",
    "lv_LV", "et_EE", "is_IS",
]


def faker_pool(seed):
    """Names, addresses, cities, companies and sentences from every locale."""
    pool = []
    for locale in FAKER_LOCALES:
        fake = faker.Faker(locale)
        fake.seed_instance(seed)
        for make in (fake.name, fake.address, fake.city, fake.company, fake.sentence):
            for _ in range(20):
                text = make().replace("\n", ", ")
                pool.append(text)
                pool.append(text.upper())
    return pool


FAKER_POOL = []


def fragment(rng):
    if rng.random() < 0.12:
        return adversarial(rng)
    if rng.random() < 0.25:
        return rng.choice(FAKER_POOL)
    r = rng.random()
    if r < 0.30:
        return " ".join(rng.choice(ENGLISH) for _ in range(rng.randint(2, 7)))
    if r < 0.50:
        return rng.choice(NAMES)
    if r < 0.70:
        return rng.choice(SENTENCES)
    if r < 0.82:
        return rng.choice(UPPER)
    return rng.choice(SYMBOLS)


def decorate(rng, frag):
    if rng.random() < 0.35:
        left, right = rng.choice(PUNCT_WRAP)
        frag = left + frag + right
    return frag


def clean_text(rng):
    parts = [decorate(rng, fragment(rng)) for _ in range(rng.randint(2, 7))]
    return rng.choice([" ", ", ", "; ", ". ", "\n"]).join(parts)


def sloppy_1252(data: bytes) -> str:
    """windows-1252, with the five undefined bytes kept as C1 controls."""
    return "".join(
        bytes([b]).decode("latin-1") if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
        else bytes([b]).decode("cp1252")
        for b in data
    )


def break_once(text, codec):
    data = text.encode("utf-8")
    return sloppy_1252(data) if codec == "cp1252" else data.decode("latin-1")


def break_text(text, codec, layers):
    for _ in range(layers):
        text = break_once(text, codec)
    return text


def broken_case(rng):
    codec = rng.choice(["cp1252", "cp1252", "cp1252", "latin-1"])
    layers = 1 if rng.random() < 0.7 else 2
    source = clean_text(rng)
    if rng.random() < 0.4:
        mode = "whole"
        broken = break_text(source, codec, layers)
    else:
        # Break some of the fragments only (split on the same separators we joined with).
        mode = "segments"
        words = source.split(" ")
        out = []
        for w in words:
            if any(ord(c) > 0x7F for c in w) and rng.random() < 0.5:
                out.append(break_text(w, codec, layers))
            else:
                out.append(w)
        broken = " ".join(out)
    if codec == "cp1252" and rng.random() < 0.15:
        # Some software then turns the no-break spaces (byte A0 in `Ã\xa0` = `à`) into
        # plain spaces.
        broken = broken.replace("\u00a0", " ")
        mode += "+nbsp-as-space"
    if broken == source:
        return None
    return {"kind": "broken", "how": f"{codec}x{layers}/{mode}", "input": broken, "source": source}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="tests/data/mojibake/cases.jsonl")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    FAKER_POOL.extend(faker_pool(args.seed))
    cases = []
    while len(cases) < args.n:
        if rng.random() < 0.5:
            text = clean_text(rng)
            case = {"kind": "clean", "how": "clean", "input": text, "source": text}
        else:
            case = broken_case(rng)
            if case is None:
                continue
        case["ftfy"] = ftfy.fix_encoding(case["input"])
        cases.append(case)

    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"generator": "scripts/mojibake_oracle.py", "seed": args.seed,
                            "ftfy": ftfy.__version__, "faker": faker.VERSION,
                            "cases": len(cases)}) + "\n")
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")

    clean = [c for c in cases if c["kind"] == "clean"]
    broken = [c for c in cases if c["kind"] == "broken"]
    fp = sum(c["ftfy"] != c["source"] for c in clean)
    ok = sum(c["ftfy"] == c["source"] for c in broken)
    print(f"{len(cases)} cases; ftfy: {fp}/{len(clean)} clean changed, "
          f"{ok}/{len(broken)} broken restored")


if __name__ == "__main__":
    main()
