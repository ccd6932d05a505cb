//! Layout pass: spacing — spaces the extractor added inside words or lost between them.
//!
//! - Letter-spaced words (`N A M E`, `C o p y`, `S E C T I O N  T W O`): headings set
//!   with tracking come out one glyph per "word". The glyphs are joined; a wider gap is
//!   a word gap, and a run set without one (`S E E A L S O`) is split where the
//!   document or the lexicon knows both words (`layout.letter-spacing`).
//! - Doubled-glyph bold (`TThhee  SSoovviieett`): a bold face faked by printing every
//!   glyph twice, slightly offset, comes out with every character doubled
//!   (`layout.doubled-glyphs`).
//! - Missing spaces (`1957.Search`, `See“Informatsiya,”`, `(Top Secret),in`): the
//!   extractor dropped a space between two words (`layout.missing-space`).
//!
//! All three look at one whitespace-delimited token (or a run of them) at a time and are
//! written to say no quickly: almost every token of ordinary text is rejected after a
//! byte or two.

use std::collections::HashSet;

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

use super::evidence::FormCounts;
use crate::lexicon::{swar, Lexicon};

const LETTER_SPACING: RuleId = RuleId::from_static("layout.letter-spacing");
const DOUBLED_GLYPHS: RuleId = RuleId::from_static("layout.doubled-glyphs");
const MISSING_SPACE: RuleId = RuleId::from_static("layout.missing-space");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        "layout.letter-spacing",
        "layout",
        Applicability::Safe,
        "Joins the letters of a letter-spaced word.",
        "Headings set with wide tracking are extracted one letter per word. A run of at \
         least four single characters (at least three of them letters, the rest `:` `.` \
         `_` `-` `/` `'` or digits) separated by single spaces is joined; a gap of two or \
         more spaces is a word gap. A comma or semicolon set as a glyph of its own ends the \
         word before it, and the next glyph starts a word whatever the gap (`L C _ A L L , \
         L A N G` → `LC_ALL, LANG`), and two capitals a typeface kerns closer than the \
         tracking (`AV`, `TA`, `WA`, …), read as one glyph, are two glyphs of the run \
         (`R E T U R N VA L U E` → `RETURN VALUE`). A run of capitals without such a \
         gap, whole or between marks (the `CORASICKDESIGN` of `AHO-CORASICKDESIGN`), is \
         split into two or three words where each is known (in the document or the lexicon), the run as a whole is not, \
         and only one such split exists: `THEREST` (`THE REST`, `THERE ST`) stays whole. \
         Runs made only of one-letter words (`a`, `I`, `A`, `O`) are left \
         alone. Three capitals one space apart among capitals or at a line edge \
         (`K E Y BINDINGS`, `MAINTENANCE A N D SUPPORT`), or a capital and two small \
         letters with only marks beside them (`G e t {`), are joined only in a document \
         with longer letter-spaced runs, and only into a known word. Safe when a joined word is known or the run has six glyphs or more, review \
         otherwise.\n\n\
         Example: `S E E A L S O` → `SEE ALSO`; `C o p y` → `Copy`; `A H O - C O R A S I C K \
         D E S I G N` → `AHO-CORASICK DESIGN` where the document has `Corasick`; `N o v e m b \
         e r  2 7 ,  1 9 5 6` → `November 27, 1956`.",
    ),
    RuleInfo::builtin(
        "layout.doubled-glyphs",
        "layout",
        Applicability::Safe,
        "Undoubles words printed twice over for a fake bold face.",
        "Some PDFs fake bold by printing each glyph twice; extractors then read every \
         character twice and every space as two. A token of four or more characters made \
         entirely of doubled characters (with at least two different ones) is halved, and \
         the doubled space between two such tokens becomes one. Safe for runs of two or \
         more such words and for single ones of eight characters or more; review for six; \
         shorter single tokens are left alone.\n\n\
         Example: `TThhee  SSoovviieett` → `The Soviet`.",
    ),
    RuleInfo::builtin(
        "layout.missing-space",
        "layout",
        Applicability::Review,
        "Inserts a space the extractor dropped between two words.",
        "A sentence end glued to the next sentence (`1957.Search`), a clause glued after a \
         comma (`(Top Secret),in`) or a word glued to an opening quote (`See“Informatsiya,”`) \
         gets its space back. Abbreviations and initials (`N.S. Khrushchev`, `e.g.`, \
         `U.S.A.`), numbers (`3.14`, `v1.2.3`), file names, URLs and code (`recto.toml`, \
         `www.example.com`, `os.Getenv`) are left alone: the glued words must both be \
         known words in a token without path or code characters. For review: a space \
         missing from the source itself (`See“Informatsiya,”` in a typed transcript) is \
         the author's text, and only a reader can tell it from one the extractor lost.\n\n\
         Example: `in 1957.Search results` → `in 1957. Search results`.",
    ),
];

/// The spacing pass.
pub(crate) struct Spacing;

impl Stage for Spacing {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        let lexicon: &Lexicon = &cx.lexicon;
        let (mut spaced, mut doubled) = (Vec::new(), Vec::new());
        for (base, line) in candidate_lines(text) {
            let shape = shape(line.as_bytes());
            if shape.spaced {
                spaced.push((base, line));
            }
            if shape.doubled {
                doubled.push((base, line));
            }
        }
        let (runs, short) = letter_spaced_runs(text, &spaced);
        if !runs.is_empty() {
            propose_letter_spacing(text, &runs, &short, lexicon, out);
        }
        doubled_glyphs(text, &doubled, out);
        missing_spaces(text, lexicon, out);
        // With --keep-lines the wrapped lines stay, so the evidence that the extractor
        // joined its own hyphens would read differently on a second run.
        if !cx.options.keep_lines {
            for fix in super::hyphens::restore(text, lexicon) {
                out.push(fix);
            }
        }
    }
}

/// A whitespace-delimited token: byte range.
type Token = (usize, usize);

/// The tokens of one line.
fn tokens(line: &str, base: usize) -> impl Iterator<Item = Token> + '_ {
    let bytes = line.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        Some((base + start, base + at))
    })
}

/// Lines of `text` with their start offsets (without the `\n`): what
/// [`candidate_lines`] picks from.
#[cfg(test)]
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at > text.len() {
            return None;
        }
        let start = at;
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
        at = end + 1;
        Some((start, &text[start..end]))
    })
}

/// What one pass over a line's bytes says it may contain.
struct Shape {
    /// Three single-glyph tokens in a row (`x y z`).
    spaced: bool,
    /// A token that starts with two doubled characters (`TThh…`).
    doubled: bool,
}

/// Looks at each token of the line once: its length and its first four bytes. Nearly
/// every line of ordinary text is rejected here without building anything.
fn shape(b: &[u8]) -> Shape {
    let mut shape = Shape {
        spaced: false,
        doubled: false,
    };
    let mut singles = 0;
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b' ' | b'\t') {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        let tok = &b[start..i];
        // One character: one byte, or one multi-byte UTF-8 sequence.
        let single =
            tok.len() == 1 || (tok[0] >= 0xC0 && tok[1..].iter().all(|&c| c & 0xC0 == 0x80));
        singles = if single { singles + 1 } else { 0 };
        shape.spaced |= singles >= 3;
        shape.doubled |= tok.len() >= 4 && tok[0] == tok[1] && tok[2] == tok[3];
    }
    shape
}

/// The lines of `text` (as [`lines`] gives them, in order) that [`shape`] may find
/// something in: every line it finds a letter-spaced run or doubled glyphs in, and a few
/// more.
///
/// Walking every token of every line costs more than the rest of the pass (a branch per
/// byte, mispredicted at the end of nearly every token), and almost no line of a
/// document has either shape. The text is read 64 bytes at a time into a bit per byte
/// of each byte class (word arithmetic, as in [`swar`]): token starts, starts of tokens
/// that may be one character, starts of tokens whose first four bytes are two pairs.
/// Only a line where three possible one-character tokens follow one another, or where a
/// token starts with two pairs, is walked. Exact: a one-character token starts with an ASCII byte followed
/// by a separator or the line's end, or with a non-ASCII byte (taken as a possible one
/// either way), so a line [`shape`] finds a run in has three such starts with no other
/// token start and no line break between them.
fn candidate_lines(text: &str) -> Vec<(usize, &str)> {
    // Most texts have no tab: then a byte need not be tested for one.
    if memchr::memchr(b'\t', text.as_bytes()).is_some() {
        candidate_lines_with::<true>(text)
    } else {
        candidate_lines_with::<false>(text)
    }
}

/// [`candidate_lines`] of a text that has a tab (`TABS`) or none.
///
/// The text is read 64 bytes at a time into [`Classes`], a bit per byte, and the
/// byte-by-byte conditions become shifts of whole blocks: a token starts where a
/// separator is followed by another byte, and so on. Nearly every block of prose has
/// at most two possible one-character tokens (`a`, `I`, a digit, a dash) and no token
/// that starts with two pairs: then only how many such tokens end the text read so far
/// is carried on, from a count of bits, and the block's events are not visited one by
/// one (see [`SingleRun`]).
fn candidate_lines_with<const TABS: bool>(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut candidates: Vec<(usize, &str)> = Vec::new();
    let mut add = |at: usize| {
        if candidates
            .last()
            .is_some_and(|&(base, line)| at <= base + line.len())
        {
            return;
        }
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        candidates.push((start, &text[start..end]));
    };
    let mut run = SingleRun::default();
    // Whether the byte before the block is a separator: the text's start reads as a
    // line break.
    let mut separator_before = 1u64;
    let mut block = Classes::at::<TABS>(bytes, 0);
    let mut base = 0;
    while base < bytes.len() {
        let next = Classes::at::<TABS>(bytes, base + 64);
        let separator_after = block.separator >> 1 | next.separator << 63;
        let starts = (block.separator << 1 | separator_before) & !block.separator;
        // A token starts on no line break: its `odd` bytes are its non-ASCII ones.
        let single = starts & (block.odd | separator_after);
        // The byte equals the next one, and the two after them are equal too.
        let pairs = block.equal_next & (block.equal_next >> 2 | next.equal_next << 62);
        let doubled = starts & pairs;
        let newline = block.odd & block.separator;
        let resets = (starts & !single) | newline;
        if doubled != 0 || !run.passes_quietly(single, resets) {
            // Byte by byte, in order, as `shape` reads the tokens.
            let mut events = single | doubled | resets;
            while events != 0 {
                let bit = events & events.wrapping_neg();
                events &= events - 1;
                let pos = base + bit.trailing_zeros() as usize;
                if doubled & bit != 0 {
                    add(pos);
                }
                if resets & bit != 0 {
                    run.break_off();
                } else if single & bit != 0 && run.push() {
                    add(pos);
                }
            }
        }
        separator_before = block.separator >> 63;
        block = next;
        base += 64;
    }
    candidates
}

/// How many possible one-character tokens in a row (no other token start, no line
/// break between them) end the text [`candidate_lines_with`] has read. Three make a
/// candidate; past three, the count stays at three, which is all that tells.
#[derive(Default)]
struct SingleRun {
    count: u32,
}

impl SingleRun {
    /// Another token start, or a line break: the run is broken.
    #[inline]
    fn break_off(&mut self) {
        self.count = 0;
    }

    /// One more possible one-character token: true when it is the third in a row or
    /// later.
    #[inline]
    fn push(&mut self) -> bool {
        self.count = (self.count + 1).min(3);
        self.count == 3
    }

    /// For a block whose possible one-character tokens are `single` and whose other
    /// token starts and line breaks are `resets` (bits in text order): true, with the
    /// count carried past the block, when none of the block's tokens is the third in a
    /// row. That is certain when the count so far and the block's tokens together are
    /// fewer than three, as they are in nearly every block: the count after the block
    /// is then the tokens after its last reset (or all of them added, with none).
    #[inline]
    fn passes_quietly(&mut self, single: u64, resets: u64) -> bool {
        let in_block = up_to_three(single);
        if self.count + in_block >= 3 {
            return false;
        }
        self.count = if resets == 0 {
            self.count + in_block
        } else {
            // Those above the last reset.
            let last_reset = 63 - resets.leading_zeros();
            up_to_three(single & !(u64::MAX >> (63 - last_reset)))
        };
        true
    }
}

/// How many bits of `bits` are set, counted up to three.
#[inline(always)]
fn up_to_three(bits: u64) -> u32 {
    let second = bits & bits.wrapping_sub(1);
    let third = second & second.wrapping_sub(1);
    u32::from(bits != 0) + u32::from(second != 0) + u32::from(third != 0)
}

/// 64 bytes of a text, as [`candidate_lines`] reads them: a bit per byte (bit `k` for
/// the byte at offset `k`) of each class. Bytes past the text's end read as line
/// breaks.
#[derive(Clone, Copy)]
struct Classes {
    /// A token separator: a space, a tab or a line break.
    separator: u64,
    /// A line break, or a byte of a character that is not ASCII: one class, gathered
    /// once, which the separators tell apart (no byte of a character that is not ASCII
    /// is one).
    odd: u64,
    /// The byte equals the one after it.
    equal_next: u64,
}

impl Classes {
    /// The 64 bytes at `at`. `TABS`: the text may hold a tab.
    #[inline(always)]
    fn at<const TABS: bool>(bytes: &[u8], at: usize) -> Classes {
        // Each word is compared with the word one byte on: 65 bytes are read.
        match bytes.get(at..at + 65) {
            Some(block) => Classes::of::<TABS>(block),
            None => Classes::of::<TABS>(&padded_tail(bytes, at)),
        }
    }

    /// The classes of the first 64 of `block`'s 65 bytes or more.
    #[inline(always)]
    fn of<const TABS: bool>(block: &[u8]) -> Classes {
        let mut c = Classes {
            separator: 0,
            odd: 0,
            equal_next: 0,
        };
        for k in 0..8 {
            let w = swar::load8(block, 8 * k);
            let newline = swar::bytes_equal(w, b'\n');
            let tab = if TABS { swar::bytes_equal(w, b'\t') } else { 0 };
            let separator = swar::bytes_equal(w, b' ') | tab | newline;
            let equal_next = swar::zero_bytes(w ^ swar::load8(block, 8 * k + 1));
            c.separator |= gather_high_bits(separator) << (8 * k);
            c.odd |= gather_high_bits(newline | w & swar::HIGH) << (8 * k);
            c.equal_next |= gather_high_bits(equal_next) << (8 * k);
        }
        c
    }
}

/// The high bits of the eight bytes of `w` (the only bits set), gathered into the low
/// byte: bit `k` is the high bit of byte `k`.
#[inline(always)]
fn gather_high_bits(w: u64) -> u64 {
    (w >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The bytes of `bytes` from `at` (none, at or past its end), then line breaks, to 72.
#[cold]
fn padded_tail(bytes: &[u8], at: usize) -> [u8; 72] {
    let mut block = [b'\n'; 72];
    if let Some(rest) = bytes.get(at..) {
        let n = rest.len().min(72);
        block[..n].copy_from_slice(&rest[..n]);
    }
    block
}

// ---------------------------------------------------------------------------------------
// Letter spacing

/// A run of letter-spaced glyphs: its span and its words (each a list of glyph tokens).
#[derive(Debug)]
struct SpacedRun {
    span: Span,
    words: Vec<String>,
}

fn is_single_char(text: &str, (s, e): Token) -> Option<char> {
    let mut chars = text[s..e].chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// Characters that may stand between letters inside a letter-spaced identifier.
fn is_word_punct(c: char) -> bool {
    matches!(c, ':' | '.' | '_' | '-' | '/' | '\'' | '’') || c.is_ascii_digit()
}

/// A comma or semicolon set as a glyph of its own inside a letter-spaced run: it ends
/// the word before it, and the next glyph starts a word whatever the gap (`L C _ A L L ,
/// L A N G` → `LC_ALL, LANG`; `2 7 ,  1 9 5 6` → `27, 1956`).
fn is_separator(c: char) -> bool {
    matches!(c, ',' | ';')
}

/// `word` of a letter-spaced run without the separators that end it: the word itself.
fn bare(word: &str) -> &str {
    word.trim_end_matches(is_separator)
}

/// The letter-spaced runs of `lines`, and apart from them the three-capital runs
/// (`S E E`, `A N D`) that are words only in a document with longer runs.
fn letter_spaced_runs(text: &str, lines: &[(usize, &str)]) -> (Vec<SpacedRun>, Vec<SpacedRun>) {
    let (mut runs, mut short) = (Vec::new(), Vec::new());
    for &(base, line) in lines {
        let toks: Vec<Token> = tokens(line, base).collect();
        let mut i = 0;
        while i < toks.len() {
            let mut j = i;
            while j < toks.len()
                && is_run_glyph(text, toks[j], j == i)
                && (j == i || gap_width(toks[j - 1], toks[j]) <= 3)
            {
                j += 1;
            }
            if j > i {
                if let Some(run) = spaced_run(text, &toks[i..j]) {
                    runs.push(run);
                } else if let Some(run) = three_capitals(text, &toks, i, j) {
                    short.push(run);
                }
                i = j;
            } else {
                i += 1;
            }
        }
    }
    (runs, short)
}

/// Whether `token` can be a glyph of a letter-spaced run (`first`: the run's first): a
/// letter, a mark of an identifier or a digit; after the first, also a separator or a
/// ligature read as one glyph; and a kerned pair of capitals anywhere.
fn is_run_glyph(text: &str, token: Token, first: bool) -> bool {
    let glyph = &text[token.0..token.1];
    is_single_char(text, token)
        .is_some_and(|c| c.is_alphabetic() || is_word_punct(c) || (!first && is_separator(c)))
        || (!first && is_ligature(glyph))
        || is_kerned_pair(glyph)
}

/// `toks[i..j]` as a three-letter word set in capitals one by one (`K E Y BINDINGS`,
/// `MAINTENANCE A N D SUPPORT`): exactly three capitals one space apart, among
/// nothing but capitals or at a line edge, so that `vitamins A B C` or `x A B C`
/// are no candidates.
///
/// A capital and two small letters (`G e t`) are such a word too where nothing but
/// marks stands next to them (`G e t {`): beside a word they would be its neighbours'
/// initials as easily.
fn three_capitals(text: &str, toks: &[Token], i: usize, j: usize) -> Option<SpacedRun> {
    let run = &toks[i..j];
    let glyph = |k: usize| is_single_char(text, run[k]);
    if run.len() != 3 || run.windows(2).any(|w| gap_width(w[0], w[1]) != 1) {
        return None;
    }
    let capitals = (0..3).all(|k| glyph(k).is_some_and(|c| c.is_ascii_uppercase()));
    let capitalized = glyph(0).is_some_and(|c| c.is_ascii_uppercase())
        && (1..3).all(|k| glyph(k).is_some_and(|c| c.is_ascii_lowercase()));
    if !capitals && !capitalized {
        return None;
    }
    // What may stand next to the run: capitals (or marks) beside capitals, marks alone
    // beside a capitalized word.
    let fits = |t: &Token| {
        text[t.0..t.1]
            .chars()
            .all(|c| !c.is_alphabetic() || (capitals && c.is_uppercase()))
    };
    if !(i.checked_sub(1).is_none_or(|k| fits(&toks[k])) && toks.get(j).is_none_or(fits)) {
        return None;
    }
    let word: String = run.iter().map(|&t| &text[t.0..t.1]).collect();
    Some(SpacedRun {
        span: Span::new(run[0].0, run[2].1),
        words: vec![word],
    })
}

fn gap_width(a: Token, b: Token) -> usize {
    b.0 - a.1
}

/// Two capitals a typeface kerns (`AV`, `TA`, `WA`): set closer than the tracking, an
/// extractor reads them as one "glyph" of a letter-spaced run (`R E T U R N VA L U E`,
/// `N AT I O N A L`).
fn is_kerned_pair(token: &str) -> bool {
    const PAIRS: [&str; 19] = [
        "AT", "AV", "AW", "AY", "FA", "LT", "LV", "LW", "LY", "PA", "TA", "TO", "TY", "VA", "VO",
        "WA", "WO", "YA", "YO",
    ];
    PAIRS.contains(&token)
}

/// A ligature the extractor expanded into one multi-letter "glyph" (`P r e fi x`).
fn is_ligature(token: &str) -> bool {
    matches!(token, "fi" | "fl" | "ff" | "ffi" | "ffl" | "ft" | "st")
}

fn spaced_run(text: &str, toks: &[Token]) -> Option<SpacedRun> {
    if toks.len() < 4 {
        return None;
    }
    let glyphs: Vec<char> = toks
        .iter()
        .filter_map(|&t| is_single_char(text, t))
        .collect();
    let letters = glyphs.iter().filter(|c| c.is_alphabetic()).count();
    if letters < 3
        || glyphs
            .iter()
            .all(|c| matches!(c, 'a' | 'A' | 'I' | 'O' | 'o'))
    {
        return None;
    }
    let mut words = vec![String::new()];
    for (k, &t) in toks.iter().enumerate() {
        if k > 0
            && (gap_width(toks[k - 1], t) >= 2
                || is_single_char(text, toks[k - 1]).is_some_and(is_separator))
        {
            words.push(String::new());
        }
        words.last_mut()?.push_str(&text[t.0..t.1]);
    }
    // A one-glyph word between word gaps, or no word of four glyphs (`a b  c d`,
    // `x , y , z`): the spacing is not tracking but ordinary text of one-letter tokens.
    let glyphs = |w: &String| bare(w).chars().count();
    if words.iter().any(|w| glyphs(w) <= 1) || words.iter().all(|w| glyphs(w) < 4) {
        return None;
    }
    Some(SpacedRun {
        span: Span::new(toks[0].0, toks[toks.len() - 1].1),
        words,
    })
}

fn propose_letter_spacing(
    text: &str,
    runs: &[SpacedRun],
    short: &[SpacedRun],
    lexicon: &Lexicon,
    out: &mut Proposals,
) {
    // Ask the document about every word a run could contain: the words themselves and,
    // for capitals run together, every way to cut them in two or three.
    // A heading recurs (a running head letter-spaced on every page): its words and their
    // cuts are asked about once.
    let mut asked: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
    // Listed first, so that the counts' map is made as large as they need: grown from
    // empty, it would hash the hundreds of cuts of a few headings again at every
    // doubling.
    //
    // Only the words the lexicon does not know: a word it knows is a word whatever the
    // document says (see [`is_word`]), and is never cut ([`split_caps`] and the pieces
    // after it are asked only of a run word that is no word), so the document is asked
    // nothing about it or its pieces. Most letter-spaced headings are words of the
    // lexicon (`C O N T E N T S`); their cuts were most of the forms the document was
    // scanned for, and the short ones matched a token in two.
    let is_known = |w: &str| lexicon.zipf(w) > 0.0;
    let mut wanted: Vec<&str> = Vec::new();
    let (mut unknown, mut known) = (Vec::new(), Vec::new());
    for run in runs {
        for w in run.words.iter().map(|w| bare(w)) {
            if !asked.insert(w) {
                continue;
            }
            if is_known(w) {
                known.push(w);
                continue;
            }
            unknown.push(w);
            wanted.push(w);
            for piece in caps_pieces(w) {
                for (a, b) in substrings(piece) {
                    wanted.push(&piece[a..b]);
                }
            }
        }
    }
    for run in short {
        let word = run.words[0].as_str();
        if is_known(word) {
            known.push(word);
        } else {
            wanted.push(word);
        }
    }
    // One question is asked of a word the lexicon knows not: whether a piece of it of
    // three letters or more, between other characters, is a word (`known |= …` below).
    // Such a piece that is also a known word or one of its cuts, in any case (the
    // lexicon is asked in the piece's own case, the document in lower case), was
    // counted as one, and still is; a piece that is neither is not counted, as before.
    // The known words and their cuts are listed only where such a piece is asked about.
    let mut known_forms: Option<HashSet<String, foldhash::fast::RandomState>> = None;
    for w in unknown {
        for piece in letter_runs(w)
            .into_iter()
            .map(|(start, end)| &w[start..end])
        {
            if piece.chars().count() < 3 || is_caps(piece) {
                continue;
            }
            let forms = known_forms.get_or_insert_with(|| {
                let cuts = known
                    .iter()
                    .flat_map(|k| caps_pieces(k))
                    .flat_map(|caps| substrings(caps).into_iter().map(|(a, b)| &caps[a..b]));
                known.iter().copied().chain(cuts).map(lower).collect()
            });
            if forms.contains(&lower(piece)) {
                wanted.push(piece);
            }
        }
    }
    let mut forms = FormCounts::with_capacity(wanted.len());
    for form in wanted {
        forms.want(form);
    }
    forms.scan(text);
    // A document that sets its headings letter by letter sets its short words so too;
    // joined only when the result is a word.
    for run in short {
        let word = &run.words[0];
        if !is_word(word, &forms, lexicon) {
            continue;
        }
        out.push(
            Fix::single(
                LETTER_SPACING,
                Applicability::Safe,
                Edit::new(run.span, word.as_str()),
            )
            .with_confidence(0.9)
            .with_message(format!(
                "letter-spaced '{}' → '{word}', in a document that letter-spaces {} longer run(s)",
                &text[run.span.range()],
                runs.len()
            )),
        );
    }
    for run in runs {
        let mut known = false;
        let mut words = Vec::with_capacity(run.words.len());
        for w in &run.words {
            let (word, separators) = w.split_at(bare(w).len());
            if is_word(word, &forms, lexicon) {
                known = true;
                words.push(w.clone());
            } else if let Some(split) = split_caps(word, &forms, lexicon) {
                known = true;
                words.push(split + separators);
            } else {
                known |= w
                    .split(|c: char| !c.is_alphabetic())
                    .any(|piece| piece.chars().count() >= 3 && is_word(piece, &forms, lexicon));
                words.push(w.clone());
            }
        }
        let joined = words.join(" ");
        // Six glyphs or more set one by one are tracking, not words, whether or not the
        // result is in a dictionary (`x U n i t s B y t e`, `F o r c e I P v 4`).
        let glyphs = text[run.span.range()]
            .split(' ')
            .filter(|g| !g.is_empty())
            .count();
        let known = known || glyphs >= 6;
        let applicability = if known {
            Applicability::Safe
        } else {
            Applicability::Review
        };
        out.push(
            Fix::single(
                LETTER_SPACING,
                applicability,
                Edit::new(run.span, joined.as_str()),
            )
            .with_confidence(if known { 0.95 } else { 0.6 })
            .with_message(format!(
                "letter-spaced '{}' → '{joined}'{}",
                &text[run.span.range()],
                if known { "" } else { " (not a known word)" }
            )),
        );
    }
}

/// The pieces of `w` (its runs of letters) that are capitals to be cut ([`is_caps`]).
fn caps_pieces(w: &str) -> impl Iterator<Item = &str> + '_ {
    letter_runs(w)
        .into_iter()
        .map(move |(start, end)| &w[start..end])
        .filter(|piece| is_caps(piece))
}

/// `s` in lower case, as [`FormCounts`] compares forms.
fn lower(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

fn is_caps(w: &str) -> bool {
    w.chars().all(|c| c.is_uppercase()) && w.chars().count() >= 5
}

/// Known: written so elsewhere in the document, or in the lexicon.
fn is_word(w: &str, forms: &FormCounts, lexicon: &Lexicon) -> bool {
    forms.get(w) > 0 || lexicon.zipf(w) > 0.0
}

/// Byte ranges of the substrings of `w` of at least two characters.
fn substrings(w: &str) -> Vec<(usize, usize)> {
    let cuts: Vec<usize> = w.char_indices().map(|(i, _)| i).chain([w.len()]).collect();
    let mut out = Vec::new();
    if cuts.len() > 33 {
        return out; // too long to be a heading; left whole
    }
    for (x, &a) in cuts.iter().enumerate() {
        for &b in cuts.iter().skip(x + 2) {
            out.push((a, b));
        }
    }
    out
}

/// Byte ranges of the runs of letters in `w` (`AHO-CORASICK` → `AHO`, `CORASICK`).
fn letter_runs(w: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in w.char_indices().chain([(w.len(), ' ')]) {
        match (c.is_alphabetic() && i < w.len(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// `w` with every run of capitals that is not a word itself cut into the words it is
/// made of (`AHO-CORASICKDESIGN` → `AHO-CORASICK DESIGN`): the gaps of a heading set
/// with even tracking are as wide as the gaps between its letters, so the word breaks
/// are lost. `None` when no run can be cut.
fn split_caps(w: &str, forms: &FormCounts, lexicon: &Lexicon) -> Option<String> {
    // Identifiers (`TAR_FILETYPE`, `IPV4ADDR`, `std::VEC`) are written run together.
    if !w
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
    {
        return None;
    }
    let mut out = String::with_capacity(w.len() + 4);
    let mut last = 0;
    let mut cut = false;
    for (start, end) in letter_runs(w) {
        let piece = &w[start..end];
        out.push_str(&w[last..start]);
        match (is_caps(piece) && !is_word(piece, forms, lexicon))
            .then(|| segment(piece, forms, lexicon))
            .flatten()
        {
            Some(words) => {
                out.push_str(&words.join(" "));
                cut = true;
            }
            None => out.push_str(piece),
        }
        last = end;
    }
    out.push_str(&w[last..]);
    cut.then_some(out)
}

/// `w` (capitals run together, not a word itself) cut into two or three words that are
/// each known and common, with as few pieces as possible. Only one such cut may exist:
/// where two do (`THEREST`: `THE REST` or `THERE ST`), the letters alone cannot tell
/// which the heading said, and the run stays whole.
fn segment<'w>(w: &'w str, forms: &FormCounts, lexicon: &Lexicon) -> Option<Vec<&'w str>> {
    // A piece is acceptable when the document has it or it is a common word; one-letter
    // pieces never are, so `GNAME` stays whole.
    let ok = |p: &str| p.chars().count() >= 2 && (forms.get(p) > 0 || lexicon.zipf(p) >= 3.0);
    let cuts: Vec<usize> = w.char_indices().map(|(i, _)| i).skip(1).collect();
    let mut found: Vec<Vec<&str>> = cuts
        .iter()
        .filter(|&&c| ok(&w[..c]) && ok(&w[c..]))
        .map(|&c| vec![&w[..c], &w[c..]])
        .collect();
    if found.is_empty() {
        for (x, &c1) in cuts.iter().enumerate() {
            if !ok(&w[..c1]) {
                continue;
            }
            for &c2 in &cuts[x + 1..] {
                if ok(&w[c1..c2]) && ok(&w[c2..]) {
                    found.push(vec![&w[..c1], &w[c1..c2], &w[c2..]]);
                }
            }
        }
    }
    match found.len() {
        1 => found.pop(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Doubled glyphs

/// The token with every character doubled, halved; `None` when it is not such a token.
fn undoubled(tok: &str) -> Option<String> {
    let b = tok.as_bytes();
    // ASCII prefilter: the first two bytes must already agree.
    if b.len() < 4 || b[0] != b[1] {
        return None;
    }
    let chars: Vec<char> = tok.chars().collect();
    if chars.len() % 2 != 0 || chars.chunks(2).any(|p| p[0] != p[1]) {
        return None;
    }
    let half: String = chars.iter().step_by(2).collect();
    let mut distinct = half.chars();
    let first = distinct.next()?;
    if !distinct.any(|c| c != first) || !half.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(half)
}

fn doubled_glyphs(text: &str, lines: &[(usize, &str)], out: &mut Proposals) {
    for &(base, line) in lines {
        let mut toks = tokens(line, base).peekable();
        while let Some(first_tok) = toks.next() {
            let Some(first) = undoubled(&text[first_tok.0..first_tok.1]) else {
                continue;
            };
            let mut words = vec![first];
            let mut last = first_tok;
            while let Some(&next) = toks.peek() {
                if gap_width(last, next) != 2 {
                    break;
                }
                let Some(w) = undoubled(&text[next.0..next.1]) else {
                    break;
                };
                words.push(w);
                last = next;
                toks.next();
            }
            let span = Span::new(first_tok.0, last.1);
            let joined = words.join(" ");
            let chars = joined.chars().count();
            if words.len() == 1 && chars < 3 {
                // `aabb`, `Oo`: too short to tell from a word.
                continue;
            }
            let sure = words.len() >= 2 || chars >= 4;
            out.push(
                Fix::single(
                    DOUBLED_GLYPHS,
                    if sure {
                        Applicability::Safe
                    } else {
                        Applicability::Review
                    },
                    Edit::new(span, joined.as_str()),
                )
                .with_confidence(if sure { 0.95 } else { 0.6 })
                .with_message(format!(
                    "every glyph doubled: '{}' → '{joined}'",
                    &text[span.range()]
                )),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Missing spaces

fn missing_spaces(text: &str, lexicon: &Lexicon, out: &mut Proposals) {
    let bytes = text.as_bytes();
    // Prefilter: a candidate needs punctuation or a quote directly followed by a letter.
    let mut at = 0;
    while let Some(i) = memchr::memchr3(b'.', b',', 0xE2, &bytes[at..]).map(|i| at + i) {
        at = i + 1;
        if bytes[i] == 0xE2 {
            // “ (E2 80 9C) after a letter, ” (E2 80 9D) before one.
            let Some(q) = text.get(i..).and_then(|s| s.chars().next()) else {
                continue;
            };
            let after = text[i + q.len_utf8()..].chars().next();
            let before = text[..i].chars().next_back();
            if q == '\u{201c}'
                && before.is_some_and(char::is_alphabetic)
                && after.is_some_and(char::is_alphanumeric)
            {
                push_space(out, i, "an opening quote glued to the word before it");
            } else if q == '\u{201d}'
                && after.is_some_and(char::is_alphabetic)
                && before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | ',' | '?' | '!'))
            {
                push_space(
                    out,
                    i + q.len_utf8(),
                    "a closing quote glued to the word after it",
                );
            }
            continue;
        }
        if !text[i + 1..]
            .chars()
            .next()
            .is_some_and(char::is_alphabetic)
        {
            continue;
        }
        let (tok_start, tok_end) = token_around(text, i);
        let token = &text[tok_start..tok_end];
        if token
            .bytes()
            .any(|b| b"/@\\=<>{}[]_:#~|*+&%$^`".contains(&b))
            || token.starts_with("www")
        {
            continue;
        }
        let left = word_before(text, tok_start, i);
        let right = word_after(text, i + 1, tok_end);
        if left.is_empty()
            || right.is_empty()
            || i + 1 + right.len() < tok_end && !closes_word(text, i + 1 + right.len())
        {
            continue;
        }
        let sure = if bytes[i] == b'.' {
            sentence_glue(left, right, lexicon)
        } else {
            clause_glue(text, i, left, right, lexicon)
        };
        if sure {
            push_space(
                out,
                i + 1,
                &format!("'{}' glued to '{right}'", &text[tok_start..=i]),
            );
        }
    }
}

fn push_space(out: &mut Proposals, at: usize, why: &str) {
    out.push(
        Fix::single(MISSING_SPACE, Applicability::Review, Edit::insert(at, " "))
            .with_confidence(0.9)
            .with_message(format!("missing space: {why}")),
    );
}

/// The whitespace-delimited token containing byte `i`.
fn token_around(text: &str, i: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let start = b[..i]
        .iter()
        .rposition(|c| c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    let end = b[i..]
        .iter()
        .position(|c| c.is_ascii_whitespace())
        .map_or(b.len(), |p| i + p);
    (start, end)
}

/// The alphanumeric run ending at `end` (after closing brackets and quotes).
fn word_before(text: &str, start: usize, end: usize) -> &str {
    let s = &text[start..end];
    let s = s.trim_end_matches([')', ']', '"', '\'', '’', '”']);
    let n: usize = s
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .map(char::len_utf8)
        .sum();
    &s[s.len() - n..]
}

/// The run of letters starting at `start`.
fn word_after(text: &str, start: usize, end: usize) -> &str {
    let s = &text[start..end];
    let n: usize = s
        .chars()
        .take_while(|c| c.is_alphabetic())
        .map(char::len_utf8)
        .sum();
    &s[..n]
}

/// After a glued word: punctuation that can end a word in prose.
fn closes_word(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(|c| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | '"' | '”' | '’' | '\''
        )
    })
}

/// `1957.Search`, `it.The`: a sentence end glued to a capitalised word. The left side is
/// a number of two or more digits or a lower-case word of three or more letters (not an
/// initial or an abbreviation like `N.S.`, `e.g.`), the right side a capitalised word,
/// and both are known words.
fn sentence_glue(left: &str, right: &str, lexicon: &Lexicon) -> bool {
    let mut r = right.chars();
    let capitalised = r.next().is_some_and(char::is_uppercase)
        && right.chars().count() >= 2
        && r.all(char::is_lowercase);
    if !capitalised || lexicon.zipf(right) < 2.5 {
        return false;
    }
    if left.bytes().all(|b| b.is_ascii_digit()) {
        return left.len() >= 2;
    }
    left.chars().count() >= 3 && left.chars().all(char::is_lowercase) && lexicon.zipf(left) >= 2.5
}

/// `(Top Secret),in`, `tensions,and`: a comma or full stop glued to a lower-case word;
/// only for commas, with a known word on both sides.
fn clause_glue(text: &str, i: usize, left: &str, right: &str, lexicon: &Lexicon) -> bool {
    if text.as_bytes()[i] != b',' || !right.chars().all(char::is_lowercase) {
        return false;
    }
    if left.bytes().all(|b| b.is_ascii_digit()) {
        return false; // 1,000
    }
    let after_bracket = matches!(text[..i].chars().next_back(), Some(')' | ']' | '"' | '”'));
    let known = |w: &str| lexicon.zipf(w) >= 3.0;
    known(right) && (after_bracket || (known(left) && left.chars().count() >= 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cases() {
        crate::stages::layout::testdata::check_cases("spacing", || Box::new(Spacing));
    }

    fn run(text: &str) -> String {
        crate::pipeline::run_stages(vec![Box::new(Spacing)], Applicability::Review, text).output
    }

    #[test]
    fn a_piece_asked_about_alone_is_counted_where_it_cuts_a_known_word() {
        // `-RODU` is no word and cannot be cut: it is known only if its piece `RODU` is
        // a word, which the lexicon says it is not and the document says it is. The
        // document is not asked about `INTRODUCTION`, a word of the lexicon, nor its
        // cuts; `RODU`, one of them, is still counted for the piece (it fails when
        // the piece is not).
        let text = "I N T R O D U C T I O N\n\nThe rodu and the rest.\n\n- R O D U\n";
        let safe =
            crate::pipeline::run_stages(vec![Box::new(Spacing)], Applicability::Safe, text).output;
        assert!(safe.contains("INTRODUCTION"), "{safe}");
        assert!(safe.contains("\n-RODU\n"), "{safe}");
    }

    #[test]
    fn letter_spaced_words() {
        assert_eq!(run("C o p y right"), "Copy right");
        assert_eq!(run("N A M E\n"), "NAME\n");
        assert_eq!(run("S E C T I O N  T W O\n"), "SECTION TWO\n");
        assert_eq!(run("S E E A L S O\n"), "SEE ALSO\n");
        assert_eq!(run("D e b u g : : A c q u i r e\n"), "Debug::Acquire\n");
        assert_eq!(
            run("O u t p u t L i n e P r e fi x\n"),
            "OutputLinePrefix\n"
        );
        assert_eq!(run("F o r c e I P v 4\n"), "ForceIPv4\n");
        // A comma or semicolon glyph ends a word, with or without a word gap after it.
        assert_eq!(
            run("L C _ A L L , L C _ C T Y P E , L A N G\n"),
            "LC_ALL, LC_CTYPE, LANG\n"
        );
        assert_eq!(
            run("N o v e m b e r  2 7 ,  1 9 5 6\n"),
            "November 27, 1956\n"
        );
        // Kerned capitals read as one glyph.
        assert_eq!(run("R E T U R N VA L U E\n"), "RETURN VALUE\n");
        assert_eq!(run("TA R _ AT I M E\n"), "TAR_ATIME\n");
    }

    #[test]
    fn one_letter_words_are_not_joined() {
        for t in [
            "I a m",
            "a I a I",
            "x + y = z",
            "a b  c d",
            "see a b",
            "x , y , z , w",
            "a , b c d e",
            "TA TA TA TA",
            "GO TO A B",
        ] {
            assert_eq!(run(t), t);
        }
    }

    #[test]
    fn candidate_lines_hold_every_line_with_a_shape() {
        // Each line at every offset from a block's start (the text is read 64 bytes at a
        // time), after a line and within one.
        let lines_with_shapes = [
            "S E C T I O N",
            "a b c",
            "x\ty\tz end",
            "é ü ö",
            "in — a — way",
            "a b\u{a0}c d e",
            "TThhee  SSoovviieett",
            "AAbb",
            "bookkeeper",
            "Plain prose with no such thing.",
            "a  b",
            "a b cc d e f",
            "1 2 3",
            "",
            "    ",
            "\r",
            "a b c\r",
        ];
        for shaped in lines_with_shapes {
            for pad in 0..70 {
                for text in [
                    format!("{}\n{shaped}\nx y", "w".repeat(pad)),
                    format!("{} {shaped}", "w".repeat(pad)),
                    format!("{}\n{shaped}", "é".repeat(pad / 2)),
                ] {
                    assert_candidates_hold_the_shaped_lines(&text);
                }
            }
        }
        assert!(shape("S E C T I O N".as_bytes()).spaced);
        assert!(shape("é ü ö".as_bytes()).spaced);
        assert!(shape("TThhee  SSoovviieett".as_bytes()).doubled);
        let prose = "Plain prose, with a word or two and no such thing.\n".repeat(20);
        assert!(candidate_lines(&prose).is_empty());
    }

    /// `candidate_lines(text)` are lines of `text`, in order, and among them is every
    /// line that `shape` finds letter-spaced or doubled.
    fn assert_candidates_hold_the_shaped_lines(text: &str) {
        let all: Vec<(usize, &str)> = lines(text).collect();
        let candidates = candidate_lines(text);
        let mut rest = all.iter();
        for c in &candidates {
            assert!(rest.any(|l| l == c), "{text:?}: {c:?} is no line");
        }
        for &(base, line) in &all {
            let shape = shape(line.as_bytes());
            if shape.spaced || shape.doubled {
                assert!(
                    candidates.contains(&(base, line)),
                    "{text:?}: {line:?} missed"
                );
            }
        }
    }

    #[test]
    fn candidate_lines_hold_every_line_with_a_shape_in_generated_texts() {
        // Lines of one-character tokens, pairs and words at every alignment, spaces
        // and tabs of any number, non-ASCII characters, line breaks anywhere.
        const PIECES: &[&str] = &[
            "a", "I", "x", "1", "é", "—", "S", "E", "TT", "hh", "ee", "Ab", "word", "the", " ",
            " ", " ", "  ", "\t", "\n", "\n", ".", "\u{a0}", "\r", "😀", "oo",
        ];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let pieces = 1 + rng.below(if round % 8 == 0 { 300 } else { 60 });
            let text: String = (0..pieces)
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            assert_candidates_hold_the_shaped_lines(&text);
        }
    }

    #[test]
    fn doubled_glyphs() {
        assert_eq!(run("TThhee  SSoovviieett Union"), "The Soviet Union");
        for t in ["bookkeeper", "....", "0000", "aabb is", "Hello"] {
            assert_eq!(run(t), t);
        }
    }

    #[test]
    fn missing_spaces_are_restored() {
        assert_eq!(run("in 1957.Search results"), "in 1957. Search results");
        assert_eq!(run("See“Informatsiya,” p. 3"), "See “Informatsiya,” p. 3");
        assert_eq!(run("(Top Secret),in the"), "(Top Secret), in the");
        assert_eq!(run("as he said.Then we"), "as he said. Then we");
    }

    #[test]
    fn missing_spaces_leave_abbreviations_numbers_and_names_alone() {
        for t in [
            "N.S. Khrushchev",
            "e.g. this",
            "i.e. that",
            "U.S.A. and",
            "3.14 and",
            "v1.2.3 is",
            "recto.toml is",
            "www.example.com is",
            "file.txt is",
            "Ll. 53-53ob",
            "p.389",
            "wait... what?! yes",
            "1,000 people",
            "os.Getenv(x)",
            "<https://example.com/Search>",
            "APT::Update::{Pre,Post}Generate",
        ] {
            assert_eq!(run(t), t);
        }
    }
}
