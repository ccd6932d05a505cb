//! Word knowledge shared by the stages that must tell words from non-words: the
//! English dictionary with frequencies ([`Lexicon`]) and the document's own vocabulary
//! ([`DocVocab`]).
//!
//! The dictionary ships in the repo (`rules/dict/`, rebuilt by `scripts/build_dict.py`,
//! sources and licences in `rules/dict/SOURCES.md`) and is compiled into the binary as
//! ready-made hash tables (`frozen`), so nothing is read, parsed or downloaded at run
//! time. Frequencies are on the Zipf scale:
//! `log10` of occurrences per billion words, so "the" ≈ 7.6, an everyday word ≈ 4–5, a
//! rare but real word ≈ 1–2, and `0.0` means "not a word we know".
//!
//! The document vocabulary answers a different question — "does this document itself
//! use this word whole?" — which is the strongest evidence for repairs such as joining
//! `bau- xite`: a term the dictionary has never seen is still a word if the author wrote
//! it unbroken elsewhere.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use frozen::FrozenTable;
use quads::QuadSet;
pub(crate) use quads::{EditScreen, PieceScreen};
use swar::{ascii_digits, ascii_letters, load8, HIGH};
pub(crate) use table::StrTable;

mod frozen;
mod hash;
mod quads;
pub(crate) mod swar;
mod table;

/// For the maps off the hot paths (user words, the case-folded document vocabulary):
/// foldhash is several times faster than std's SipHash on short strings while still
/// seeding per map, and has no dependencies. The hot paths use [`StrTable`].
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Zipf frequencies are stored in tenths (the data files carry one decimal): 1 byte per
/// word instead of 4.
type Tenths = u8;

/// The English words with their Zipf frequencies in tenths, laid out by `build.rs` from
/// `rules/dict/en.words.txt`.
static ENGLISH_WORDS: FrozenTable<1> = FrozenTable::new(
    include_bytes!(concat!(env!("OUT_DIR"), "/en.words.slots")),
    include_bytes!(concat!(env!("OUT_DIR"), "/en.words.entries")),
);

/// The quads (four letters in a row) of the English words, laid out by `build.rs` from
/// the same file: see [`Lexicon::screen`].
static ENGLISH_QUADS: QuadSet =
    QuadSet::new(include_bytes!(concat!(env!("OUT_DIR"), "/en.words.quads")));

/// Bigram `log10 P(second | first)` in hundredths (an `i16`), keyed by `first second`,
/// laid out by `build.rs` from `rules/dict/en.bigrams.txt`.
static ENGLISH_BIGRAMS: FrozenTable<2> = FrozenTable::new(
    include_bytes!(concat!(env!("OUT_DIR"), "/en.bigrams.slots")),
    include_bytes!(concat!(env!("OUT_DIR"), "/en.bigrams.entries")),
);

/// Zipf frequency given to words from a user word list ([`Lexicon::with_words`]).
///
/// 3.0 is roughly the frequency of a well-known place name ("Accra", "Aarhus"): clearly
/// a word to every stage that asks "is this a word?", yet below everyday vocabulary, so
/// a user list of domain terms does not outweigh common words when a stage compares
/// candidate repairs by frequency. A user word the dictionary already rates higher
/// keeps its own frequency.
pub const USER_WORD_ZIPF: f32 = 3.0;

/// Words longer than this are looked up case-folded through a heap allocation instead
/// of a stack buffer; real words are far shorter.
const STACK_WORD: usize = 64;

/// A dictionary of words with Zipf frequencies.
///
/// [`Lexicon::english`] is the built-in English dictionary; [`Lexicon::with_words`]
/// extends it with a user's word list. Lookups apply English case rules and accept
/// typographic apostrophes and possessives; see [`Lexicon::zipf`].
///
/// ```
/// use recto::lexicon::Lexicon;
/// let en = Lexicon::english();
/// assert!(en.zipf("the") > en.zipf("bauxite"));
/// assert!(en.contains("Moscow") && !en.contains("moscow"));
/// ```
#[derive(Clone, Debug)]
pub struct Lexicon {
    base: &'static FrozenTable<1>,
    /// User words, kept apart so that extending the 136k-word English table costs only
    /// the size of the user's list.
    extra: FastMap<Box<str>, Tenths>,
}

/// Why a user word list could not be loaded.
///
/// ```
/// use recto::lexicon::{Lexicon, LexiconError};
/// let err = Lexicon::load_word_list("/no/such/list.txt".as_ref()).unwrap_err();
/// assert!(matches!(err, LexiconError::Io { .. }));
/// assert!(err.to_string().contains("/no/such/list.txt"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// The file could not be read.
    #[error("cannot read word list {}: {source}", path.display())]
    Io {
        /// The word list.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line is not a single word.
    #[error("{}:{line}: {reason}", path.display())]
    BadLine {
        /// The word list.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong, quoting the line.
        reason: String,
    },
}

impl Lexicon {
    /// The built-in English dictionary (about 136k words, see `rules/dict/SOURCES.md`).
    ///
    /// Costs nothing to load: the tables were laid out when recto was compiled.
    ///
    /// ```
    /// let en = recto::lexicon::Lexicon::english();
    /// assert!(en.contains("bauxite"));
    /// ```
    pub fn english() -> &'static Lexicon {
        static ENGLISH: OnceLock<Lexicon> = OnceLock::new();
        ENGLISH.get_or_init(|| Lexicon {
            base: &ENGLISH_WORDS,
            extra: FastMap::default(),
        })
    }

    /// The Zipf frequency of `word` (log10 per billion words), `0.0` when unknown.
    ///
    /// Lookup order, first hit wins:
    /// 1. the exact form;
    /// 2. the lowercase form, so a sentence-initial "The" finds "the" — but never the
    ///    other way: "moscow" does not find "Moscow", because a proper noun in lowercase
    ///    is a sign of damage, not a word;
    /// 3. for an all-caps word, the capitalised form, so a heading's "MOSCOW" finds
    ///    "Moscow".
    ///
    /// Typographic apostrophes (’) are read as `'`, and a possessive `X's` / `Xs'`
    /// the dictionary does not list is looked up as `X` / `Xs` (the dictionary omits
    /// possessives; they would add a quarter to its size).
    ///
    /// ```
    /// let en = recto::lexicon::Lexicon::english();
    /// assert!(en.zipf("The") > 7.0);
    /// assert_eq!(en.zipf("moscow"), 0.0);
    /// assert_eq!(en.zipf("MOSCOW"), en.zipf("Moscow"));
    /// assert_eq!(en.zipf("Moscow’s"), en.zipf("Moscow"));
    /// assert_eq!(en.zipf("xqzt"), 0.0);
    /// ```
    pub fn zipf(&self, word: &str) -> f32 {
        self.lookup(word).map_or(0.0, |t| f32::from(t) / 10.0)
    }

    /// Whether `word` is known, under the lookup rules of [`Lexicon::zipf`].
    ///
    /// ```
    /// let en = recto::lexicon::Lexicon::english();
    /// assert!(en.contains("don't") && !en.contains("dnot"));
    /// ```
    pub fn contains(&self, word: &str) -> bool {
        self.lookup(word).is_some()
    }

    /// Tells, of each string one edit away from `token`, whether it may be known
    /// ([`Lexicon::contains`]), without building it or probing the dictionary: see
    /// [`EditScreen::may_contain`]. A caller that asks about many strings that are mostly
    /// no word (every reading of a misprint) asks this first.
    ///
    /// `false` is certain: the string is two or more ASCII letters and holds four in a
    /// row, counting its start and end, that no dictionary word holds in any case (see
    /// `quads`); every case form the lookup tries has the same letters. A lexicon with
    /// user words screens nothing out: they are not in the set.
    pub(crate) fn screen<'a>(&self, token: &'a str) -> EditScreen<'a> {
        self.quads().screen(token.as_bytes())
    }

    /// Tells, of each piece of `token` (ASCII letters; other tokens pass whole), whether
    /// it may be known ([`Lexicon::contains`]) without probing the dictionary: see
    /// [`PieceScreen::may_contain`]. `false` is certain, as for [`Lexicon::screen`].
    pub(crate) fn piece_screen<'a>(&self, token: &'a str) -> PieceScreen<'a> {
        self.quads().piece_screen(token.as_bytes())
    }

    /// Whether this is the built-in English dictionary alone, without user words: its
    /// answers are the same for every document and thread, and may be kept across them.
    pub(crate) fn is_builtin(&self) -> bool {
        self.extra.is_empty()
    }

    /// The quads of this lexicon's words: the English words', or with user words (which
    /// are not in it) a set that lets every string pass.
    fn quads(&self) -> &'static QuadSet {
        static EVERYTHING: QuadSet = QuadSet::everything();
        if self.extra.is_empty() {
            &ENGLISH_QUADS
        } else {
            &EVERYTHING
        }
    }

    /// A copy of this lexicon that also knows `extra` (e.g. a user's word list).
    ///
    /// Each user word gets [`USER_WORD_ZIPF`] unless the lexicon already rates it
    /// higher. Words are taken as written: add "Rákosi" and "rákosi" is still unknown,
    /// as with built-in proper nouns. Blank entries are ignored. The cost is the size of
    /// `extra`, not of the dictionary.
    ///
    /// ```
    /// use recto::lexicon::{Lexicon, USER_WORD_ZIPF};
    /// let en = Lexicon::english();
    /// assert!(!en.contains("Rákosi"));
    /// let mine = en.with_words(["Rákosi", "the"]);
    /// assert_eq!(mine.zipf("Rákosi"), USER_WORD_ZIPF);
    /// assert_eq!(mine.zipf("the"), en.zipf("the"));
    /// ```
    pub fn with_words<I, S>(&self, extra: I) -> Lexicon
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let user = (USER_WORD_ZIPF * 10.0) as Tenths;
        let mut out = Lexicon {
            base: self.base,
            extra: self.extra.clone(),
        };
        for word in extra {
            let word = word.as_ref().trim();
            if word.is_empty() {
                continue;
            }
            let tenths = base_get(self.base, word).map_or(user, |t| t.max(user));
            let slot = out.extra.entry(word.into()).or_insert(tenths);
            *slot = (*slot).max(tenths);
        }
        out
    }

    /// Reads a word list: one word per line; blank lines and `#` comments (whole-line,
    /// or after the word) are ignored, so a word cannot contain `#`. A byte-order mark
    /// and Windows line ends are accepted.
    ///
    /// Errors name the file and, for a malformed line (invalid UTF-8, or more than one
    /// word), its 1-based line number.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("words.txt");
    /// std::fs::write(&path, "# my terms\nbauxite\nRákosi  # a name\n\n").unwrap();
    /// let words = recto::lexicon::Lexicon::load_word_list(&path).unwrap();
    /// assert_eq!(words, ["bauxite", "Rákosi"]);
    /// ```
    pub fn load_word_list(path: &Path) -> Result<Vec<String>, LexiconError> {
        let bytes = std::fs::read(path).map_err(|source| LexiconError::Io {
            path: path.to_owned(),
            source,
        })?;
        let bad = |line: usize, reason: String| LexiconError::BadLine {
            path: path.to_owned(),
            line,
            reason,
        };
        let mut words = Vec::new();
        for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let line = std::str::from_utf8(raw)
                .map_err(|_| bad(index + 1, "not valid UTF-8".to_owned()))?;
            let line = line.strip_prefix('\u{feff}').unwrap_or(line);
            let content = line
                .split_once('#')
                .map_or(line, |(before, _)| before)
                .trim();
            if content.is_empty() {
                continue;
            }
            if content.split_whitespace().nth(1).is_some() {
                return Err(bad(
                    index + 1,
                    format!("expected one word per line, found {content:?}"),
                ));
            }
            words.push(content.to_owned());
        }
        Ok(words)
    }

    /// `log10 P(b | a)`: how likely word `b` is to follow word `a` in English, or `None`
    /// when the pair is not among the ~165k most frequent bigrams shipped.
    ///
    /// Both words are matched case-insensitively (the source is lowercase).
    ///
    /// ```
    /// let en = recto::lexicon::Lexicon::english();
    /// let of_the = en.bigram_logp("Of", "the").unwrap();
    /// assert!(of_the < 0.0 && of_the > -2.0);
    /// assert!(en.bigram_logp("the", "of").map_or(true, |p| p < of_the));
    /// assert_eq!(en.bigram_logp("xqzt", "the"), None);
    /// ```
    pub fn bigram_logp(&self, a: &str, b: &str) -> Option<f32> {
        let table = &ENGLISH_BIGRAMS;
        let hundredths = if a.is_ascii() && b.is_ascii() && a.len() + b.len() < STACK_WORD {
            let mut buf = [0u8; STACK_WORD];
            let pair = &mut buf[..a.len() + 1 + b.len()];
            pair[..a.len()].copy_from_slice(a.as_bytes());
            pair[a.len()] = b' ';
            pair[a.len() + 1..].copy_from_slice(b.as_bytes());
            pair.make_ascii_lowercase();
            table.get(pair)
        } else {
            let pair = format!("{} {}", a.to_lowercase(), b.to_lowercase());
            table.get(pair.as_bytes())
        }?;
        Some(f32::from(i16::from_le_bytes(hundredths)) / 100.0)
    }

    fn lookup(&self, word: &str) -> Option<Tenths> {
        let bytes = word.as_bytes();
        // Nearly every word asked is ASCII and short, which says no typographic
        // apostrophe without a search and lets every step work on bytes.
        if bytes.len() <= STACK_WORD && bytes.is_ascii() {
            return self.lookup_ascii(bytes);
        }
        if !word.is_ascii() && word.contains('\u{2019}') {
            return self.lookup_forms(&word.replace('\u{2019}', "'"));
        }
        self.lookup_forms(word)
    }

    /// [`Lexicon::lookup_forms`] of an ASCII word of at most [`STACK_WORD`] bytes: the
    /// same steps in the same order (tested against it), without checking again that
    /// the word is ASCII at each step or building a `str` for each form.
    #[inline]
    fn lookup_ascii(&self, word: &[u8]) -> Option<Tenths> {
        if let Some(t) = self.lookup_cased_ascii(word) {
            return Some(t);
        }
        // Possessives, as in `lookup_forms`: `Moscow's` and `MOSCOW'S` → `Moscow`,
        // `students'` → `students`.
        let stem = match word {
            [stem @ .., b'\'', b's' | b'S'] => stem,
            [.., b's' | b'S', b'\''] => &word[..word.len() - 1],
            _ => return None,
        };
        if stem.is_empty() {
            return None;
        }
        self.lookup_cased_ascii(stem)
    }

    /// [`Lexicon::lookup_cased`] of an ASCII word of at most [`STACK_WORD`] bytes.
    #[inline]
    fn lookup_cased_ascii(&self, word: &[u8]) -> Option<Tenths> {
        if let Some(t) = self.get_bytes(word) {
            return Some(t);
        }
        self.lookup_other_case_ascii(word)
    }

    // The steps of a lookup are inlined into it: each is called from one or two places,
    // and nearly every word takes the first one or two, so calls would cost more than
    // their bodies.
    #[inline]
    fn lookup_forms(&self, word: &str) -> Option<Tenths> {
        if let Some(t) = self.lookup_cased(word) {
            return Some(t);
        }
        // Possessives: "Moscow's" → "Moscow", "students'" → "students".
        let stem = word
            .strip_suffix("'s")
            .or_else(|| word.strip_suffix("'S"))
            .or_else(|| word.strip_suffix('\'').filter(|w| w.ends_with(['s', 'S'])))?;
        if stem.is_empty() {
            return None;
        }
        self.lookup_cased(stem)
    }

    #[inline]
    fn lookup_cased(&self, word: &str) -> Option<Tenths> {
        if let Some(t) = self.get(word) {
            return Some(t);
        }
        if word.is_ascii() && word.len() <= STACK_WORD {
            return self.lookup_other_case_ascii(word.as_bytes());
        }
        self.lookup_other_case(word)
    }

    /// The lowercase form of `word`, and for an all-caps word its capitalised form: the
    /// steps of [`Lexicon::lookup_cased`] after the exact form missed.
    fn lookup_other_case(&self, word: &str) -> Option<Tenths> {
        let mut upper = 0usize;
        let mut letters = 0usize;
        for c in word.chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            upper += usize::from(c.is_uppercase());
        }
        if upper == 0 {
            return None;
        }
        let mut buf = [0u8; STACK_WORD];
        if let Some(t) = with_lowercase(word, &mut buf, |lower| self.get(lower)) {
            return Some(t);
        }
        if upper == letters && letters > 1 {
            return self.get(&capitalise(word));
        }
        None
    }

    /// [`Lexicon::lookup_other_case`] for an ASCII word of at most [`STACK_WORD`] bytes,
    /// which nearly every word is: letters are bytes, and both forms are built in one
    /// stack buffer, so a lookup allocates nothing and decodes no `char`.
    fn lookup_other_case_ascii(&self, word: &[u8]) -> Option<Tenths> {
        let upper = word.iter().filter(|b| b.is_ascii_uppercase()).count();
        if upper == 0 {
            return None;
        }
        let mut buf = [0u8; STACK_WORD];
        let form = &mut buf[..word.len()];
        form.copy_from_slice(word);
        form.make_ascii_lowercase();
        if let Some(t) = self.get_bytes(form) {
            return Some(t);
        }
        let letters = word.iter().filter(|b| b.is_ascii_alphabetic()).count();
        if upper == letters && letters > 1 {
            // Capitalised: the first character in capitals, the rest in lower case.
            form[0] = form[0].to_ascii_uppercase();
            return self.get_bytes(form);
        }
        None
    }

    #[inline]
    fn get(&self, word: &str) -> Option<Tenths> {
        let base = base_get(self.base, word);
        if self.extra.is_empty() {
            return base;
        }
        base.max(self.extra.get(word).copied())
    }

    /// [`Lexicon::get`] of a word built as bytes; valid UTF-8 is checked only where
    /// there are user words to ask.
    #[inline]
    fn get_bytes(&self, word: &[u8]) -> Option<Tenths> {
        let base = self.base.get(word).map(|[tenths]| tenths);
        if self.extra.is_empty() {
            return base;
        }
        let extra = std::str::from_utf8(word)
            .ok()
            .and_then(|w| self.extra.get(w));
        base.max(extra.copied())
    }
}

#[inline]
fn base_get(table: &FrozenTable<1>, word: &str) -> Option<Tenths> {
    table.get(word.as_bytes()).map(|[tenths]| tenths)
}

/// Calls `f` with the lowercase form of `word`, built in `buf` when it is ASCII and
/// fits, so hot lookups do not allocate.
fn with_lowercase<R>(word: &str, buf: &mut [u8; STACK_WORD], f: impl FnOnce(&str) -> R) -> R {
    if word.is_ascii() && word.len() <= STACK_WORD {
        let buf = &mut buf[..word.len()];
        buf.copy_from_slice(word.as_bytes());
        buf.make_ascii_lowercase();
        // ASCII in, ASCII out.
        f(std::str::from_utf8(buf).unwrap_or_default())
    } else {
        f(&word.to_lowercase())
    }
}

/// "MOSCOW" → "Moscow".
fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect()
    })
}

/// The words a document uses whole, with their counts: its own dictionary.
///
/// A token is a run of letters (any script, with combining marks) whose inner
/// apostrophes and hyphens are part of it: `don't`, `self-aware`, `Moscow’s`. Runs
/// touching a digit (`H2O`, `3rd`) are not words and are skipped. Besides the whole
/// token, the parts of a hyphenated compound (`self`, `aware`) and the stem of a
/// possessive (`Moscow`) are counted too, since they also occur unbroken.
///
/// Only words *seen unbroken* count: the two fragments of a word hyphenated across a
/// line (`bau-` / `xite`) are skipped, so `count("bau")` stays 0 and the layout stage
/// can ask `count("bauxite")` for independent evidence. Typographic apostrophes and
/// Unicode hyphens (’ ‐ ‑) are stored as `'` and `-`; queries are normalised the same way.
///
/// ```
/// use recto::lexicon::DocVocab;
/// let vocab = DocVocab::build("Bauxite is mined. The bau-\nxite of Weipa; bauxite’s uses.");
/// assert_eq!(vocab.count("bauxite"), 1);
/// assert_eq!(vocab.count_ci("bauxite"), 2);
/// assert_eq!(vocab.count("bau"), 0);
/// assert_eq!(vocab.count("bauxite's"), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct DocVocab {
    /// Every distinct word once, back to back; `counts` refers into it.
    arena: String,
    counts: StrTable<u32>,
    /// Lowercased word → summed count, for [`DocVocab::count_ci`]. Built after the scan
    /// from the distinct words, so folding costs nothing per token.
    folded: FastMap<Box<str>, u32>,
}

impl DocVocab {
    /// Counts the words of `text` in one linear pass.
    ///
    /// ```
    /// let vocab = recto::lexicon::DocVocab::build("to be or not to be");
    /// assert_eq!(vocab.count("be"), 2);
    /// ```
    pub fn build(text: &str) -> DocVocab {
        let bytes = text.as_bytes();
        // Vocabulary grows far slower than text (Heaps' law) and a small table stays in
        // cache, so start small and let the table grow.
        let mut counter = Counter {
            vocab: DocVocab {
                arena: String::new(),
                counts: StrTable::with_capacity((bytes.len() / 256).clamp(256, 4096)),
                folded: FastMap::default(),
            },
            scratch: String::new(),
        };
        let mut i = 0;
        // Set when the previous token ended in a line-break hyphen: the next token is
        // the second half of a broken word.
        let mut after_break = false;
        loop {
            i = skip_separators(bytes, i);
            if i >= bytes.len() {
                break;
            }
            let Some(token) = scan_token(text, i) else {
                i += 1;
                continue;
            };
            i = token.end;
            let broken_here = ends_in_line_break_hyphen(bytes, token.end);
            if !(token.has_digit || after_break || broken_here) {
                counter.add_token(&text[token.start..token.end], &token);
            }
            after_break = broken_here;
        }
        counter.finish()
    }

    /// How often `word` occurs unbroken, matching case exactly.
    ///
    /// ```
    /// let vocab = recto::lexicon::DocVocab::build("Apple apple apple");
    /// assert_eq!(vocab.count("apple"), 2);
    /// assert_eq!(vocab.count("APPLE"), 0);
    /// ```
    pub fn count(&self, word: &str) -> u32 {
        let get = |w: &str| self.counts.get(self.arena.as_bytes(), w.as_bytes());
        match normalise(word) {
            Some(word) => get(&word),
            None => get(word),
        }
        .unwrap_or(0)
    }

    /// How often `word` occurs unbroken in any capitalisation.
    ///
    /// ```
    /// let vocab = recto::lexicon::DocVocab::build("Apple apple APPLE");
    /// assert_eq!(vocab.count_ci("aPPle"), 3);
    /// ```
    pub fn count_ci(&self, word: &str) -> u32 {
        let word = normalise(word).unwrap_or_else(|| word.to_owned());
        self.folded
            .get(word.to_lowercase().as_str())
            .copied()
            .unwrap_or(0)
    }

    /// Every distinct word with its count, in no particular order.
    ///
    /// ```
    /// let vocab = recto::lexicon::DocVocab::build("well-known");
    /// let mut words: Vec<_> = vocab.iter().collect();
    /// words.sort();
    /// assert_eq!(words, [("known", 1), ("well", 1), ("well-known", 1)]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.counts
            .iter()
            .map(|(start, len, n)| (&self.arena[start..start + len], n))
    }
}

/// One word-like run found by [`scan_token`].
struct Token {
    start: usize,
    end: usize,
    has_digit: bool,
    has_hyphen: bool,
    has_apostrophe: bool,
    /// Contains ’ ‐ or ‑, which are stored as ASCII.
    needs_normalising: bool,
}

/// Scans the word-like run starting at byte `i`, or returns `None` when `i` does not
/// start one (then the caller advances one byte; continuation bytes of a multi-byte
/// non-letter are skipped that way, as they never start a token).
#[inline]
fn scan_token(text: &str, i: usize) -> Option<Token> {
    let bytes = text.as_bytes();
    let first = bytes[i];
    if first < 0x80 {
        if !first.is_ascii_alphanumeric() {
            return None;
        }
    } else if !text.is_char_boundary(i) || !is_letter(char_at(text, i)?) {
        return None;
    }
    let mut token = Token {
        start: i,
        end: i,
        has_digit: false,
        has_hyphen: false,
        has_apostrophe: false,
        needs_normalising: false,
    };
    let mut j = i;
    loop {
        j = skip_ascii_letters(bytes, j);
        let Some(&b) = bytes.get(j) else { break };
        if b.is_ascii_digit() {
            token.has_digit = true;
            j += 1;
            continue;
        }
        if b >= 0x80 {
            if let Some(c) = char_at(text, j).filter(|&c| is_letter(c)) {
                j += c.len_utf8();
                continue;
            }
        }
        // An apostrophe or hyphen joins only when a letter follows directly.
        let Some((joiner, len)) = joiner_at(text, j) else {
            break;
        };
        if !next_is_letter(text, j + len) {
            break;
        }
        token.has_hyphen |= joiner == '-';
        token.has_apostrophe |= joiner == '\'';
        token.needs_normalising |= len > 1;
        j += len;
    }
    token.end = j;
    Some(token)
}

/// 0x80 in each byte of `w` that may start a token: an ASCII letter or digit, or any
/// non-ASCII byte (the scalar code decides whether its character is a letter).
#[inline(always)]
fn word_bytes(w: u64) -> u64 {
    ascii_letters(w) | ascii_digits(w) | (w & HIGH)
}

/// The first index ≥ `i` that is not an ASCII letter.
#[inline(always)]
fn skip_ascii_letters(bytes: &[u8], mut i: usize) -> usize {
    while i + 8 <= bytes.len() {
        let stop = !ascii_letters(load8(bytes, i)) & HIGH;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// The first index ≥ `i` that may start a token (see [`word_bytes`]).
#[inline(always)]
fn skip_separators(bytes: &[u8], mut i: usize) -> usize {
    while i + 8 <= bytes.len() {
        let start = word_bytes(load8(bytes, i));
        if start != 0 {
            return i + (start.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i] < 0x80 && !bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    i
}

/// The joiner at `j` as its normal form (`'` or `-`) and its byte length: `'` `-` ’ ‐ ‑.
#[inline]
fn joiner_at(text: &str, j: usize) -> Option<(char, usize)> {
    match text.as_bytes()[j] {
        b'\'' => Some(('\'', 1)),
        b'-' => Some(('-', 1)),
        0xE2 => match char_at(text, j)? {
            '\u{2019}' => Some(('\'', 3)),
            '\u{2010}' | '\u{2011}' => Some(('-', 3)),
            _ => None,
        },
        _ => None,
    }
}

fn next_is_letter(text: &str, j: usize) -> bool {
    match text.as_bytes().get(j) {
        None => false,
        Some(b) if b.is_ascii() => b.is_ascii_alphabetic(),
        Some(_) => char_at(text, j).is_some_and(is_letter),
    }
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

/// Letters of any script, plus combining diacritics so that a decomposed "é" (e +
/// U+0301) does not split a word.
fn is_letter(c: char) -> bool {
    c.is_alphabetic() || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Whether the token ending at `end` is the first half of a word broken across lines:
/// a hyphen (or soft hyphen), optional spaces, then a line break.
#[inline]
fn ends_in_line_break_hyphen(bytes: &[u8], end: usize) -> bool {
    let after = match &bytes[end..] {
        [b'-', after @ ..] => after,
        [0xC2, 0xAD, after @ ..] => after, // U+00AD soft hyphen
        [0xE2, 0x80, 0x90 | 0x91, after @ ..] => after, // U+2010, U+2011
        _ => return false,
    };
    let gap = after
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(after.len());
    matches!(after.get(gap), Some(b'\n' | b'\r'))
}

/// Maps ’ ‐ ‑ to `'` `-`, or `None` when `word` has none of them.
fn normalise(word: &str) -> Option<String> {
    if !word.contains(['\u{2019}', '\u{2010}', '\u{2011}']) {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    normalise_into(word, &mut out);
    Some(out)
}

fn normalise_into(word: &str, out: &mut String) {
    out.extend(word.chars().map(|c| match c {
        '\u{2019}' => '\'',
        '\u{2010}' | '\u{2011}' => '-',
        c => c,
    }));
}

struct Counter {
    vocab: DocVocab,
    /// Reused for tokens that need normalising, so they cost no allocation either.
    scratch: String,
}

impl Counter {
    #[inline]
    fn add_token(&mut self, token: &str, shape: &Token) {
        if !shape.needs_normalising {
            return self.add_normalised(token, shape);
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        normalise_into(token, &mut scratch);
        self.add_normalised(&scratch, shape);
        self.scratch = scratch;
    }

    #[inline]
    fn add_normalised(&mut self, token: &str, shape: &Token) {
        self.add(token);
        if shape.has_hyphen {
            for part in token.split('-') {
                self.add(part);
                if shape.has_apostrophe {
                    self.add_possessive_stem(part);
                }
            }
        } else if shape.has_apostrophe {
            self.add_possessive_stem(token);
        }
    }

    fn add_possessive_stem(&mut self, word: &str) {
        if let Some(stem) = word.strip_suffix("'s") {
            self.add(stem);
        }
    }

    #[inline]
    fn add(&mut self, word: &str) {
        let vocab = &mut self.vocab;
        *vocab.counts.entry(&mut vocab.arena, word) += 1;
    }

    fn finish(mut self) -> DocVocab {
        let mut folded: FastMap<Box<str>, u32> = FastMap::default();
        for (word, n) in self.vocab.iter() {
            let key: Box<str> = if word.chars().any(char::is_uppercase) {
                word.to_lowercase().into()
            } else {
                word.into()
            };
            *folded.entry(key).or_insert(0) += n;
        }
        self.vocab.folded = folded;
        self.vocab
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_hold_every_shipped_line() {
        use frozen::build::{logp_hundredths, parse_lines, zipf_tenths};
        let words = include_str!("../rules/dict/en.words.txt");
        let words = parse_lines(words, zipf_tenths).unwrap();
        assert!(
            words.len() > 100_000,
            "dictionary too small: {}",
            words.len()
        );
        assert_eq!(ENGLISH_WORDS.len(), words.len());
        for (word, value) in words {
            assert_eq!(ENGLISH_WORDS.get(word), Some(value));
        }
        let bigrams = include_str!("../rules/dict/en.bigrams.txt");
        let bigrams = parse_lines(bigrams, logp_hundredths).unwrap();
        assert_eq!(ENGLISH_BIGRAMS.len(), bigrams.len());
        for (pair, value) in bigrams {
            assert_eq!(ENGLISH_BIGRAMS.get(pair), Some(value));
        }
    }

    #[test]
    fn embedded_quads_are_the_dictionary_words_quads() {
        use frozen::build::{parse_lines, zipf_tenths};
        let words = include_str!("../rules/dict/en.words.txt");
        let words = parse_lines(words, zipf_tenths).unwrap();
        let quads = quads::build::quad_set(words.iter().map(|&(word, _)| word));
        assert!(quads == include_bytes!(concat!(env!("OUT_DIR"), "/en.words.quads")));
    }

    #[test]
    fn the_screen_passes_every_string_the_lexicon_knows() {
        // Every dictionary word in the case forms the lookup maps to it, and strings
        // one edit away from them (most of which are no word): `contains` implies
        // passing the screen, and the screen rejects many of the others.
        let en = Lexicon::english();
        let words = include_str!("../rules/dict/en.words.txt");
        let mut rng = crate::testing::XorShift(0x9E37_79B9);
        let (mut asked, mut rejected) = (0, 0);
        for line in words.lines().step_by(7) {
            let word = line.split_once('\t').unwrap().0;
            let mut forms = vec![
                word.to_owned(),
                word.to_ascii_uppercase(),
                capitalise(word),
                format!("{word}'s"),
            ];
            if word.is_ascii() && word.len() > 1 {
                let bytes = word.as_bytes();
                let at = rng.below(bytes.len());
                let mut edited = bytes.to_vec();
                edited[at] = b'a' + rng.below(26) as u8;
                forms.push(String::from_utf8(edited.clone()).unwrap());
                edited.insert(rng.below(bytes.len() + 1), b'a' + rng.below(26) as u8);
                forms.push(String::from_utf8(edited).unwrap());
            }
            for form in forms {
                // The identity edit screens the string itself.
                let may = en.screen(&form).may_contain(0, 0, b"");
                assert!(may || !en.contains(&form), "{form}");
                asked += 1;
                rejected += usize::from(!may);
            }
        }
        assert!(rejected * 10 > asked, "{rejected} of {asked}");
        let mine = en.with_words(["Xqzt"]);
        assert!(!en.screen("Xqzt").may_contain(0, 0, b""));
        assert!(mine.screen("Xqzt").may_contain(0, 0, b""));
    }

    #[test]
    fn known_and_unknown_words() {
        let en = Lexicon::english();
        for word in [
            "the",
            "bauxite",
            "heterogeneous",
            "don't",
            "colour",
            "color",
        ] {
            assert!(en.contains(word), "{word} should be known");
        }
        for word in ["", "bau", "xite", "tbe", "hetero-geneous", "qzx"] {
            assert!(!en.contains(word), "{word} should be unknown");
        }
        assert!(en.zipf("the") > en.zipf("house"));
        assert!(en.zipf("house") > en.zipf("bauxite"));
    }

    #[test]
    fn case_rules() {
        let en = Lexicon::english();
        assert_eq!(en.zipf("The"), en.zipf("the"));
        assert_eq!(en.zipf("THE"), en.zipf("the"));
        assert!(en.contains("Moscow"));
        assert!(
            !en.contains("moscow"),
            "lowercase must not match a proper noun"
        );
        assert_eq!(en.zipf("MOSCOW"), en.zipf("Moscow"));
        assert!(!en.contains("mOSCOW"));
    }

    /// `word` as written, in capitals, capitalised, and with every second letter a
    /// capital.
    fn case_variants(word: &str) -> [String; 4] {
        let alternating = word
            .chars()
            .enumerate()
            .map(|(k, c)| {
                if k % 2 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        [
            word.to_owned(),
            word.to_ascii_uppercase(),
            capitalise(word),
            alternating,
        ]
    }

    #[test]
    fn ascii_case_forms_agree_with_the_general_rules() {
        // Every case pattern of words with and without a dictionary form in each case,
        // with and without user words (the two lookups of `get_bytes`).
        let mine = Lexicon::english().with_words(["Weipa", "NASA", "iPhone"]);
        for en in [Lexicon::english(), &mine] {
            for word in [
                "the", "moscow", "weipa", "nasa", "iphone", "xqzt", "don't", "a", "i", "ok",
                "u.s.", "o'neill",
            ] {
                for form in case_variants(word) {
                    assert_eq!(
                        en.lookup_other_case_ascii(form.as_bytes()),
                        en.lookup_other_case(&form),
                        "{form}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_ascii_lookup_agrees_with_the_general_rules() {
        // Dictionary words, proper nouns, acronyms and non-words in every case pattern,
        // with each possessive ending, with and without user words.
        let mine = Lexicon::english().with_words(["Weipa", "NASA", "iPhone", "xqzt's"]);
        let stems = [
            "the", "moscow", "weipa", "nasa", "iphone", "xqzt", "don't", "a", "i", "s", "ok",
            "u.s.", "o'neill", "students", "bauxite", "", "'", "x-ray",
        ];
        for en in [Lexicon::english(), &mine] {
            for stem in stems {
                for ending in ["", "'s", "'S", "'", "s'", "S'", "''s"] {
                    let word = format!("{stem}{ending}");
                    for form in case_variants(&word) {
                        assert_eq!(
                            en.lookup_ascii(form.as_bytes()),
                            en.lookup_forms(&form),
                            "{form:?}"
                        );
                        assert_eq!(en.lookup(&form), en.lookup_forms(&form), "{form:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn apostrophes_and_possessives() {
        let en = Lexicon::english();
        assert_eq!(en.zipf("don’t"), en.zipf("don't"));
        assert_eq!(en.zipf("Moscow's"), en.zipf("Moscow"));
        assert_eq!(en.zipf("students'"), en.zipf("students"));
        assert_eq!(en.zipf("MOSCOW'S"), en.zipf("Moscow"));
        assert!(!en.contains("'s"));
        assert!(!en.contains("xqzt's"));
    }

    #[test]
    fn user_words_extend_without_changing_the_base() {
        let en = Lexicon::english();
        let mine = en.with_words(["Weipa", "", "  "]);
        assert_eq!(mine.zipf("Weipa"), USER_WORD_ZIPF);
        assert!(!mine.contains("weipa"));
        assert!(!en.contains("Weipa"));
        let both = mine.with_words(vec!["Rákosi".to_owned()]);
        assert!(both.contains("Weipa") && both.contains("Rákosi"));
    }

    #[test]
    fn word_list_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terms.txt");
        std::fs::write(&path, "bauxite\n# fine\ntwo words\n").unwrap();
        let err = Lexicon::load_word_list(&path).unwrap_err();
        assert!(
            matches!(err, LexiconError::BadLine { line: 3, .. }),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(
            shown.contains("terms.txt:3:") && shown.contains("two words"),
            "{shown}"
        );

        std::fs::write(&path, "\u{feff}one\r\ntwo # note\r\n").unwrap();
        assert_eq!(Lexicon::load_word_list(&path).unwrap(), ["one", "two"]);

        std::fs::write(&path, b"ok\n\xff\xfe\n").unwrap();
        let err = Lexicon::load_word_list(&path).unwrap_err();
        assert!(
            matches!(err, LexiconError::BadLine { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn bigrams() {
        let en = Lexicon::english();
        let of_the = en.bigram_logp("of", "the").unwrap();
        assert!((-2.0..0.0).contains(&of_the));
        assert_eq!(en.bigram_logp("OF", "The"), Some(of_the));
        assert_eq!(en.bigram_logp("of", "xqzt"), None);
    }

    #[test]
    fn doc_vocab_counts_tokens_and_parts() {
        let v = DocVocab::build("The cat's self-aware cat. Cats, don’t; the end");
        assert_eq!(v.count("cat"), 2, "possessive stem counts");
        assert_eq!(v.count("cat's"), 1);
        assert_eq!(v.count("self-aware"), 1);
        assert_eq!(v.count("aware"), 1);
        assert_eq!(v.count("don't"), 1);
        assert_eq!(v.count("don’t"), 1, "queries are normalised too");
        assert_eq!(v.count("the"), 1);
        assert_eq!(v.count_ci("THE"), 2);
    }

    #[test]
    fn doc_vocab_skips_line_break_fragments_and_digits() {
        let v = DocVocab::build("alu-\nminium and alu- \r\nminium, H2O 3rd x-ray -dash- 'quoted'");
        assert_eq!(v.count("alu"), 0);
        assert_eq!(v.count("minium"), 0);
        assert_eq!(v.count("and"), 1);
        assert_eq!(v.count("H"), 0);
        assert_eq!(v.count("rd"), 0);
        assert_eq!(v.count("x-ray"), 1);
        assert_eq!(v.count("dash"), 1);
        assert_eq!(v.count("quoted"), 1);
    }

    #[test]
    fn byte_classes_match_scalar_definitions() {
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b'.', b, b'.', b'x', b, 0xC3, b, b'7']);
            let expect = |f: fn(u8) -> bool| {
                let bytes = w.to_le_bytes();
                (0..8).fold(0u64, |m, k| m | (u64::from(f(bytes[k])) << (8 * k + 7)))
            };
            assert_eq!(
                ascii_letters(w),
                expect(|b| b.is_ascii_alphabetic()),
                "{b:#x}"
            );
            assert_eq!(
                word_bytes(w),
                expect(|b| b >= 0x80 || b.is_ascii_alphanumeric()),
                "{b:#x}"
            );
        }
        let text = b"abcdefghijklmnopqrstuvwxyz, ABCDEFGHIJKLMNOPQRSTUVWXYZ.  ...    \n\t  Zz";
        assert_eq!(skip_ascii_letters(text, 0), 26);
        assert_eq!(skip_ascii_letters(text, 28), 54);
        assert_eq!(skip_separators(text, 26), 28);
        assert_eq!(skip_separators(text, 54), text.len() - 2);
        assert_eq!(skip_ascii_letters(text, text.len() - 2), text.len());
    }

    #[test]
    fn doc_vocab_handles_non_ascii() {
        let v = DocVocab::build("Mátyás Rákosi — Rákosi’s «naïve» cafe\u{301} 東京");
        assert_eq!(v.count("Rákosi"), 2);
        assert_eq!(v.count("Mátyás"), 1);
        assert_eq!(v.count("naïve"), 1);
        assert_eq!(v.count("cafe\u{301}"), 1);
        assert_eq!(v.count("東京"), 1);
        assert_eq!(v.count_ci("RÁKOSI"), 2);
    }
}
