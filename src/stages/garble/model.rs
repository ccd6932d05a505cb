//! The character model of text: how word-like is a letter sequence?
//!
//! A character trigram model over a folded alphabet (a–z, apostrophe, "other letter",
//! word boundary), trained by `scripts/train_garble_model.py` on the lexicon's word list
//! and the repository's clean seed documents (`rules/garble/SOURCES.md`). The counts
//! ship as text; at first use they become a dense table of smoothed log-probabilities,
//! so scoring a word is one table lookup per character.
//!
//! Smoothing is Witten–Bell interpolation down to a uniform distribution: a trigram
//! seen after a context with many different continuations borrows more from the bigram.

use std::sync::OnceLock;

const COUNTS: &str = include_str!("../../../rules/garble/en.char3.txt");

/// Word boundary, a–z, apostrophe, any other letter.
const SYMBOLS: usize = 29;
const BOUNDARY: u8 = 0;
const APOSTROPHE: u8 = 27;
const OTHER_LETTER: u8 = 28;

/// Folds a character into the model's alphabet; `None` for characters that are not part
/// of words (digits, punctuation, space).
#[inline]
pub(crate) fn fold(c: char) -> Option<u8> {
    match c {
        'a'..='z' => Some(c as u8 - b'a' + 1),
        'A'..='Z' => Some(c as u8 - b'A' + 1),
        '\'' | '\u{2019}' => Some(APOSTROPHE),
        c if !c.is_ascii() && c.is_alphabetic() => Some(OTHER_LETTER),
        _ => None,
    }
}

/// [`fold`] for ASCII bytes, as a table.
static ASCII_SYMBOL: [Option<u8>; 256] = {
    let mut t = [None; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_lowercase() {
            Some(c - b'a' + 1)
        } else if c.is_ascii_uppercase() {
            Some(c - b'A' + 1)
        } else if c == b'\'' {
            Some(APOSTROPHE)
        } else {
            None
        };
        b += 1;
    }
    t
};

/// Smoothed natural-log trigram probabilities, P(c | a b), and the trigrams' shares of
/// the training counts.
pub(crate) struct CharModel {
    /// The training counts of the trigrams, indexed `[a][b][c]` (see [`index`]).
    counts: Box<[f64]>,
    /// The bigram distributions the trigrams back off to, indexed `[b][c]`.
    bigram: Box<[f64]>,
    /// The log-probabilities of each context `a b` (indexed `[a][b]`), made on first
    /// use: a process scores a few hundred of the 841 contexts, and the 24,389
    /// logarithms of all of them cost more than the rest of the model together.
    logp: Box<[OnceLock<[f32; SYMBOLS]>]>,
    /// The share of each trigram among all the training counts, indexed like `counts`.
    share: Box<[f32]>,
}

impl CharModel {
    /// The shipped English model, built on first use.
    pub(crate) fn english() -> &'static CharModel {
        static MODEL: OnceLock<CharModel> = OnceLock::new();
        MODEL.get_or_init(|| CharModel::from_counts(COUNTS))
    }

    /// The model of the counts in `data`. Every process that cleans text builds it
    /// once, so the ten thousand lines are read without allocating, most of them by
    /// [`add_plain_line`]; the log-probabilities are left to [`CharModel::context`].
    fn from_counts(data: &str) -> CharModel {
        let mut tri = vec![0f64; SYMBOLS * SYMBOLS * SYMBOLS];
        let bytes = data.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            at = match add_plain_line(bytes, at, &mut tri) {
                Some(next) => next,
                None => {
                    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
                    // The line as `str::lines` has it: without the `\r` of a `\r\n`.
                    let line = &data[at..end];
                    let line = match line.strip_suffix('\r') {
                        Some(line) if end < bytes.len() => line,
                        _ => line,
                    };
                    add_line(line, &mut tri);
                    end + 1
                }
            };
        }
        let mut bi = vec![0f64; SYMBOLS * SYMBOLS];
        for a in 0..SYMBOLS {
            for bc in 0..SYMBOLS * SYMBOLS {
                bi[bc] += tri[a * SYMBOLS * SYMBOLS + bc];
            }
        }
        let uniform = [1.0 / SYMBOLS as f64; SYMBOLS];
        let mut bigram = vec![0f64; SYMBOLS * SYMBOLS];
        for (b, out) in bigram.chunks_exact_mut(SYMBOLS).enumerate() {
            witten_bell(&bi[b * SYMBOLS..(b + 1) * SYMBOLS], &uniform, out);
        }
        let total: f64 = tri.iter().sum();
        let share = tri.iter().map(|&c| (c / total) as f32).collect();
        CharModel {
            counts: tri.into_boxed_slice(),
            bigram: bigram.into_boxed_slice(),
            logp: (0..SYMBOLS * SYMBOLS).map(|_| OnceLock::new()).collect(),
            share,
        }
    }

    /// The log-probabilities of each symbol after `a b`: the context's counts
    /// interpolated with the bigram distribution of `b`.
    #[inline]
    fn context(&self, a: u8, b: u8) -> &[f32; SYMBOLS] {
        let (a, b) = (a as usize, b as usize);
        self.logp[a * SYMBOLS + b].get_or_init(|| {
            let at = (a * SYMBOLS + b) * SYMBOLS;
            let lower = &self.bigram[b * SYMBOLS..(b + 1) * SYMBOLS];
            let mut p = [0f64; SYMBOLS];
            witten_bell(&self.counts[at..at + SYMBOLS], lower, &mut p);
            p.map(|p| p.ln() as f32)
        })
    }

    /// How common the three characters `gram` are in a row in English words: their
    /// share of all the trigrams the model was trained on (word boundaries included),
    /// letters of either case alike; `None` unless all three are ASCII letters or
    /// apostrophes. For the rule files' literal prefilter, which looks for the rarest
    /// piece of each pattern (`rulefile::anchors`).
    pub(crate) fn share(&self, gram: [u8; 3]) -> Option<f32> {
        let [a, b, c] = gram.map(|byte| ASCII_SYMBOL[byte as usize]);
        Some(self.share[index(a?, b?, c?)])
    }

    /// The mean log-probability per symbol of `word` (its letters and the closing
    /// boundary), and the number of symbols scored. Characters outside the alphabet
    /// are skipped.
    pub(crate) fn score(&self, word: &str) -> (f32, usize) {
        if word.is_ascii() {
            // The common case, without UTF-8 decoding.
            self.score_symbols(word.bytes().filter_map(|b| ASCII_SYMBOL[b as usize]))
        } else {
            self.score_symbols(word.chars().filter_map(fold))
        }
    }

    fn score_symbols(&self, symbols: impl Iterator<Item = u8>) -> (f32, usize) {
        let (mut a, mut b) = (BOUNDARY, BOUNDARY);
        let mut sum = 0.0;
        let mut n = 0;
        for c in symbols.chain([BOUNDARY]) {
            sum += self.context(a, b)[c as usize];
            n += 1;
            (a, b) = (b, c);
        }
        (sum / n as f32, n)
    }
}

/// Adds the count of one line of the training script's file (`str::lines` of it,
/// without the line break) to `tri`: a trigram, a tab and a count; comments (`#`) and
/// other lines are skipped.
fn add_line(line: &str, tri: &mut [f64]) {
    if line.starts_with('#') {
        return;
    }
    let Some((gram, count)) = line.split_once('\t') else {
        return;
    };
    if let (Some(count), Some([a, b, c])) = (parse_count(count), trigram(gram)) {
        tri[index(a, b, c)] += count;
    }
}

/// [`add_line`] of the line at `bytes[at..]` when it has the plain form nearly every
/// line of the shipped file has — three ASCII bytes that [`fold_training`] takes, a
/// tab, one to fifteen digits, a line break or the end — and the offset of the next
/// line; `None`, adding nothing, for any other line. Such a line is one
/// [`add_line`] reads as this trigram and this count: its trigram has no other bytes
/// for [`trigram`] to skip, its first tab is the fourth byte, and its count is an
/// integer [`parse_count`] reads digit by digit, as here.
#[inline]
fn add_plain_line(bytes: &[u8], at: usize, tri: &mut [f64]) -> Option<usize> {
    let [a, b, c, b'\t'] = *bytes.get(at..at + 4)? else {
        return None;
    };
    let [a, b, c] = [a, b, c].map(|byte| TRAINING_SYMBOL[byte as usize]);
    let (a, b, c) = (a?, b?, c?);
    let digits = &bytes[at + 4..];
    let len = digits
        .iter()
        .position(|d| !d.is_ascii_digit())
        .unwrap_or(digits.len());
    if !(1..=15).contains(&len) || !matches!(digits.get(len), None | Some(b'\n')) {
        return None;
    }
    let count = digits[..len]
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    tri[index(a, b, c)] += count as f64;
    Some(at + 4 + len + 1)
}

/// [`fold_training`] of each ASCII byte, as a table.
static TRAINING_SYMBOL: [Option<u8>; 256] = {
    let mut t = ASCII_SYMBOL;
    t[b'_' as usize] = Some(BOUNDARY);
    t[b'~' as usize] = Some(OTHER_LETTER);
    t
};

/// The three symbols of a trigram as the training script writes it, if it is one.
fn trigram(gram: &str) -> Option<[u8; 3]> {
    let mut symbols = [0u8; 3];
    let mut n = 0;
    let mut push = |symbol: u8| {
        if let Some(slot) = symbols.get_mut(n) {
            *slot = symbol;
        }
        n += 1;
    };
    if gram.is_ascii() {
        gram.bytes()
            .filter_map(|b| fold_training(b as char))
            .for_each(&mut push);
    } else {
        gram.chars().filter_map(fold_training).for_each(&mut push);
    }
    (n == 3).then_some(symbols)
}

/// A count as `str::parse::<f64>` reads it; an integer of up to fifteen digits, as the
/// shipped counts are, is read as one, which the `f64` holds exactly.
fn parse_count(count: &str) -> Option<f64> {
    if (1..=15).contains(&count.len()) && count.bytes().all(|b| b.is_ascii_digit()) {
        let n = count
            .bytes()
            .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        return Some(n as f64);
    }
    count.parse().ok()
}

/// The training script writes `_` for the boundary and `~` for other letters.
fn fold_training(c: char) -> Option<u8> {
    match c {
        '_' => Some(BOUNDARY),
        '~' => Some(OTHER_LETTER),
        c => fold(c),
    }
}

#[inline]
fn index(a: u8, b: u8, c: u8) -> usize {
    (a as usize * SYMBOLS + b as usize) * SYMBOLS + c as usize
}

/// Interpolates the counts of one context with a lower-order distribution, into `out`.
fn witten_bell(counts: &[f64], lower: &[f64], out: &mut [f64]) {
    let total: f64 = counts.iter().sum();
    let types = counts.iter().filter(|&&c| c > 0.0).count() as f64;
    if total == 0.0 {
        out.copy_from_slice(lower);
        return;
    }
    let lambda = total / (total + types);
    for ((out, &c), &p) in out.iter_mut().zip(counts).zip(lower) {
        *out = lambda * c / total + (1.0 - lambda) * p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_of_letters_of_either_case_and_sum_to_one() {
        let m = CharModel::english();
        let the = m.share(*b"the").unwrap();
        assert_eq!(m.share(*b"THE"), Some(the));
        assert!(the > 100.0 * m.share(*b"tli").unwrap());
        assert_eq!(m.share(*b"t e"), None);
        let sum: f64 = m.share.iter().map(|&s| f64::from(s)).sum();
        assert!((sum - 1.0).abs() < 1e-3, "{sum}");
    }

    #[test]
    fn words_score_above_letter_soup() {
        let m = CharModel::english();
        for (word, soup) in [
            ("establishment", "orqpetcom"),
            ("Gheorghiu", "rcldtj"),
            ("Shifrtelegramma", "ctiuraregardingmisrepanotaitih"),
            ("dogovorit'sia", "tlt"),
        ] {
            assert!(m.score(word).0 > m.score(soup).0, "{word} vs {soup}");
        }
    }

    #[test]
    fn counts_are_read_as_str_parse_reads_them() {
        for count in [
            "0",
            "2",
            "155220",
            "999999999999999",
            "1.5",
            "1e3",
            "",
            "-3",
            "x",
        ] {
            assert_eq!(parse_count(count), count.parse::<f64>().ok(), "{count:?}");
        }
        assert_eq!(trigram("'a_"), Some([APOSTROPHE, 1, BOUNDARY]));
        assert_eq!(trigram("~é_"), Some([OTHER_LETTER, OTHER_LETTER, BOUNDARY]));
        assert_eq!(trigram("ab"), None);
        assert_eq!(trigram("abcd"), None);
        assert_eq!(trigram("a1bc"), Some([1, 2, 3]));
    }

    /// The counts as `str::lines` and [`add_line`] read them, line by line.
    fn counts_line_by_line(data: &str) -> Vec<f64> {
        let mut tri = vec![0f64; SYMBOLS * SYMBOLS * SYMBOLS];
        for line in data.lines() {
            add_line(line, &mut tri);
        }
        tri
    }

    #[test]
    fn plain_lines_are_read_as_line_by_line() {
        let shipped = CharModel::from_counts(COUNTS);
        assert_eq!(*shipped.counts, *counts_line_by_line(COUNTS));
        // Lines off the plain form, and plain lines beside them.
        for data in [
            "abc\t5\nabc\t7",
            "# comment\nthe\t12\n\n_th\t3\r\n'a_\t2\r",
            "abc\t5\r",
            "ab\t5\nabcd\t9\na1bc\t4\n~é_\t6\nxyz\t\nxyz\t1.5\nxyz\t1e3\n",
            "abc\t1234567890123456\nabc\t123456789012345\nabc\t-3\nabc\t5 \nabc 5\n",
            "a\tb\t5\nABC\t8\nA_~\t1\nabc\t5\t6\nabc\t",
            "abc",
            "",
            "\n\n\r\n",
        ] {
            let model = CharModel::from_counts(data);
            assert_eq!(*model.counts, *counts_line_by_line(data), "{data:?}");
        }
    }

    #[test]
    fn contexts_made_on_use_are_the_table_made_at_once() {
        let m = CharModel::english();
        for a in 0..SYMBOLS {
            for b in 0..SYMBOLS {
                let at = (a * SYMBOLS + b) * SYMBOLS;
                let mut p = [0f64; SYMBOLS];
                witten_bell(
                    &m.counts[at..at + SYMBOLS],
                    &m.bigram[b * SYMBOLS..(b + 1) * SYMBOLS],
                    &mut p,
                );
                let logp = p.map(|p| (p.ln() as f32).to_bits());
                assert_eq!(m.context(a as u8, b as u8).map(f32::to_bits), logp);
            }
        }
    }

    #[test]
    fn probabilities_of_each_context_sum_to_one() {
        let m = CharModel::english();
        for (a, b) in [(0u8, 0u8), (1, 2), (20, 8), (28, 28)] {
            let sum: f32 = m.context(a, b).iter().map(|p| p.exp()).sum();
            assert!((sum - 1.0).abs() < 1e-3, "{a} {b}: {sum}");
        }
    }
}

/// Prints the score of every word of `$GARBLE_WORDS` (a file), for calibration.
#[cfg(test)]
#[test]
#[ignore]
fn print_scores() {
    let path = std::env::var("GARBLE_WORDS").expect("set GARBLE_WORDS to a file");
    let text = std::fs::read_to_string(path).unwrap();
    let m = CharModel::english();
    let mut scores: Vec<f32> = text.split_whitespace().map(|w| m.score(w).0).collect();
    scores.sort_by(f32::total_cmp);
    let q = |p: f32| scores[((scores.len() - 1) as f32 * p) as usize];
    println!(
        "n={} q10={:.2} q25={:.2} q50={:.2} q75={:.2} q90={:.2}",
        scores.len(),
        q(0.1),
        q(0.25),
        q(0.5),
        q(0.75),
        q(0.9)
    );
}
