//! Behaviour of the words stage, mostly as data: `tests/data/words/cases.tsv` holds
//! `input<TAB>expected[<TAB>expected with review fixes]` lines (`\n` for a line break).
//! Equal sides are a case that must not change; the third column, when present, is
//! the output once the fixes offered for review are accepted too. Each case is a line
//! of OCR output: the document-level test of whether a text reads like OCR at all has
//! tests of its own below.

use super::*;

const CASES: &str = include_str!("../../../tests/data/words/cases.tsv");

fn clean(text: &str) -> String {
    clean_down_to(text, Applicability::Safe)
}

fn clean_down_to(text: &str, threshold: Applicability) -> String {
    let ocr = Words::default().assuming_ocr();
    crate::pipeline::run_stages(vec![Box::new(ocr)], threshold, text).output
}

fn proposals(text: &str) -> Vec<Fix> {
    let mut out = Proposals::default();
    Words::default()
        .assuming_ocr()
        .run(&Document::new(text), &Context::default(), &mut out);
    out.fixes
}

/// The stage as it runs by default: OCR repairs are automatic only in a document that
/// reads like OCR output.
fn clean_as_found(text: &str) -> String {
    crate::pipeline::run_stages(vec![Box::new(Words::default())], Applicability::Safe, text).output
}

/// Regression (held-out probe, reportlab PDFs read by pdfplumber and pdftotext): in a
/// PDF's own text layer every OCR "repair" was wrong — `rade` (of `Com-⏎rade`) became
/// `rode`, the author's `perfomance` was corrected. One non-word in a page of clean
/// text is offered for review, not applied.
#[test]
fn a_lone_non_word_in_clean_text_is_not_repaired_automatically() {
    let page = "The committee met in the evening and discussed the report at length. ".repeat(20);
    let text = format!("{page}It is written in cach copy of the file. {page}");
    assert_eq!(clean_as_found(&text), text);
    let mut out = Proposals::default();
    Words::default().run(&Document::new(&text), &Context::default(), &mut out);
    let fix = out
        .fixes
        .iter()
        .find(|f| f.rule.as_str() == OCR_CONFUSION)
        .unwrap();
    assert_eq!(fix.applicability, Applicability::Review);
    assert!(
        fix.message.contains("too few for OCR output"),
        "{}",
        fix.message
    );
}

/// The same misreading in text with the density of misreadings of a scan is repaired.
#[test]
fn misreadings_in_text_that_reads_like_ocr_are_repaired() {
    let text = "It is written in cach copy of the file. See the previons section for \
                details. This is done withont a warning. It canses trouble for the user.";
    assert_eq!(
        clean_as_found(text),
        "It is written in each copy of the file. See the previous section for details. \
         This is done without a warning. It causes trouble for the user."
    );
}

#[test]
fn data_cases() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in CASES.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<String> = line.split('\t').map(|f| f.replace("\\n", "\n")).collect();
        let (input, safe) = match &fields[..] {
            [input, safe, ..] => (input, safe),
            _ => panic!("cases.tsv:{}: no tab", n + 1),
        };
        let review = fields.get(2).unwrap_or(safe);
        count += 1;
        for (expected, threshold) in [
            (safe, Applicability::Safe),
            (review, Applicability::Suggest),
        ] {
            let got = clean_down_to(input, threshold);
            if &got != expected {
                failures.push(format!(
                    "cases.tsv:{} ({threshold:?}):\n  input:    {input:?}\n  expected: \
                     {expected:?}\n  got:      {got:?}",
                    n + 1
                ));
            }
        }
    }
    assert!(count > 20, "too few cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fix_is_well_formed_and_explains_itself() {
    let text = "Sce the previons section; at the end ofthe day the tech nology wll help.";
    let fixes = proposals(text);
    assert!(fixes.len() >= 4);
    for fix in &fixes {
        assert!(fix.is_well_formed(text), "{fix:?}");
        assert!(fix.message.contains("word"), "{fix:?}");
    }
}

#[test]
fn ambiguous_ocr_repair_lists_its_candidates_for_review() {
    // "hnt" may be "hut", "hint" or "lint", and nothing around it says which: not
    // applied, but proposed with all three.
    let fixes = proposals("Look at the hnt.");
    assert_eq!(fixes.len(), 1);
    assert_ne!(fixes[0].applicability, Applicability::Safe);
    for word in ["hut", "hint", "lint"] {
        assert!(fixes[0].message.contains(word), "{}", fixes[0].message);
    }
}

#[test]
fn user_words_are_never_repaired() {
    let text = "The previons value.";
    let mut out = Proposals::default();
    Words::new(Lexicon::english().with_words(["previons"])).run(
        &Document::new(text),
        &Context::default(),
        &mut out,
    );
    assert!(out.fixes.is_empty(), "{:?}", out.fixes);
    assert!(!proposals(text).is_empty());
}

#[test]
fn repeated_misreading_is_repaired_when_the_real_word_dominates() {
    let each = "each ".repeat(8);
    let text = format!("{each} cach one and cach other.");
    assert!(!clean(&text).contains("cach"));
    // A word the document uses as often as its "repair" is the author's.
    assert_eq!(clean("cach each cach each"), "cach each cach each");
}

#[test]
fn minimal_edit_touches_only_the_difference() {
    let edit = minimal_edit(Span::new(10, 14), "cach", "each");
    assert_eq!(edit.span, Span::new(10, 11));
    assert_eq!(&*edit.replacement, "e");
    let edit = minimal_edit(Span::new(0, 5), "hhold", "hold");
    assert_eq!(edit.span.len(), 1);
    assert!(edit.replacement.is_empty());
}

#[test]
fn rules_are_documented() {
    assert_eq!(RULES.len(), 4);
    for rule in RULES {
        assert!(rule.id.starts_with("words."));
        assert!(rule.explanation.contains("Example"));
    }
}

#[test]
fn candidates_are_cased_like_words() {
    assert!(keeps_case("ples", "pies"));
    assert!(!keeps_case("ples", "pIes"));
    assert!(keeps_case("0pen", "Open"));
    assert!(keeps_case("Sce", "See"));
    assert!(!keeps_case("sce", "See"));
}

#[test]
fn line_break_before_agrees_with_a_search_for_the_line_start() {
    // The definition: the last line break, with only whitespace after it.
    let reference = |before: &str| {
        let line_start = before.rfind('\n')?;
        before[line_start..].trim().is_empty().then_some(line_start)
    };
    for before in [
        "",
        "word ",
        "no break",
        "line\n",
        "line\n  \t",
        "line\n\r\u{b}\u{c} ",
        "a\nb\n",
        "a\nb ",
        "a\n\u{2003}",
        "a\n\u{a0} ",
        "a\n\u{2003}x ",
        "a\né ",
        "é\n",
        " \n ",
    ] {
        assert_eq!(line_break_before(before), reference(before), "{before:?}");
    }
}
