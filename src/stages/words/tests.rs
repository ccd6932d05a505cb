//! Behaviour of the words stage, mostly as data: `tests/data/words/cases.tsv` holds
//! `input<TAB>expected[<TAB>expected with review fixes]` lines (`\n` for a line break).
//! Equal sides are a case that must not change; the third column, when present, is
//! the output once the fixes offered for review are accepted too.

use super::*;

const CASES: &str = include_str!("../../../tests/data/words/cases.tsv");

fn clean(text: &str) -> String {
    clean_down_to(text, Applicability::Safe)
}

fn clean_down_to(text: &str, threshold: Applicability) -> String {
    crate::pipeline::run_stages(vec![Box::new(Words::default())], threshold, text).output
}

fn proposals(text: &str) -> Vec<Fix> {
    let mut out = Proposals::default();
    Words::default().run(&Document::new(text), &Context::default(), &mut out);
    out.fixes
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
    assert_eq!(RULES.len(), 3);
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
