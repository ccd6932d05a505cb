"""The Python API: recto.clean, recto.Cleaner and recto.rules."""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path

import pytest

import recto

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

# Repairs that every build has (unicode stage), next to text that must survive: an
# astral emoji and CJK move code-point offsets away from byte offsets.
MIXED = "😀 The ﬁnancial report — caf\u00c3\u00a9 in Zürich,\r\nﬂow\u200b of 東京 funds."
MIXED_CLEAN = "😀 The financial report — café in Zürich,\nflow of 東京 funds."


def rule_ids() -> set[str]:
    return {r["id"] for r in recto.rules()}


def apply_changes(text: str, changes: list[dict]) -> str:
    """Rebuilds the output from the input and the changes, by code-point offsets."""
    out, at = [], 0
    for c in changes:
        out.append(text[at : c["char_start"]])
        out.append(c["after"])
        at = c["char_end"]
    out.append(text[at:])
    return "".join(out)


def test_clean_repairs_ligatures_mojibake_and_invisibles():
    assert recto.clean("ﬁne") == "fine"
    assert recto.clean(MIXED) == MIXED_CLEAN


def test_clean_text_passes_through_unchanged():
    text = "Mátyás Rákosi said [dogovorit'sia] — “fine”, 東京.\n"
    assert recto.clean(text) == text
    assert recto.Cleaner().changes(text) == []
    assert recto.clean("") == ""


def test_cleaner_matches_clean():
    cleaner = recto.Cleaner()
    assert cleaner.clean(MIXED) == recto.clean(MIXED)


def test_changes_have_rules_and_slice_by_chars_and_bytes():
    changes = recto.Cleaner().changes(MIXED)
    data = MIXED.encode("utf-8")
    assert {r for c in changes for r in c["rules"]} >= {
        "unicode.ligature",
        "unicode.mojibake",
        "unicode.invisible",
        "decode.line-ending",
    }
    for c in changes:
        assert MIXED[c["char_start"] : c["char_end"]] == c["before"]
        assert data[c["start"] : c["end"]].decode("utf-8") == c["before"]
        assert c["before"] != c["after"]
        assert c["applicability"] == "safe"
        assert 0.0 <= c["confidence"] <= 1.0
        assert isinstance(c["message"], str)
        assert c["linked"] == []
        assert all(rule in rule_ids() for rule in c["rules"])
    ligature = next(c for c in changes if c["before"] == "ﬁ")
    assert ligature["after"] == "fi" and ligature["rules"] == ["unicode.ligature"]
    # The emoji before it is 1 code point but 4 bytes.
    assert ligature["start"] - ligature["char_start"] == 3
    assert [c["start"] for c in changes] == sorted(c["start"] for c in changes)
    assert apply_changes(MIXED, changes) == MIXED_CLEAN


def test_change_ids_do_not_depend_on_offsets():
    # The same repair elsewhere in a document keeps its id (reviews can be replayed):
    # the id hashes a few dozen bytes around the change, not its position.
    around = "As always, the small print of the ﬁne contract, which nobody reads."
    a = recto.Cleaner().changes(around)
    b = recto.Cleaner().changes("A much longer introduction comes first. " + around)
    assert len(a) == len(b) == 1
    assert a[0]["id"] == b[0]["id"]
    assert a[0]["start"] != b[0]["start"]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
@pytest.mark.parametrize(
    "options",
    [{}, {"unsafe": True}, {"garble": "keep"}, {"garble": "mark"}, {"keep_lines": True}],
    ids=repr,
)
def test_changes_rebuild_the_output_of_real_documents(seed, options):
    text = seed.read_text(encoding="utf-8")
    cleaner = recto.Cleaner(**options)
    changes = cleaner.changes(text)
    assert apply_changes(text, changes) == cleaner.clean(text)
    if not options.get("unsafe"):
        assert {c["applicability"] for c in changes} <= {"safe"}
    fired = {r for c in changes for r in c["rules"]}
    if options.get("garble") == "keep":
        assert not any(r.startswith("garble.") for r in fired)
    if options.get("garble") == "mark":
        for c in changes:
            if all(r.startswith("garble.") for r in c["rules"]):
                assert c["after"].strip() == "[…]", c
    if options.get("keep_lines"):
        assert "layout.reflow" not in fired


STAMP = "arXiv:2201.00200v1 [cs.CL] 1 Jan 2022"
STAMPED = (
    "The model is trained on a large corpus of scanned documents and is\n"
    "evaluated on a held-out set of pages from the same archive.\n"
    + "\n".join(STAMP)
    + "\nThe results show that the repairs hold up on pages the model has\n"
    "never seen, and that the errors left are mostly of reading order.\n"
)


@pytest.mark.parametrize(
    ("margin_text", "expect"),
    [("restore", STAMP), ("drop", None), ("keep", "keep")],
)
def test_margin_text_option(margin_text, expect):
    out = recto.clean(STAMPED, margin_text=margin_text)
    assert recto.Cleaner(margin_text=margin_text).clean(STAMPED) == out
    if expect is None:
        assert "arXiv" not in out and "1 Jan 2022" not in out.replace("\n", "")
    elif expect == "keep":
        # Left one character per line (reflow does not join them into the prose).
        assert STAMP not in out and "X\n\ni\n\nv" in out, out
    else:
        assert expect in out, out


def test_footnotes_option():
    page = (
        "The committee met in the spring to review the accounts, as the rules\n"
        "required.1 The chair opened the session and read the minutes of the\n"
        "last meeting aloud to the members who were present that morning.\n"
        "1 The rules of 1952, article 4.\n"
        "\f"
        "The treasurer then reported that the funds were sufficient for the\n"
        "repairs.2 A vote was taken and the motion passed by a wide margin.\n"
        "2 Minutes, 3 May 1957.\n"
    )
    end = recto.clean(page)
    keep = recto.clean(page, footnotes="keep")
    # Gathered at the end, in order, markers kept; or left where the pages had them.
    assert end.rstrip().endswith("2 Minutes, 3 May 1957."), end
    assert end.index("1 The rules of 1952") > end.index("wide margin"), end
    assert keep.index("1 The rules of 1952") < keep.index("The treasurer"), keep
    assert any("layout.footnotes" in c["rules"] for c in recto.Cleaner().changes(page))


def test_seeds_are_there():
    # The test above is parametrized over them; an empty list would pass vacuously.
    assert len(SEEDS) >= 3


def test_select_and_ignore_restrict_rules():
    text = "ﬁnancial caf\u00c3\u00a9"
    assert recto.clean(text, select=["unicode.ligature"]) == "financial caf\u00c3\u00a9"
    assert recto.clean(text, select="unicode.mojibake") == "ﬁnancial café"
    assert recto.clean(text, ignore=["unicode.ligature"]) == "ﬁnancial café"
    assert recto.clean(text, ignore="unicode.ligature, unicode.mojibake") == text
    # The longest matching prefix wins: everything of unicode but the ligatures.
    cleaner = recto.Cleaner(select=("unicode",), ignore=["unicode.ligature"])
    assert cleaner.clean(text) == "ﬁnancial café"
    rules = {r for c in cleaner.changes(text) for r in c["rules"]}
    assert rules == {"unicode.mojibake"}


def test_garble_marker_is_used_when_marking():
    cleaner = recto.Cleaner(garble="mark", garble_marker="<garbled>")
    assert "garble_marker='<garbled>'" in repr(cleaner)


@pytest.mark.skipif(
    not any(r.startswith("garble.") for r in rule_ids()), reason="no garble stage in this build"
)
def test_garble_policies():
    leak = "Results follow.\n\nBT /F1 12 Tf 72 712 Td (Hello) Tj ET q 0 0 1 rg 10 10 m 20 20 l S Q\n\nEnd.\n"
    removed = recto.clean(leak, garble="remove")
    assert "Tf" not in removed and "Results follow." in removed and "End." in removed
    marked = recto.clean(leak, garble="mark", garble_marker="<garbled>")
    assert "<garbled>" in marked and "Tf" not in marked
    assert recto.clean(leak, garble="keep") == recto.clean(leak, ignore="garble")


def test_rules_lists_documented_rules():
    rules = recto.rules()
    ids = [r["id"] for r in rules]
    assert "unicode.ligature" in ids
    assert len(ids) == len(set(ids))
    # The built-in rule sets' rules too, on or off by default.
    assert any(i.startswith("typography.") for i in ids)
    for r in rules:
        assert "." in r["id"] and r["stage"]
        assert r["applicability"] in {"safe", "review", "suggest"}
        assert r["summary"] and "Example" in r["explanation"]


def test_clean_batch_keeps_order_and_equals_serial():
    texts = [f"{i} ﬁle caf\u00c3\u00a9 {'x' * (i % 7)}\r\n" for i in range(500)]
    texts += [seed.read_text(encoding="utf-8") for seed in SEEDS]
    texts.append("")
    cleaner = recto.Cleaner()
    assert cleaner.clean_batch(texts) == [cleaner.clean(t) for t in texts]
    assert cleaner.clean_batch(iter(texts[:3])) == [cleaner.clean(t) for t in texts[:3]]
    assert cleaner.clean_batch([]) == []


def test_clean_batch_releases_the_gil():
    cleaner = recto.Cleaner()
    # Grow the batch until one call takes long enough to observe another thread in it.
    texts = [MIXED * 200]
    while True:
        start = time.perf_counter()
        cleaner.clean_batch(texts)
        if time.perf_counter() - start > 0.3 or len(texts) > 1 << 16:
            break
        texts *= 2

    ticks: list[float] = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            # Busy Python work: a thread that sleeps would not need the GIL to look alive.
            sum(range(1000))

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        time.sleep(0.05)
        start = time.perf_counter()
        cleaner.clean_batch(texts)
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    during = [t for t in ticks if start < t < end]
    # Holding the GIL, the call would leave the other thread a switch or two at most.
    assert end - start > 0.2
    assert len(during) > 100, f"{len(during)} ticks in {end - start:.2f} s"


def test_clean_jsonl_changes_only_the_field():
    cleaner = recto.Cleaner()
    lines = [
        '{"id" : 1,"text":"\\ufb01ne caf\u00c3\u00a9","n":1.50, "t2": "\\ufb01"}\n',
        '{"id": 2, "text": "already fine, caf\\u00e9"}',
        '{"id": 3, "doc": {"body": "\ufb01le"}}',
        '{"id": 4, "text": null}',
        "not json",
        "",
        "   ",
    ]
    out = cleaner.clean_jsonl(lines)
    assert out[0] == '{"id" : 1,"text":"fine café","n":1.50, "t2": "\\ufb01"}\n'
    # Nothing to repair: the line keeps its bytes, escapes included.
    assert out[1:] == lines[1:]
    nested = cleaner.clean_jsonl(lines[2:3], field="doc.body")
    assert nested == ['{"id": 3, "doc": {"body": "file"}}']
    assert cleaner.clean_jsonl(iter(lines[:1])) == out[:1]


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ("not json", "text", r"lines\[1\]: not valid JSON"),
        ('{"id": 4, "text": null}', "text", r"lines\[1\]: .*not a string"),
        ('{"id": 5}', "text", r"lines\[1\]: no field"),
        ('{"doc": 3}', "doc.body", r"lines\[1\]: .*not an object"),
    ],
)
def test_clean_jsonl_can_raise_on_malformed_records(line, field, problem):
    cleaner = recto.Cleaner()
    lines = ['{"text": "ok", "doc": {"body": "ok"}}', line]
    assert cleaner.clean_jsonl(lines, field=field) == lines
    with pytest.raises(ValueError, match=problem):
        cleaner.clean_jsonl(lines, field=field, on_malformed="raise")


def test_clean_jsonl_rejects_bad_arguments():
    cleaner = recto.Cleaner()
    with pytest.raises(ValueError, match="dotted path"):
        cleaner.clean_jsonl([], field="a..b")
    with pytest.raises(ValueError, match="on_malformed"):
        cleaner.clean_jsonl([], on_malformed="drop")
    with pytest.raises(TypeError):
        cleaner.clean_jsonl('{"text": "x"}')
    with pytest.raises(TypeError, match="item 0 is bytes"):
        cleaner.clean_jsonl([b'{"text": "x"}'])


def test_cleaner_pickles_with_its_options():
    cleaner = recto.Cleaner(
        unsafe=True, select=["unicode"], ignore="unicode.nfc", garble="mark", garble_marker="##"
    )
    copy = pickle.loads(pickle.dumps(cleaner))
    assert repr(copy) == repr(cleaner)
    assert repr(copy) == (
        "Cleaner(unsafe=True, select=['unicode'], ignore=['unicode.nfc'], garble='mark', "
        "garble_marker='##', keep_lines=False, footnotes='end', margin_text='restore')"
    )
    assert copy.clean(MIXED) == cleaner.clean(MIXED)


@pytest.mark.parametrize(
    "call",
    [
        lambda: recto.clean(b"bytes"),
        lambda: recto.clean(None),
        lambda: recto.Cleaner().clean(3),
        lambda: recto.Cleaner().changes(["list"]),
        lambda: recto.Cleaner().clean_batch("one string"),
        lambda: recto.Cleaner().clean_batch(3),
        lambda: recto.Cleaner().clean_batch(["ok", 3]),
        lambda: recto.clean("x", unsafe="yes"),
        lambda: recto.clean("x", keep_lines=1),
        lambda: recto.clean("x", select=3),
        lambda: recto.clean("x", select=["unicode", 3]),
        lambda: recto.clean("x", garble=0),
        lambda: recto.clean("x", no_such_option=True),
        lambda: recto.Cleaner(unsafe=True, no_such_option=True),
        lambda: recto.Cleaner(config=3),
    ],
)
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_batch_type_error_names_the_item():
    with pytest.raises(TypeError, match="item 1 is int"):
        recto.Cleaner().clean_batch(["ok", 3])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"garble": "delete"}, "garble must be"),
        ({"footnotes": "bottom"}, "footnotes must be"),
        ({"margin_text": "rotate"}, "margin_text must be"),
        ({"select": ["unicod"]}, "matches no rule"),
        ({"ignore": "unicode,nope"}, "'nope'|\"nope\""),
        ({"select": [""]}, "matches no rule"),
    ],
)
def test_bad_option_values_raise_value_error(options, message):
    with pytest.raises(ValueError, match=message):
        recto.clean("x", **options)
    with pytest.raises(ValueError, match=message):
        recto.Cleaner(**options)


def write_config(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "recto.toml").write_text(text, encoding="utf-8")
    return directory / "recto.toml"


def test_config_file_sets_the_options(tmp_path):
    text = "ﬁnancial caf\u00c3\u00a9"
    path = write_config(tmp_path, 'select = ["unicode.ligature"]\ngarble = "mark"\n')
    cleaner = recto.Cleaner(config=path)
    assert cleaner.clean(text) == "financial caf\u00c3\u00a9"
    assert recto.clean(text, config=str(path)) == cleaner.clean(text)
    assert "select=['unicode.ligature']" in repr(cleaner) and "garble='mark'" in repr(cleaner)
    # Keyword options replace the file's values.
    assert recto.Cleaner(path, select=["unicode.mojibake"]).clean(text) == "ﬁnancial café"
    # A directory: the configuration the CLI would find for a file in it.
    (tmp_path / "sub").mkdir()
    assert recto.Cleaner(config=tmp_path / "sub").clean(text) == cleaner.clean(text)


def test_config_rule_files_and_sets(tmp_path):
    path = write_config(
        tmp_path,
        'rule-files = ["mine.toml"]\nrule-sets = { typography = true }\n',
    )
    (tmp_path / "mine.toml").write_text(
        '[meta]\ndescription = "test"\n\n'
        '[[rule]]\nid = "teh"\ndescription = "teh is the"\nkind = "swap"\n'
        'whole-word = true\n\n[rule.swap]\nteh = "the"\n',
        encoding="utf-8",
    )
    cleaner = recto.Cleaner(config=path)
    changes = cleaner.changes("teh cat")
    assert cleaner.clean("teh cat") == "the cat"
    assert changes[0]["rules"] == ["mine.teh"]
    # The rule file's rules are known to select and ignore.
    assert recto.Cleaner(path, ignore=["mine"]).clean("teh cat") == "teh cat"
    with pytest.raises(ValueError, match="matches no rule"):
        recto.Cleaner(ignore=["mine"])
    # A Cleaner made from a file is rebuilt from it when unpickled.
    copy = pickle.loads(pickle.dumps(cleaner))
    assert repr(copy) == repr(cleaner) and copy.clean("teh cat") == "the cat"


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("nonsense = 1\n", ValueError, r"recto\.toml:1:1: unknown field"),
        ('garble = "shred"\n', ValueError, r"recto\.toml:1:10: unknown garble policy"),
        ('rule-files = ["missing.toml"]\n', ValueError, "not found"),
    ],
)
def test_bad_config_files_raise(tmp_path, text, error, message):
    path = write_config(tmp_path, text)
    with pytest.raises(error, match=message):
        recto.Cleaner(config=path)


def test_missing_config_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        recto.Cleaner(config=tmp_path / "nope.toml")
    with pytest.raises(ValueError, match="no recto.toml"):
        recto.clean("x", config=tmp_path)


def test_lone_surrogates_are_rejected():
    with pytest.raises(UnicodeEncodeError):
        recto.clean("a\ud800b")


def test_version():
    assert recto.__version__.count(".") == 2
