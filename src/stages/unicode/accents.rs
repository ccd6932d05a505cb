//! Spacing accents printed before their letter: `Montr´eal`, `na¨ıve`, `Fran¸cois`.
//!
//! pdflatex's classic (OT1) fonts have no accented letters: `\'e` is drawn as an acute
//! accent glyph placed over an `e`, and extractors that follow the content stream print
//! the accent as its *spacing* form (U+00B4 `´`) followed by the letter — over a dotless
//! `ı` when the letter is an i. Composing the two gives back the letter the author
//! typed.
//!
//! Only the order accent-then-letter is repaired: the accent glyph comes first in the
//! stream, and reading `r´e` the other way round (`ŕe`) would be a guess. An accent
//! that stands apart, after a space (`Universit ´e`), is the words stage's
//! (`words.join-broken`), which knows whether the parts are words. An acute or grave
//! before a final `s` or `t` is left alone: `Khrushchev´s`, `don´t` use the accent as
//! an apostrophe, and `ś` would be a wrong repair.

use unicode_normalization::UnicodeNormalization;

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::Proposals;

const SPACING_ACCENT: RuleId = RuleId::from_static("unicode.spacing-accent");

pub(super) const RULE: RuleInfo = RuleInfo::builtin(
    "unicode.spacing-accent",
    "unicode",
    Applicability::Safe,
    "A spacing accent glued before a letter is composed with it (`Montr´eal` → `Montréal`).",
    "Fonts without accented letters draw an accent glyph over a plain letter; extractors \
     print the accent's spacing form (´ ¨ ˆ ˜ ¸ ˇ ˘ ˚ ˙ ˝ ¯) followed by the letter, and \
     a dotless ı for i. Inside a word, or at its start before a letter, the pair is \
     composed into the accented letter when Unicode has one. An acute or grave before \
     a word-final s or t is an apostrophe (`Khrushchev´s`) and is left alone; an accent \
     after a space is left to `words.join-broken`.\n\n\
     Example: `Caf´e in Montr´eal, na¨ıve Fran¸cois` → `Café in Montréal, naïve François`.",
);

/// The combining mark for a spacing accent, if it is one that fonts draw this way.
fn combining(accent: char) -> Option<char> {
    Some(match accent {
        '\u{b4}' => '\u{301}',  // ´ acute
        '\u{2cb}' => '\u{300}', // ˋ modifier grave (the ASCII backquote is code, not an accent)
        '\u{a8}' => '\u{308}',  // ¨ diaeresis
        '\u{2c6}' => '\u{302}', // ˆ circumflex
        '\u{2dc}' => '\u{303}', // ˜ tilde
        '\u{b8}' => '\u{327}',  // ¸ cedilla
        '\u{2c7}' => '\u{30c}', // ˇ caron
        '\u{2d8}' => '\u{306}', // ˘ breve
        '\u{2da}' => '\u{30a}', // ˚ ring
        '\u{2d9}' => '\u{307}', // ˙ dot above
        '\u{2dd}' => '\u{30b}', // ˝ double acute
        '\u{af}' => '\u{304}',  // ¯ macron
        _ => return None,
    })
}

/// Proposes a fix for every spacing accent in the non-ASCII run `start..end` of `text`
/// that stands before a letter it composes with.
pub(super) fn find_spacing_accents(
    text: &str,
    start: usize,
    end: usize,
    in_mojibake: &dyn Fn(usize) -> bool,
    out: &mut Proposals,
) {
    for (off, accent) in text[start..end].char_indices() {
        let Some(mark) = combining(accent) else {
            continue;
        };
        let at = start + off;
        if in_mojibake(at) {
            continue; // `Ã´` is an `ô` whose bytes were misread, not a torn-off accent
        }
        let after_accent = at + accent.len_utf8();
        let Some(letter) = text[after_accent..].chars().next() else {
            continue;
        };
        let before = text[..at].chars().next_back();
        // Inside a word, or starting one: a letter before, or nothing word-like.
        if !letter.is_alphabetic() || before.is_some_and(|c| c.is_numeric() || c == '\u{b4}') {
            continue;
        }
        // After a space, a lower-case letter is the torn-off tail of the word before
        // (`Universit ´e`): whether to join is the words stage's question.
        if before.is_some_and(char::is_whitespace) && letter.is_lowercase() {
            continue;
        }
        let base = if letter == 'ı' { 'i' } else { letter };
        let composed: String = [base, mark].iter().collect::<String>().nfc().collect();
        if composed.chars().count() != 1 {
            continue; // no precomposed letter: not a torn-off accent
        }
        let letter_end = after_accent + letter.len_utf8();
        let word_ends = !text[letter_end..]
            .chars()
            .next()
            .is_some_and(char::is_alphabetic);
        let apostrophe_like = matches!(accent, '\u{b4}' | '\u{2cb}')
            && matches!(letter, 's' | 't')
            && word_ends
            && before.is_some_and(char::is_alphabetic);
        if apostrophe_like {
            continue;
        }
        out.push(
            Fix::single(
                SPACING_ACCENT,
                Applicability::Safe,
                Edit::new(Span::new(at, letter_end), composed),
            )
            .with_message(format!(
                "spacing accent {accent} composed with the letter after it"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::stages::unicode::tests::clean;

    #[test]
    fn accents_before_their_letter_are_composed() {
        assert_eq!(
            clean("Caf\u{b4}e in Montr\u{b4}eal, na\u{a8}\u{131}ve Fran\u{b8}cois"),
            "Café in Montréal, naïve François"
        );
        assert_eq!(clean("M\u{b4}aty\u{b4}as R\u{b4}akosi"), "Mátyás Rákosi");
        assert_eq!(
            clean("\u{b4}Ecole, se\u{2dc}nor, \u{2c7}Zi\u{2c7}zek"),
            "École, señor, Žižek"
        );
    }

    #[test]
    fn accents_that_are_not_torn_off_letters_stay() {
        for text in [
            "Khrushchev\u{b4}s visit", // an apostrophe
            "don\u{b4}t",              // an apostrophe
            "5\u{b4} of arc",          // a prime after a number
            "a \u{b4} b",              // stands alone
            "x\u{b4}\u{b4}y",          // doubled: a quote
            "\u{af}\\_(ツ)_/\u{af}",   // a shrug
            "Universit \u{b4}e",       // after a space: the words stage's
        ] {
            assert_eq!(clean(text), text, "{text}");
        }
    }
}
