//! Glyph names printed in place of characters: `Khrushchev/quotesingle.ts1s`.
//!
//! A PDF font that has no Unicode mapping for a glyph still has the glyph's *name*, and
//! some extractors (pypdf among them) print that name, with its slash, where the
//! character should be. The names come from the Adobe Glyph List (`quotesingle` is
//! U+0027, `endash` U+2013), sometimes with a variant suffix naming the font encoding or
//! style (`.ts1` is TeX's text-companion encoding, `.sc` small capitals), and the `uniXXXX`
//! / `uXXXXX` forms name any code point.
//!
//! A slash followed by a word is also how paths, URLs, `sed` commands and `w/` are
//! written, so a name is read as a glyph only where nothing else fits:
//!
//! * a name with a variant suffix (`/grave.ts1`) is a glyph name: no path component is
//!   spelled like that;
//! * a name without one must not be an English word (`/section`, `/one`, `/period` are
//!   far more often paths than glyphs) and must be at least four characters long;
//! * the token around it holds no other slash (`/usr/share/endash` is a path), and
//!   nothing path-like follows it (`/quoteright/x`, `/endash.txt`).
//!
//! The data is Adobe's `glyphlist.txt` (BSD-3-Clause), checked in under `rules/glyphs/`
//! and rebuilt by `scripts/build_glyphs.py`.

use std::collections::HashMap;
use std::sync::OnceLock;

use foldhash::fast::FixedState;

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::lexicon::Lexicon;
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::Proposals;

const GLYPH_NAME: RuleId = RuleId::from_static("unicode.glyph-name");

pub(super) const RULE: RuleInfo = RuleInfo::builtin(
    "unicode.glyph-name",
    "unicode",
    Applicability::Safe,
    "Glyph names printed instead of characters (`/quotesingle.ts1`) become the character.",
    "When a PDF font maps a glyph to no character, some extractors print the glyph's \
     name from the Adobe Glyph List instead, slash included, often glued to the word \
     around it and with a variant suffix such as `.ts1` (TeX's text-companion font). \
     A name is replaced only when it cannot be anything else: it carries a variant \
     suffix, or it is no English word and at least four letters long; and the token \
     around it holds no other slash, so paths, URLs and `sed` commands are left alone.\n\n\
     Example: `Khrushchev/quotesingle.ts1s visit` → `Khrushchev's visit`.",
);

/// Variant suffixes that mark a glyph name (font encodings and OpenType-style variants).
const VARIANT_SUFFIXES: &[&str] = &[
    "ts1",
    "t1",
    "ot1",
    "ly1",
    "t2a",
    "sc",
    "smcp",
    "c2sc",
    "osf",
    "onum",
    "lf",
    "lnum",
    "tf",
    "tnum",
    "pnum",
    "alt",
    "salt",
    "swash",
    "sups",
    "sinf",
    "subs",
    "dnom",
    "numr",
    "oldstyle",
    "superior",
    "inferior",
    "taboldstyle",
    "case",
    "ss01",
    "ss02",
    "ss03",
];

/// The longest name in the glyph list is 24 bytes; nothing longer is looked up.
const MAX_NAME: usize = 32;

/// The Adobe Glyph List: name → its code points, as the list writes them (`0041`,
/// `0066 0069`).
///
/// The code points are parsed only for a name found in a text: parsing all 4,500 up
/// front cost more than every lookup of a run over the benchmark, and a one-file run of
/// the CLI pays it in full. Hashed with foldhash rather than std's SipHash: a slash
/// before a long word asks for every prefix of the word.
fn glyph_list() -> &'static HashMap<&'static str, &'static str, FixedState> {
    static LIST: OnceLock<HashMap<&'static str, &'static str, FixedState>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../../rules/glyphs/glyphlist.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(';'))
            .collect()
    })
}

/// The characters of a glyph list entry's code points (`0066 0069` → `fi`).
fn parse_code_points(codes: &str) -> Option<String> {
    codes
        .split(' ')
        .map(|h| u32::from_str_radix(h, 16).ok().and_then(char::from_u32))
        .collect()
}

/// Proposes a fix for every glyph name in `text` that can be nothing else.
pub(super) fn find_glyph_names(text: &str, lexicon: &Lexicon, out: &mut Proposals) {
    let bytes = text.as_bytes();
    for slash in memchr::memchr_iter(b'/', bytes) {
        if let Some(found) = glyph_at(text, slash, lexicon) {
            out.push(
                Fix::single(
                    GLYPH_NAME,
                    Applicability::Safe,
                    Edit::new(found.span, found.chars.as_str()),
                )
                .with_message("an unmapped glyph's name printed for it (Adobe Glyph List)"),
            );
        }
    }
}

struct Found {
    span: Span,
    chars: String,
}

/// The glyph name starting at the slash at `slash`, if it can be nothing else.
fn glyph_at(text: &str, slash: usize, lexicon: &Lexicon) -> Option<Found> {
    let bytes = text.as_bytes();
    let rest = &bytes[slash + 1..];
    // Every name, `uni…` and `u…` included, opens with a letter (a test holds the list
    // to that); a slash before a digit (`1/2`, `/1957`) need not look its prefixes up.
    if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let run = rest
        .iter()
        .take(MAX_NAME)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if run < 2 {
        return None;
    }
    // The longest name that starts here: names are often glued to the next word
    // (`/quoterights`), so every prefix is a candidate.
    let (name_len, chars) = (2..=run).rev().find_map(|n| {
        let name = &text[slash + 1..slash + 1 + n];
        glyph_chars(name).map(|c| (n, c))
    })?;
    let name = &text[slash + 1..slash + 1 + name_len];
    let mut end = slash + 1 + name_len;
    let suffix = variant_suffix(&bytes[end..]);
    if let Some(len) = suffix {
        end += len;
    } else if name.len() < 4 || lexicon.contains(name) {
        return None;
    }
    if !stands_alone(bytes, slash, end, suffix.is_some()) {
        return None;
    }
    Some(Found {
        span: Span::new(slash, end),
        chars,
    })
}

/// The characters a glyph name stands for: an Adobe Glyph List name, `uniXXXX…` (one or
/// more groups of four hex digits) or `uXXXX`–`uXXXXXX`.
fn glyph_chars(name: &str) -> Option<String> {
    if let Some(codes) = glyph_list().get(name) {
        return parse_code_points(codes);
    }
    let hex = |h: &str| {
        h.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
            .then(|| u32::from_str_radix(h, 16).ok().and_then(char::from_u32))
            .flatten()
    };
    if let Some(groups) = name.strip_prefix("uni") {
        if !groups.is_empty() && groups.len() % 4 == 0 {
            return (0..groups.len())
                .step_by(4)
                .map(|i| hex(&groups[i..i + 4]))
                .collect();
        }
    }
    if let Some(h) = name.strip_prefix('u') {
        if (4..=6).contains(&h.len()) {
            return hex(h).map(String::from);
        }
    }
    None
}

/// The length of a `.suffix` at the start of `after`, when it is a known variant.
fn variant_suffix(after: &[u8]) -> Option<usize> {
    if after.first() != Some(&b'.') {
        return None;
    }
    // Longest first: `ts1` before `t1` would not matter, `oldstyle` before `o…` would.
    VARIANT_SUFFIXES
        .iter()
        .filter(|s| after[1..].starts_with(s.as_bytes()))
        .map(|s| s.len() + 1)
        .max()
}

/// True when the name at `slash..end` is not part of a path, URL or command: no path
/// comes right before it or right after it, and the whitespace-delimited token around
/// it has no other slash (glyph names aside) — unless the name has a variant suffix and
/// the token opens with such a name.
///
/// Why a suffixed name may share its token with other slashes: the quotes around a
/// quoted path or branch come out as names glued to both of its ends
/// (`/quotesingle.ts1origin/master/quotesingle.ts1.`, pypdf on a LaTeX manual), while a
/// path that merely ends in such a name (`/usr/share/fonts/enc/quotesingle.ts1`) opens
/// with a directory.
fn stands_alone(bytes: &[u8], slash: usize, end: usize, suffixed: bool) -> bool {
    if let Some(&next) = bytes.get(end) {
        if next == b'/'
            || (next == b'.' && bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric))
        {
            return false;
        }
    }
    let token_start = bytes[..slash]
        .iter()
        .rposition(u8::is_ascii_whitespace)
        .map_or(0, |i| i + 1);
    let before = &bytes[token_start..slash];
    if before.ends_with(b":") || before.ends_with(b"/") || before.ends_with(b"~") {
        return false;
    }
    // The quotes are glued to both ends of the path, so the token opens with one.
    let first_slash = bytes[token_start..slash]
        .iter()
        .position(|&b| b == b'/')
        .map_or(slash, |i| token_start + i);
    if suffixed && starts_suffixed_name(&bytes[first_slash + 1..]) {
        return true;
    }
    // Other slashes in the token must themselves start glyph names (`/grave.ts1show
    // w/quotesingle.ts1` has two), never path separators.
    let token_end = bytes[end..]
        .iter()
        .position(u8::is_ascii_whitespace)
        .map_or(bytes.len(), |i| end + i);
    let others = bytes[token_start..token_end]
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'/' && token_start + i != slash)
        .count();
    others == 0 || token_has_only_glyph_slashes(bytes, token_start, token_end)
}

/// True when every slash of the token is followed by a name with a variant suffix: a
/// token made of glyph names glued together, not a path.
fn token_has_only_glyph_slashes(bytes: &[u8], start: usize, end: usize) -> bool {
    bytes[start..end]
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'/')
        .all(|(i, _)| starts_suffixed_name(&bytes[start + i + 1..end]))
}

/// True when `after` (the bytes after a slash) starts with a glyph name and a variant
/// suffix (`quotesingle.ts1origin`): some prefix of its name run is a glyph name.
fn starts_suffixed_name(after: &[u8]) -> bool {
    let name = after
        .iter()
        .take(MAX_NAME)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    (2..=name).any(|n| {
        std::str::from_utf8(&after[..n])
            .ok()
            .is_some_and(|s| glyph_list().contains_key(s))
            && variant_suffix(&after[n..]).is_some()
    })
}

#[cfg(test)]
mod tests {
    use crate::stages::unicode::tests::clean;

    #[test]
    fn every_glyph_list_entry_is_a_letter_led_name_of_valid_code_points() {
        // `glyph_at` skips a slash before anything but a letter without looking it up,
        // and a name in the list is taken for a glyph before its code points are read.
        for (name, codes) in super::glyph_list() {
            assert!(name.as_bytes()[0].is_ascii_alphabetic(), "{name:?}");
            assert!(
                super::parse_code_points(codes).is_some(),
                "{name:?}: {codes:?}"
            );
        }
    }

    #[test]
    fn pypdf_glyph_names_become_characters() {
        // pypdf on pdflatex output: the upright quote comes from the TS1 font.
        assert_eq!(
            clean("Khrushchev/quotesingle.ts1s visit, it doesn/quotesingle.ts1t"),
            "Khrushchev's visit, it doesn't"
        );
        assert_eq!(
            clean("type /grave.ts1show w/quotesingle.ts1 for details"),
            "type `show w' for details"
        );
        assert_eq!(clean("a /endash b"), "a \u{2013} b");
        assert_eq!(clean("it/quoteright s"), "it\u{2019} s");
        assert_eq!(clean("x/uni2019s"), "x\u{2019}s");
        // Quotes around a path or a branch name share its token (dev: gittutorial and
        // apt-get, pdflatex through pypdf).
        assert_eq!(
            clean("merge /quotesingle.ts1origin/master/quotesingle.ts1."),
            "merge 'origin/master'."
        );
        assert_eq!(
            clean("the /quotesingle.ts1</>/quotesingle.ts1 operators"),
            "the '</>' operators"
        );
    }

    #[test]
    fn paths_urls_and_commands_are_not_glyph_names() {
        for text in [
            "/usr/share/doc/endash",
            "see /etc/apt/sources.list and /var/lib/dpkg",
            "https://example.org/section/one",
            "cd /home/alice/project",
            "s/quoteright/x/g",
            "/quoteright.txt",
            "alice.org:/quotedbl",
            "w/ section",
            "a /section of /one /period",
            "~/endash",
            "/usr/share/fonts/enc/quotesingle.ts1",
        ] {
            assert_eq!(clean(text), text, "{text}");
        }
    }
}
