//! The attributed unified diff, rendered from the changes — never re-diffed.
//!
//! Because every change knows its original span, its replacement and its rules, the diff
//! can say *who* changed each hunk (rule ids in the hunk header) and highlight exactly
//! the changed characters, which a line-diff algorithm run afterwards could only guess.
//!
//! A block is the run of original lines the changes touch; it is extended while its new
//! text does not end where a line ends (a change that joins two lines pulls the next
//! line into the block), so every block prints as whole `-` lines and whole `+` lines.

use std::io::{self, Write};

use anstyle::{AnsiColor, Color, Style};

use super::Subject;
use crate::fix::{Change, RuleId};

/// How to render a diff.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiffStyle {
    /// Emit ANSI colours and word-level highlights.
    pub color: bool,
    /// Lines of context around each block.
    pub context: usize,
}

/// One contiguous run of changed original lines.
struct Block<'c> {
    /// 0-based first line and one past the last line of the original.
    lines: std::ops::Range<usize>,
    changes: &'c [Change],
}

const OLD: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Red)));
const NEW: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Green)));
const OLD_WORD: Style = Style::new()
    .fg_color(Some(Color::Ansi(AnsiColor::BrightWhite)))
    .bg_color(Some(Color::Ansi(AnsiColor::Red)));
const NEW_WORD: Style = Style::new()
    .fg_color(Some(Color::Ansi(AnsiColor::Black)))
    .bg_color(Some(Color::Ansi(AnsiColor::Green)));
const HUNK: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Cyan)));
const HEADER: Style = Style::new().bold();

/// Writes the attributed unified diff of `subject` (nothing when it has no changes).
///
/// ```
/// let original = "one\nﬁne\nthree\n";
/// let outcome = recto::clean_str(original);
/// let mut out = Vec::new();
/// let style = recto::report::DiffStyle { color: false, context: 3 };
/// recto::report::write_diff(&mut out, &recto::report::Subject::new("a.txt", original, &outcome), style).unwrap();
/// let diff = String::from_utf8(out).unwrap();
/// assert!(diff.contains("@@ -1,3 +1,3 @@ unicode.ligature\n one\n-ﬁne\n+fine\n three\n"), "{diff}");
/// ```
pub fn write_diff(out: &mut dyn Write, subject: &Subject<'_>, style: DiffStyle) -> io::Result<()> {
    let changes = &subject.outcome.changes;
    if changes.is_empty() {
        return Ok(());
    }
    let lines = line_spans(subject);
    let blocks = blocks(subject, &lines, changes);
    let path = subject.path.trim_start_matches('/');
    paint(out, style, HEADER, &format!("--- a/{path}\n"))?;
    paint(out, style, HEADER, &format!("+++ b/{path}\n"))?;
    // Group blocks whose context overlaps into hunks.
    let mut line_delta: isize = 0; // new-line-count − old-line-count of blocks so far
    let mut i = 0;
    while i < blocks.len() {
        let mut j = i + 1;
        while j < blocks.len()
            && blocks[j].lines.start <= blocks[j - 1].lines.end + 2 * style.context
        {
            j += 1;
        }
        let hunk = &blocks[i..j];
        let first = hunk[0].lines.start.saturating_sub(style.context);
        let last = (hunk[hunk.len() - 1].lines.end + style.context).min(lines.len());
        let mut body: Vec<u8> = Vec::new();
        let mut old_count = 0;
        let mut new_count = 0;
        let mut rules: Vec<&RuleId> = Vec::new();
        let mut moves: Vec<String> = Vec::new();
        let mut at = first;
        for block in hunk {
            for l in at..block.lines.start {
                context_line(&mut body, subject, &lines, l)?;
                old_count += 1;
                new_count += 1;
            }
            for c in block.changes {
                for r in &c.rules {
                    if !rules.contains(&r) {
                        rules.push(r);
                    }
                }
                if let Some(note) = move_note(c, changes, &lines) {
                    if !moves.contains(&note) {
                        moves.push(note);
                    }
                }
            }
            let (old, new) = write_block(&mut body, subject, &lines, block, style)?;
            old_count += old;
            new_count += new;
            at = block.lines.end;
        }
        for l in at..last {
            context_line(&mut body, subject, &lines, l)?;
            old_count += 1;
            new_count += 1;
        }
        let old_start = first + 1;
        let new_start = (first as isize + line_delta + 1).max(0) as usize;
        let mut attribution = rules
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if !moves.is_empty() {
            attribution.push_str(&format!(" ({})", moves.join("; ")));
        }
        let header = format!(
            "@@ -{} +{} @@ {attribution}\n",
            range(old_start, old_count),
            range(new_start, new_count),
        );
        paint(out, style, HUNK, &header)?;
        out.write_all(&body)?;
        line_delta += new_count as isize - old_count as isize;
        i = j;
    }
    Ok(())
}

/// For one part of a move, where the other side is: `moved to line 40` on a removal
/// (where its text went in), `moved from line 12` on an insertion (where the first text
/// it takes came from), in original line numbers, so that a reader of the diff sees one
/// move, not an unexplained deletion and an unexplained insertion.
fn move_note(c: &Change, changes: &[Change], lines: &[std::ops::Range<usize>]) -> Option<String> {
    let inserts = |x: &Change| x.replacement.len() > x.original.len();
    let linked = || changes.iter().filter(|o| c.linked.contains(&o.id));
    let (other, verb) = if inserts(c) {
        (linked().find(|o| !inserts(o))?, "moved from")
    } else {
        (linked().find(|o| inserts(o))?, "moved to")
    };
    Some(format!(
        "{verb} line {}",
        line_of(lines, other.original.start) + 1
    ))
}

fn range(start: usize, count: usize) -> String {
    // Unified-diff convention: an empty range names the line before it.
    if count == 0 {
        format!("{},0", start.saturating_sub(1))
    } else {
        format!("{start},{count}")
    }
}

/// Byte spans of the original's lines, each including its `\n`.
fn line_spans(subject: &Subject<'_>) -> Vec<std::ops::Range<usize>> {
    let text = subject.original;
    let mut spans = Vec::new();
    let mut line = 1;
    while let Some(start) = subject.index().line_start(line) {
        if start >= text.len() && line > 1 {
            break;
        }
        let end = subject.index().line_start(line + 1).unwrap_or(text.len());
        spans.push(start..end);
        line += 1;
    }
    spans
}

fn line_of(lines: &[std::ops::Range<usize>], offset: usize) -> usize {
    lines
        .partition_point(|l| l.end <= offset)
        .min(lines.len().saturating_sub(1))
}

/// Groups changes into blocks of whole lines; see the module docs.
fn blocks<'c>(
    subject: &Subject<'_>,
    lines: &[std::ops::Range<usize>],
    changes: &'c [Change],
) -> Vec<Block<'c>> {
    let mut blocks: Vec<Block<'c>> = Vec::new();
    let mut i = 0;
    while i < changes.len() {
        let c = &changes[i];
        let start_line = line_of(lines, c.original.start);
        let mut end_line = if c.original.is_empty() {
            start_line
        } else {
            line_of(lines, c.original.end - 1)
        } + 1;
        let mut j = i + 1;
        loop {
            // Absorb later changes that start inside the block or on the line right
            // after it, so consecutive changed lines print as one `-` run and one `+` run.
            while j < changes.len() && line_of(lines, changes[j].original.start) <= end_line {
                let cj = &changes[j];
                let last = if cj.original.is_empty() {
                    line_of(lines, cj.original.start)
                } else {
                    line_of(lines, cj.original.end - 1)
                };
                end_line = end_line.max(last + 1);
                j += 1;
            }
            // A block must end where its new text ends a line.
            let block = lines[start_line].start..lines[end_line - 1].end;
            let new = render(subject.original, block.clone(), &changes[i..j]);
            let ends_line =
                block.end == subject.original.len() || new.is_empty() || new.ends_with('\n');
            if ends_line || end_line >= lines.len() {
                break;
            }
            end_line += 1;
        }
        blocks.push(Block {
            lines: start_line..end_line,
            changes: &changes[i..j],
        });
        i = j;
    }
    blocks
}

/// The original `range` with `changes` (all inside it) applied.
fn render(original: &str, range: std::ops::Range<usize>, changes: &[Change]) -> String {
    let mut out = String::with_capacity(range.len());
    let mut at = range.start;
    for c in changes {
        out.push_str(&original[at..c.original.start]);
        out.push_str(&c.replacement);
        at = c.original.end;
    }
    out.push_str(&original[at..range.end]);
    out
}

fn context_line(
    out: &mut Vec<u8>,
    subject: &Subject<'_>,
    lines: &[std::ops::Range<usize>],
    l: usize,
) -> io::Result<()> {
    let text = &subject.original[lines[l].clone()];
    out.write_all(b" ")?;
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n\\ No newline at end of file\n")?;
    }
    Ok(())
}

/// Writes a block's `-` and `+` lines; returns their counts.
fn write_block(
    out: &mut Vec<u8>,
    subject: &Subject<'_>,
    lines: &[std::ops::Range<usize>],
    block: &Block<'_>,
    style: DiffStyle,
) -> io::Result<(usize, usize)> {
    let start = lines[block.lines.start].start;
    let end = lines[block.lines.end - 1].end;
    // Old and new text of the block, with the byte ranges that changed in each.
    let old = &subject.original[start..end];
    let mut old_marks = Vec::new();
    let mut new = String::with_capacity(old.len());
    let mut new_marks = Vec::new();
    let mut at = start;
    for c in block.changes {
        new.push_str(&subject.original[at..c.original.start]);
        old_marks.push(c.original.start - start..c.original.end - start);
        let from = new.len();
        new.push_str(&c.replacement);
        new_marks.push(from..new.len());
        at = c.original.end;
    }
    new.push_str(&subject.original[at..end]);
    let old_n = write_lines(out, '-', old, &old_marks, style, OLD, OLD_WORD)?;
    let new_n = write_lines(out, '+', &new, &new_marks, style, NEW, NEW_WORD)?;
    Ok((old_n, new_n))
}

/// Writes `text` as diff lines prefixed by `sign`, highlighting `marks` when colouring.
fn write_lines(
    out: &mut Vec<u8>,
    sign: char,
    text: &str,
    marks: &[std::ops::Range<usize>],
    style: DiffStyle,
    line_style: Style,
    word_style: Style,
) -> io::Result<usize> {
    let mut count = 0;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if style.color {
            write!(out, "{line_style}{sign}")?;
            let mut at = 0;
            for m in marks {
                let (s, e) = (
                    m.start.saturating_sub(line_start).min(body.len()),
                    m.end.saturating_sub(line_start).min(body.len()),
                );
                if m.end <= line_start || m.start >= line_start + body.len() || s >= e {
                    continue;
                }
                write!(
                    out,
                    "{}{word_style}{}{word_style:#}{line_style}",
                    &body[at..s],
                    &body[s..e]
                )?;
                at = e;
            }
            writeln!(out, "{}{line_style:#}", &body[at..])?;
        } else {
            writeln!(out, "{sign}{body}")?;
        }
        if !line.ends_with('\n') {
            out.write_all(b"\\ No newline at end of file\n")?;
        }
        line_start += line.len();
        count += 1;
    }
    Ok(count)
}

fn paint(out: &mut dyn Write, style: DiffStyle, s: Style, text: &str) -> io::Result<()> {
    if style.color {
        let body = text.strip_suffix('\n').unwrap_or(text);
        writeln!(out, "{s}{body}{s:#}")
    } else {
        out.write_all(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::{Applicability, ChangeId};
    use crate::pipeline::Outcome;
    use crate::span::Span;

    fn change(s: usize, e: usize, r: &str) -> Change {
        Change {
            id: ChangeId::from_string("x"),
            original: Span::new(s, e),
            replacement: r.into(),
            rules: smallvec::smallvec![RuleId::from_static("t.rule")],
            applicability: Applicability::Safe,
            confidence: 1.0,
            message: std::borrow::Cow::Borrowed(""),
            linked: Vec::new(),
        }
    }

    fn diff(original: &str, changes: Vec<Change>) -> String {
        let outcome = Outcome {
            output: crate::apply(original, &changes),
            changes,
            ..Outcome::default()
        };
        let mut out = Vec::new();
        let style = DiffStyle {
            color: false,
            context: 1,
        };
        write_diff(&mut out, &Subject::new("f", original, &outcome), style).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_line_join_pulls_the_next_line_into_the_block() {
        let d = diff("a\nb\nc\nd\n", vec![change(3, 4, " ")]);
        assert_eq!(
            d,
            "--- a/f\n+++ b/f\n@@ -1,4 +1,3 @@ t.rule\n a\n-b\n-c\n+b c\n d\n"
        );
    }

    #[test]
    fn the_halves_of_a_move_say_where_the_other_half_is() {
        // "g" moves from the last line to the top: an insertion and a removal, linked.
        let mut insert = change(0, 0, "g\n");
        let mut remove = change(12, 14, "");
        insert.id = ChangeId::from_string("ins");
        remove.id = ChangeId::from_string("rem");
        insert.linked = vec![remove.id.clone()];
        remove.linked = vec![insert.id.clone()];
        let d = diff("a\nb\nc\nd\ne\nf\ng\n", vec![insert, remove]);
        assert_eq!(
            d,
            "--- a/f\n+++ b/f\n\
             @@ -1,2 +1,3 @@ t.rule (moved from line 7)\n-a\n+g\n+a\n b\n\
             @@ -6,2 +7,1 @@ t.rule (moved to line 1)\n f\n-g\n"
        );
    }

    #[test]
    fn deleting_a_whole_line_is_one_minus_line() {
        let d = diff("a\nb\nc\n", vec![change(2, 4, "")]);
        assert_eq!(d, "--- a/f\n+++ b/f\n@@ -1,3 +1,2 @@ t.rule\n a\n-b\n c\n");
    }

    #[test]
    fn distant_changes_make_separate_hunks_with_shifted_new_lines() {
        let d = diff(
            "a\nb\nc\nd\ne\nf\ng\n",
            vec![change(0, 2, ""), change(12, 13, "G")],
        );
        assert_eq!(
            d,
            "--- a/f\n+++ b/f\n@@ -1,2 +1,1 @@ t.rule\n-a\n b\n@@ -6,2 +5,2 @@ t.rule\n f\n-g\n+G\n"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let d = diff("a\nb", vec![change(2, 3, "B")]);
        assert!(
            d.ends_with("-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n"),
            "{d}"
        );
    }
}
