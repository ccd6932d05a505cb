//! The tokens the words stage looks at, and the ones it must leave alone.
//!
//! Text is cut at whitespace into *chunks*; a chunk's *core* is what remains after
//! surrounding punctuation (`(`, `“`, `.`, `,`, `”` …) is stripped. Only a core made of
//! ASCII letters (or letters with one OCR-confusable digit, `c1ear`) is ever a
//! candidate. Everything else — words with diacritics, apostrophes or inner hyphens
//! (`Mátyás`, `dogovorit'sia`, `Gheorghiu-Dej`), numbers and units — is not, so the
//! stage cannot damage it. On top of that, whole chunks are *protected* when they look
//! like code, paths, URLs, e-mail addresses or options, or stand inside square
//! brackets (transliterations and editorial insertions: `[dogovorit'sia]`).
//!
//! One linear pass over the bytes; no allocation per token. Most chunks are a bare
//! word of ASCII letters, which is settled eight bytes at a time (see [`scan_chunk`]);
//! the byte-by-byte classification runs only for the others.

#[cfg(test)]
use super::vocab::Dictionary;
use super::vocab::{PackedWord, VocabCounter};
use crate::lexicon::swar;
use crate::span::Span;

/// What a core is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// ASCII letters only, all lowercase.
    Lower,
    /// ASCII letters only, the first uppercase, the rest lowercase.
    Capitalized,
    /// ASCII letters with an uppercase letter after the first (`CCO`, `getElementById`,
    /// `SupposethatAlice`).
    MixedCase,
    /// ASCII letters with exactly one of the digits OCR confuses with letters (`0 1 5`),
    /// not at the end: `c1ear`, `0pen`, but not `file1` or `md5`, which are names.
    ConfusableDigit,
    /// Anything else: never a candidate.
    Other,
}

/// A whitespace-delimited chunk of text and the word inside it.
///
/// Offsets are `u32`: a document has a token every few bytes, and 20-byte tokens
/// instead of 40-byte ones halve the stage's largest allocation (the stage leaves texts
/// of 4 GiB and more alone; see [`tokenize`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    /// The whole chunk, punctuation included: `chunk_start..chunk_end`.
    chunk_start: u32,
    chunk_end: u32,
    /// The chunk without surrounding punctuation: `core_start..core_end`.
    core_start: u32,
    core_end: u32,
    pub(super) shape: Shape,
    /// Looks like code, a path, a URL, an address or an option, or is in brackets.
    pub(super) protected: bool,
    /// Starts a sentence: first in its paragraph, or after `.`, `!`, `?` or `:`.
    pub(super) sentence_start: bool,
    /// Follows a chunk ending in a hyphen: the second half of a word broken at a line
    /// end (`govern- ment`), which is the layout stage's to join. Alone it is a
    /// fragment that often happens to be one letter from a word (`ment` → `merit`).
    pub(super) after_hyphen: bool,
}

impl Token {
    /// A chunk of ASCII letters, closed by one plain mark (`word,`) when `marked`: its
    /// core is the letters.
    #[inline(always)]
    fn plain(
        chunk: std::ops::Range<usize>,
        marked: bool,
        shape: Shape,
        protected: bool,
        sentence_start: bool,
        after_hyphen: bool,
    ) -> Token {
        // In range: the text is shorter than `u32::MAX` bytes.
        Token {
            chunk_start: chunk.start as u32,
            chunk_end: chunk.end as u32,
            core_start: chunk.start as u32,
            core_end: (chunk.end - usize::from(marked)) as u32,
            shape,
            protected,
            sentence_start,
            after_hyphen,
        }
    }

    /// The whole chunk, punctuation included.
    pub(super) fn chunk(&self) -> Span {
        Span::new(self.chunk_start as usize, self.chunk_end as usize)
    }

    /// The chunk without surrounding punctuation.
    pub(super) fn core(&self) -> Span {
        Span::new(self.core_start as usize, self.core_end as usize)
    }

    /// The chunk has punctuation before its core.
    pub(super) fn has_leading_punct(&self) -> bool {
        self.core_start > self.chunk_start
    }

    /// The chunk has punctuation after its core.
    pub(super) fn has_trailing_punct(&self) -> bool {
        self.core_end < self.chunk_end
    }
}

/// Bits of a token's marks (see [`tokenize_marked`]): one byte per token answers the
/// questions that settle nearly every token and pair of tokens, without loading the
/// tokens or slicing the text.
pub(super) struct Mark;

impl Mark {
    /// The core is a dictionary word (as the vocabulary counter finds when it counts the
    /// token: see [`VocabCounter::count`]).
    pub(super) const KNOWN: u8 = 1;
    /// May be the first part of a join: a plain word (`Lower` or `Capitalized`), not
    /// protected, after no hyphen, no punctuation after it, and one byte of space
    /// between it and the next token.
    pub(super) const HEAD: u8 = 2;
    /// May be the second part of a join: not protected, no punctuation before it.
    pub(super) const TAIL: u8 = 4;
    /// Of shape [`Shape::Lower`].
    pub(super) const LOWER: u8 = 8;

    /// The marks of `token` that it has by itself: all but [`Mark::KNOWN`], and
    /// [`Mark::HEAD`] before the space after it is known.
    #[inline]
    fn of(token: &Token) -> u8 {
        Mark::of_parts(
            token.shape,
            token.has_leading_punct(),
            token.has_trailing_punct(),
            token.protected,
            token.after_hyphen,
        )
    }

    /// [`Mark::of`] the short-word loop's [`Token::plain`] of `shape` and `marked`
    /// (outside brackets, after no hyphen), from those arguments rather than the stored
    /// token, whose fields the loop would read back: a plain token has no punctuation
    /// before its core, and some after it exactly when `marked`. Read from
    /// [`PLAIN_MARKS`], one load where the tests of the shape took a dozen instructions
    /// per word.
    #[inline(always)]
    fn of_plain(shape: Shape, marked: bool) -> u8 {
        PLAIN_MARKS[shape as usize][usize::from(marked)]
    }

    /// [`Mark::of`] a token of `shape` with punctuation before and after its core as
    /// given.
    #[inline(always)]
    const fn of_parts(
        shape: Shape,
        leading_punct: bool,
        trailing_punct: bool,
        protected: bool,
        after_hyphen: bool,
    ) -> u8 {
        let head = !protected
            && !after_hyphen
            && !trailing_punct
            && matches!(shape, Shape::Lower | Shape::Capitalized);
        let tail = !protected && !leading_punct;
        (head as u8 * Mark::HEAD)
            | (tail as u8 * Mark::TAIL)
            | (matches!(shape, Shape::Lower) as u8 * Mark::LOWER)
    }
}

/// [`Mark::of_plain`] of each shape (by its discriminant), unmarked and marked:
/// [`Mark::of_parts`] worked out once, when the program is compiled.
const PLAIN_MARKS: [[u8; 2]; 5] = {
    let shapes = [
        Shape::Lower,
        Shape::Capitalized,
        Shape::MixedCase,
        Shape::ConfusableDigit,
        Shape::Other,
    ];
    let mut marks = [[0; 2]; 5];
    let mut k = 0;
    while k < shapes.len() {
        let shape = shapes[k];
        marks[shape as usize] = [
            Mark::of_parts(shape, false, false, false, false),
            Mark::of_parts(shape, false, true, false, false),
        ];
        k += 1;
    }
    marks
};

/// How many of `marks` have [`Mark::KNOWN`]: eight at a time, one bit of each byte.
fn count_known(marks: &[u8]) -> usize {
    const KNOWN_IN_EACH_BYTE: u64 = u64::from_ne_bytes([Mark::KNOWN; 8]);
    let chunks = marks.chunks_exact(8);
    let rest = chunks.remainder();
    let whole: usize = chunks
        .map(|chunk| {
            let eight = u64::from_ne_bytes(chunk.try_into().expect("chunks of eight"));
            (eight & KNOWN_IN_EACH_BYTE).count_ones() as usize
        })
        .sum();
    whole + rest.iter().filter(|&&m| m & Mark::KNOWN != 0).count()
}

/// What a byte is to the tokenizer, as bit flags: one table lookup per byte instead of
/// a chain of comparisons.
const SPACE: u8 = 1;
/// `\n` or form feed: counts toward a paragraph break.
const NEWLINE: u8 = 2;
/// Makes a chunk code-like: paths, URLs, e-mail, identifiers, markup, shell and
/// programming syntax.
const CODE: u8 = 4;
const BRACKET: u8 = 8;
const COLON: u8 = 16;
/// An ASCII capital.
const CAPITAL: u8 = 32;
/// Neither an ASCII letter nor one of the digits OCR confuses with letters (`0 1 5`):
/// a core with one is of shape [`Shape::Other`].
const NOT_IN_WORD: u8 = 64;
/// One of the digits OCR confuses with letters, `0 1 5`. The top bit, so that a
/// byte's class shifted right by 7 counts it.
const CONFUSABLE_DIGIT: u8 = 128;

static CLASS: [u8; 256] = {
    let mut t = [NOT_IN_WORD; 256];
    let mut b = 0;
    while b < 256 {
        if (b as u8).is_ascii_alphabetic() {
            t[b] = 0;
        }
        if (b as u8).is_ascii_uppercase() {
            t[b] = CAPITAL;
        }
        b += 1;
    }
    t[b'0' as usize] = CONFUSABLE_DIGIT;
    t[b'1' as usize] = CONFUSABLE_DIGIT;
    t[b'5' as usize] = CONFUSABLE_DIGIT;
    t[b' ' as usize] |= SPACE;
    t[b'\t' as usize] |= SPACE;
    t[b'\r' as usize] |= SPACE;
    t[b'\n' as usize] |= SPACE | NEWLINE;
    t[0x0c] |= SPACE | NEWLINE;
    let code = b"/\\@_=<>{}|$#~^*+%&`";
    let mut k = 0;
    while k < code.len() {
        t[code[k] as usize] |= CODE;
        k += 1;
    }
    t[b'[' as usize] |= BRACKET;
    t[b']' as usize] |= BRACKET;
    t[b':' as usize] |= COLON;
    t
};

/// Opening punctuation stripped from the front of a chunk.
const LEADING: &[char] = &['(', '[', '{', '"', '\'', '‘', '“', '«', '¿', '¡'];
/// Closing punctuation stripped from the back of a chunk.
const TRAILING: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'', '’', '”', '»',
];

/// Cuts `text` into tokens; none when the text is too long for [`Token`]'s offsets.
#[cfg(test)]
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    tokenize_marked(
        text,
        &mut VocabCounter::new(text, Dictionary::asking(&mut |_, _| false)),
    )
    .tokens
}

/// The tokens of a text with their marks (see [`tokenize_marked`]).
pub(super) struct Cut {
    pub(super) tokens: Vec<Token>,
    /// Per token, its [`Mark`]s.
    pub(super) marks: Vec<u8>,
    /// How many tokens are dictionary words ([`Mark::KNOWN`]).
    pub(super) known: usize,
}

/// How many tokens a text of `len` bytes is given room for before it is cut: prose
/// takes six to seven bytes a token, but
/// denser text (tables, numbers, references) takes less, and a vector that outgrows
/// its room is copied whole. One token in five bytes is more than any of the benchmark
/// documents has; the room is not written until used, so it costs no time.
pub(super) fn token_capacity(len: usize) -> usize {
    len / 5
}

/// Cuts `text` into tokens, with each token's [`Mark`]s; none when the text is too long
/// for [`Token`]'s offsets.
///
/// Each token is counted in `vocab` as it is cut, which also tells whether it is a
/// dictionary word; a short word (see [`short_word`]) is counted by the bytes loaded to
/// cut it, without reading the text again.
pub(super) fn tokenize_marked(text: &str, vocab: &mut VocabCounter) -> Cut {
    let bytes = text.as_bytes();
    if u32::try_from(bytes.len()).is_err() {
        return Cut {
            tokens: Vec::new(),
            marks: Vec::new(),
            known: 0,
        };
    }
    let mut tokens = Vec::with_capacity(token_capacity(bytes.len()));
    let mut marks = Vec::with_capacity(token_capacity(bytes.len()));
    // The end of the last token's chunk.
    let mut last_end = usize::MAX;
    let mut i = 0;
    // `i` starts a chunk that follows the last one after a single byte of space.
    let mut at_chunk = false;
    let mut bracket_depth: usize = 0;
    let mut sentence_start = true;
    let mut after_hyphen = false;
    'text: while i < bytes.len() {
        if !at_chunk {
            // Whitespace, noting paragraph breaks: they end sentences and brackets.
            let mut newlines = 0;
            while i < bytes.len() && CLASS[usize::from(bytes[i])] & SPACE != 0 {
                newlines += usize::from(CLASS[usize::from(bytes[i])] & NEWLINE != 0);
                i += 1;
            }
            if newlines >= 2 {
                bracket_depth = 0;
                sentence_start = true;
            }
            if i >= bytes.len() {
                break;
            }
        }
        // A token is a join's first part only with one byte of space before the next.
        if i != last_end.wrapping_add(1) {
            if let Some(last) = marks.last_mut() {
                *last &= !Mark::HEAD;
            }
        }
        // Most chunks of running text are short words, each followed by one byte of
        // space and the next: they are cut in this loop of their own, whose few
        // variables stay in registers, and counted by the bytes it loaded. The rare
        // short word after a hyphen or inside square brackets is left to the general
        // path below, which cuts it alike (see `scan_chunk`): here every word is
        // neither, so neither is a variable of the loop.
        if !after_hyphen && bracket_depth == 0 {
            while let Some(word) = short_word(bytes, i) {
                let end = i + word.len;
                let marked = word.mark != 0;
                let core = Span::new(i, end - usize::from(marked));
                let known = vocab.count_short(word.core, core, false, true);
                marks.push(Mark::of_plain(word.shape, marked) | known);
                tokens.push(Token::plain(
                    i..end,
                    marked,
                    word.shape,
                    false,
                    sentence_start,
                    false,
                ));
                sentence_start = matches!(word.mark, b'.' | b'!' | b'?' | b':');
                last_end = end;
                // The byte at `end` is space; the next chunk follows it at once unless
                // the byte after is space too (or a control character).
                if bytes.get(end + 1).is_some_and(|&b| b >= b'!') {
                    i = end + 1;
                } else {
                    (i, at_chunk) = (end, false);
                    continue 'text;
                }
            }
        }
        let start = i;
        let chunk = scan_chunk(bytes, start);
        let end = chunk.end;
        last_end = end;
        (i, at_chunk) = if chunk.spaced {
            (end + 1, true)
        } else {
            (end, false)
        };
        if let Some(shape) = chunk.letters.filter(|_| is_plain_mark(chunk.mark)) {
            // ASCII letters, maybe closed by one plain mark (`word,`): the core is the
            // letters, and none of the checks below (code, brackets, options, hyphen
            // ends) can apply.
            let token = Token::plain(
                start..end,
                chunk.mark != 0,
                shape,
                bracket_depth > 0,
                sentence_start,
                after_hyphen,
            );
            let known = vocab.count(&token);
            marks.push(Mark::of(&token) | known);
            tokens.push(token);
            after_hyphen = false;
            sentence_start = matches!(chunk.mark, b'.' | b'!' | b'?' | b':');
            continue;
        }
        let token = other_token(text, start, end, &mut bracket_depth);
        let token = Token {
            sentence_start,
            after_hyphen,
            ..token
        };
        let known = vocab.count(&token);
        marks.push(Mark::of(&token) | known);
        tokens.push(token);
        (after_hyphen, sentence_start) = chunk_end(&bytes[start..end]);
    }
    // The last token has no next one to join.
    if let Some(last) = marks.last_mut() {
        *last &= !Mark::HEAD;
    }
    let known = count_known(&marks);
    Cut {
        tokens,
        marks,
        known,
    }
}

/// The token of the chunk `start..end` of `text` that is not a plain word (see
/// [`scan_chunk`]), classified by one lookup in [`CLASS`] per byte, and the depth of
/// square brackets after it; `sentence_start` and `after_hyphen`, which depend on the
/// chunk before, are left `false`. Apart from the plain words' loop: its state stays in
/// registers.
#[inline(never)]
fn other_token(text: &str, start: usize, end: usize, bracket_depth: &mut usize) -> Token {
    let chunk = &text.as_bytes()[start..end];
    let (from, to) = core_bounds(&text[start..end]);
    let class = |b: &u8| CLASS[usize::from(*b)];
    // The punctuation around the core only counts toward code and brackets.
    let mut seen = chunk[..from]
        .iter()
        .chain(&chunk[to..])
        .fold(0, |seen, b| seen | class(b));
    let shape = match chunk[from..to].split_first() {
        None => Shape::Other,
        Some((first, rest)) => {
            // The shape needs the first byte's class, the union of the others' (a
            // capital after the first makes it mixed case) and how many confusable
            // digits there are: the class's top bit.
            let first = class(first);
            let (inner, digits) = rest.iter().fold((0, 0), |(inner, digits), b| {
                let c = class(b);
                (inner | c, digits + usize::from(c >> 7))
            });
            let digits = digits + usize::from(first >> 7);
            seen |= first | inner;
            core_shape(first, inner, digits, to - from, class(&chunk[to - 1]))
        }
    };
    let (opens, closes) = if seen & BRACKET != 0 {
        let count = |b: u8| chunk.iter().filter(|&&c| c == b).count();
        (count(b'['), count(b']'))
    } else {
        (0, 0)
    };
    let options = chunk.first() == Some(&b'-') && chunk.len() > 1 && chunk != b"--";
    let code = seen & CODE != 0
        || options
        || (seen & COLON != 0 && chunk.windows(2).any(|pair| pair == b"::"));
    let in_brackets = *bracket_depth > 0 || opens > 0 || closes > 0;
    *bracket_depth = (*bracket_depth + opens).saturating_sub(closes);
    // In range: the text is shorter than `u32::MAX` bytes.
    Token {
        chunk_start: start as u32,
        chunk_end: end as u32,
        core_start: (start + from) as u32,
        core_end: (start + to) as u32,
        shape,
        protected: code || in_brackets,
        sentence_start: false,
        after_hyphen: false,
    }
}

/// The [`Shape`] of a non-empty core of `len` bytes from the [`CLASS`] of its first
/// byte, the union of its other bytes' classes, its count of confusable digits and the
/// class of its last byte: what [`shape`] finds byte by byte.
#[inline(always)]
fn core_shape(first: u8, inner: u8, digits: usize, len: usize, last: u8) -> Shape {
    if (first | inner) & NOT_IN_WORD != 0 {
        Shape::Other
    } else if digits > 0 {
        // Letters and confusable digits only: one digit among three letters or more
        // (so more than three bytes), and not last.
        if digits == 1 && len > 3 && last & CONFUSABLE_DIGIT == 0 {
            Shape::ConfusableDigit
        } else {
            Shape::Other
        }
    } else if inner & CAPITAL != 0 {
        Shape::MixedCase
    } else if first & CAPITAL != 0 {
        Shape::Capitalized
    } else {
        Shape::Lower
    }
}

/// Whether a chunk ends in a hyphen (`-`, U+2010 or a soft hyphen), and whether it ends
/// a sentence (`.`, `!`, `?` or `:`, or `.` then a closing double quote), tested on its
/// last bytes: in UTF-8 no character's encoding ends another's, so a chunk ends with
/// the bytes of a character exactly when it ends with that character.
#[inline(always)]
fn chunk_end(chunk: &[u8]) -> (bool, bool) {
    let last = chunk.last().copied().unwrap_or(0);
    let hyphen = last == b'-'
        || chunk.ends_with("\u{2010}".as_bytes())
        || chunk.ends_with("\u{ad}".as_bytes());
    let sentence_end = matches!(last, b'.' | b'!' | b'?' | b':')
        || chunk.ends_with(".”".as_bytes())
        || chunk.ends_with(b".\"");
    (hyphen, sentence_end)
}

/// A chunk of one to fifteen ASCII letters, maybe closed by one plain mark (see
/// [`is_plain_mark`]), that ends with a byte of space within the sixteen bytes from its
/// start: what [`scan_chunk`] finds there, read from the loads of those bytes (one for a
/// chunk of up to seven bytes).
struct ShortWord {
    /// The chunk's length.
    len: usize,
    /// The chunk's last byte when it is the mark; 0 when there is none.
    mark: u8,
    shape: Shape,
    /// The chunk's core (the letters), as the vocabulary counts it.
    core: PackedWord,
}

/// Bit `b` set for each byte `b` of class [`SPACE`] (all are below 64).
const SPACE_BITS: u64 = (1 << b' ') | (1 << b'\t') | (1 << b'\r') | (1 << b'\n') | (1 << 0x0c);

/// The [`ShortWord`] at `start` (not a space), if the chunk there is one and the text
/// goes on for eight bytes from `start` (sixteen for a chunk of eight bytes or more).
#[inline(always)]
fn short_word(bytes: &[u8], start: usize) -> Option<ShortWord> {
    use swar::{ascii_letters, ascii_uppercase, below, load8, HIGH};
    if start + 8 > bytes.len() {
        return None;
    }
    let w = load8(bytes, start);
    // As in `scan_chunk`: every byte of class SPACE is below b'!'.
    let stop = below(w, b'!');
    if stop == 0 {
        // Eight bytes or more: one word in six of running text.
        return long_short_word(bytes, start, w);
    }
    let len = stop.trailing_zeros() / 8;
    // A control character at `start`.
    if len == 0 {
        return None;
    }
    let stop_byte = (w >> (8 * len)) as u8;
    if (SPACE_BITS >> stop_byte) & 1 == 0 {
        return None;
    }
    // 0x80 in each byte of the chunk, and in its last byte.
    let in_chunk = HIGH >> (8 * (8 - len));
    let last = 0x80 << (8 * (len - 1));
    let others = !ascii_letters(w) & in_chunk;
    // Letters only, or letters and then one other byte, the mark.
    let mark = if others == 0 {
        0
    } else if others == last && len >= 2 {
        (w >> (8 * (len - 1))) as u8
    } else {
        return None;
    };
    if !is_plain_mark(mark) {
        return None;
    }
    let inner_upper = ascii_uppercase(w) & in_chunk & !0x80 != 0;
    let core_len = len as usize - usize::from(mark != 0);
    Some(ShortWord {
        len: len as usize,
        mark,
        shape: letter_shape(w as u8, inner_upper),
        core: PackedWord::of_loaded(w & (u64::MAX >> (64 - 8 * core_len)), core_len),
    })
}

/// [`short_word`] of a chunk whose first eight bytes, `low`, have no space: the same
/// judgement, over the sixteen bytes from `start` as one integer.
#[inline(always)]
fn long_short_word(bytes: &[u8], start: usize, low: u64) -> Option<ShortWord> {
    use swar::{ascii_letters, ascii_uppercase, below, load8, HIGH};
    if start + 16 > bytes.len() {
        return None;
    }
    let high = load8(bytes, start + 8);
    let stop = below(high, b'!');
    // No stop in the second load either: sixteen bytes or more.
    if stop == 0 {
        return None;
    }
    let len = 8 + (stop.trailing_zeros() / 8) as usize;
    let stop_byte = bytes[start + len];
    if (SPACE_BITS >> stop_byte) & 1 == 0 {
        return None;
    }
    let halves = |f: fn(u64) -> u64| u128::from(f(low)) | u128::from(f(high)) << 64;
    let word = halves(|w| w);
    // 0x80 in each byte of the chunk, and in its last byte.
    let in_chunk = halves(|_| HIGH) & ((1 << (8 * len)) - 1);
    let last = 0x80 << (8 * (len - 1));
    let others = !halves(ascii_letters) & in_chunk;
    // Letters only, or letters and then one other byte, the mark.
    let mark = if others == 0 {
        0
    } else if others == last {
        (word >> (8 * (len - 1))) as u8
    } else {
        return None;
    };
    if !is_plain_mark(mark) {
        return None;
    }
    let inner_upper = halves(ascii_uppercase) & in_chunk & !0x80 != 0;
    let core_len = len - usize::from(mark != 0);
    let core = word & ((1 << (8 * core_len)) - 1);
    Some(ShortWord {
        len,
        mark,
        shape: letter_shape(low as u8, inner_upper),
        core: PackedWord::of_loaded16(core, core_len),
    })
}

/// Where a chunk ends, and its shape when it is made of ASCII letters, maybe followed
/// by one other byte (`mark`).
struct Chunk {
    end: usize,
    /// The shape of the letters, when the chunk is letters and `mark`.
    letters: Option<Shape>,
    /// The chunk's last byte when it follows the letters and is no letter; 0 when the
    /// chunk is letters only.
    mark: u8,
    /// One byte of space follows, then the next chunk (no paragraph break between).
    spaced: bool,
}

/// Whether a chunk of letters closed by `mark` (0: none) is settled like a bare word:
/// the mark is stripped from the core (it is in [`TRAILING`]) and is neither code nor
/// a bracket, so it protects nothing. (`]` and `}` are left to the general path.)
fn is_plain_mark(mark: u8) -> bool {
    matches!(
        mark,
        0 | b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b'"' | b'\''
    )
}

/// Scans the chunk starting at `start` (not a space) to the next space, tab, line
/// break or form feed, eight bytes at a time: a word usually ends within the first
/// load, so the loop branches about once per word rather than once per byte.
#[inline]
fn scan_chunk(bytes: &[u8], start: usize) -> Chunk {
    use swar::{ascii_letters, ascii_uppercase, below, load8, HIGH};
    let mut j = start;
    // Over the bytes scanned so far: all ASCII letters; capitals after the first byte.
    let mut all_letters = true;
    let mut inner_upper = false;
    while j + 8 <= bytes.len() {
        let w = load8(bytes, j);
        // Every byte of class SPACE is below b'!'; the rarer control characters there
        // are checked below.
        let stop = below(w, b'!');
        // The bytes before the first stop (all eight when there is none).
        let in_chunk = HIGH & stop.wrapping_sub(1) & !stop;
        let first = if j == start { 0x80 } else { 0 };
        // 0x80 in each byte of the chunk that is no letter.
        let others = !ascii_letters(w) & in_chunk;
        inner_upper |= ascii_uppercase(w) & in_chunk & !first != 0;
        if stop == 0 {
            all_letters &= others == 0;
            j += 8;
            continue;
        }
        let end_in_load = stop.trailing_zeros() / 8;
        j += end_in_load as usize;
        if CLASS[usize::from(bytes[j])] & SPACE != 0 {
            // Letters only, or letters and then one other byte, the chunk's last.
            let mark = if others == 0 {
                Some(0)
            } else if end_in_load >= 1 && others == 0x80 << (8 * (end_in_load - 1)) && j - 1 > start
            {
                Some(bytes[j - 1])
            } else {
                None
            };
            // The byte after the space is in this load too, and no space: no
            // paragraph break, and it starts the next chunk.
            let spaced = end_in_load < 7 && stop & (0x8000 << (8 * end_in_load)) == 0;
            return Chunk {
                end: j,
                letters: (all_letters && mark.is_some())
                    .then(|| letter_shape(bytes[start], inner_upper)),
                mark: mark.unwrap_or(0),
                spaced,
            };
        }
        // A control character inside the chunk: finish byte by byte.
        all_letters = false;
        break;
    }
    while j < bytes.len() && CLASS[usize::from(bytes[j])] & SPACE == 0 {
        all_letters &= bytes[j].is_ascii_alphabetic();
        inner_upper |= j > start && bytes[j].is_ascii_uppercase();
        j += 1;
    }
    Chunk {
        end: j,
        letters: all_letters.then(|| letter_shape(bytes[start], inner_upper)),
        mark: 0,
        spaced: false,
    }
}

/// The shape of a word of ASCII letters from its first byte and whether a capital
/// follows it (as [`shape`] finds it).
fn letter_shape(first: u8, inner_upper: bool) -> Shape {
    if inner_upper {
        Shape::MixedCase
    } else if first.is_ascii_uppercase() {
        Shape::Capitalized
    } else {
        Shape::Lower
    }
}

/// Where the core of `chunk` starts and ends: the chunk without its surrounding
/// punctuation ([`LEADING`] and [`TRAILING`]), as [`core_of`] finds it. An ASCII byte
/// is told by a `match` on it (the ASCII characters of [`LEADING`] and [`TRAILING`],
/// which the agreement test with `core_of` checks); only a non-ASCII character at
/// either end is decoded.
#[inline(always)]
fn core_bounds(chunk: &str) -> (usize, usize) {
    let bytes = chunk.as_bytes();
    let mut from = 0;
    while let Some(&b) = bytes.get(from) {
        if b.is_ascii() {
            if !matches!(b, b'(' | b'[' | b'{' | b'"' | b'\'') {
                break;
            }
            from += 1;
        } else {
            match chunk[from..].chars().next() {
                Some(c) if LEADING.contains(&c) => from += c.len_utf8(),
                _ => break,
            }
        }
    }
    let mut to = bytes.len();
    while to > from {
        let b = bytes[to - 1];
        if b.is_ascii() {
            if !matches!(
                b,
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'}' | b'"' | b'\''
            ) {
                break;
            }
            to -= 1;
        } else {
            match chunk[from..to].chars().next_back() {
                Some(c) if TRAILING.contains(&c) => to -= c.len_utf8(),
                _ => break,
            }
        }
    }
    (from, to)
}

/// The span of `chunk` (at `start`) without its surrounding punctuation: the
/// definition [`core_bounds`] is tested against.
#[cfg(test)]
fn core_of(chunk: &str, start: usize) -> Span {
    let bytes = chunk.as_bytes();
    let mut from = 0;
    loop {
        match bytes.get(from) {
            Some(b) if b.is_ascii_alphanumeric() => break,
            Some(b) if b.is_ascii() => {
                if !LEADING.contains(&char::from(*b)) {
                    break;
                }
                from += 1;
            }
            Some(_) => match chunk[from..].chars().next() {
                Some(c) if LEADING.contains(&c) => from += c.len_utf8(),
                _ => break,
            },
            None => break,
        }
    }
    let mut to = bytes.len();
    while to > from {
        let b = bytes[to - 1];
        if b.is_ascii_alphanumeric() {
            break;
        }
        if b.is_ascii() {
            if !TRAILING.contains(&char::from(b)) {
                break;
            }
            to -= 1;
        } else {
            match chunk[from..to].chars().next_back() {
                Some(c) if TRAILING.contains(&c) => to -= c.len_utf8(),
                _ => break,
            }
        }
    }
    Span::new(start + from, start + to)
}

/// The shape of a core, byte by byte: the definition [`core_shape`] and the plain
/// words' loops are tested against.
#[cfg(test)]
fn shape(core: &str) -> Shape {
    let bytes = core.as_bytes();
    if bytes.is_empty() {
        return Shape::Other;
    }
    let mut digits = 0usize;
    let mut letters = 0usize;
    let mut inner_upper = false;
    for (k, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphabetic() {
            letters += 1;
            inner_upper |= k > 0 && b.is_ascii_uppercase();
        } else if matches!(b, b'0' | b'1' | b'5') {
            digits += 1;
        } else {
            return Shape::Other;
        }
    }
    if digits > 0 {
        let last_is_digit = bytes[bytes.len() - 1].is_ascii_digit();
        return if digits == 1 && letters >= 3 && !last_is_digit {
            Shape::ConfusableDigit
        } else {
            Shape::Other
        };
    }
    if inner_upper {
        Shape::MixedCase
    } else if bytes[0].is_ascii_uppercase() {
        Shape::Capitalized
    } else {
        Shape::Lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cores(text: &str) -> Vec<(&str, Shape, bool)> {
        tokenize(text)
            .into_iter()
            .map(|t| (&text[t.core().range()], t.shape, t.protected))
            .collect()
    }

    #[test]
    fn strips_punctuation_and_classifies() {
        assert_eq!(
            cores("(“cach,” Sce c1ear file1)"),
            [
                ("cach", Shape::Lower, false),
                ("Sce", Shape::Capitalized, false),
                ("c1ear", Shape::ConfusableDigit, false),
                ("file1", Shape::Other, false),
            ]
        );
    }

    #[test]
    fn diacritics_apostrophes_and_hyphens_are_not_words() {
        for (_, shape, _) in cores("Mátyás dogovorit'sia Gheorghiu-Dej 10kg") {
            assert_eq!(shape, Shape::Other);
        }
    }

    #[test]
    fn code_paths_urls_options_and_brackets_are_protected() {
        let text = "see /home/alice a@b.org https://x.org --verbose -xzvf snake_case \
                    a::b [dogovorit sia] after";
        let tokens = cores(text);
        let (last, rest) = tokens.split_last().unwrap();
        assert!(rest.iter().all(|&(_, _, protected)| protected) || rest[0].0 == "see");
        assert!(rest[1..].iter().all(|&(_, _, protected)| protected));
        assert!(!last.2, "brackets end at ]");
    }

    #[test]
    fn chunks_and_shapes_agree_with_their_definitions() {
        // Words around the 8-byte loads' edges, capitals in every place, and chunks
        // the byte-by-byte path must take: punctuation, digits, control characters
        // (\u{1} and vertical tab are not spaces), non-ASCII letters.
        let pieces = [
            "a",
            "Ab",
            "abcdefg",
            "abcdefgh",
            "Abcdefghi",
            "abcdefgHi",
            "abcDefghijklmnopq",
            "ABCDEFGHIJ",
            "x\u{1}y",
            "abcdefg\u{b}h",
            "wörd",
            "end.",
            "(Word",
            "c1ear",
            "a-b",
            "http://x",
        ];
        for lead in 0..9 {
            for seps in [" ", "\n", "\t  ", "\r\n\u{c}"] {
                for rotate in 0..pieces.len() {
                    let mut text = " ".repeat(lead);
                    for k in 0..pieces.len() {
                        text.push_str(pieces[(k + rotate) % pieces.len()]);
                        text.push_str(&seps[..(k % seps.len()) + 1]);
                    }
                    let text = text.trim_end();
                    let tokens = tokenize(text);
                    let chunks: Vec<&str> = text
                        .split([' ', '\t', '\r', '\n', '\u{c}'])
                        .filter(|c| !c.is_empty())
                        .collect();
                    assert_eq!(tokens.len(), chunks.len(), "{text:?}");
                    for (token, chunk) in tokens.iter().zip(chunks) {
                        assert_eq!(&text[token.chunk().range()], chunk, "{text:?}");
                        assert_eq!(
                            token.core(),
                            core_of(chunk, token.chunk().start),
                            "{chunk:?}"
                        );
                        assert_eq!(token.shape, shape(&text[token.core().range()]), "{chunk:?}");
                    }
                }
            }
        }
    }

    /// [`other_token`] as it was written before it classified each byte once: the
    /// class fold, [`core_of`] and [`shape`] over the chunk's text, and the chunk's end
    /// tested by `char`s; with the depth of brackets after it and what it tells the next
    /// chunk (ends in a hyphen, ends a sentence).
    fn other_token_by_definition(
        text: &str,
        start: usize,
        end: usize,
        bracket_depth: &mut usize,
    ) -> (Token, bool, bool) {
        let seen = text.as_bytes()[start..end]
            .iter()
            .fold(0u8, |seen, &b| seen | CLASS[usize::from(b)]);
        let chunk = &text[start..end];
        let (opens, closes) = if seen & BRACKET != 0 {
            let count = |b: u8| chunk.bytes().filter(|&c| c == b).count();
            (count(b'['), count(b']'))
        } else {
            (0, 0)
        };
        let options = chunk.starts_with('-') && chunk.len() > 1 && chunk != "--";
        let code = seen & CODE != 0 || options || (seen & COLON != 0 && chunk.contains("::"));
        let in_brackets = *bracket_depth > 0 || opens > 0 || closes > 0;
        *bracket_depth = (*bracket_depth + opens).saturating_sub(closes);
        let core = core_of(chunk, start);
        let token = Token {
            chunk_start: start as u32,
            chunk_end: end as u32,
            core_start: core.start as u32,
            core_end: core.end as u32,
            shape: shape(&text[core.range()]),
            protected: code || in_brackets,
            sentence_start: false,
            after_hyphen: false,
        };
        let after_hyphen = chunk.ends_with(['-', '\u{2010}', '\u{ad}']);
        let sentence_end = chunk.ends_with(['.', '!', '?', ':'])
            || chunk.ends_with(".”")
            || chunk.ends_with(".\"");
        (token, after_hyphen, sentence_end)
    }

    #[test]
    fn other_tokens_agree_with_their_definition() {
        // Chunks of random pieces: letters (capitals too), the confusable and other
        // digits, every leading and trailing mark (ASCII or not), code and bracket
        // bytes, colons, hyphens of three kinds, other non-ASCII letters and marks that
        // share bytes with the quotes (U+2018-U+201D, U+2010 and U+AD begin alike).
        let pieces = [
            "a", "b", "Q", "Z", "x", "0", "1", "5", "7", "9", "(", "[", "{", "\"", "'", "‘", "“",
            "«", "¿", "¡", ".", ",", ";", ":", "!", "?", ")", "]", "}", "’", "”", "»", "-", "--",
            "\u{2010}", "\u{ad}", "\u{2011}", "\u{2013}", "\u{ab}", "é", "ß", "/", "_", "@", "::",
            "=", "#", "%", "`", "\u{1}", "\u{b}", "…", "•", "ﬁ",
        ];
        // A fixed xorshift: the same chunks on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut shapes = [0usize; 5];
        for _ in 0..60_000 {
            let mut text = "x ".repeat(next(3));
            let start = text.len();
            // Letters half the time, so that words of every shape are made.
            for _ in 0..1 + next(9) {
                let piece = next(pieces.len());
                text.push_str(pieces[if next(2) == 0 { piece % 5 } else { piece }]);
            }
            let end = text.len();
            text.push_str(" y");
            let depth = [0, 0, 1, 2][next(4)];
            let (mut fast_depth, mut slow_depth) = (depth, depth);
            let token = other_token(&text, start, end, &mut fast_depth);
            let (slow, after_hyphen, sentence_end) =
                other_token_by_definition(&text, start, end, &mut slow_depth);
            let chunk = &text[start..end];
            assert_eq!(token.chunk(), slow.chunk(), "{chunk:?}");
            assert_eq!(token.core(), slow.core(), "{chunk:?}");
            assert_eq!(token.shape, slow.shape, "{chunk:?}");
            assert_eq!(token.protected, slow.protected, "{chunk:?} {depth}");
            assert!(!token.sentence_start && !token.after_hyphen);
            assert_eq!(fast_depth, slow_depth, "{chunk:?} {depth}");
            assert_eq!(
                chunk_end(chunk.as_bytes()),
                (after_hyphen, sentence_end),
                "{chunk:?}"
            );
            shapes[token.shape as usize] += 1;
        }
        // Every shape was met, so each of its tests was put to work.
        assert!(shapes.iter().all(|&n| n > 20), "{shapes:?}");
    }

    #[test]
    fn short_words_are_what_the_scan_finds() {
        // Words of every length up to the two loads', ended by each kind of space, by a
        // mark (plain or not), by a control character or by the text's end; capitals,
        // digits and non-ASCII letters inside, in either load; at every offset from the
        // start.
        let body = "a Ab abcdefg abcdefgh x.y word, word. (w) \"q\" It's end:\nnext\t\tmore\u{b}z \
                    wörd c1 A-b aB é ab] abc} dé\r\n ok! xY? \u{1}a a\u{1} go abcdefg, \
                    abcdefgh. Abcdefghijklmn, abcdefghijklmno abcdefghijklmnop abcdefghijklmno. \
                    abcdefghiJk abcdefghij\u{1}k abcdefghi-jk abcdefghijé abcdefghij] \
                    abcdefghijklm)\nabcdefghijkl\tabcdefghijk\r\nABCDEFGHIJKL! abcdefghijklmn";
        let mut short = [0; 2];
        for lead in 0..17 {
            let text = format!("{}{body}", "x".repeat(lead));
            let bytes = text.as_bytes();
            for start in 0..bytes.len() {
                if CLASS[usize::from(bytes[start])] & SPACE != 0 {
                    continue;
                }
                // The chunk by its definition: letters, maybe closed by one plain mark.
                // (`scan_chunk` finds a mark only in the load that ends the chunk, and
                // leaves the others to `other_token`, which cuts such a chunk alike.)
                let end = scan_chunk(bytes, start).end;
                let chunk = &bytes[start..end];
                let (core, mark) = match chunk.split_last() {
                    Some((&last, rest)) if !last.is_ascii_alphabetic() && !rest.is_empty() => {
                        (rest, last)
                    }
                    _ => (chunk, 0),
                };
                let letters = core.iter().all(u8::is_ascii_alphabetic) && is_plain_mark(mark);
                let loaded = if chunk.len() < 8 { 8 } else { 16 };
                let scanned = letters
                    && chunk.len() < 16
                    && end < bytes.len()
                    && start + loaded <= bytes.len();
                let Some(word) = short_word(bytes, start) else {
                    assert!(!scanned, "{:?}", &text[start..end]);
                    continue;
                };
                assert!(scanned, "{:?}", &text[start..end]);
                assert_eq!(start + word.len, end);
                let core = Span::new(start, start + core.len());
                assert_eq!(word.shape, shape(&text[core.range()]));
                assert_eq!(word.mark, mark);
                assert_eq!(Some(word.core), PackedWord::of(bytes, core));
                short[usize::from(word.len >= 8)] += 1;
            }
        }
        assert!(short[0] > 100 && short[1] > 100, "{short:?}");
    }

    #[test]
    fn marks_agree_with_the_tokens() {
        let text = "the cat,  sat (on) [the] mat-\nwork a.b Go cOw\nend";
        let Cut { tokens, marks, .. } = tokenize_marked(
            text,
            &mut VocabCounter::new(text, Dictionary::asking(&mut |_, _| false)),
        );
        assert_eq!(tokens.len(), marks.len());
        for (k, (t, &m)) in tokens.iter().zip(&marks).enumerate() {
            let core = &text[t.core().range()];
            let spaced = tokens
                .get(k + 1)
                .is_some_and(|n| n.chunk().start == t.chunk().end + 1);
            let head = !t.protected
                && !t.after_hyphen
                && !t.has_trailing_punct()
                && matches!(t.shape, Shape::Lower | Shape::Capitalized)
                && spaced;
            let tail = !t.protected && !t.has_leading_punct();
            assert_eq!(m & Mark::HEAD != 0, head, "{core}");
            assert_eq!(m & Mark::TAIL != 0, tail, "{core}");
            assert_eq!(m & Mark::LOWER != 0, t.shape == Shape::Lower, "{core}");
            assert_eq!(m & Mark::KNOWN, 0, "{core}");
        }
        let heads: Vec<&str> = tokens
            .iter()
            .zip(&marks)
            .filter(|&(_, &m)| m & Mark::HEAD != 0)
            .map(|(t, _)| &text[t.core().range()])
            .collect();
        assert_eq!(heads, ["the", "sat", "Go"]);
    }

    #[test]
    fn marks_of_plain_words_are_their_parts_marks() {
        for shape in [
            Shape::Lower,
            Shape::Capitalized,
            Shape::MixedCase,
            Shape::ConfusableDigit,
            Shape::Other,
        ] {
            for marked in [false, true] {
                assert_eq!(
                    Mark::of_plain(shape, marked),
                    Mark::of_parts(shape, false, marked, false, false),
                    "{shape:?} {marked}"
                );
            }
        }
        assert_eq!(
            Mark::of_plain(Shape::Lower, false),
            Mark::HEAD | Mark::TAIL | Mark::LOWER
        );
        assert_eq!(Mark::of_plain(Shape::Capitalized, true), Mark::TAIL);
    }

    #[test]
    fn known_marks_are_counted_in_every_position() {
        for len in 0..40 {
            for known_every in 1..5 {
                let marks: Vec<u8> = (0..len)
                    .map(|k| {
                        let other = (k as u8 % 8) << 1; // other marks, in every mix
                        other | (u8::from(k % known_every == 0) * Mark::KNOWN)
                    })
                    .collect();
                let expected = marks.iter().filter(|&&m| m & Mark::KNOWN != 0).count();
                assert_eq!(count_known(&marks), expected, "{len} {known_every}");
            }
        }
    }

    #[test]
    fn sentence_starts() {
        let starts: Vec<bool> = tokenize("One two. Three\n\nFour")
            .iter()
            .map(|t| t.sentence_start)
            .collect();
        assert_eq!(starts, [true, false, true, true]);
    }
}
