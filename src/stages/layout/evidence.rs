//! Word evidence for the layout passes: how often a form occurs in the document itself,
//! and how common it is in the language.
//!
//! Joining `baux-⏎ite`, keeping `Soviet-⏎Yugoslav` and reading `S E E A L S O` as two
//! words are all the same question — "is this a word?" — and the document answers it
//! best: a form the author wrote unbroken elsewhere is the author's spelling. The
//! language-wide lexicon — the context's, so that the user's word lists count too — is
//! the fallback, asked by the callers.
//!
//! Counting every word of a document would cost a hash-map insert per word. Callers know
//! the few forms they are asking about before they scan, so [`FormCounts`] counts only
//! those: a prefilter on token length skips almost every token without hashing it.

use std::collections::HashMap;

/// Occurrence counts, in one text, of a set of forms chosen in advance. Matching is
/// case-insensitive.
///
/// Forms are either single words (`bauxite`: a maximal run of letters and digits) or two
/// such runs joined by one hyphen (`long-term`: counted wherever the two runs stand
/// hyphenated inside a longer compound too, so `Soviet-Yugoslav-Bulgarian` counts
/// `soviet-yugoslav`).
#[derive(Debug)]
pub(crate) struct FormCounts {
    counts: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
    /// Bit `n` is set when some wanted form is `n` bytes long (`n < 64`); longer forms
    /// set bit 63. A token whose length bit is clear cannot match and is never hashed.
    lengths: u64,
    /// Bit `b` is set when some wanted form starts with the ASCII byte `b` in lower
    /// case (bit 127 stands for every non-ASCII start). With the length test this skips
    /// most tokens before they are lowercased.
    initials: u128,
    /// A bit per [`signature`] of the ASCII forms. An ASCII token lowercases to an
    /// ASCII form only when their signatures agree (non-ASCII tokens are not tested); in a long document, with
    /// thousands of forms of every length and initial, this is the test that still
    /// skips nearly every token.
    signatures: Box<[u64; SIGNATURE_WORDS]>,
}

/// The number of `u64` words of the signature table (2¹⁶ bits).
const SIGNATURE_WORDS: usize = 1 << 10;

impl Default for FormCounts {
    fn default() -> FormCounts {
        FormCounts {
            counts: HashMap::default(),
            lengths: 0,
            initials: 0,
            signatures: Box::new([0; SIGNATURE_WORDS]),
        }
    }
}

/// A 16-bit digest of an ASCII word's length and first and last two letters, case
/// folded: equal words have equal signatures.
#[inline]
fn signature(word: &[u8]) -> usize {
    let n = word.len();
    let at = |i: usize| u64::from(word[i].to_ascii_lowercase());
    let key = (n as u64)
        | at(0) << 8
        | at(n.min(2) - 1) << 16
        | at(n - 1) << 24
        | at(n.saturating_sub(2)) << 32;
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
}

impl FormCounts {
    /// Registers a form to count.
    pub(crate) fn want(&mut self, form: &str) {
        if form.is_empty() {
            return;
        }
        let key: Box<str> = lowercase(form, &mut String::new()).into();
        self.lengths |= length_bit(form.len());
        self.initials |= initial_bit(form.as_bytes()[0]);
        if key.is_ascii() {
            let sig = signature(key.as_bytes());
            self.signatures[sig / 64] |= 1 << (sig % 64);
        }
        self.counts.entry(key).or_insert(0);
    }

    /// True when no form was registered.
    pub(crate) fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Counts the registered forms in `text`.
    pub(crate) fn scan(&mut self, text: &str) {
        if self.is_empty() {
            return;
        }
        let mut buf = String::new();
        let mut prev: Option<(usize, usize)> = None; // the previous token, if it ends in `-`
        for (start, end) in word_tokens(text) {
            self.bump(&text[start..end], &mut buf);
            if let Some((ps, pe)) = prev {
                if pe + 1 == start && text.as_bytes()[pe] == b'-' {
                    self.bump(&text[ps..end], &mut buf);
                }
            }
            prev = Some((start, end));
        }
    }

    #[inline]
    fn bump(&mut self, token: &str, buf: &mut String) {
        if self.may_be_wanted(token.as_bytes()) {
            self.count(token, buf);
        }
    }

    /// False when `token` cannot lowercase to a wanted form: the prefilter, inlined into
    /// the scan loop because it rejects nearly every token.
    #[inline]
    fn may_be_wanted(&self, bytes: &[u8]) -> bool {
        if self.lengths & length_bit(bytes.len()) == 0 || self.initials & initial_bit(bytes[0]) == 0
        {
            return false;
        }
        if bytes.is_ascii() {
            let sig = signature(bytes);
            return self.signatures[sig / 64] & 1 << (sig % 64) != 0;
        }
        true
    }

    fn count(&mut self, token: &str, buf: &mut String) {
        if let Some(n) = self.counts.get_mut(lowercase(token, buf)) {
            *n += 1;
        }
    }

    /// How often `form` occurred (0 when it was not registered).
    pub(crate) fn get(&self, form: &str) -> u32 {
        self.counts
            .get(lowercase(form, &mut String::new()))
            .copied()
            .unwrap_or(0)
    }
}

#[inline]
fn initial_bit(b: u8) -> u128 {
    if b.is_ascii() {
        1u128 << b.to_ascii_lowercase()
    } else {
        1u128 << 127
    }
}

#[inline]
fn length_bit(len: usize) -> u64 {
    1u64 << len.min(63)
}

/// `s` in lower case, in `buf` (ASCII without allocating anew).
fn lowercase<'b>(s: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(s.chars().flat_map(char::to_lowercase));
    }
    buf
}

/// Byte ranges of the maximal runs of alphanumeric characters in `text`.
pub(crate) fn word_tokens(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    // ASCII bytes are decided by one table lookup in tight loops, without decoding;
    // non-ASCII ones by their char.
    let char_at = move |at: usize| text[at..].chars().next().unwrap_or(' ');
    std::iter::from_fn(move || {
        // Skip to the next alphanumeric character.
        loop {
            while at < bytes.len() && ASCII_ALNUM[usize::from(bytes[at])] == 0 {
                at += 1;
            }
            if at >= bytes.len() {
                return None;
            }
            if ASCII_ALNUM[usize::from(bytes[at])] == 1 {
                break;
            }
            let c = char_at(at);
            if c.is_alphanumeric() {
                break;
            }
            at += c.len_utf8();
        }
        let start = at;
        loop {
            while at < bytes.len() && ASCII_ALNUM[usize::from(bytes[at])] == 1 {
                at += 1;
            }
            if at >= bytes.len() || ASCII_ALNUM[usize::from(bytes[at])] == 0 {
                break;
            }
            let c = char_at(at);
            if !c.is_alphanumeric() {
                break;
            }
            at += c.len_utf8();
        }
        Some((start, at))
    })
}

/// Per byte: 1 for an ASCII letter or digit, 0 for other ASCII, 2 for a byte of a
/// non-ASCII character.
static ASCII_ALNUM: [u8; 256] = {
    let mut t = [2u8; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() as u8;
        b += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_wanted_forms_case_insensitively() {
        let mut c = FormCounts::default();
        c.want("bauxite");
        c.want("Soviet-Yugoslav");
        c.scan("Bauxite, bauxite; the Soviet-Yugoslav-Bulgarian split; soviet - yugoslav");
        assert_eq!(c.get("BAUXITE"), 2);
        assert_eq!(c.get("soviet-yugoslav"), 1);
        assert_eq!(c.get("split"), 0);
    }

    #[test]
    fn the_signature_prefilter_skips_no_match() {
        // Many forms of every length and initial, as in a long document; tokens that are
        // not ASCII are matched without the test.
        let mut c = FormCounts::default();
        let forms: Vec<String> = (0..3000).map(|i| format!("w{i}x{}", i % 7)).collect();
        for f in &forms {
            c.want(f);
        }
        c.want("Élan");
        c.scan("W17X3 w17x3 w2999x3 w2999x4 élan ÉLAN");
        assert_eq!(c.get("w17x3"), 2);
        assert_eq!(c.get("w2999x3"), 1);
        assert_eq!(c.get("élan"), 2);
        assert_eq!(c.get("w2999x4"), 0);
    }

    #[test]
    fn tokens_are_alphanumeric_runs() {
        let t = "Mátyás Rákosi, 1957.";
        let words: Vec<&str> = word_tokens(t).map(|(s, e)| &t[s..e]).collect();
        assert_eq!(words, ["Mátyás", "Rákosi", "1957"]);
    }
}
