//! Layout pass: margin text — stamps printed up the side of a page.
//!
//! Text set at 90° in a margin (arXiv prints `arXiv:2201.00200v1 [cs.CL] 1 Jan 2022` up
//! the left edge of page one) comes out of extractors one character per line, and, since
//! it reads bottom to top, often reversed (`2202 naJ 1 ]LC.sc[ 1v00200.1022:viXra`); some
//! emit it as one reversed line. Either way it interrupts the text with letters nobody
//! can read.
//!
//! A *vertical run* is ten or more consecutive lines of one visible character each (blank
//! lines between them stand for spaces where they are wider than the usual gap). Its
//! characters are joined, and read forwards or backwards, whichever way holds words of
//! the lexicon, brackets that open before they close, or an arXiv identifier. A column of
//! digits or of list labels holds no word and is left alone. A *reversed line* is a short
//! line with no known word whose reversal holds an arXiv identifier or two known words.
//!
//! With `margin-text = "restore"` (the default) the run becomes one line that reads
//! forwards: nothing is lost, and the stamp is legible where it was. `drop` deletes it (it
//! is page furniture, not the text); `keep` leaves it.

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::lexicon::Lexicon;
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, MarginPolicy, Proposals, Stage};

use super::pages::{self, Line};

const VERTICAL: RuleId = RuleId::from_static("layout.vertical-text");
const REVERSED: RuleId = RuleId::from_static("layout.reversed-text");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        "layout.vertical-text",
        "layout",
        Applicability::Safe,
        "Restores (or drops) margin text printed one character per line.",
        "Ten or more consecutive lines of one character each are text set vertically in a \
         margin (an arXiv stamp). Their characters are joined — a blank line wider than the \
         usual gap is a space — and read in the direction that holds known words, brackets \
         that open before they close, or an arXiv identifier (text rotated to read bottom \
         to top comes out reversed). With --margin-text restore (default) the run becomes \
         one line; with drop it is deleted; with keep it stays. A run that reads as no word \
         either way (a column of digits or labels) is left alone.\n\n\
         Example: `2⏎2⏎0⏎2⏎⏎n⏎a⏎J⏎…⏎v⏎i⏎X⏎r⏎a` → `arXiv:2201.00200v1 [cs.CL] 1 Jan 2022`.",
    ),
    RuleInfo::builtin(
        "layout.reversed-text",
        "layout",
        Applicability::Safe,
        "Restores (or drops) a margin stamp extracted as one reversed line.",
        "A short line that holds no known word but whose reversal holds an arXiv \
         identifier, or two known words of three letters or more, is margin text read \
         backwards. It is reversed (--margin-text restore, default), deleted (drop) or \
         left (keep).\n\n\
         Example: `1v00200.1022:viXra` → `arXiv:2201.00200v1`.",
    ),
];

/// The margin-text pass.
pub(crate) struct Margins;

impl Stage for Margins {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        let policy = cx.options.margin_text;
        if policy == MarginPolicy::Keep {
            return;
        }
        let text = doc.text();
        vertical_runs(text, &doc.lines(), &cx.lexicon, policy, out);
        reversed_lines(text, &cx.lexicon, policy, out);
    }
}

/// Fewest characters in a vertical run: a short list of one-letter lines is common.
const MIN_RUN: usize = 10;

/// The one visible character of a line, if it has exactly one.
fn single_char(text: &str, line: &Line) -> Option<char> {
    // Most lines begin with two ASCII characters that are not white space: two visible
    // characters, told without trimming the line.
    let visible = |b: u8| b.is_ascii() && !pages::is_ascii_space(b);
    if let [a, b, ..] = text.as_bytes()[line.span.range()] {
        if visible(a) && visible(b) {
            return None;
        }
    }
    let s = line.trimmed(text);
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// Proposes restoring the vertical runs among `lines`, the lines of `text`.
fn vertical_runs(
    text: &str,
    lines: &[Line],
    lexicon: &Lexicon,
    policy: MarginPolicy,
    out: &mut Proposals,
) {
    // A run is read on from its first line; the search goes on after its last one.
    let mut next = 0;
    while let Some(offset) = lines[next..]
        .iter()
        .position(|l| single_char(text, l).is_some())
    {
        let first = next + offset;
        // Characters and the blank lines before each of them.
        let mut chars: Vec<(char, usize)> = Vec::new();
        let mut last = first;
        let mut blanks = 0;
        for (k, line) in lines.iter().enumerate().skip(first) {
            if line.is_blank(text) {
                blanks += 1;
                if blanks > 2 {
                    break;
                }
            } else if let Some(c) = single_char(text, line) {
                chars.push((c, if chars.is_empty() { 0 } else { blanks }));
                blanks = 0;
                last = k;
            } else {
                break;
            }
        }
        if chars.len() >= MIN_RUN {
            let span = Span::new(lines[first].full.start, lines[last].full.end);
            propose_run(text, span, &chars, lexicon, policy, out);
        }
        next = last + 1;
    }
}

/// Proposes to restore the vertical run of `chars` that `span` holds (its lines, with
/// their line breaks).
fn propose_run(
    text: &str,
    span: Span,
    chars: &[(char, usize)],
    lexicon: &Lexicon,
    policy: MarginPolicy,
    out: &mut Proposals,
) {
    // The usual gap is the narrowest; a wider one is a space.
    let usual = chars[1..].iter().map(|&(_, b)| b).min().unwrap_or(0);
    let mut forward = String::with_capacity(chars.len() + 8);
    for (k, &(c, blanks)) in chars.iter().enumerate() {
        if k > 0 && blanks > usual {
            forward.push(' ');
        }
        forward.push(c);
    }
    let backward: String = forward.chars().rev().collect();
    let (f, b) = (evidence(&forward, lexicon), evidence(&backward, lexicon));
    let (restored, reversed) = if b > f {
        (backward, true)
    } else {
        (forward, false)
    };
    if f.max(b) < 2 || restored.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return;
    }
    let how = if reversed {
        "reads bottom to top"
    } else {
        "reads top to bottom"
    };
    let (replacement, verb) = match policy {
        MarginPolicy::Drop => (String::new(), "dropped"),
        _ => {
            let mut s = restored.clone();
            if text[span.range()].ends_with('\n') {
                s.push('\n');
            }
            (s, "restored")
        }
    };
    out.push(
        Fix::single(VERTICAL, Applicability::Safe, Edit::new(span, replacement))
            .with_confidence(0.9)
            .with_message(format!(
                "{} lines of one character each are margin text ({how}): {restored:?}, {verb}",
                chars.len()
            )),
    );
}

/// How much `s` reads as text: 3 for an arXiv identifier, 1 for every known word of three
/// letters or more, 1 when brackets open before they close, −1 when they close first.
fn evidence(s: &str, lexicon: &Lexicon) -> u32 {
    let mut score: i32 = 0;
    if arxiv_id(s) {
        score += 3;
    }
    for word in s.split(|c: char| !c.is_alphabetic()) {
        if word.chars().count() >= 3 && lexicon.contains(word) {
            score += 1;
        }
    }
    match (s.find(['[', '(']), s.find([']', ')'])) {
        (Some(open), Some(close)) if open < close => score += 1,
        (Some(_), Some(_)) => score -= 1,
        _ => {}
    }
    score.max(0) as u32
}

/// `arXiv:` followed by an identifier (`2201.00200`, `hep-th/9901001`).
fn arxiv_id(s: &str) -> bool {
    s.match_indices("arXiv:").any(|(at, m)| {
        s[at + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

fn reversed_lines(text: &str, lexicon: &Lexicon, policy: MarginPolicy, out: &mut Proposals) {
    // Only a line that holds the reversal of ":arXiv" can be one: the text is searched for
    // it once, and each line that holds it is read once, in order. (A match holds no
    // white space or line break, so it lies inside its line, trimmed.)
    let bytes = text.as_bytes();
    let mut last = None;
    for at in memchr::memmem::find_iter(bytes, b":viXra") {
        // The line around the match, as `pages::lines` gives it.
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        if last == Some(start) {
            continue;
        }
        last = Some(start);
        let line = match memchr::memchr(b'\n', &bytes[at..]) {
            Some(i) => Line {
                span: Span::new(start, at + i),
                full: Span::new(start, at + i + 1),
            },
            None => Line {
                span: Span::new(start, text.len()),
                full: Span::new(start, text.len()),
            },
        };
        let s = line.trimmed(text);
        // Stamps are short.
        if s.len() > 80 || s.len() < 8 {
            continue;
        }
        let backward: String = s.chars().rev().collect();
        if evidence(&backward, lexicon) < 3 || evidence(s, lexicon) >= 1 {
            continue;
        }
        let (replacement, verb) = match policy {
            MarginPolicy::Drop => ("", "dropped"),
            _ => (backward.as_str(), "restored"),
        };
        let start = line.span.start
            + (text[line.span.range()].len() - text[line.span.range()].trim_start().len());
        let span = Span::new(start, start + s.len());
        let edit = if policy == MarginPolicy::Drop {
            Edit::delete(line.full)
        } else {
            Edit::new(span, replacement)
        };
        out.push(
            Fix::single(REVERSED, Applicability::Safe, edit)
                .with_confidence(0.9)
                .with_message(format!(
                    "{s:?} is margin text read backwards: {backward:?}, {verb}"
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cases() {
        super::super::testdata::check_cases("margins", || Box::new(Margins));
    }

    fn vertical(s: &str, reverse: bool) -> String {
        let chars: Vec<char> = if reverse {
            s.chars().rev().collect()
        } else {
            s.chars().collect()
        };
        chars
            .iter()
            .map(|&c| {
                if c == ' ' {
                    "\n".to_owned()
                } else {
                    format!("{c}\n")
                }
            })
            .collect()
    }

    fn run(text: &str, policy: MarginPolicy) -> String {
        let mut cx = Context::default();
        cx.options.margin_text = policy;
        let mut p = crate::Pipeline::new(cx);
        p.push(Box::new(Margins));
        p.run(text).output
    }

    const STAMP: &str = "arXiv:2201.00200v1 [cs.CL] 1 Jan 2022";

    #[test]
    fn restores_a_stamp_in_either_direction() {
        for reverse in [false, true] {
            let text = format!(
                "Title of the paper\n{}Abstract text.\n",
                vertical(STAMP, reverse)
            );
            assert_eq!(
                run(&text, MarginPolicy::Restore),
                format!("Title of the paper\n{STAMP}\nAbstract text.\n"),
                "reverse: {reverse}"
            );
            assert_eq!(
                run(&text, MarginPolicy::Drop),
                "Title of the paper\nAbstract text.\n"
            );
            assert_eq!(run(&text, MarginPolicy::Keep), text);
        }
    }

    #[test]
    fn restores_a_reversed_line() {
        let text = "Title\n1v00200.1022:viXra\nAbstract.\n";
        assert_eq!(
            run(text, MarginPolicy::Restore),
            "Title\narXiv:2201.00200v1\nAbstract.\n"
        );
        assert_eq!(run(text, MarginPolicy::Drop), "Title\nAbstract.\n");
        // On the last line, without a line break, and indented.
        assert_eq!(
            run("Title\n  1v00200.1022:viXra", MarginPolicy::Restore),
            "Title\n  arXiv:2201.00200v1"
        );
    }

    #[test]
    fn leaves_columns_of_digits_and_labels() {
        let digits: String = (0..12).map(|i| format!("{}\n", i % 10)).collect();
        assert_eq!(run(&digits, MarginPolicy::Restore), digits);
        let labels: String = ('a'..='l').map(|c| format!("{c}\n")).collect();
        assert_eq!(run(&labels, MarginPolicy::Restore), labels);
    }
}
