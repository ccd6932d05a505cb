//! Leaked PDF content-stream syntax: a tokenizer for the operator grammar, the evidence
//! that a run of tokens is page-description code rather than prose, and the decoding of
//! well-formed `TJ`/`Tj` operands back to text.
//!
//! A broken extractor that dumps a content stream produces text such as
//! `ET Q q 0 0 0 rg BT 73.8 617.389 Td /F3 11 Tf[(Ho)-28(w)-333(ev)28(er)]TJ`. Every piece of
//! it is lexically ordinary — numbers, short letter groups, parentheses — so no single
//! token decides. What decides is *grammar*: an operator preceded by the operands it
//! takes (`Tf` after a name and a number, `Td` after two numbers, `TJ` after an array),
//! and the kerning pattern `)-28(` inside a `TJ` array, which prose never writes. A
//! letter that is also an operator (`f`, `Q`, `n`, `a`…) therefore never fires alone: it
//! counts only with the operands that make it an operator.
//!
//! The injected runs are cut at arbitrary bytes, so a run may start inside a string
//! (`Purp)-28(ose)]TJ`) or end inside one (`[(b)-27(o)-27(olean)-361(rv)-361(c`); the run
//! boundaries absorb such glued fragments.

use crate::span::Span;

/// A run of content-stream tokens found in the text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OperatorRun {
    /// The run, without surrounding whitespace.
    pub span: Span,
    /// Summed evidence (see [`Evidence`]); a run is reported only above a threshold.
    pub evidence: f32,
    /// The text of the run's well-formed, readable `TJ`/`Tj` operands, space-separated;
    /// empty when there is none.
    pub decoded: String,
    /// Whether any evidence is grammar (an operator with its operands, kerning), not
    /// only bare operator names.
    structural: bool,
}

impl OperatorRun {
    /// Makes `next`, a run found after this one, part of it: the span reaches to the
    /// later of the two ends, the evidence adds up, the decoded text follows. (A caller
    /// whose `next` may start first widens the start itself.)
    fn absorb(&mut self, next: OperatorRun) {
        self.span.end = self.span.end.max(next.span.end);
        self.evidence += next.evidence;
        self.structural |= next.structural;
        if !next.decoded.is_empty() {
            if !self.decoded.is_empty() {
                self.decoded.push(' ');
            }
            self.decoded.push_str(&next.decoded);
        }
    }
}

/// Below this much evidence a run of operator-like tokens is left alone.
const MIN_EVIDENCE: f32 = 3.0;

/// A kerning adjustment more negative than this (in thousandths of an em) is a word
/// space: typesetters emit −250…−400 between words and −10…−100 inside them.
const WORD_SPACE_KERN: f64 = -200.0;

/// Finds every run of content-stream syntax in `text`.
///
/// Lines are tokenized only if they contain a byte pair that content-stream syntax
/// cannot do without (see [`marks`]), found in one pass over the whole text, so prose
/// costs a vectorised scan and no work per line. Runs on consecutive lines that meet at
/// the line break are one run: a raw content stream puts one operator on each line.
pub(crate) fn find(text: &str) -> Vec<OperatorRun> {
    let bytes = text.as_bytes();
    let mut runs: Vec<OperatorRun> = Vec::new();
    let mut tokens = Vec::new();
    // The lines before this offset are done.
    let mut next_line = 0;
    for at in marks(bytes) {
        if at < next_line {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        next_line = line_end + 1;
        tokens.clear();
        tokenize(&bytes[line_start..line_end], line_start, &mut tokens);
        for run in line_runs(text, &tokens) {
            match runs.last_mut() {
                Some(prev) if only_whitespace(&bytes[prev.span.end..run.span.start]) => {
                    prev.absorb(run);
                }
                _ => runs.push(run),
            }
        }
    }
    runs.retain(|r| r.structural && r.evidence >= MIN_EVIDENCE);
    for run in &mut runs {
        absorb_syntax_lines(text, run);
    }
    runs
}

/// Widens a run over whole neighbouring lines that are nothing but content-stream
/// tokens with an operator among them — `q`, `Q`, `0.5 0 0 0.5 72 400 cm` — which the
/// line prefilter skips when they hold no delimiter or text operator. A line of
/// numbers alone is a page number or a table row, not part of the run.
fn absorb_syntax_lines(text: &str, run: &mut OperatorRun) {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut all_syntax = |start: usize, end: usize| {
        tokens.clear();
        tokenize(&bytes[start..end], start, &mut tokens);
        tokens.iter().all(Token::is_syntax)
            && tokens.iter().any(|t| matches!(t.kind, Kind::Operator(_)))
    };
    loop {
        let line_start = bytes[..run.span.start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if !only_whitespace(&bytes[line_start..run.span.start]) || line_start == 0 {
            break;
        }
        let prev_end = line_start - 1;
        let prev_start = bytes[..prev_end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if !all_syntax(prev_start, prev_end) {
            break;
        }
        run.span.start = prev_start
            + (bytes[prev_start..prev_end].len() - text[prev_start..prev_end].trim_start().len());
    }
    loop {
        let line_end =
            memchr::memchr(b'\n', &bytes[run.span.end..]).map_or(bytes.len(), |i| run.span.end + i);
        if !only_whitespace(&bytes[run.span.end..line_end]) || line_end == bytes.len() {
            break;
        }
        let next_start = line_end + 1;
        let next_end =
            memchr::memchr(b'\n', &bytes[next_start..]).map_or(bytes.len(), |i| next_start + i);
        if !all_syntax(next_start, next_end) {
            break;
        }
        run.span.end = next_start + text[next_start..next_end].trim_end().len();
    }
}

fn only_whitespace(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| is_space(b))
}

/// The offsets, in order, of the byte pairs that content-stream syntax cannot do
/// without and prose seldom has: a text operator's name (`BT`, `ET`, `T*`, `Tf`,
/// `TJ`…), a string or hex string closed against a number or another string (`)-28(`,
/// `>4<`, `)]`), an array opened on a string (`[(`, `[<`), or a name (`/F3`). A line
/// without one is not tokenized: parentheses, brackets and paths of prose and manual
/// pages do not make one. No pair spans a line break.
///
/// The bytes that start such a pair are rare in prose, so they are found with
/// `memchr` (vectorised) rather than by looking at every byte.
fn marks(bytes: &[u8]) -> Vec<usize> {
    let pair_at = |i: &usize| pair_at(bytes, *i);
    let mut marks: Vec<usize> = memchr::memchr3_iter(b')', b'>', b'[', bytes)
        .filter(pair_at)
        .collect();
    // `BT` and `ET` are found by their `T`, with the operators that start with it:
    // capitals are common in prose, and each byte found costs a call.
    for t in memchr::memchr_iter(b'T', bytes) {
        if t > 0 && matches!(bytes[t - 1], b'B' | b'E') {
            marks.push(t - 1);
        }
        if pair_at(&t) {
            marks.push(t);
        }
    }
    marks.extend(memchr::memchr_iter(b'/', bytes).filter(pair_at));
    marks.sort_unstable();
    marks
}

/// Whether the byte at `i` starts one of the pairs [`marks`] looks for. Inlined: it
/// is asked of every `)`, `>`, `[`, `T` and `/` of the text.
#[inline(always)]
fn pair_at(bytes: &[u8], i: usize) -> bool {
    let Some(&next) = bytes.get(i + 1) else {
        return false;
    };
    match bytes[i] {
        b')' | b'>' => next.is_ascii_digit() || matches!(next, b'-' | b'(' | b'<' | b']' | b'T'),
        b'[' => matches!(next, b'(' | b'<'),
        b'/' => next.is_ascii_uppercase(),
        b'T' => b"*fJjdDmLcwzsr".contains(&next),
        b'B' | b'E' => next == b'T',
        _ => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Number,
    Name,
    /// A literal string `(…)`; `closed` is false when the line or the plausible string
    /// ended first, `plain` when it has no escapes other than `\(`, `\)`, `\\`.
    Str {
        closed: bool,
        plain: bool,
    },
    Hex,
    ArrayOpen,
    ArrayClose,
    DictOpen,
    DictClose,
    /// `)` without its `(`, a lone `<`, `>`, `{`, `}`.
    Stray,
    Operator(&'static Op),
    Word,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

impl Token {
    fn is_syntax(&self) -> bool {
        !matches!(self.kind, Kind::Word)
    }
}

/// What an operator takes.
#[derive(Debug, PartialEq)]
enum Operands {
    None,
    Numbers(u8),
    NameNumber,
    Name,
    Array,
    String,
    NameThenDictOrName,
}

#[derive(Debug, PartialEq)]
struct Op {
    name: &'static str,
    operands: Operands,
    /// Never an ordinary word (`Tf`, `BT`), as opposed to `f`, `Q`, `re`, `cm`.
    distinctive: bool,
}

const fn op(name: &'static str, operands: Operands, distinctive: bool) -> Op {
    Op {
        name,
        operands,
        distinctive,
    }
}

/// The operators of PDF content streams that extractors leak (ISO 32000-1, annex A),
/// except the rare ones whose names are common words or abbreviations (`d`, `i`, `j`,
/// `sh`, `ri`).
static OPERATORS: &[Op] = &[
    op("BT", Operands::None, true),
    op("ET", Operands::None, true),
    op("T*", Operands::None, true),
    op("Tf", Operands::NameNumber, true),
    op("Td", Operands::Numbers(2), true),
    op("TD", Operands::Numbers(2), true),
    op("Tm", Operands::Numbers(6), true),
    op("TL", Operands::Numbers(1), true),
    op("Tc", Operands::Numbers(1), true),
    op("Tw", Operands::Numbers(1), true),
    op("Tz", Operands::Numbers(1), true),
    op("Ts", Operands::Numbers(1), true),
    op("Tr", Operands::Numbers(1), true),
    op("TJ", Operands::Array, true),
    op("Tj", Operands::String, true),
    op("'", Operands::String, false),
    op("\"", Operands::String, false),
    op("EMC", Operands::None, true),
    op("BDC", Operands::NameThenDictOrName, true),
    op("BMC", Operands::Name, true),
    op("q", Operands::None, false),
    op("Q", Operands::None, false),
    op("cm", Operands::Numbers(6), false),
    op("re", Operands::Numbers(4), false),
    op("m", Operands::Numbers(2), false),
    op("l", Operands::Numbers(2), false),
    op("c", Operands::Numbers(6), false),
    op("v", Operands::Numbers(4), false),
    op("y", Operands::Numbers(4), false),
    op("w", Operands::Numbers(1), false),
    op("h", Operands::None, false),
    op("f", Operands::None, false),
    op("f*", Operands::None, false),
    op("F", Operands::None, false),
    op("S", Operands::None, false),
    op("s", Operands::None, false),
    op("B", Operands::None, false),
    op("b", Operands::None, false),
    op("n", Operands::None, false),
    op("W", Operands::None, false),
    op("W*", Operands::None, false),
    op("gs", Operands::Name, false),
    op("Do", Operands::Name, false),
    op("rg", Operands::Numbers(3), false),
    op("RG", Operands::Numbers(3), false),
    op("g", Operands::Numbers(1), false),
    op("G", Operands::Numbers(1), false),
    op("k", Operands::Numbers(4), false),
    op("K", Operands::Numbers(4), false),
];

fn lookup_operator(word: &[u8]) -> Option<&'static Op> {
    // Called for every word of every tokenized line: operator names are short, so most
    // words are rejected by their length before any comparison.
    if word.len() > 3 {
        return None;
    }
    let index = match word {
        b"BT" => 0,
        b"ET" => 1,
        b"T*" => 2,
        b"Tf" => 3,
        b"Td" => 4,
        b"TD" => 5,
        b"Tm" => 6,
        b"TL" => 7,
        b"Tc" => 8,
        b"Tw" => 9,
        b"Tz" => 10,
        b"Ts" => 11,
        b"Tr" => 12,
        b"TJ" => 13,
        b"Tj" => 14,
        b"'" => 15,
        b"\"" => 16,
        b"EMC" => 17,
        b"BDC" => 18,
        b"BMC" => 19,
        b"q" => 20,
        b"Q" => 21,
        b"cm" => 22,
        b"re" => 23,
        b"m" => 24,
        b"l" => 25,
        b"c" => 26,
        b"v" => 27,
        b"y" => 28,
        b"w" => 29,
        b"h" => 30,
        b"f" => 31,
        b"f*" => 32,
        b"F" => 33,
        b"S" => 34,
        b"s" => 35,
        b"B" => 36,
        b"b" => 37,
        b"n" => 38,
        b"W" => 39,
        b"W*" => 40,
        b"gs" => 41,
        b"Do" => 42,
        b"rg" => 43,
        b"RG" => 44,
        b"g" => 45,
        b"G" => 46,
        b"k" => 47,
        b"K" => 48,
        _ => return None,
    };
    Some(&OPERATORS[index])
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0c' | b'\n')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/'
    )
}

fn is_regular(b: u8) -> bool {
    !is_space(b) && !is_delimiter(b)
}

/// Tokenizes one line; offsets are shifted by `base`.
fn tokenize(line: &[u8], base: usize, out: &mut Vec<Token>) {
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if is_space(b) {
            i += 1;
            continue;
        }
        let start = i;
        let kind = match b {
            b'(' => {
                let (end, closed, plain) = lex_string(line, i);
                i = end;
                Kind::Str { closed, plain }
            }
            b'<' if line.get(i + 1) == Some(&b'<') => {
                i += 2;
                Kind::DictOpen
            }
            b'>' if line.get(i + 1) == Some(&b'>') => {
                i += 2;
                Kind::DictClose
            }
            b'<' => {
                let mut j = i + 1;
                while j < line.len() && (line[j].is_ascii_hexdigit() || line[j] == b' ') {
                    j += 1;
                }
                if j == line.len() || line[j] == b'>' {
                    i = (j + 1).min(line.len());
                    Kind::Hex
                } else {
                    i += 1;
                    Kind::Stray
                }
            }
            b'[' => {
                i += 1;
                Kind::ArrayOpen
            }
            b']' => {
                i += 1;
                Kind::ArrayClose
            }
            b')' | b'>' | b'{' | b'}' => {
                i += 1;
                Kind::Stray
            }
            b'/' => {
                i += 1;
                while i < line.len() && is_regular(line[i]) {
                    i += 1;
                }
                Kind::Name
            }
            _ => {
                while i < line.len() && is_regular(line[i]) {
                    i += 1;
                }
                let word = &line[start..i];
                if is_number(word) {
                    Kind::Number
                } else if let Some(op) = lookup_operator(word) {
                    Kind::Operator(op)
                } else {
                    Kind::Word
                }
            }
        };
        out.push(Token {
            kind,
            start: base + start,
            end: base + i,
        });
    }
}

/// `[+-]?(digits[.digits?] | .digits)`.
fn is_number(word: &[u8]) -> bool {
    let digits = word
        .strip_prefix(b"-")
        .or(word.strip_prefix(b"+"))
        .unwrap_or(word);
    let mut seen_digit = false;
    let mut seen_dot = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_dot => seen_dot = true,
            _ => return false,
        }
    }
    seen_digit
}

/// Lexes a literal string starting at the `(` at `start`: returns its end, whether it was
/// closed, and whether it is plain text.
///
/// A string is taken as closed only if what follows the `)` can follow a string in a
/// content stream, or if it holds no space: otherwise `(see note 19) and …` would swallow
/// prose. An unclosed string ends at the first space — where a cut operand meets prose.
fn lex_string(line: &[u8], start: usize) -> (usize, bool, bool) {
    let mut depth = 0usize;
    let mut plain = true;
    let mut has_space = false;
    let mut i = start;
    while i < line.len() {
        match line[i] {
            b'\\' => {
                if !matches!(line.get(i + 1), Some(b'(' | b')' | b'\\')) {
                    plain = false;
                }
                i += 2;
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    let end = i + 1;
                    let follows_syntax = match line.get(end) {
                        None => true,
                        Some(&b) => {
                            b.is_ascii_digit()
                                || matches!(b, b'-' | b'(' | b'<' | b']' | b'T' | b'\'' | b'"')
                                || (is_space(b) && starts_with_operator(&line[end..]))
                        }
                    };
                    if !has_space || follows_syntax {
                        return (end, true, plain);
                    }
                    break;
                }
            }
            b' ' | b'\t' => has_space = true,
            _ => {}
        }
        i += 1;
    }
    let end = line[start..]
        .iter()
        .position(|&b| is_space(b))
        .map_or(line.len(), |p| start + p);
    (end, false, plain)
}

fn starts_with_operator(rest: &[u8]) -> bool {
    let rest = &rest[rest.iter().take_while(|&&b| is_space(b)).count()..];
    let len = rest.iter().take_while(|&&b| is_regular(b)).count();
    lookup_operator(&rest[..len]).is_some()
}

/// How much each finding says "this is a content stream".
struct Evidence;

impl Evidence {
    /// An operator preceded by exactly the operands it takes, or `)-28(` kerning.
    const STRUCTURAL: f32 = 3.0;
    const KERNING: f32 = 2.0;
    /// `BT`, `TJ`… without their operands: not words, but not grammar either.
    const BARE_DISTINCTIVE: f32 = 1.5;
}

/// The runs of one line's tokens whose evidence is worth keeping.
fn line_runs(text: &str, tokens: &[Token]) -> Vec<OperatorRun> {
    let mut runs: Vec<OperatorRun> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !tokens[i].is_syntax() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < tokens.len() && tokens[j].is_syntax() {
            j += 1;
        }
        // A string left open at the run's end belongs to it only when glued to it
        // (`-361(c`); `… ]TJ (or off)` is prose after the run.
        while j > i + 1
            && matches!(tokens[j - 1].kind, Kind::Str { closed: false, .. })
            && tokens[j - 2].end < tokens[j - 1].start
        {
            j -= 1;
        }
        let (evidence, structural) = score(text, tokens, i, j);
        if evidence > 0.0 {
            let (first, last) = widen(text, tokens, i, j - 1);
            let run = OperatorRun {
                span: Span::new(tokens[first].start, tokens[last].end),
                evidence,
                decoded: decode(text, &tokens[i..j]),
                structural,
            };
            // Widening reaches over glued tokens that need not be syntax, so two runs
            // parted by one such token (`g)ff)9(`: `ff` is not an operator) both widen
            // over it and meet or overlap; they are one run.
            match runs.last_mut() {
                Some(prev) if prev.span.end >= run.span.start => {
                    prev.span.start = prev.span.start.min(run.span.start);
                    prev.absorb(run);
                }
                _ => runs.push(run),
            }
        }
        i = j;
    }
    runs
}

/// Scores tokens `i..j`; returns the evidence and whether any of it was structural.
fn score(text: &str, tokens: &[Token], i: usize, j: usize) -> (f32, bool) {
    let bytes = text.as_bytes();
    let mut evidence = 0.0;
    let mut structural = false;
    for k in i..j {
        let t = &tokens[k];
        match t.kind {
            Kind::Operator(op) => {
                let before = &tokens[i..k];
                let w = operator_weight(op, before);
                structural |= w >= Evidence::STRUCTURAL;
                evidence += w;
            }
            Kind::Number if k > i && k + 1 < j => {
                // `)-28(`: a number glued between two strings of a TJ array.
                let (p, n) = (&tokens[k - 1], &tokens[k + 1]);
                let glued = p.end == t.start && t.end == n.start;
                let closes = bytes[p.end - 1] == b')' || bytes[p.end - 1] == b'>';
                let opens = matches!(n.kind, Kind::Str { .. } | Kind::Hex);
                if glued && closes && opens && !matches!(p.kind, Kind::DictClose) {
                    evidence += Evidence::KERNING;
                    structural = true;
                }
            }
            _ => {}
        }
    }
    (evidence, structural)
}

fn operator_weight(op: &Op, before: &[Token]) -> f32 {
    let n = before.len();
    let kind_at = |back: usize| (back <= n).then(|| before[n - back].kind);
    let numbers = |count: usize| (1..=count).all(|b| matches!(kind_at(b), Some(Kind::Number)));
    let satisfied = match op.operands {
        Operands::None => {
            return if op.distinctive {
                Evidence::BARE_DISTINCTIVE
            } else {
                0.0
            }
        }
        Operands::Numbers(c) => numbers(c as usize),
        Operands::NameNumber => {
            matches!(kind_at(1), Some(Kind::Number)) && matches!(kind_at(2), Some(Kind::Name))
        }
        Operands::Name => matches!(kind_at(1), Some(Kind::Name)),
        Operands::Array => matches!(kind_at(1), Some(Kind::ArrayClose)),
        Operands::String => matches!(kind_at(1), Some(Kind::Str { closed: true, .. } | Kind::Hex)),
        Operands::NameThenDictOrName => {
            matches!(kind_at(1), Some(Kind::DictClose | Kind::Name))
        }
    };
    match (satisfied, op.distinctive, &op.operands) {
        // Six numbers before `Tm` or `cm`, a font name and size before `Tf`: prose
        // does not write these by accident.
        (true, _, Operands::Numbers(6)) => Evidence::STRUCTURAL + 1.0,
        (true, true, Operands::NameNumber) => Evidence::STRUCTURAL + 0.5,
        (true, true, _) => Evidence::STRUCTURAL,
        (false, true, _) => Evidence::BARE_DISTINCTIVE,
        (true, false, Operands::Numbers(c)) if *c >= 3 => Evidence::STRUCTURAL,
        (true, false, Operands::Numbers(2) | Operands::Name) => 1.0,
        (true, false, _) => 0.5,
        (false, false, _) => 0.0,
    }
}

/// Widens a run over fragments a cut left behind: a word glued to its first or last token
/// (`Purp)-28(`, `…]TJ/F60`), and a lone operator letter next to it (`d /F3 10 Tf` is the
/// tail of `Td`, `… 11 T` the head of `Tf`).
fn widen(text: &str, tokens: &[Token], mut first: usize, mut last: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    while first > 0 && tokens[first - 1].end == tokens[first].start {
        first -= 1;
    }
    if first > 0 {
        let prev = &tokens[first - 1];
        let word = &bytes[prev.start..prev.end];
        let gap = &bytes[prev.end..tokens[first].start];
        if word.len() == 1 && b"dDfmJjLcwzsrg*".contains(&word[0]) && !gap.contains(&b'\n') {
            first -= 1;
        }
    }
    while last + 1 < tokens.len() && tokens[last].end == tokens[last + 1].start {
        last += 1;
    }
    if last + 1 < tokens.len() && matches!(tokens[last].kind, Kind::Number | Kind::Name) {
        let next = &tokens[last + 1];
        let word = &bytes[next.start..next.end];
        if word.len() == 1 && b"TBE".contains(&word[0]) {
            last += 1;
        }
    }
    (first, last)
}

/// The text of the well-formed operands among `tokens`: `[(…) n (…)]TJ` with a complete
/// array of plain strings, or `(…)Tj`. Hex strings are glyph ids of a font subset, not
/// characters, and strings with octal or control escapes are glyph codes too: neither
/// decodes to text without the font, so they are left out.
fn decode(text: &str, tokens: &[Token]) -> String {
    let mut decoded = String::new();
    for (k, t) in tokens.iter().enumerate() {
        let Kind::Operator(op) = t.kind else { continue };
        let piece = match op.name {
            "TJ" if k > 0 && tokens[k - 1].kind == Kind::ArrayClose => {
                let Some(open) = tokens[..k - 1]
                    .iter()
                    .rposition(|t| t.kind == Kind::ArrayOpen)
                else {
                    continue;
                };
                decode_array(text, &tokens[open + 1..k - 1])
            }
            "Tj" | "'" | "\"" if k > 0 => match tokens[k - 1].kind {
                Kind::Str {
                    closed: true,
                    plain: true,
                } => Some(unescape(
                    &text[tokens[k - 1].start + 1..tokens[k - 1].end - 1],
                )),
                _ => None,
            },
            _ => None,
        };
        if let Some(piece) = piece.filter(|p| is_readable(p)) {
            if !decoded.is_empty() {
                decoded.push(' ');
            }
            decoded.push_str(piece.trim());
        }
    }
    decoded
}

fn decode_array(text: &str, items: &[Token]) -> Option<String> {
    let mut out = String::new();
    for t in items {
        match t.kind {
            Kind::Str {
                closed: true,
                plain: true,
            } => out.push_str(&unescape(&text[t.start + 1..t.end - 1])),
            Kind::Number => {
                let kern: f64 = text[t.start..t.end].parse().ok()?;
                if kern < WORD_SPACE_KERN && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

/// Mostly letters, and more than a stray glyph or two.
fn is_readable(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    let visible = s.chars().filter(|c| !c.is_whitespace()).count();
    letters >= 2 && letters * 3 >= visible * 2 && s.chars().all(|c| !c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        find(text).iter().map(|r| &text[r.span.range()]).collect()
    }

    #[test]
    fn marks_are_the_pairs_content_streams_need_in_text_order() {
        let text = "a/F3 x\nBT (s)-2 The T\nJ [(x [ ( Tf";
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(
            marks(text.as_bytes()),
            [at("/F3"), at("BT"), at(")-2"), at("[(x"), at("Tf")]
        );
        // No pair across a line break (`T` / `J`), and prose makes none.
        assert!(marks(b"The Treaty (1956) [see p. 3] and/or 2 > 1.").len() == 1);
        assert!(marks(b"The report (1956) [see p. 3] and/or 2 > 1.").is_empty());
        // `BT` and `ET` at the text's ends, and glued to an operator after them.
        assert_eq!(marks(b"BTf ET"), [0, 1, 4]);
        assert!(marks(b"T B E").is_empty());
    }

    /// Found by the default-pipeline proptest in CI (session 9's submission): two runs
    /// on one line parted by a glued token that is not syntax (`ff`) each widened over
    /// it, and the overlap made `find` slice backwards and panic.
    #[test]
    fn runs_that_widen_into_each_other_are_one_run() {
        for text in [
            "6\u{a0}g)ff)9(",
            "g)ff)9(",
            "Tj)a)Td",
            "ET<:>ET",
            "x)ab)-2(y)ab)3(z",
        ] {
            let runs = find(text);
            for w in runs.windows(2) {
                assert!(w[0].span.end < w[1].span.start, "{text:?}: {runs:?}");
            }
            let mut tokens = Vec::new();
            tokenize(text.as_bytes(), 0, &mut tokens);
            let line = line_runs(text, &tokens);
            for w in line.windows(2) {
                assert!(w[0].span.end < w[1].span.start, "{text:?}: {line:?}");
            }
        }
    }

    #[test]
    fn text_object_operators_fire() {
        let t = "crises\n)-4<04>4<112d>]TJ ET Q q 0 0 0 rg BT 295.7 47.\nin Eastern";
        assert_eq!(found(t), [")-4<04>4<112d>]TJ ET Q q 0 0 0 rg BT 295.7 47."]);
    }

    #[test]
    fn cut_string_fragments_belong_to_the_run() {
        let t = "of infringement Purp)-28(ose)1(.)]TJ 1\nbuild upon";
        assert_eq!(found(t), ["Purp)-28(ose)1(.)]TJ 1"]);
        let t = "lines he)]TJ 1.02 0 0 1 56.693 182.04 Tm [(b)-27(o)-27(olean)-361(rv)-361(c that";
        assert_eq!(
            found(t),
            ["he)]TJ 1.02 0 0 1 56.693 182.04 Tm [(b)-27(o)-27(olean)-361(rv)-361(c"]
        );
    }

    #[test]
    fn operator_letter_cut_from_its_operator_is_included() {
        let t = "to the GNU d /F3 10 Tf[<3403>12<11>-5<2004>6(\\b)-1<13> Tar Manual";
        assert_eq!(found(t), ["d /F3 10 Tf[<3403>12<11>-5<2004>6(\\b)-1<13>"]);
    }

    #[test]
    fn lone_operator_letters_and_prose_parentheses_do_not_fire() {
        for t in [
            "Q&A: is f(x) = (a+b)/2 or f (x) ? See lesskey(1) and [-v | --version].",
            "Use s/regex/repl/g or tar -xzvf file.tar.gz; /usr/bin/env (see note 19) f",
            "The ET crew and BT group met; 5 g of salt, 2 m by 3 m, q.v. (1) 2 (3)",
            "[[:alnum:]] means <file> and <dead> or << here-doc >> in sh",
            "AVPRF, f. 0144, op. 30, p. 118, d. 15, l. 76 and F. 3, Op. 12, D. 1005",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn raw_content_stream_lines_merge_into_one_run() {
        let t = "before\nBT\n/F1 12 Tf\n72 712 Td\n(Hello) Tj\nET\nafter";
        let runs = find(t);
        assert_eq!(runs.len(), 1);
        assert_eq!(
            &t[runs[0].span.range()],
            "BT\n/F1 12 Tf\n72 712 Td\n(Hello) Tj\nET"
        );
        assert_eq!(runs[0].decoded, "Hello");
    }

    #[test]
    fn well_formed_tj_arrays_decode_with_word_spaces() {
        let t = "x [(Ho)-28(w)-333(ev)28(er,)-333(the)]TJ y";
        let runs = find(t);
        assert_eq!(runs[0].decoded, "How ever, the");
    }

    #[test]
    fn every_operator_is_found_by_its_name() {
        for op in OPERATORS {
            assert_eq!(lookup_operator(op.name.as_bytes()), Some(op));
        }
        assert_eq!(lookup_operator(b"the"), None);
    }

    #[test]
    fn glyph_codes_do_not_decode() {
        let t = "x [<02>-1<03>6(\\f\\b)-4(O)5<13>]TJ (\\003)Tj y";
        let runs = find(t);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].decoded, "");
    }
}
