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
//! those. A scan reads the text 64 bytes at a time into a bit per letter or digit, and
//! looks each token up without hashing it: a short ASCII token (most of them) is its own
//! key in a small open-addressed table, and a longer one must pass a one-bit signature
//! test first.

use std::collections::HashMap;

use smol_str::SmolStr;

use crate::lexicon::swar;

/// Occurrence counts, in one text, of a set of forms chosen in advance. Matching is
/// case-insensitive.
///
/// Forms are either single words (`bauxite`: a maximal run of letters and digits) or two
/// such runs joined by one hyphen (`long-term`: counted wherever the two runs stand
/// hyphenated inside a longer compound too, so `Soviet-Yugoslav-Bulgarian` counts
/// `soviet-yugoslav`).
#[derive(Debug)]
pub(crate) struct FormCounts {
    /// Keyed by `SmolStr`: a form is a word, almost always held inline (up to 23
    /// bytes), so registering the thousands a document's passes ask about allocates
    /// nothing.
    counts: HashMap<SmolStr, u32, foldhash::fast::RandomState>,
    /// Bit `n` is set when some wanted form (in lower case) is `n` bytes long (`n <
    /// 64`); longer forms set bit 63. With [`FormCounts::initials`], the test a token
    /// that is not ASCII passes, lowercased, before it is hashed.
    lengths: u64,
    /// For an ASCII token: bit `n` of entry [`initial_slot`]`(b)` is set when some ASCII
    /// form is `n` bytes long (as in `lengths`) and starts with a byte of that slot.
    /// Most tokens of a document have a length and first letter no form has together,
    /// and are skipped before their bytes are read as a key.
    ascii_lengths: [u64; 64],
    /// Bit `b` is set when some wanted form starts with the ASCII byte `b` (bit 127
    /// stands for every non-ASCII start). A token that is not ASCII is tested on the
    /// lower case of its first character, which is cheap to have: most are skipped
    /// before the whole token is lowercased.
    initials: u128,
    /// Scratch space for lowercasing a form in [`FormCounts::want`].
    buf: String,
}

/// Up to this many forms, [`FormCounts::scan`] searches for the forms instead of
/// reading every token (see [`FormCounts::scan_for_few`]).
const FEW_FORMS: usize = 16;

/// The longest ASCII token, in bytes, that [`ShortForms`] looks up: it is its own key.
const SHORT: usize = 8;

impl Default for FormCounts {
    fn default() -> FormCounts {
        FormCounts {
            counts: HashMap::default(),
            lengths: 0,
            ascii_lengths: [0; 64],
            initials: 0,
            buf: String::new(),
        }
    }
}

/// A 64-bit digest of an ASCII word's length and first and last two bytes, read with
/// the case bit set: words that are equal up to ASCII case have equal signatures.
#[inline]
fn signature(word: &[u8]) -> u64 {
    let n = word.len();
    // Setting bit 0x20 lower-cases a letter and leaves a digit and `-` as they are; for
    // other bytes it is still the same function of a byte and of its lower case.
    let pair = |i: usize| u64::from(u16::from_le_bytes([word[i], word[i + 1]]) | 0x2020);
    let ends = if n >= 2 {
        pair(0) | pair(n - 2) << 16
    } else {
        u64::from(word[0] | 0x20) * 0x0101_0101
    };
    let key = (n as u64) | ends << 8;
    key.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// What a token scan looks tokens up in, built for it from the forms.
struct TokenTables {
    short: ShortForms,
    signatures: Signatures,
    /// Scratch space for lowercasing a token.
    buf: String,
}

/// A bit per [`signature`] of the ASCII forms longer than [`SHORT`] bytes. An ASCII
/// token that long lowercases to an ASCII form only when their signatures agree;
/// shorter ones are looked up in [`ShortForms`] instead, which is as cheap and exact.
///
/// Built for a token scan from the forms it counts, with 256 bits or more per form (so
/// that under 0.5% of them are set and few tokens that are no form are looked up), up
/// to 2¹⁸ bits (32 KiB, which stays in the first-level cache): a table of fixed size
/// was zeroed for every set of forms, most of which are a few dozen words.
struct Signatures {
    bits: Box<[u64]>,
    /// `64 - log2(bits)`: a signature's bit is the top bits of the digest.
    shift: u32,
}

impl Signatures {
    fn of<'f>(forms: impl Iterator<Item = &'f SmolStr>) -> Signatures {
        let long: Vec<u64> = forms
            .filter(|form| form.is_ascii() && form.len() > SHORT)
            .map(|form| signature(form.as_bytes()))
            .collect();
        let bits = (long.len() * 256).next_power_of_two().clamp(64, 1 << 18);
        let mut table = Signatures {
            bits: vec![0; bits / 64].into(),
            shift: 64 - bits.trailing_zeros(),
        };
        for sig in long {
            let bit = table.bit(sig);
            table.bits[bit / 64] |= 1 << (bit % 64);
        }
        table
    }

    #[inline(always)]
    fn bit(&self, sig: u64) -> usize {
        (sig >> self.shift) as usize
    }

    /// Whether some form has the signature `sig`: false only where none has.
    #[inline(always)]
    fn may_hold(&self, sig: u64) -> bool {
        let bit = self.bit(sig);
        self.bits[bit / 64] & 1 << (bit % 64) != 0
    }
}

impl FormCounts {
    /// No forms yet, with room for `forms` of them: the map then need not grow (and
    /// hash every form again) while they are registered.
    pub(crate) fn with_capacity(forms: usize) -> FormCounts {
        FormCounts {
            counts: HashMap::with_capacity_and_hasher(forms, Default::default()),
            ..FormCounts::default()
        }
    }

    /// Registers a form to count.
    pub(crate) fn want(&mut self, form: &str) {
        if form.is_empty() {
            return;
        }
        let mut buf = std::mem::take(&mut self.buf);
        let key = lowercase(form, &mut buf);
        // Of the key: lowercasing can change a character's length (`K` → `k`, the Kelvin
        // sign, is three bytes to one), and tokens are tested lowercased.
        self.lengths |= length_bit(key.len());
        if key.is_ascii() {
            self.ascii_lengths[initial_slot(key.as_bytes()[0])] |= length_bit(key.len());
        }
        self.initials |= initial_bit(key.as_bytes()[0]);
        // A form asked about twice (a word broken on several lines) is stored once. One
        // hash and probe through the entry, not two (a lookup, then an insert): the key
        // is built first, but a word is held inline and costs no allocation.
        self.counts.entry(SmolStr::new(key)).or_insert(0);
        self.buf = buf;
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
        if self.counts.len() <= FEW_FORMS && self.scan_for_few(text) {
            return;
        }
        self.scan_tokens(text);
    }

    /// [`scan`](FormCounts::scan) by reading every token of `text`.
    fn scan_tokens(&mut self, text: &str) {
        let mut tables = TokenTables {
            short: ShortForms::of(self.counts.keys()),
            signatures: Signatures::of(self.counts.keys()),
            buf: String::new(),
        };
        for_each_token(text, |start, end, ascii| {
            self.token(text, start, end, ascii, &mut tables);
        });
        // `long-term`: two tokens joined by one hyphen are a token too. Hyphens are few
        // (a few a line at most, where tokens are a dozen), so the pairs are read from
        // them, apart: the loop over every token then carries nothing from one token to
        // the next, and keeps its state in registers.
        let bytes = text.as_bytes();
        for hyphen in memchr::memchr_iter(b'-', bytes) {
            let (start, end) = (run_start(text, hyphen), run_end(text, hyphen + 1));
            if start < hyphen && end > hyphen + 1 {
                let ascii = bytes[start..end].is_ascii();
                self.token(text, start, end, ascii, &mut tables);
            }
        }
        for (form, n) in &mut self.counts {
            if ShortForms::holds(form) {
                *n += tables.short.get(form.as_bytes());
            }
        }
    }

    /// Counts the token `start..end` of `text` if it lowercases to a wanted form: a
    /// short ASCII one in the short forms' table, any other in the map if it passes the
    /// prefilter.
    #[inline(always)]
    fn token(&mut self, text: &str, start: usize, end: usize, ascii: bool, t: &mut TokenTables) {
        let len = end - start;
        // Exact for ASCII, whose lower case is as long: most tokens of a document are
        // of lengths no form starting with their letter has. (An ASCII token lowercases
        // to an ASCII form only.)
        let initial = text.as_bytes()[start];
        if ascii && self.ascii_lengths[initial_slot(initial)] & length_bit(len) == 0 {
            return;
        }
        if ascii && len <= SHORT {
            t.short.bump(short_key_at(text.as_bytes(), start, len));
        } else if ascii {
            if t.signatures
                .may_hold(signature(&text.as_bytes()[start..end]))
            {
                self.count(&text[start..end], &mut t.buf);
            }
        } else {
            self.count_non_ascii(&text[start..end], &mut t.buf);
        }
    }

    /// [`scan`](FormCounts::scan) for a few ASCII forms, by searching for the forms'
    /// first words; false (nothing counted) where that could miss a token the token
    /// scan counts.
    ///
    /// A pass asking about one or two words would otherwise read every token of the
    /// document for them (reflow's later rounds ask about the few hyphenated line ends
    /// left). A vectorised search for a few words is many times faster, and only where
    /// one starts a token is the token (and a hyphenated second one) read and looked
    /// up. No token starts inside a match, which is all letters and digits, nor inside
    /// a character a match skips (the character before a token is no letter or digit):
    /// the leftmost matches, one after another, meet every token that can be a form.
    /// Only one non-ASCII character lowercases to ASCII, the Kelvin sign (`K` → `k`):
    /// a text with one is left to the token scan, as are forms that are not ASCII.
    fn scan_for_few(&mut self, text: &str) -> bool {
        if self.counts.keys().any(|form| !form.is_ascii())
            || memchr::memmem::find(text.as_bytes(), "\u{212A}".as_bytes()).is_some()
        {
            return false;
        }
        // The letters and digits a form starts with: a whole single-word form, the first
        // word of a hyphenated one. A form that starts otherwise is no token.
        let mut firsts: Vec<&[u8]> = self
            .counts
            .keys()
            .map(|form| {
                let n = form.bytes().take_while(u8::is_ascii_alphanumeric).count();
                &form.as_bytes()[..n]
            })
            .filter(|first| !first.is_empty())
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        if firsts.is_empty() {
            return true;
        }
        // Their first bytes in every case (`bau`, `Bau`, …, `BAU`) for a vectorised
        // search (Teddy); where it cannot be had (too many short patterns, no SIMD), the
        // token scan.
        let mut prefixes: Vec<Vec<u8>> = Vec::new();
        for first in firsts {
            let prefix = &first[..first.len().min(3)];
            for case in 0..1u32 << prefix.len() {
                let variant: Vec<u8> = prefix
                    .iter()
                    .enumerate()
                    .map(|(i, &b)| {
                        if case & 1 << i != 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    })
                    .collect();
                prefixes.push(variant);
            }
        }
        prefixes.sort_unstable();
        prefixes.dedup();
        let Some(searcher) = aho_corasick::packed::Config::new()
            .builder()
            .extend(&prefixes)
            .build()
        else {
            return false;
        };
        let bytes = text.as_bytes();
        // The end of the run of letters and digits from `at`, and whether it is ASCII.
        let run_end = |at: usize| -> (usize, bool) {
            let mut end = at;
            while let Some(&b) = bytes.get(end) {
                if b.is_ascii_alphanumeric() {
                    end += 1;
                } else if b.is_ascii() {
                    return (end, true);
                } else {
                    let c = text[end..].chars().next().unwrap_or(' ');
                    return if c.is_alphanumeric() {
                        (end, false)
                    } else {
                        (end, true)
                    };
                }
            }
            (end, true)
        };
        let mut key = Vec::new();
        let mut bump = |key: &[u8]| {
            let key = std::str::from_utf8(key).expect("ASCII");
            if let Some(n) = self.counts.get_mut(key) {
                *n += 1;
            }
        };
        for m in searcher.find_iter(bytes) {
            // A match of ASCII bytes starts on a character boundary.
            let start = m.start();
            if text[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let (end, ascii) = run_end(start);
            if !ascii {
                continue;
            }
            key.clear();
            key.extend(bytes[start..end].iter().map(u8::to_ascii_lowercase));
            bump(&key);
            // `long-term`: the token and the next, joined by one hyphen.
            if bytes.get(end) == Some(&b'-') {
                let (second_end, second_ascii) = run_end(end + 1);
                if second_ascii && second_end > end + 1 {
                    key.push(b'-');
                    key.extend(
                        bytes[end + 1..second_end]
                            .iter()
                            .map(u8::to_ascii_lowercase),
                    );
                    bump(&key);
                }
            }
        }
        true
    }

    /// Looks up an ASCII token that passed the signature test.
    #[cold]
    fn count(&mut self, token: &str, buf: &mut String) {
        // Most tokens are in lower case already: look them up as they are.
        let key = if token.bytes().all(|b| !b.is_ascii_uppercase()) {
            token
        } else {
            lowercase(token, buf)
        };
        if let Some(n) = self.counts.get_mut(key) {
            *n += 1;
        }
    }

    /// Looks up a token that is not ASCII, if its lower case can be a wanted form.
    #[cold]
    #[inline(never)]
    fn count_non_ascii(&mut self, token: &str, buf: &mut String) {
        if self.initials & folded_initial_bit(token) == 0 {
            return;
        }
        let key = lowercase(token, buf);
        if self.lengths & length_bit(key.len()) == 0 {
            return;
        }
        if let Some(n) = self.counts.get_mut(key) {
            *n += 1;
        }
    }

    /// How often `form` occurred (0 when it was not registered).
    pub(crate) fn get(&self, form: &str) -> u32 {
        // A short ASCII form is lowercased on the stack: no allocation per question.
        let mut stack = [0u8; 64];
        let key = match stack.get_mut(..form.len()) {
            Some(lower) if form.is_ascii() => {
                lower.copy_from_slice(form.as_bytes());
                lower.make_ascii_lowercase();
                std::str::from_utf8(lower).expect("ASCII")
            }
            _ => return self.get_slowly(form),
        };
        self.counts.get(key).copied().unwrap_or(0)
    }

    #[cold]
    fn get_slowly(&self, form: &str) -> u32 {
        self.counts
            .get(lowercase(form, &mut String::new()))
            .copied()
            .unwrap_or(0)
    }
}

/// The wanted forms of one to eight ASCII letters, digits and `-`, counted by the token
/// scan in an open-addressed table keyed by their bytes.
///
/// Most tokens are short, and short forms are the ones that match most often (letter
/// spacing asks about every piece of a run of capitals, `of`, `the`, `in` among them):
/// in the map, a token would cost hashing and comparing strings. Here it is one load
/// of the token's eight bytes, a multiplication and a probe or two, and an empty slot
/// rejects it. Exact: an ASCII token of at most eight bytes (letters, digits and the
/// `-` of a pair) lowercases to a wanted form only if that form is here, because every
/// other form has another byte, more bytes, or a non-ASCII character.
struct ShortForms {
    /// [`short_key`]s, 0 for an empty slot (no key is 0: keys are of one byte or more).
    keys: Box<[u64]>,
    counts: Box<[u32]>,
    /// `64 - log2(slots)`: a key's home slot is the top bits of its product.
    shift: u32,
}

impl ShortForms {
    /// The table of the short forms among `forms` (lower case, as [`FormCounts`] keeps
    /// them).
    fn of<'f>(forms: impl Iterator<Item = &'f SmolStr>) -> ShortForms {
        let keys: Vec<u64> = forms
            .filter(|f| ShortForms::holds(f))
            .map(|f| short_key(f.as_bytes()))
            .collect();
        // At most a quarter full: nearly every token that is no form meets an empty
        // slot at once.
        let slots = (keys.len() * 4).next_power_of_two().max(16);
        let mut table = ShortForms {
            keys: vec![0; slots].into(),
            counts: vec![0; slots].into(),
            shift: 64 - slots.trailing_zeros(),
        };
        for key in keys {
            let slot = table.slot(key);
            table.keys[slot] = key;
        }
        table
    }

    /// Whether a (lower-case) form belongs in the table.
    fn holds(form: &str) -> bool {
        (1..=8).contains(&form.len())
            && form
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    /// The slot of `key`: where it is, or the empty slot where it would go.
    #[inline]
    fn slot(&self, key: u64) -> usize {
        let mask = self.keys.len() - 1;
        let mut slot = self.home(key);
        while self.keys[slot] != key && self.keys[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        slot
    }

    /// Counts the token of [`short_key`] `key` if it is one of the forms.
    #[inline(always)]
    fn bump(&mut self, key: u64) {
        let mask = self.keys.len() - 1;
        let mut slot = self.home(key);
        loop {
            let here = self.keys[slot];
            if here == key {
                self.counts[slot] += 1;
                return;
            }
            if here == 0 {
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The slot where the search for `key` starts.
    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// How often the form (one of [`ShortForms::holds`]) was counted.
    fn get(&self, form: &[u8]) -> u32 {
        let key = short_key(form);
        let slot = self.slot(key);
        if self.keys[slot] == key {
            self.counts[slot]
        } else {
            0
        }
    }
}

/// The key of one to eight ASCII letters, digits and `-`: the bytes, little-endian, with
/// the case bit (0x20) set, which lowercases a letter and leaves a digit or `-` as it is.
/// Zero bytes pad it, so lengths stay apart.
fn short_key(bytes: &[u8]) -> u64 {
    short_key_at(bytes, 0, bytes.len())
}

/// The [`short_key`] of `bytes[start..start + len]`, read as one 8-byte load wherever
/// the text has eight bytes from `start` (see [`swar::load_prefix`]).
#[inline(always)]
fn short_key_at(bytes: &[u8], start: usize, len: usize) -> u64 {
    debug_assert!((1..=SHORT).contains(&len));
    (swar::load_prefix(bytes, start, len) | 0x2020_2020_2020_2020) & (u64::MAX >> (64 - 8 * len))
}

/// The end of the run of letters and digits (as [`for_each_token`] reads them) that
/// starts at `at`, a character boundary: `at` itself where none does.
fn run_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = at;
    while let Some(&b) = bytes.get(end) {
        if b.is_ascii_alphanumeric() {
            end += 1;
        } else if b.is_ascii() {
            break;
        } else {
            match text[end..].chars().next() {
                Some(c) if c.is_alphanumeric() => end += c.len_utf8(),
                _ => break,
            }
        }
    }
    end
}

/// The start of the run of letters and digits (as [`for_each_token`] reads them) that
/// ends at `at`, a character boundary: `at` itself where none does.
fn run_start(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = at;
    while let Some(&b) = start.checked_sub(1).map(|i| &bytes[i]) {
        if b.is_ascii_alphanumeric() {
            start -= 1;
        } else if b.is_ascii() {
            break;
        } else {
            match text[..start].chars().next_back() {
                Some(c) if c.is_alphanumeric() => start -= c.len_utf8(),
                _ => break,
            }
        }
    }
    start
}

/// Up to eight bytes (at the end of the text), zero-padded to a little-endian word.
#[cold]
fn last_word(token: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word[..token.len()].copy_from_slice(token);
    u64::from_le_bytes(word)
}

#[inline]
fn initial_bit(b: u8) -> u128 {
    if b.is_ascii() {
        1u128 << b.to_ascii_lowercase()
    } else {
        1u128 << 127
    }
}

/// The [`initial_bit`] of a token's lower case: of its first character's.
fn folded_initial_bit(token: &str) -> u128 {
    let first = token.chars().next().expect("a token is not empty");
    let lower = first.to_lowercase().next().unwrap_or(first);
    if lower.is_ascii() {
        initial_bit(lower as u8)
    } else {
        1 << 127
    }
}

/// The entry of [`FormCounts::ascii_lengths`] for a form or token that starts with the
/// ASCII byte `b`: a letter in either case, a digit and the other bytes `b | 0x20` maps
/// to the same value share it (a lower-case letter and a digit may share one too,
/// which only lets more tokens through to the exact test).
#[inline(always)]
fn initial_slot(b: u8) -> usize {
    usize::from(b | 0x20) & 63
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

/// Calls `f(start, end, ascii)` with the byte range of each maximal run of alphanumeric
/// characters in `text`, in order, and whether the run is all ASCII.
///
/// Every pass that asks the document about words reads all of it, so this is the
/// innermost loop of the layout stage. It reads 64 bytes at a time into a mask with a
/// bit per byte of a letter or digit (eight bytes at a time by word arithmetic when the
/// block is ASCII), and finds the runs at the mask's edges: no branch per byte.
#[inline(always)]
fn for_each_token(text: &str, mut f: impl FnMut(usize, usize, bool)) {
    let bytes = text.as_bytes();
    // The start of the run not yet ended (`usize::MAX`: none), and whether its bytes
    // in earlier blocks were ASCII.
    let mut open = usize::MAX;
    let mut open_ascii = true;
    // Whether the byte before the block belongs to a run (0 or 1).
    let mut carry = 0u64;
    let mut base = 0;
    // A run that reaches the end of the text ends at the edge of one more (empty)
    // block: `f` is called in one place, where it is inlined.
    while base < bytes.len() || carry != 0 {
        let block = &bytes[base..bytes.len().min(base + 64)];
        let (mask, non_ascii) = classify(text, base, block, carry);
        // Bit `i` is set where a run starts at byte `i`, or ends before it.
        let before = mask << 1 | carry;
        let mut starts = mask & !before;
        let mut ends = !mask & before;
        // Each end closes the run open from the last block or the next start here.
        while ends != 0 {
            let end = ends.trailing_zeros() as usize;
            ends &= ends - 1;
            let (start, ascii) = if open == usize::MAX {
                let start = starts.trailing_zeros() as usize;
                starts &= starts - 1;
                (
                    base + start,
                    non_ascii == 0 || non_ascii & bits(start, end) == 0,
                )
            } else {
                let start = std::mem::replace(&mut open, usize::MAX);
                (start, open_ascii && non_ascii & bits(0, end) == 0)
            };
            f(start, base + end, ascii);
        }
        // A start left has no end here: its run goes on into the next block.
        if starts != 0 {
            let start = starts.trailing_zeros() as usize;
            open = base + start;
            open_ascii = non_ascii >> start == 0;
        } else if open != usize::MAX {
            open_ascii &= non_ascii == 0;
        }
        carry = mask >> 63;
        base += 64;
    }
}

/// The bits `from..to` of a `u64` (`to <= 64`).
#[inline]
fn bits(from: usize, to: usize) -> u64 {
    let below_to = if to >= 64 { u64::MAX } else { (1 << to) - 1 };
    below_to & !((1u64 << from) - 1)
}

/// For the block of at most 64 bytes at `base` in `text`: a bit per byte of a letter or
/// digit, and a bit per non-ASCII byte. `carry` is the bit of the byte before the block
/// (a character that straddles the block's start continues it).
#[inline(always)]
fn classify(text: &str, base: usize, block: &[u8], carry: u64) -> (u64, u64) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if let Ok(block) = <&[u8; 64]>::try_from(block) {
        let words: [u64; 8] = std::array::from_fn(|k| {
            u64::from_le_bytes(block[k * 8..k * 8 + 8].try_into().unwrap())
        });
        if words.iter().fold(0, |acc, w| acc | w) & HIGH == 0 {
            let mask = words
                .iter()
                .enumerate()
                .fold(0, |acc, (k, &w)| acc | ascii_alnum_bits(w) << (k * 8));
            return (mask, 0);
        }
    }
    classify_slowly(text, base, block, carry)
}

/// [`classify`] for a block that is short (the last) or not all ASCII.
///
/// The ASCII bytes are classified by word arithmetic as in a block of ASCII, and only
/// the characters that are not ASCII are decoded, one per lead byte: in a text with
/// accents, nearly every block has one.
#[inline(never)]
fn classify_slowly(text: &str, base: usize, block: &[u8], carry: u64) -> (u64, u64) {
    let (mut mask, mut non_ascii) = (0u64, 0u64);
    for (k, chunk) in block.chunks(8).enumerate() {
        let w = match <[u8; 8]>::try_from(chunk) {
            Ok(word) => u64::from_le_bytes(word),
            Err(_) => last_word(chunk),
        };
        let alnum = swar::ascii_letters(w) | swar::ascii_digits(w);
        mask |= gather_high_bits(alnum) << (k * 8);
        non_ascii |= gather_high_bits(w & swar::HIGH) << (k * 8);
    }
    let mut rest = non_ascii;
    while rest != 0 {
        let i = rest.trailing_zeros() as usize;
        if block[i] >= 0xC0 {
            // A lead byte: its character's bytes are all of its class.
            let c = text[base + i..].chars().next().unwrap_or(' ');
            let own = bits(i, (i + c.len_utf8()).min(64));
            if c.is_alphanumeric() {
                mask |= own;
            }
            rest &= !own;
        } else {
            // A continuation byte before any lead byte: of the character that straddles
            // the block's start.
            mask |= carry << i;
            rest &= rest - 1;
        }
    }
    (mask, non_ascii)
}

/// The high bits of the eight bytes of `w` (the only bits set), gathered into the low
/// byte.
#[inline(always)]
fn gather_high_bits(w: u64) -> u64 {
    (w >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// A bit per byte of the eight ASCII bytes of `w` (little-endian) that is a letter or a
/// digit.
#[inline]
fn ascii_alnum_bits(w: u64) -> u64 {
    const fn splat(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }
    // For bytes below 0x80, `x + splat(0x80 - lo)` sets a byte's high bit exactly when
    // the byte is at least `lo`, and never carries into the next byte.
    let at_least = |x: u64, lo: u8| x + splat(0x80 - lo);
    let digit = at_least(w, b'0') & !at_least(w, b'9' + 1);
    let folded = w | splat(0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    // Gather the eight high bits into the low byte.
    gather_high_bits((digit | letter) & splat(0x80))
}

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
    fn short_forms_count_what_the_map_counts() {
        // Short forms (letters, digits, hyphens; one to eight bytes) and longer or other
        // ones side by side; tokens in every case, pairs, a Kelvin sign, non-ASCII.
        let forms = [
            "a",
            "of",
            "the",
            "k",
            "key",
            "x1",
            "a-b",
            "12345678",
            "123456789",
            "élan",
            "soviet-y",
            "a b",
            "-",
            "ab-cd-ef",
            "zz",
        ];
        let text = "A of OF Of the THE tHe K \u{212A} key KEY \u{212A}EY X1 x1 a-b A-B a-b-c \
                    12345678 123456789 1234567 élan ÉLAN Soviet-Y soviet-y a b - ab-cd-ef \
                    ab-cd zz zzz";
        let mut c = FormCounts::default();
        for f in forms {
            c.want(f);
        }
        c.scan_tokens(text);
        let expected = [
            ("a", 5),
            ("of", 3),
            ("the", 3),
            ("k", 2),
            ("key", 3),
            ("x1", 2),
            ("a-b", 3),
            ("12345678", 1),
            ("123456789", 1),
            ("élan", 2),
            ("soviet-y", 2),
            ("a b", 0),
            ("-", 0),
            ("ab-cd-ef", 0),
            ("zz", 1),
        ];
        for (form, n) in expected {
            assert_eq!(c.get(form), n, "{form}");
        }
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
    fn searching_for_a_few_forms_counts_what_the_token_scan_counts() {
        let forms = [
            "bauxite",
            "baux-ite",
            "soviet-yugoslav",
            "yugoslav-bulgarian",
            "a",
            "aa",
            "x1",
            "key",
            "a b",
            "-ite",
            "a--b",
            "a-b-c",
            "",
            "b-c",
            "a-",
            "élan",
        ];
        let texts = [
            "Bauxite, BAUXITE; baux-ite bauxites rebauxite baux-ite-x",
            "the Soviet-Yugoslav-Bulgarian split; soviet - yugoslav, Soviet-Yugoslavia",
            "a aa aaa a-a aa-a éa aé a1 1a ａa X1 x1é x1 a b a--b a-b-c b-c-d a- b",
            "Key kéy key\u{212A} élan Élan ÉLAN",
            "\u{212A}ey KEY",
            "",
            "a",
        ];
        // Every set of one, two or three of the forms.
        let mut sets: Vec<Vec<&str>> = Vec::new();
        for i in 0..forms.len() {
            for j in i..forms.len() {
                for k in j..forms.len() {
                    let mut set = vec![forms[i], forms[j], forms[k]];
                    set.dedup();
                    sets.push(set);
                }
            }
        }
        let mut searched = 0;
        for text in texts {
            for set in &sets {
                let (mut few, mut all) = (FormCounts::default(), FormCounts::default());
                for form in set {
                    few.want(form);
                    all.want(form);
                }
                if !few.scan_for_few(text) {
                    continue;
                }
                searched += 1;
                all.scan_tokens(text);
                for form in set {
                    assert_eq!(few.get(form), all.get(form), "{form:?} in {text:?}");
                }
            }
        }
        // Most sets are searched for (a non-ASCII form, a Kelvin sign, or too many short
        // patterns for the vectorised search send the others to the token scan).
        if cfg!(target_arch = "x86_64") {
            assert!(
                searched > sets.len() * 2,
                "{searched} of {} searched",
                sets.len() * texts.len()
            );
        }
    }

    /// The counts by definition: every maximal run of alphanumeric characters, and
    /// every two such runs joined by one `-`, lowercased and compared with the forms
    /// (lowercased too).
    fn reference_counts(forms: &[&str], text: &str) -> Vec<u32> {
        let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut open = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (open, i < text.len() && c.is_alphanumeric()) {
                (None, true) => open = Some(i),
                (Some(s), false) => {
                    runs.push((s, i));
                    open = None;
                }
                _ => {}
            }
        }
        let mut tokens: Vec<String> = runs.iter().map(|&(s, e)| lower(&text[s..e])).collect();
        for w in runs.windows(2) {
            if w[0].1 + 1 == w[1].0 && text.as_bytes()[w[0].1] == b'-' {
                tokens.push(lower(&text[w[0].0..w[1].1]));
            }
        }
        forms
            .iter()
            .map(|form| {
                let form = lower(form);
                tokens.iter().filter(|t| **t == form).count() as u32
            })
            .collect()
    }

    use crate::testing::XorShift as Rng;

    /// Pieces of text that are hard for the scan: case forms, characters whose lower
    /// case has another length (`K` Kelvin, `Ω` ohm, `ẞ`, `İ`), non-ASCII letters and
    /// digits, hyphens, apostrophes, soft hyphens, punctuation and space.
    const PIECES: &[&str] = &[
        "a",
        "A",
        "of",
        "OF",
        "Of",
        "the",
        "The",
        "k",
        "K",
        "\u{212A}",
        "\u{212A}ey",
        "key",
        "ω",
        "Ω",
        "\u{2126}",
        "ß",
        "ẞ",
        "i",
        "İ",
        "é",
        "É",
        "élan",
        "x1",
        "X1",
        "12345678",
        "9",
        "٣",
        "-",
        "-",
        "'",
        "’",
        "\u{AD}",
        " ",
        " ",
        "\n",
        ".",
        "—",
        "😀",
        "bauxite",
        "Bauxite",
        "abcdefgh",
        "ABCDEFGHI",
        "soviet",
        "Yugoslav",
    ];

    #[test]
    fn the_scan_agrees_with_the_definition_on_generated_texts() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for round in 0..400 {
            let pieces = 1 + rng.below(if round % 4 == 0 { 400 } else { 40 });
            let text: String = (0..pieces)
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            // Forms: tokens and pairs of the text (cut in various ways, in any case) and
            // pieces that are no token, in sets of a few (the search) or many (the scan).
            let mut forms: Vec<String> = Vec::new();
            for _ in 0..1 + rng.below(if round % 2 == 0 { 12 } else { 60 }) {
                let a = rng.below(text.len() + 1);
                let b = (a + 1 + rng.below(20)).min(text.len());
                let form = match (text.get(a..b), rng.below(3)) {
                    (Some(form), 0) => form.to_uppercase(),
                    (Some(form), _) => form.to_string(),
                    (None, _) => PIECES[rng.below(PIECES.len())].to_string(),
                };
                forms.push(form);
            }
            let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
            let expected = reference_counts(&forms, &text);
            let mut scanned = FormCounts::default();
            let mut tokens = FormCounts::default();
            for form in &forms {
                scanned.want(form);
                tokens.want(form);
            }
            scanned.scan(&text);
            tokens.scan_tokens(&text);
            for (form, n) in forms.iter().zip(expected) {
                assert_eq!(scanned.get(form), n, "{form:?} in {text:?}");
                assert_eq!(tokens.get(form), n, "{form:?} in {text:?} (tokens)");
            }
        }
    }

    #[test]
    fn tokens_at_the_ends_of_the_text_and_of_blocks_are_counted() {
        // A token at the start, at the end, across the 64-byte block edge, ending on it,
        // and one whose eight bytes reach past the end of the text.
        for pad in 0..70 {
            let text = format!("Of{}-the key-Of", " ".repeat(pad));
            let forms = ["of", "the", "key", "key-of", "the-key", "of-the"];
            let mut c = FormCounts::default();
            for form in forms {
                c.want(form);
            }
            c.scan_tokens(&text);
            let expected = reference_counts(&forms, &text);
            for (form, n) in forms.iter().zip(expected) {
                assert_eq!(c.get(form), n, "{form:?} in {text:?}");
            }
        }
    }

    #[test]
    fn a_kelvin_sign_counts_as_the_k_it_lowercases_to() {
        // Three bytes that lowercase to one: a prefilter on the token's own length would
        // skip it.
        let mut c = FormCounts::default();
        for form in ["key", "kelvin", "keyboards", "ω"] {
            c.want(form);
        }
        c.scan_tokens("\u{212A}EY \u{212A}elvin \u{212A}EYBOARDS \u{2126}");
        for form in ["key", "kelvin", "keyboards", "ω"] {
            assert_eq!(c.get(form), 1, "{form}");
        }
    }

    fn tokens(text: &str) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        for_each_token(text, |s, e, ascii| out.push((&text[s..e], ascii)));
        out
    }

    #[test]
    fn tokens_are_alphanumeric_runs() {
        assert_eq!(
            tokens("Mátyás Rákosi, 1957."),
            [("Mátyás", false), ("Rákosi", false), ("1957", true)]
        );
        assert_eq!(tokens(""), []);
        assert_eq!(tokens("a"), [("a", true)]);
    }

    #[test]
    fn tokens_agree_with_a_char_by_char_reading_across_blocks() {
        // Runs and non-ASCII characters (two, three and four bytes; letters, digits and
        // not) at every offset around the 64-byte block edges.
        let pieces = [
            "word", " ", "é", "—", "x", "Ω1", "😀", "-", "Z9", "\n", "ß", "．", "٣",
        ];
        let mut text = String::new();
        let mut k = 0usize;
        while text.len() < 600 {
            text.push_str(pieces[k % pieces.len()]);
            k = k.wrapping_mul(7).wrapping_add(3) % 1009;
        }
        for cut in 0..130 {
            let Some(t) = text.get(cut..) else { continue };
            let mut expected = Vec::new();
            let mut run: Option<usize> = None;
            for (i, c) in t.char_indices().chain([(t.len(), ' ')]) {
                match (run, c.is_alphanumeric() && i < t.len()) {
                    (None, true) => run = Some(i),
                    (Some(s), false) => {
                        expected.push((&t[s..i], t[s..i].is_ascii()));
                        run = None;
                    }
                    _ => {}
                }
            }
            assert_eq!(tokens(t), expected, "text from byte {cut}");
        }
    }
}
