//! The document's own vocabulary: how often each word occurs whole, counted from the
//! stage's tokens, so the text is scanned once.
//!
//! This is [`crate::lexicon::DocVocab`]'s question asked of the tokens this stage
//! already has: a word the document writes whole elsewhere is a word, whatever the
//! dictionary says. Fragments — the halves of a word broken at a hyphen — are not
//! counted.
//!
//! The same pass also settles which tokens are dictionary words, once per distinct
//! word: running text repeats a few hundred words, and a hit in the document's small
//! table is several times cheaper than a probe of the 136k-word dictionary.
//!
//! Nearly all words of running text are short (up to fifteen bytes), and those are
//! counted in a table of their own whose key is the word itself packed into two integers
//! ([`ShortWords`]): a probe then compares two registers instead of reading the word's
//! first occurrence in the text.
//!
//! Beside the counts it keeps a bit set of the words' *outlines* (length and first and
//! last two letters, case-folded; see [`Vocab::may_count_joined`]): most pairs of
//! neighbouring words that the stage asks about spell no word of the document, and one
//! bit says so without building the joined word or probing the table.

use std::cell::RefCell;
use std::hash::BuildHasher;

use super::tokens::{Mark, Shape, Token};
use crate::lexicon::swar::{ascii_letters, ascii_uppercase, load_prefix16};
use crate::lexicon::{Lexicon, StrTable};
use crate::span::Span;

/// The most words whose dictionary answers a thread keeps ([`with_dictionary`]); a full
/// table is emptied.
const KEPT_ANSWERS: usize = 1 << 16;

/// Longest word packed into two integers ([`PackedWord`]): fifteen bytes and the length
/// fill two `u64`s. Such words are counted in [`ShortWords`], and their dictionary
/// answers kept by the thread; longer words are rare (a few in a thousand distinct
/// words: glued lines, long identifiers), counted in a table of text slices and asked
/// directly.
const PACKED_WORD: usize = 15;

thread_local! {
    /// The built-in dictionary's answers this thread has had, by word.
    static KEPT: RefCell<KeptAnswers> = RefCell::default();
}

/// Calls `f` with a question to `lexicon`: is `text[span]` a word?
/// ([`Lexicon::contains`]).
///
/// Under the built-in dictionary, each thread keeps the answers from one document to
/// the next. The vocabulary asks once per distinct word of a document, and a corpus
/// cleaned a document at a time repeats most of its words across documents (`which`,
/// `government`): an answer depends on the word and the dictionary alone, so a kept one
/// is the one asking gives, and a probe of the kept answers (the word read from the
/// text into two registers, see [`KeptAnswers`]) costs a fraction of a dictionary
/// lookup, which tries case forms in a table far larger than the cache. A dictionary
/// with user words belongs to one stage, not to the thread: it is asked directly.
pub(super) fn with_dictionary<R>(lexicon: &Lexicon, f: impl FnOnce(Dictionary<'_>) -> R) -> R {
    if !lexicon.is_builtin() {
        return f(Dictionary::asking(&mut |text, span| {
            lexicon.contains(&text[span.range()])
        }));
    }
    KEPT.with_borrow_mut(|kept| {
        f(Dictionary {
            is_word: &mut |text, span| {
                let ask = || lexicon.contains(&text[span.range()]);
                match PackedWord::of(text.as_bytes(), span) {
                    Some(word) => kept.answer(word, ask),
                    None => ask(),
                }
            },
            builtin: true,
        })
    })
}

/// The question [`with_dictionary`] asks: is `text[span]` a word?
pub(super) struct Dictionary<'d> {
    is_word: IsWord<'d>,
    /// Whether this is the built-in dictionary, whose answers depend on the word alone
    /// and so may be kept by the thread from one document to the next (see
    /// [`ShortWords`]). Only [`with_dictionary`] sets it.
    builtin: bool,
}

impl<'d> Dictionary<'d> {
    /// A dictionary that answers with `is_word`, and whose answers are not kept past
    /// one document.
    pub(super) fn asking(is_word: IsWord<'d>) -> Dictionary<'d> {
        Dictionary {
            is_word,
            builtin: false,
        }
    }

    /// Whether `text[span]` is a word.
    #[cfg(test)]
    pub(super) fn ask(&mut self, text: &str, span: Span) -> bool {
        (self.is_word)(text, span)
    }
}

/// A word of 1 to [`PACKED_WORD`] bytes as two integers: its bytes little-endian and
/// zero-padded, and its length in the top byte of the second (so no word is all zeros,
/// and `a` differs from `a\0`). Equal words pack equal, and unequal ones unequal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct PackedWord([u64; 2]);

impl PackedWord {
    /// No word: an empty slot of a table keyed by words.
    const NONE: PackedWord = PackedWord([0, 0]);

    /// The word of `len` (1 to 8) bytes given as `low`, little-endian and zero-padded
    /// (as [`load_prefix`] reads it): a short word as the tokenizer loaded it.
    ///
    /// [`load_prefix`]: crate::lexicon::swar::load_prefix
    #[inline(always)]
    pub(super) fn of_loaded(low: u64, len: usize) -> PackedWord {
        debug_assert!((1..=8).contains(&len) && (len == 8 || low >> (8 * len) == 0));
        PackedWord([low, (len as u64) << 56])
    }

    /// The word of `len` (1 to [`PACKED_WORD`]) bytes given as `bytes`, little-endian
    /// and zero-padded: a longer word as the tokenizer loaded it.
    #[inline(always)]
    pub(super) fn of_loaded16(bytes: u128, len: usize) -> PackedWord {
        debug_assert!((1..=PACKED_WORD).contains(&len) && bytes >> (8 * len) == 0);
        PackedWord([bytes as u64, (bytes >> 64) as u64 | (len as u64) << 56])
    }

    /// `word` packed, when it is 1 to [`PACKED_WORD`] bytes long.
    #[inline]
    fn of_bytes(word: &[u8]) -> Option<PackedWord> {
        PackedWord::of(word, Span::new(0, word.len()))
    }

    /// Whether this is [`PackedWord::NONE`]: every word has its length in the second
    /// integer.
    #[inline(always)]
    fn is_none(self) -> bool {
        self.0[1] == 0
    }

    /// The word's length in bytes.
    fn len(self) -> usize {
        (self.0[1] >> 56) as usize
    }

    /// The word's bytes, then zeros and the length: the word is the first
    /// [`PackedWord::len`] of them.
    fn to_bytes(self) -> [u8; 16] {
        let [low, high] = self.0.map(u64::to_le_bytes);
        let mut bytes = [0; 16];
        bytes[..8].copy_from_slice(&low);
        bytes[8..].copy_from_slice(&high);
        bytes
    }

    /// `text[span]` packed, when it is 1 to [`PACKED_WORD`] bytes long: one or two loads
    /// where the text goes on for eight bytes past each (see [`load_prefix`]).
    ///
    /// [`load_prefix`]: crate::lexicon::swar::load_prefix
    #[inline]
    pub(super) fn of(text: &[u8], span: Span) -> Option<PackedWord> {
        let len = span.len();
        if !(1..=PACKED_WORD).contains(&len) {
            return None;
        }
        let [low, high] = load_prefix16(text, span.start, len);
        Some(PackedWord([low, high | (len as u64) << 56]))
    }
}

/// The dictionary's answers kept by a thread ([`with_dictionary`]), by [`PackedWord`]:
/// open addressing with linear probing, at most half full; an all-zero key marks an
/// empty slot.
#[derive(Debug, Default)]
struct KeptAnswers {
    /// `(word, answer)`; a power of two of slots (none before the first answer).
    slots: Vec<(PackedWord, bool)>,
    len: usize,
    /// Drawn per thread, so that no document can aim its words at one slot.
    seed: u64,
}

impl KeptAnswers {
    /// The kept answer for `word`, or `ask()`'s, kept.
    #[inline]
    fn answer(&mut self, word: PackedWord, ask: impl FnOnce() -> bool) -> bool {
        if let Some(known) = self.get(word) {
            return known;
        }
        let known = ask();
        self.insert(word, known);
        known
    }

    /// Where `word`'s probe sequence starts (before masking).
    #[inline]
    fn home(&self, PackedWord([low, high]): PackedWord) -> usize {
        // A folded multiply of the two halves (as `lexicon::hash`). `high` holds the
        // length (at most 15) in its top byte, and the constant's top byte is larger,
        // so the second factor is never 0.
        let product = u128::from(low ^ self.seed) * u128::from(high ^ 0x9E37_79B9_7F4A_7C15);
        ((product as u64) ^ ((product >> 64) as u64)) as usize
    }

    #[inline]
    fn get(&self, word: PackedWord) -> Option<bool> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(word) & mask;
        loop {
            let (key, known) = self.slots[i];
            if key == word {
                return Some(known);
            }
            if key.0 == [0, 0] {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Keeps `known` for `word`, which has no answer kept; empties a full table first.
    #[cold]
    #[inline(never)]
    fn insert(&mut self, word: PackedWord, known: bool) {
        if self.len >= KEPT_ANSWERS {
            self.slots.fill((PackedWord([0, 0]), false));
            self.len = 0;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(word) & mask;
        while self.slots[i].0 .0 != [0, 0] {
            i = (i + 1) & mask;
        }
        self.slots[i] = (word, known);
        self.len += 1;
    }

    fn grow(&mut self) {
        if self.slots.is_empty() {
            self.seed = foldhash::fast::RandomState::default().hash_one(0u64);
        }
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![(PackedWord([0, 0]), false); (old.len() * 2).max(1024)];
        self.len = 0;
        for (word, known) in old.into_iter().filter(|(word, _)| word.0 != [0, 0]) {
            self.insert(word, known);
        }
    }
}

/// Longest word whose case variants are looked up without allocating.
const STACK_WORD: usize = 32;

/// Shortest word whose outline is filed: shorter ones have no two first and two last
/// letters apart.
const MIN_OUTLINED: usize = 4;

/// Word counts of one document.
#[derive(Debug, Default)]
pub(super) struct Vocab<'a> {
    /// The document: the long words' keys are slices of it.
    text: &'a str,
    /// Words of at most [`PACKED_WORD`] bytes.
    short: ShortWords,
    /// Longer words.
    words: StrTable<Entry>,
    /// As in [`VocabCounter`]: for emptying `words` when dropped.
    long_slots: Vec<u32>,
    /// A bit per [`outline`] of the words of [`MIN_OUTLINED`] bytes or more; a power of
    /// two of `u64`s (none in an empty vocabulary).
    outlines: Vec<u64>,
}

/// What the stage knows of one distinct word.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    /// Occurrences whole (not as a fragment).
    count: u32,
    /// [`Entry::SEEN`], with [`Mark::KNOWN`] when the word is a dictionary word; 0 until
    /// the word is first counted.
    mark: u8,
}

impl Entry {
    /// Set in [`Entry::mark`] at the word's first use in the document, when the
    /// dictionary is asked (or, for a short word, its kept answer read).
    const SEEN: u8 = 0x80;
    /// Set in the [`Entry::mark`] of a short word once the dictionary has answered
    /// about it, beside the answer ([`Mark::KNOWN`]); kept with the word's key from one
    /// document to the next under the built-in dictionary (see [`ShortWords`]).
    const ANSWERED: u8 = 0x40;
}

/// A question to the dictionary: is `text[span]` a word? (see [`with_dictionary`]).
pub(super) type IsWord<'d> = &'d mut dyn FnMut(&str, Span) -> bool;

/// The vocabulary of a document while the tokenizer cuts it: each token is counted as
/// it is cut (see [`VocabCounter::count`]), so the text is read once, and a short word
/// is counted by the bytes the tokenizer already loaded. The dictionary is asked about
/// each distinct word at its first use; [`VocabCounter::finish`] gives the [`Vocab`].
pub(super) struct VocabCounter<'a, 'd> {
    text: &'a str,
    short: ShortWords,
    words: StrTable<Entry>,
    /// The keys of `words` as `(start, end)` in `text`, in order of first use.
    long: Vec<(u32, u32)>,
    /// The slots of `words` the keys were put in (see [`StrTable::clear_slots`], which
    /// empties the whole table instead if it grew and the slots moved).
    long_slots: Vec<u32>,
    /// The dictionary.
    is_word: IsWord<'d>,
}

impl<'a, 'd> VocabCounter<'a, 'd> {
    /// A counter of the tokens of `text`, none counted yet, that asks `dictionary` which
    /// of them are dictionary words.
    pub(super) fn new(text: &'a str, dictionary: Dictionary<'d>) -> VocabCounter<'a, 'd> {
        // Vocabulary grows far slower than text (Heaps' law): start small, let it grow.
        // (A token takes about six bytes of text.)
        let capacity = (text.len() / 96).clamp(256, 8192);
        let words = long_words_table(capacity);
        let mut short = ShortWords::with_capacity(capacity, words.seed(), dictionary.builtin);
        // The lists of words, unlike the tables, are not zeroed: room for more words
        // than a text is likely to have costs nothing, and growing copies the list.
        // Documents of the benchmark have one distinct word in 16 to 35 bytes.
        let words_at_most = text.len() / 16;
        short.used.reserve(words_at_most);
        VocabCounter {
            text,
            short,
            words,
            long: Vec::with_capacity(words_at_most),
            long_slots: Vec::with_capacity(words_at_most),
            is_word: dictionary.is_word,
        }
    }

    /// Counts the core of `token` (a span of the text), the next token of the text, and
    /// returns its [`Mark::KNOWN`] (or 0).
    #[inline]
    pub(super) fn count(&mut self, token: &Token) -> u8 {
        let core = token.core();
        let bytes = self.text.as_bytes();
        // A chunk that ends in a hyphen has it in its core too (a hyphen is not
        // stripped), which makes the core's shape `Other`.
        let fragment = token.after_hyphen
            || (token.shape == Shape::Other && bytes[token.chunk().end - 1] == b'-');
        let plain = matches!(
            token.shape,
            Shape::Lower | Shape::Capitalized | Shape::MixedCase
        );
        if core.is_empty() {
            0
        } else if let Some(key) = PackedWord::of(bytes, core) {
            self.count_short(key, core, fragment, plain)
        } else {
            let (slot, entry) = self.words.slot_of(bytes, core.start, core.end);
            if entry.mark == 0 {
                // In range: the text is shorter than `u32::MAX` bytes (see `tokenize`).
                self.long.push((core.start as u32, core.end as u32));
                self.long_slots.push(slot);
            }
            record(entry, self.text, core, fragment, plain, &mut *self.is_word)
        }
    }

    /// [`VocabCounter::count`] of a token whose core `core` is one to [`PACKED_WORD`] bytes,
    /// packed as `key`: `fragment` when the token is the second half of a broken word,
    /// `plain` when its shape is `Lower`, `Capitalized` or `MixedCase`.
    #[inline(always)]
    pub(super) fn count_short(
        &mut self,
        key: PackedWord,
        core: Span,
        fragment: bool,
        plain: bool,
    ) -> u8 {
        debug_assert_eq!(PackedWord::of(self.text.as_bytes(), core), Some(key));
        let slot = self.short.slot(key);
        let entry = &mut self.short.slots[slot].1;
        entry.count += u32::from(!fragment);
        let mark = if entry.mark & Entry::SEEN == 0 {
            self.short
                .first_use(slot, self.text, core, plain, &mut *self.is_word)
        } else {
            entry.mark
        };
        mark & Mark::KNOWN
    }

    /// The vocabulary of the tokens counted.
    pub(super) fn finish(self) -> Vocab<'a> {
        let VocabCounter {
            text,
            short,
            words,
            long,
            long_slots,
            is_word: _,
        } = self;
        let outlines = file_outlines(text.as_bytes(), &short, &long);
        Vocab {
            text,
            short,
            words,
            long_slots,
            outlines,
        }
    }
}

impl<'a> Vocab<'a> {
    /// Whether the word `head` + `tail` may occur in the document in any case form that
    /// [`Vocab::count_ci`] counts. `false` is certain: then `count` and `count_ci` of the
    /// joined word are 0, and the caller need not build it. `true` may be wrong (for
    /// about one pair in ten in a large document).
    #[inline]
    pub(super) fn may_count_joined(&self, head: &[u8], tail: &[u8]) -> bool {
        let n = head.len() + tail.len();
        if n < MIN_OUTLINED {
            return true; // not filed
        }
        let ends = match (head, tail) {
            // Two letters or more on each side, as the stage asks.
            ([a, b, ..], [.., y, z]) => [*a, *b, *y, *z],
            _ => {
                let at = |k: usize| {
                    if k < head.len() {
                        head[k]
                    } else {
                        tail[k - head.len()]
                    }
                };
                [at(0), at(1), at(n - 2), at(n - 1)]
            }
        };
        self.has_outline(n, ends)
    }

    /// Whether [`Vocab::count_ci`] of the word of `len` bytes whose byte `k` is
    /// `byte(k)` may be more than 0: `false` is certain, as for
    /// [`Vocab::may_count_joined`]; it also holds of a word that is not ASCII or longer
    /// than the case forms are tried for, which is counted as written (its outline is
    /// filed like every other).
    #[inline]
    pub(super) fn may_count_ci(&self, len: usize, byte: impl Fn(usize) -> u8) -> bool {
        len < MIN_OUTLINED
            || self.has_outline(len, [byte(0), byte(1), byte(len - 2), byte(len - 1)])
    }

    /// [`Vocab::may_count_ci`] of the word whose [`Outline`] is given: the same answer,
    /// for a caller that asks about the same word in many documents and works its
    /// outline out once.
    #[inline]
    pub(super) fn may_count_ci_outlined(&self, outline: Outline) -> bool {
        outline == Outline::UNFILED || self.has_outline_hash(outline.0 as usize)
    }

    /// Whether the outline of a word of `len` bytes ([`MIN_OUTLINED`] or more) with
    /// first and last two bytes `ends` is filed.
    #[inline]
    fn has_outline(&self, len: usize, ends: [u8; 4]) -> bool {
        self.has_outline_hash(outline(len, ends))
    }

    /// Whether the outline whose [`outline`] hash is `hash` is filed.
    #[inline]
    fn has_outline_hash(&self, hash: usize) -> bool {
        if self.outlines.is_empty() {
            return false;
        }
        let bit = hash & (self.outlines.len() * 64 - 1);
        self.outlines[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// How often `word` occurs whole, exactly as written.
    pub(super) fn count(&self, word: &str) -> u32 {
        self.count_bytes(word.as_bytes())
    }

    /// [`Vocab::count`] of a word given as bytes, for callers that build the word in a
    /// stack buffer: the table compares bytes, so no UTF-8 check is needed to ask.
    pub(super) fn count_bytes(&self, word: &[u8]) -> u32 {
        let entry = match PackedWord::of_bytes(word) {
            Some(key) => self.short.get(key),
            None => self.words.get(self.text.as_bytes(), word),
        };
        entry.map_or(0, |e| e.count)
    }

    /// How often `word` occurs whole as written, in lowercase, capitalised or in
    /// capitals (the forms running text uses). Non-ASCII words: as written only.
    pub(super) fn count_ci(&self, word: &str) -> u32 {
        self.count_ci_bytes(word.as_bytes())
    }

    /// [`Vocab::count_ci`] of a word given as bytes (see [`Vocab::count_bytes`]).
    pub(super) fn count_ci_bytes(&self, bytes: &[u8]) -> u32 {
        if bytes.is_empty() || bytes.len() > STACK_WORD || !bytes.is_ascii() {
            return self.count_bytes(bytes);
        }
        // Most words asked about here are absent in every form; the outline says so
        // for all of them at once.
        if let Some((head, tail)) = bytes.split_first_chunk::<2>() {
            if !self.may_count_joined(head, tail) {
                return 0;
            }
        }
        let n = bytes.len();
        if let Some(key) = PackedWord::of_bytes(bytes) {
            return self.count_ci_short(key);
        }
        // Each distinct form among lowercase, capitalised, capitals and as written is
        // counted once. Which forms coincide follows from where the word has letters of
        // each case, so the forms are built one after another in one buffer and never
        // compared.
        let (first, rest) = (bytes[0], &bytes[1..]);
        let upper_in_rest = rest.iter().any(u8::is_ascii_uppercase);
        let lower_in_rest = rest.iter().any(u8::is_ascii_lowercase);
        let mut form = [0; STACK_WORD];
        let form = &mut form[..n];
        form.copy_from_slice(bytes);
        form.make_ascii_lowercase();
        let mut total = self.count_bytes(form);
        // Capitalised differs from lowercase where the first byte is a letter.
        if first.is_ascii_alphabetic() {
            form[0] = first.to_ascii_uppercase();
            total += self.count_bytes(form);
        }
        // Capitals differ from both where a letter follows the first byte.
        if upper_in_rest || lower_in_rest {
            form.make_ascii_uppercase();
            total += self.count_bytes(form);
        }
        let is_lower = !first.is_ascii_uppercase() && !upper_in_rest;
        let is_capitalised = !first.is_ascii_lowercase() && !upper_in_rest;
        let is_upper = !first.is_ascii_lowercase() && !lower_in_rest;
        if !(is_lower || is_capitalised || is_upper) {
            total += self.count_bytes(bytes);
        }
        total
    }

    /// [`Vocab::count_ci_bytes`] of the ASCII word packed as `key`: its case forms are
    /// the key with the 0x20 bit of its letters set or cleared, eight bytes at a time
    /// (the length byte is no letter), and each is one probe of the short words.
    fn count_ci_short(&self, key: PackedWord) -> u32 {
        // 0x20 in each capital letter of `w`, and in each lower-case one.
        let capitals = |w: u64| ascii_uppercase(w) >> 2;
        let small = |w: u64| (ascii_letters(w) >> 2) & !capitals(w);
        let lower = PackedWord(key.0.map(|w| w | capitals(w)));
        let upper = PackedWord(key.0.map(|w| w & !small(w)));
        let capital = if (lower.0[0] as u8).is_ascii_lowercase() {
            PackedWord([lower.0[0] & !0x20, lower.0[1]])
        } else {
            lower
        };
        let count = |key: PackedWord| self.short.get(key).map_or(0, |e| e.count);
        let mut total = count(lower);
        if capital != lower {
            total += count(capital);
        }
        if upper != capital && upper != lower {
            total += count(upper);
        }
        if ![lower, capital, upper].contains(&key) {
            total += count(key);
        }
        total
    }
}

/// Counts one more token of the word of `entry` (its core at `text[core]`), unless it
/// is a `fragment`, and returns the token's [`Mark::KNOWN`] (or 0): at the word's first
/// use `is_word` is asked, if the word is `plain` (`Lower`, `Capitalized` or
/// `MixedCase`), and its answer kept in the entry for the word's later tokens.
#[inline(always)]
fn record(
    entry: &mut Entry,
    text: &str,
    core: Span,
    fragment: bool,
    plain: bool,
    is_word: &mut dyn FnMut(&str, Span) -> bool,
) -> u8 {
    entry.count += u32::from(!fragment);
    if entry.mark == 0 {
        entry.mark = first_use(text, core, plain, is_word);
    }
    entry.mark & Mark::KNOWN
}

/// The [`Entry::mark`] of the word `text[core]` at its first use (see [`record`]). Apart
/// from the tokenizer's loop: one word in five or so is new, and the call to the
/// dictionary would have the loop keep its state on the stack.
#[inline(never)]
fn first_use(
    text: &str,
    core: Span,
    plain: bool,
    is_word: &mut dyn FnMut(&str, Span) -> bool,
) -> u8 {
    // A token's shape is a function of its core, so the first use decides.
    let known = plain && is_word(text, core);
    Entry::SEEN | (u8::from(known) * Mark::KNOWN)
}

/// A bit set of the outlines of the words in `short` and `words` (keys into `text`):
/// 32 to 64 bits per word, so that an absent word finds its bit set only about once in
/// 30 times. Every pair of neighbouring words may be asked about, and a bit set wrongly
/// costs a probe of the table; the set stays small enough for the cache (64 KiB for
/// 10,000 distinct words).
fn file_outlines(text: &[u8], short: &ShortWords, long: &[(u32, u32)]) -> Vec<u64> {
    let n = short.len() + long.len();
    if n == 0 {
        return Vec::new();
    }
    let mut outlines = vec![0u64; (n / 2).next_power_of_two()];
    let mask = outlines.len() * 64 - 1;
    let mut file = |w: &[u8]| {
        let len = w.len();
        if len >= MIN_OUTLINED {
            let bit = outline(len, [w[0], w[1], w[len - 2], w[len - 1]]) & mask;
            outlines[bit / 64] |= 1 << (bit % 64);
        }
    };
    for (key, _) in short.iter() {
        file(&key.to_bytes()[..key.len()]);
    }
    for &(start, end) in long {
        file(&text[start as usize..end as usize]);
    }
    outlines
}

/// Counts of the short words (up to [`PACKED_WORD`] bytes: nearly every word of running
/// text), keyed by [`PackedWord`]: open addressing with linear probing, at most half
/// full; [`PackedWord::NONE`] marks an empty slot. The longer words are counted in a
/// table of text slices ([`StrTable`]), which hashes the slice and compares bytes in
/// memory on a probe, and whose keys cannot outlive the document.
///
/// A dropped table leaves its slots to the next document of its thread
/// ([`SPARE_SHORT`]): a fresh table was zeroed whole and grown once or twice per
/// document (the vocabulary is hard to guess from the text's length), which cost more
/// than counting the document's short words.
///
/// Under the built-in dictionary the slots are left with their keys and dictionary
/// answers ([`Entry::ANSWERED`]), their counts and [`Entry::SEEN`] cleared: documents of
/// a corpus share most of their short words (`the`, `which`), and the next document
/// then finds the answer where it counts the word, instead of asking the dictionary
/// (or the thread's [`KeptAnswers`]) again at the word's first use. A kept key with no
/// [`Entry::SEEN`] is no word of the document: it counts 0, as an absent word, and is
/// not in `used`. An answer depends on the word and the dictionary alone (a token's
/// shape, which decides whether it is asked, is a function of its core), so a kept one
/// is the one asking gives; a table under another dictionary neither keeps nor takes
/// kept answers.
#[derive(Debug, Default)]
struct ShortWords {
    slots: Vec<(PackedWord, Entry)>,
    /// The indices of the slots of this document's words, in order of first use.
    used: Vec<u32>,
    /// How many slots have a key: this document's words and those kept from earlier
    /// ones.
    filled: usize,
    /// The document tables' process-wide seed, so a hostile document cannot aim its
    /// words at one slot.
    seed: u64,
    /// Whether the answers are the built-in dictionary's, kept past the document.
    keeps_answers: bool,
}

/// The most slots of a table that a thread keeps for its next document (1.5 MiB).
const SPARE_SLOTS: usize = 1 << 16;

/// The slots a [`ShortWords`] left to its thread's next one.
#[derive(Debug)]
struct SpareShortWords {
    slots: Vec<(PackedWord, Entry)>,
    /// How many of them hold a key kept with its answer (none unless `keeps_answers`).
    filled: usize,
    /// The seed the keys were placed with.
    seed: u64,
}

thread_local! {
    /// The slots of the last short-word table this thread dropped (see [`ShortWords`]).
    static SPARE_SHORT: RefCell<SpareShortWords> = const {
        RefCell::new(SpareShortWords { slots: Vec::new(), filled: 0, seed: 0 })
    };
}

impl ShortWords {
    /// A table for `n` words before it grows: the slots its thread kept where there
    /// are enough and they fit (kept answers only for a table that `keeps_answers`),
    /// else new ones.
    fn with_capacity(n: usize, seed: u64, keeps_answers: bool) -> ShortWords {
        let wanted = (n.max(4) * 2).next_power_of_two();
        let spare = SPARE_SHORT
            .try_with(|spare| {
                let mut spare = spare.borrow_mut();
                // Kept answers are the built-in dictionary's, under this seed's slots.
                let fits = spare.slots.len() >= wanted
                    && (spare.filled == 0 || (keeps_answers && spare.seed == seed));
                fits.then(|| {
                    (
                        std::mem::take(&mut spare.slots),
                        std::mem::take(&mut spare.filled),
                    )
                })
            })
            .ok()
            .flatten();
        let (slots, filled) =
            spare.unwrap_or_else(|| (vec![(PackedWord::NONE, Entry::default()); wanted], 0));
        ShortWords {
            slots,
            used: Vec::with_capacity(n),
            filled,
            seed,
            keeps_answers,
        }
    }

    /// How many words of the document the table holds.
    fn len(&self) -> usize {
        self.used.len()
    }

    /// Where `key`'s probe sequence starts (before masking).
    #[inline]
    fn home(&self, PackedWord([low, high]): PackedWord) -> usize {
        // A folded multiply of the two halves (as `lexicon::hash`): every bit of the key
        // reaches the low bits of the result. `high` holds the length (at most 15) in
        // its top byte, and the constant's top byte is larger, so the second factor is
        // never 0.
        let product = u128::from(low ^ self.seed) * u128::from(high ^ 0x9E37_79B9_7F4A_7C15);
        ((product as u64) ^ ((product >> 64) as u64)) as usize
    }

    /// The slot of `key`, given it with an empty entry if it has none; the caller
    /// calls [`ShortWords::first_use`] where the entry has no [`Entry::SEEN`]. Only for
    /// a table made by [`ShortWords::with_capacity`], which has slots from the start.
    #[inline(always)]
    fn slot(&mut self, key: PackedWord) -> usize {
        debug_assert!(!self.slots.is_empty());
        let mut mask = self.slots.len() - 1;
        let mut i = self.home(key) & mask;
        loop {
            let slot = self.slots[i].0;
            if slot == key {
                return i;
            }
            if slot.is_none() {
                // Growing only when a key is added: most probes find their word.
                if (self.filled + 1) * 2 > self.slots.len() {
                    self.grow();
                    mask = self.slots.len() - 1;
                    i = self.home(key) & mask;
                    continue;
                }
                self.slots[i] = (key, Entry::default());
                self.filled += 1;
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Notes the word in `slot` (its core at `text[core]`) as a word of the document,
    /// at its first use there, with its [`Entry::SEEN`] mark: the answer kept from an
    /// earlier document, or else `is_word`'s (see [`first_use`]). Returns the entry's
    /// mark.
    #[cold]
    #[inline(never)]
    fn first_use(
        &mut self,
        slot: usize,
        text: &str,
        core: Span,
        plain: bool,
        is_word: &mut dyn FnMut(&str, Span) -> bool,
    ) -> u8 {
        // In range: a table of more than 2^32 slots is never made.
        self.used.push(slot as u32);
        let entry = &mut self.slots[slot].1;
        if entry.mark & Entry::ANSWERED == 0 {
            entry.mark = Entry::ANSWERED | first_use(text, core, plain, is_word);
        } else {
            entry.mark |= Entry::SEEN;
        }
        entry.mark
    }

    /// The entry of `key`.
    fn get(&self, key: PackedWord) -> Option<Entry> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(key) & mask;
        loop {
            let (slot, entry) = self.slots[i];
            if slot == key {
                return Some(entry);
            }
            if slot.is_none() {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Every `(key, entry)` of the document's words, in order of first use.
    fn iter(&self) -> impl Iterator<Item = (PackedWord, Entry)> + '_ {
        self.used.iter().map(|&i| self.slots[i as usize])
    }

    /// Doubles the slots, placing every key again (the kept ones too).
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![(PackedWord::NONE, Entry::default()); (old.len() * 2).max(8)];
        let mask = self.slots.len() - 1;
        let mut moved_to = vec![0u32; old.len()];
        for (k, &(key, entry)) in old
            .iter()
            .enumerate()
            .filter(|(_, (key, _))| !key.is_none())
        {
            let mut i = self.home(key) & mask;
            while !self.slots[i].0.is_none() {
                i = (i + 1) & mask;
            }
            self.slots[i] = (key, entry);
            moved_to[k] = i as u32;
        }
        for k in &mut self.used {
            *k = moved_to[*k as usize];
        }
    }
}

thread_local! {
    /// The emptied table of long words that this thread's last vocabulary left (see
    /// [`long_words_table`]).
    static SPARE_LONG: RefCell<Option<StrTable<Entry>>> = const { RefCell::new(None) };
}

/// A table of long words for `n` words before it grows: the empty one its thread kept
/// where it is large enough, else a new one. A new table is zeroed whole, and grown
/// (zeroed again and refilled) by a document with more long words than guessed; a kept
/// one was emptied slot by slot, by its words (see [`Vocab`]'s `drop`).
fn long_words_table(n: usize) -> StrTable<Entry> {
    match SPARE_LONG.try_with(|spare| spare.take()) {
        Ok(Some(table)) if table.capacity() >= n => table,
        _ => StrTable::with_capacity(n),
    }
}

impl Drop for Vocab<'_> {
    /// Empties the table of long words and leaves it to the thread's next vocabulary,
    /// unless the thread already keeps a larger one or this one is too large to keep.
    fn drop(&mut self) {
        if self.words.capacity() * 2 > SPARE_SLOTS {
            return;
        }
        debug_assert_eq!(self.words.len(), self.long_slots.len());
        let mut words = std::mem::take(&mut self.words);
        // Had the table grown, the slots noted before moved: `clear_slots` then finds
        // them not all filled, and empties every slot.
        words.clear_slots(&self.long_slots);
        // Nothing is kept while the thread's locals are being destroyed.
        let _ = SPARE_LONG.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare
                .as_ref()
                .is_none_or(|kept| kept.capacity() < words.capacity())
            {
                *spare = Some(words);
            }
        });
    }
}

impl Drop for ShortWords {
    /// Leaves the slots to the thread's next table, unless the thread already keeps
    /// larger ones or these are too many to keep: with their keys and answers but no
    /// counts where the table keeps answers, else emptied.
    fn drop(&mut self) {
        if self.slots.len() > SPARE_SLOTS {
            return;
        }
        let filled = if self.keeps_answers {
            for &i in &self.used {
                let entry = &mut self.slots[i as usize].1;
                *entry = Entry {
                    count: 0,
                    mark: entry.mark & !Entry::SEEN,
                };
            }
            self.filled
        } else {
            // Every key of a table that keeps no answers is one of the document's.
            for &i in &self.used {
                self.slots[i as usize] = (PackedWord::NONE, Entry::default());
            }
            0
        };
        let slots = std::mem::take(&mut self.slots);
        // Nothing is kept while the thread's locals are being destroyed.
        let _ = SPARE_SHORT.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            // Kept answers are worth more than a larger table.
            if spare.slots.len() < slots.len() || filled > 0 {
                *spare = SpareShortWords {
                    slots,
                    filled,
                    seed: self.seed,
                };
            }
        });
    }
}

/// A word's [`outline`] hash, worked out once for a word asked about in many documents
/// (an OCR reading the thread keeps): see [`Vocab::may_count_ci_outlined`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Outline(u32);

impl Outline {
    /// The outline of a word shorter than [`MIN_OUTLINED`]: such words are not filed,
    /// and any document may count them. (No hash is this: [`outline`] has 24 bits.)
    const UNFILED: Outline = Outline(u32::MAX);

    /// The outline of `word`.
    pub(super) fn of(word: &[u8]) -> Outline {
        match *word {
            [a, b, .., y, z] if word.len() >= MIN_OUTLINED => {
                // In range: the hash has 24 bits.
                Outline(outline(word.len(), [a, b, y, z]) as u32)
            }
            _ => Outline::UNFILED,
        }
    }
}

/// A hash of a word's length and its first and last two bytes, with ASCII letters in
/// either case alike (`| 0x20` folds them, and maps other bytes consistently), so every
/// case form of a word has the same outline.
#[inline]
fn outline(len: usize, ends: [u8; 4]) -> usize {
    let folded = u64::from(u32::from_le_bytes(ends.map(|b| b | 0x20)));
    let h = (folded | (len as u64) << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // The high bits of a multiplicative hash are the well-mixed ones.
    (h >> 40) as usize
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize_marked;
    use super::*;

    #[test]
    fn kept_dictionary_answers_are_the_answers_asking_gives() {
        let english = Lexicon::english();
        // Words of every length around the packed halves' edges (7 to 9 bytes, 15 and
        // 16), words that differ only in their second half or their length, case forms,
        // and words that are not plain.
        let words = [
            "the",
            "The",
            "THE",
            "a",
            "rn",
            "baux",
            "xqzt",
            "bauxite",
            "modern",
            "rnodern",
            "somewhat",
            "Somewhat",
            "somewhaT",
            "government",
            "Government",
            "governmenx",
            "Khrushchev",
            "n-tridecanal",
            "Yugoslav's",
            "communication",
            "communications",
            "communicationsx",
            "internationally",
            "internationallyx",
            "counterrevolutionary",
            "Mátyás",
        ];
        // Each word alone (the end of the text: read byte by byte) and inside a longer
        // text (read with whole loads).
        let inside: String = words.iter().map(|w| format!("{w} ")).collect::<String>() + "…";
        let mut spans = Vec::new();
        let mut at = 0;
        for w in words {
            spans.push(Span::new(at, at + w.len()));
            at += w.len() + 1;
        }
        let asked: Vec<bool> = words.iter().map(|w| english.contains(w)).collect();
        // Asked afresh, then again from the answers kept by the first round, and with
        // the table emptied when full (a third round after filling it).
        for round in 0..3 {
            if round == 2 {
                with_dictionary(english, |mut dictionary| {
                    (0..KEPT_ANSWERS).for_each(|n| {
                        let filler = format!("filler{n}");
                        dictionary.ask(&filler, Span::new(0, filler.len()));
                    })
                });
            }
            let alone: Vec<bool> = with_dictionary(english, |mut dictionary| {
                words
                    .iter()
                    .map(|w| dictionary.ask(w, Span::new(0, w.len())))
                    .collect()
            });
            assert_eq!(alone, asked, "round {round}");
            let within: Vec<bool> = with_dictionary(english, |mut dictionary| {
                spans
                    .iter()
                    .map(|&span| dictionary.ask(&inside, span))
                    .collect()
            });
            assert_eq!(within, asked, "round {round}");
        }
        // A word packs the same wherever it is read from, and unlike any other word.
        for (k, (w, &span)) in words.iter().zip(&spans).enumerate() {
            let packed = PackedWord::of(w.as_bytes(), Span::new(0, w.len()));
            assert_eq!(packed, PackedWord::of(inside.as_bytes(), span), "{w}");
            assert_eq!(packed.is_some(), w.len() <= PACKED_WORD, "{w}");
            for (other, &other_span) in words.iter().zip(&spans).skip(k + 1) {
                if packed.is_some() {
                    assert_ne!(
                        packed,
                        PackedWord::of(inside.as_bytes(), other_span),
                        "{w} {other}"
                    );
                }
            }
        }
        // A dictionary with user words is asked directly, never through the answers the
        // built-in one left.
        let with_user = english.with_words(["xqzt"]);
        let xqzt = Span::new(0, 4);
        assert!(with_dictionary(&with_user, |mut d| d.ask("xqzt", xqzt)));
        assert!(!with_dictionary(english, |mut d| d.ask("xqzt", xqzt)));
    }

    /// The vocabulary of `text` and, per token, whether it was marked a dictionary
    /// word (checked against the count of such tokens).
    fn build<'a>(text: &'a str, is_word: impl Fn(&str) -> bool) -> (Vocab<'a>, Vec<bool>) {
        let mut ask = |text: &str, span: Span| is_word(&text[span.range()]);
        let mut counter = VocabCounter::new(text, Dictionary::asking(&mut ask));
        let cut = tokenize_marked(text, &mut counter);
        let vocab = counter.finish();
        // The same counts and answers without the tokenizer's loads of short words.
        let mut ask = |text: &str, span: Span| is_word(&text[span.range()]);
        let mut slow = VocabCounter::new(text, Dictionary::asking(&mut ask));
        let slow_known: Vec<u8> = cut.tokens.iter().map(|t| slow.count(t)).collect();
        let slow = slow.finish();
        for t in &cut.tokens {
            let core = &text[t.core().range()];
            assert_eq!(vocab.count(core), slow.count(core), "{core:?}");
        }
        let known: Vec<bool> = cut.marks.iter().map(|m| m & Mark::KNOWN != 0).collect();
        assert_eq!(known.iter().filter(|&&k| k).count(), cut.known);
        for (m, k) in cut.marks.iter().zip(&slow_known) {
            assert_eq!(m & Mark::KNOWN, *k);
        }
        // Only the dictionary mark depends on the dictionary.
        let unknown = tokenize_marked(
            text,
            &mut VocabCounter::new(text, Dictionary::asking(&mut |_, _| false)),
        );
        assert_eq!(unknown.known, 0);
        for (m, b) in cut.marks.iter().zip(&unknown.marks) {
            assert_eq!(m & !Mark::KNOWN, *b);
        }
        (vocab, known)
    }

    #[test]
    fn counts_whole_words_in_any_case_but_not_fragments() {
        let text = "Bauxite, bauxite and BAUXITE. The bau-\nxite of Weipa.";
        let (vocab, _) = build(text, |_| false);
        assert_eq!(vocab.count("bauxite"), 1);
        assert_eq!(vocab.count_ci("bauxite"), 3);
        assert_eq!(vocab.count_ci("Bauxite"), 3);
        assert_eq!(vocab.count("xite"), 0);
        assert_eq!(vocab.count("bau-"), 0);
        let text = "McGrath and MCGRATH";
        let (vocab, _) = build(text, |_| false);
        assert_eq!(vocab.count_ci("McGrath"), 2);
    }

    #[test]
    fn case_forms_of_short_words() {
        let text = "The THE the tHe Ab AB ab x X i-x cAT12";
        let (vocab, _) = build(text, |_| false);
        assert_eq!(vocab.count_ci("the"), 3);
        assert_eq!(vocab.count_ci("THE"), 3);
        assert_eq!(vocab.count_ci("tHe"), 4);
        assert_eq!(vocab.count_ci("ab"), 3);
        assert_eq!(vocab.count_ci("x"), 2);
        assert_eq!(vocab.count_ci("cat12"), 0);
        assert_eq!(vocab.count_ci("cAT12"), 1);
        assert_eq!(vocab.count_ci("theme"), 0);
    }

    #[test]
    fn short_and_long_words_are_counted_alike() {
        // Words of every length around the short table's limit, at the end of the text
        // too (where a word is read byte by byte), and bytes that look like a length.
        let mut text = String::new();
        let words: Vec<String> = (1..=18)
            .flat_map(|n| ["x".repeat(n), "ab".repeat(n)[..n].to_owned()])
            .collect();
        for (k, w) in words.iter().enumerate() {
            for _ in 0..=k % 3 {
                text.push_str(w);
                text.push(' ');
            }
        }
        text.push_str("a\u{7} a\u{7} a end");
        let (vocab, _) = build(&text, |_| false);
        for (k, w) in words.iter().enumerate() {
            let expected = (k % 3 + 1) as u32 + u32::from(w == "a");
            assert_eq!(vocab.count(w), expected, "{w}");
        }
        assert_eq!(vocab.count("a\u{7}"), 2);
        assert_eq!(vocab.count("end"), 1);
        assert_eq!(vocab.count(&"x".repeat(19)), 0);
        assert_eq!(vocab.count(&"x".repeat(15).replace("xx", "xy")), 0);
        assert_eq!(vocab.count(""), 0);
        // Grows past its first capacity and still finds every word.
        let text: String = (0..2000).map(|i| format!("w{i} ")).collect();
        let (vocab, _) = build(&text, |_| false);
        assert!((0..2000).all(|i| vocab.count(&format!("w{i}")) == 1));
    }

    #[test]
    fn a_table_left_by_a_document_counts_the_next_as_a_new_one_would() {
        // The first document leaves its (grown) slots to the thread; the second must
        // find none of its words, and each of its own as often as it occurs.
        // Long words too, in a table that grows (its slots move) or not.
        let first: String = (0..3000)
            .map(|i| format!("w{i} ab averyverylongword{i} "))
            .collect();
        let second = "ab cd ab w7 xyzzyplugh cd ab averyverylongword7 xyzzyplugh";
        let third: String = (0..100).map(|i| format!("averyverylongword{i} ")).collect();
        {
            let (vocab, _) = build(&first, |_| false);
            assert_eq!(vocab.count("ab"), 3000);
            assert_eq!(vocab.count("w2999"), 1);
            assert_eq!(vocab.count("averyverylongword2999"), 1);
        }
        let spare = SPARE_SHORT.with_borrow(|spare| spare.slots.len());
        assert!(spare >= 4096, "{spare}");
        assert!(SPARE_SHORT.with_borrow(|spare| spare.slots.iter().all(|(key, _)| key.is_none())));
        let (kept, kept_len) = SPARE_LONG.with_borrow(|spare| {
            let table = spare.as_ref().expect("a kept table of long words");
            (table.capacity(), table.len())
        });
        assert!(kept >= 3000, "{kept}");
        assert_eq!(kept_len, 0);
        for _ in 0..2 {
            let (vocab, _) = build(&third, |_| false);
            assert!((0..100).all(|i| vocab.count(&format!("averyverylongword{i}")) == 1));
            assert_eq!(vocab.count("averyverylongword100"), 0);
        }
        let (vocab, _) = build(second, |_| false);
        for (word, count) in [
            ("ab", 3),
            ("cd", 2),
            ("w7", 1),
            ("xyzzyplugh", 2),
            ("averyverylongword7", 1),
            ("averyverylongword8", 0),
            ("w8", 0),
        ] {
            assert_eq!(vocab.count(word), count, "{word}");
            assert_eq!(vocab.count_ci(word), count, "{word}");
        }
        assert_eq!(vocab.short.len(), 4);
        let mut keys: Vec<PackedWord> = vocab.short.iter().map(|(key, _)| key).collect();
        keys.sort_unstable();
        let mut expected: Vec<PackedWord> = ["ab", "cd", "w7", "xyzzyplugh"]
            .map(|w| PackedWord::of_bytes(w.as_bytes()).unwrap())
            .to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }

    /// What the vocabulary of `text` says under `lexicon`: each token's marks, and the
    /// counts (as written and in any case) of each token's core, with the document's
    /// short words (sorted keys).
    type Said = (Vec<u8>, Vec<(u32, u32)>, Vec<PackedWord>);

    fn said(text: &str, lexicon: &Lexicon) -> Said {
        let (cut, vocab) = with_dictionary(lexicon, |dictionary| {
            let mut counter = VocabCounter::new(text, dictionary);
            let cut = tokenize_marked(text, &mut counter);
            (cut, counter.finish())
        });
        let counts = cut
            .tokens
            .iter()
            .map(|t| {
                let core = &text[t.core().range()];
                (vocab.count(core), vocab.count_ci(core))
            })
            .collect();
        let mut short: Vec<PackedWord> = vocab.short.iter().map(|(key, _)| key).collect();
        short.sort_unstable();
        assert_eq!(short.len(), vocab.short.len());
        (cut.marks, counts, short)
    }

    #[test]
    fn a_document_after_others_is_told_what_a_fresh_thread_is_told() {
        // Documents that share short words, under the built-in dictionary and one with
        // user words (which make short words known that the built-in one does not
        // know, and the reverse never), in turn; the first grows its table past the
        // size it starts with, with kept words in it.
        let many: String = (0..3000)
            .map(|i| format!("w{i} the xqzt Ab {} ", ["zzq", "Cat", "dog"][i % 3]))
            .collect();
        let docs = [
            many.as_str(),
            "the cat and THE dog, xqzt and zzq; Ab ab.",
            "xqzt the cat-\ndog zzq w7 w3001 Cat",
            "zzq xqzt the",
        ];
        fn with_user() -> Lexicon {
            Lexicon::english().with_words(["xqzt", "zzq", "w7"])
        }
        // Each document under each dictionary, in a thread of its own.
        let fresh = |doc: &str, user: bool| {
            let doc = doc.to_owned();
            std::thread::spawn(move || {
                if user {
                    said(&doc, &with_user())
                } else {
                    said(&doc, Lexicon::english())
                }
            })
            .join()
            .unwrap()
        };
        let expected: Vec<[Said; 2]> = docs
            .iter()
            .map(|doc| [fresh(doc, false), fresh(doc, true)])
            .collect();
        let user = with_user();
        for order in [
            [false, false, true, false, true, true, false, false],
            [true, false, false, true, false, true, true, false],
        ] {
            for (k, &user_words) in order.iter().enumerate() {
                let doc = k % docs.len();
                let lexicon = if user_words {
                    &user
                } else {
                    Lexicon::english()
                };
                let got = said(docs[doc], lexicon);
                assert!(got == expected[doc][usize::from(user_words)], "{k}");
            }
        }
        // The dictionaries do tell some of these words apart.
        let [builtin, user] = &expected[1];
        assert_ne!(builtin.0, user.0);
    }

    #[test]
    fn outlines_pass_every_case_form_of_every_word() {
        let text = "Bauxite, the MINE at Weipa, theorem MacDonald. the-x Résumé.";
        let (vocab, _) = build(text, |_| false);
        for word in [
            "bauxite",
            "BAUXITE",
            "Bauxite",
            "mine",
            "weipa",
            "THEOREM",
            "macdonald",
        ] {
            for cut in 0..=word.len() {
                let (head, tail) = word.split_at(cut);
                assert!(
                    vocab.may_count_joined(head.as_bytes(), tail.as_bytes()),
                    "{head}|{tail}"
                );
            }
        }
        let (head, tail) = "Résumé".split_at(3);
        assert!(vocab.may_count_joined(head.as_bytes(), tail.as_bytes()));
        // Short words are not filed, so they always may be there.
        assert!(vocab.may_count_joined(b"a", b"t"));
        // Most words the document does not use are ruled out.
        let absent = ["ofthe", "inthe", "weipas", "theorems", "bauxites", "mines"]
            .iter()
            .filter(|w| !vocab.may_count_joined(&w.as_bytes()[..2], &w.as_bytes()[2..]))
            .count();
        assert!(absent >= 3, "{absent}");
        assert!(!Vocab::default().may_count_joined(b"of", b"the"));
    }

    #[test]
    fn outlines_worked_out_once_answer_as_the_words_do() {
        let text = "Bauxite, the MINE at Weipa, theorem MacDonald. the-x Résumé of a cat.";
        let (vocab, _) = build(text, |_| false);
        let words = [
            "",
            "a",
            "at",
            "cat",
            "CAT",
            "mine",
            "Mine",
            "mines",
            "bauxite",
            "BAUXITE",
            "weipa",
            "theorem",
            "theorems",
            "macdonald",
            "Résumé",
            "résumé",
            "ofthe",
            "inthe",
            "abcdefghijklmnopqrstuvwxyz0123456789",
        ];
        let mut ruled_out = 0;
        for word in words {
            let bytes = word.as_bytes();
            let may = vocab.may_count_ci(bytes.len(), |k| bytes[k]);
            assert_eq!(
                vocab.may_count_ci_outlined(Outline::of(bytes)),
                may,
                "{word}"
            );
            ruled_out += usize::from(!may);
            // An empty vocabulary rules out every filed word, and no short one.
            assert_eq!(
                Vocab::default().may_count_ci_outlined(Outline::of(bytes)),
                bytes.len() < MIN_OUTLINED,
                "{word}"
            );
        }
        assert!(ruled_out >= 3, "{ruled_out}");
    }

    #[test]
    fn counts_in_any_case_are_the_counts_of_each_distinct_case_form() {
        // Words of both tables (up to seven bytes and longer) in every mix of cases,
        // with digits and marks where a letter could be.
        let words = [
            "bauxite",
            "Bauxite",
            "BAUXITE",
            "bAUXITE",
            "BauXite",
            "bauxiTE",
            "macdonald",
            "MacDonald",
            "MACDONALD",
            "mACDONALD",
            "Macdonald",
            "1bauxite",
            "1Bauxite",
            "1BAUXITE",
            "bauxite1",
            "BAUXITE1",
            "x1234567",
            "X1234567",
            "12345678",
            "macdonalD",
            "internationally",
            "Internationally",
            "INTERNATIONALLY",
            "internationallY",
            "iNTERNATIONALLY",
            "internationalize",
            "INTERNATIONALIZE",
            "Internationalize",
            "ab",
            "Ab",
            "AB",
            "aB",
            "a1",
            "A1",
            "1a",
            "1A",
            "the",
            "tHe",
        ];
        let text: String = words
            .iter()
            .enumerate()
            .flat_map(|(k, w)| std::iter::repeat_n(*w, k % 3 + 1))
            .collect::<Vec<_>>()
            .join(" ");
        let (vocab, _) = build(&text, |_| false);
        for word in words.iter().chain(&[
            "bauxites",
            "BAUXITEs",
            "zzzzzzzzz",
            "interNationally",
            "internationalizE",
        ]) {
            let capital = |w: &str| {
                let lower = w.to_ascii_lowercase();
                let mut bytes = lower.into_bytes();
                bytes[0] = bytes[0].to_ascii_uppercase();
                String::from_utf8(bytes).unwrap()
            };
            let mut forms = vec![
                word.to_ascii_lowercase(),
                capital(word),
                word.to_ascii_uppercase(),
                word.to_string(),
            ];
            forms.sort();
            forms.dedup();
            let expected: u32 = forms.iter().map(|f| vocab.count(f)).sum();
            assert_eq!(vocab.count_ci(word), expected, "{word}");
        }
    }

    #[test]
    fn asks_the_dictionary_once_per_distinct_plain_word() {
        let text = "the cat, the (cat) c1at the-end THE 42";
        let asked = std::cell::RefCell::new(Vec::new());
        let (_, known) = build(text, |w| {
            asked.borrow_mut().push(w.to_owned());
            w.eq_ignore_ascii_case("the")
        });
        assert_eq!(known, [true, false, true, false, false, false, true, false]);
        // `build` cuts the text twice (the second time to check the first).
        assert_eq!(*asked.borrow(), ["the", "cat", "THE"].repeat(2));
    }
}
