//! The decode stage: from bytes to the text every other stage works on.
//!
//! Decoding happens in two steps with different natures:
//!
//! 1. [`decode`] turns bytes into a `String`. This is transcoding, not repair: the
//!    result is the *original text* that every change is measured against. UTF-8 (with
//!    or without BOM), UTF-16 with a BOM, and — only when the bytes are not UTF-8 —
//!    legacy single-byte encodings guessed by `chardetng` and decoded by `encoding_rs`.
//!    Invalid sequences become U+FFFD, each with a diagnostic naming its byte offset.
//!    Binary input is refused.
//! 2. The [`Decode`] stage then repairs that text like any other stage, so the repairs
//!    are attributed and reviewable: CRLF and lone CR become LF, NUL and other control
//!    characters are removed (tab, newline and form feed stay: form feeds are page
//!    breaks for the layout stage). C1 controls are left for the unicode stage, which
//!    repairs those that are mojibake bytes and removes the rest.

use std::fmt;

use crate::fix::{Applicability, Diagnostic, Edit, Fix, RuleId, Severity};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

const CRLF: RuleId = RuleId::from_static("decode.line-ending");
const CONTROL: RuleId = RuleId::from_static("decode.control-char");

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        "decode.line-ending",
        "decode",
        Applicability::Safe,
        "CRLF and lone CR line endings become LF.",
        "Windows (CRLF) and classic Mac (CR) line endings become a single line feed, so \
         every later stage sees one kind of line break.\n\n\
         Example: `one\\r\\ntwo\\rthree` → `one\\ntwo\\nthree`.",
    ),
    RuleInfo::builtin(
        "decode.control-char",
        "decode",
        Applicability::Safe,
        "NUL and other C0 control characters are removed (tab, newline, form feed stay).",
        "C0 control characters (U+0000–U+001F) other than tab, line feed and form feed, \
         and DEL (U+007F) carry no text; extractors leak them from font encodings, \
         terminal captures leak whole ANSI escape sequences (`ESC[0m`), which go as one. \
         Form feeds are kept: they are page breaks, which the layout stage needs.\n\n\
         C1 controls (U+0080–U+009F) are left for the unicode stage: they are usually \
         bytes of mojibake (`Å\\u{81}` is `Ł` read as Latin-1; `\\u{93}` is a windows-1252 \
         `“` read as Latin-1), and removing them first would make the repair impossible; \
         the unicode stage removes the ones it cannot repair (`unicode.control-char`).\n\n\
         Example: `ab\\u{0}c\\u{7}d` → `abcd`.",
    ),
];

/// How the bytes were decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (the mark is not part of the text).
    Utf8Bom,
    /// UTF-16, little-endian, with a byte-order mark.
    Utf16Le,
    /// UTF-16, big-endian, with a byte-order mark.
    Utf16Be,
    /// A legacy single-byte encoding, by its WHATWG name (`windows-1252`, …).
    Legacy(&'static str),
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Legacy(name) => name,
        })
    }
}

/// Text decoded from bytes.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The text: the original that every change refers to.
    pub text: String,
    /// The encoding the bytes were read as.
    pub encoding: Encoding,
    /// One diagnostic per invalid byte sequence (the message names the byte offset in
    /// the input; the span is where the U+FFFD landed in `text`), plus an info
    /// diagnostic when the encoding was not plain UTF-8.
    pub diagnostics: Vec<Diagnostic>,
}

/// Why bytes were not decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input looks like a binary file, not text.
    #[error("binary file: {0}")]
    Binary(String),
}

/// How much of the input the binary-file check looks at.
const SNIFF_LEN: usize = 8192;

/// Decodes bytes into text.
///
/// ```
/// use recto::stages::decode::{decode, Encoding};
/// let d = decode(b"caf\xc3\xa9").unwrap();
/// assert_eq!((d.text.as_str(), d.encoding), ("café", Encoding::Utf8));
///
/// // Not UTF-8: a legacy encoding is guessed.
/// let d = decode(b"caf\xe9 cr\xe8me br\xfbl\xe9e").unwrap();
/// assert_eq!(d.text, "café crème brûlée");
///
/// // UTF-16 with a byte-order mark.
/// let d = decode(b"\xff\xfeh\x00i\x00").unwrap();
/// assert_eq!((d.text.as_str(), d.encoding), ("hi", Encoding::Utf16Le));
///
/// assert!(decode(b"\x7fELF\x02\x01\x01\x00\x00\x00").is_err());
/// ```
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok(decode_utf16(rest, Encoding::Utf16Le, 2));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(decode_utf16(rest, Encoding::Utf16Be, 2));
    }
    let (body, encoding, skipped) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, Encoding::Utf8Bom, 3),
        None => (bytes, Encoding::Utf8, 0),
    };
    check_not_binary(body)?;
    if let Ok(text) = std::str::from_utf8(body) {
        let mut diagnostics = Vec::new();
        if encoding == Encoding::Utf8Bom {
            diagnostics.push(Diagnostic::new(
                "decode.encoding",
                Severity::Info,
                "UTF-8 byte-order mark removed",
            ));
        }
        return Ok(Decoded {
            text: text.to_owned(),
            encoding,
            diagnostics,
        });
    }
    if encoding == Encoding::Utf8 && !looks_like_utf8(body) {
        return Ok(decode_legacy(body));
    }
    Ok(decode_utf8_lossy(body, encoding, skipped))
}

/// Like [`decode`], taking ownership: valid UTF-8 without a BOM becomes the text
/// without a copy.
///
/// ```
/// let d = recto::stages::decode::decode_owned(b"caf\xc3\xa9".to_vec()).unwrap();
/// assert_eq!(d.text, "café");
/// ```
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    let has_bom = [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"]
        .iter()
        .any(|bom| bytes.starts_with(bom));
    if !has_bom {
        check_not_binary(&bytes)?;
        return match String::from_utf8(bytes) {
            Ok(text) => Ok(Decoded {
                text,
                encoding: Encoding::Utf8,
                diagnostics: Vec::new(),
            }),
            Err(e) => decode(e.as_bytes()),
        };
    }
    decode(&bytes)
}

/// Signatures of binary formats people are likely to pass by mistake.
const SIGNATURES: &[(&[u8], &str)] = &[
    (
        b"%PDF-",
        "a PDF file: extract its text first (e.g. with pdftotext)",
    ),
    (b"PK\x03\x04", "a ZIP archive (or a DOCX/ODT/EPUB document)"),
    (b"\x7fELF", "an executable"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
];

/// Refuses input that is not text: a known binary signature, NUL bytes beyond a stray
/// one or two in the first 8 KB (UTF-16 without a BOM is refused too — it cannot be
/// told from binary reliably), or more than 10% control bytes other than tab, LF, CR,
/// FF and ESC. A text file with a stray NUL is text: the stage below removes the NUL.
fn check_not_binary(bytes: &[u8]) -> Result<(), DecodeError> {
    if let Some((_, what)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Err(DecodeError::Binary((*what).to_owned()));
    }
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let nuls = memchr::memchr_iter(0, head).count();
    if nuls > 2 && nuls * 200 > head.len() {
        let at = memchr::memchr(0, head).unwrap_or(0);
        return Err(DecodeError::Binary(format!(
            "{nuls} NUL bytes in the first {} bytes (the first at offset {at})",
            head.len()
        )));
    }
    let controls = count_binary_controls(head);
    if head.len() >= 32 && controls * 10 > head.len() {
        return Err(DecodeError::Binary(format!(
            "{controls} of the first {} bytes are control bytes",
            head.len()
        )));
    }
    Ok(())
}

/// How many bytes of `head` are C0 controls other than tab, LF, CR, FF and ESC: the
/// bytes text has no use for.
///
/// Byte arithmetic summed in `u8`s over chunks of 255 bytes, which the compiler
/// vectorises (every document is sniffed, and a `filter` of `matches!` ran a branchy
/// loop at some seven instructions a byte, [`any_needs_a_look`]'s reason too).
fn count_binary_controls(head: &[u8]) -> usize {
    head.chunks(usize::from(u8::MAX))
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &b| {
                let control = u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n');
                n + (control & u8::from(b != b'\r') & u8::from(b != 0x0C) & u8::from(b != 0x1B))
            });
            usize::from(n)
        })
        .sum()
}

/// Invalid UTF-8 could be UTF-8 with a few broken bytes or a legacy encoding. It is
/// UTF-8 when valid multi-byte sequences outnumber the invalid ones: a legacy-encoded
/// text has almost no byte pairs that happen to form valid UTF-8.
fn looks_like_utf8(bytes: &[u8]) -> bool {
    let (mut valid_multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid_multibyte > invalid
}

fn decode_utf8_lossy(bytes: &[u8], encoding: Encoding, skipped: usize) -> Decoded {
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut diagnostics = Vec::new();
    let mut offset = skipped;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        offset += chunk.valid().len();
        let bad = chunk.invalid();
        if !bad.is_empty() {
            let at = text.len();
            text.push(char::REPLACEMENT_CHARACTER);
            diagnostics.push(
                Diagnostic::new(
                    "decode.invalid-utf8",
                    Severity::Warning,
                    format!(
                        "invalid UTF-8 sequence {} at byte offset {offset}, replaced by U+FFFD",
                        hex(bad)
                    ),
                )
                .with_span(Span::new(at, text.len())),
            );
            offset += bad.len();
        }
    }
    Decoded {
        text,
        encoding,
        diagnostics,
    }
}

fn decode_legacy(bytes: &[u8]) -> Decoded {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // A detector may guess a multi-byte legacy encoding (Shift_JIS, GBK) for Western
    // text with few high bytes; recto's users are overwhelmingly Latin-script, and a
    // wrong multi-byte guess destroys text, so anything not single-byte falls back to
    // windows-1252, the encoding such bytes most often are.
    let encoding = if guess.is_single_byte() {
        guess
    } else {
        encoding_rs::WINDOWS_1252
    };
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: Encoding::Legacy(encoding.name()),
        diagnostics: vec![Diagnostic::new(
            "decode.encoding",
            Severity::Info,
            format!("not valid UTF-8; decoded as {}", encoding.name()),
        )],
    }
}

fn decode_utf16(bytes: &[u8], encoding: Encoding, skipped: usize) -> Decoded {
    let big_endian = encoding == Encoding::Utf16Be;
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2 + 16);
    let mut diagnostics = vec![Diagnostic::new(
        "decode.encoding",
        Severity::Info,
        format!("decoded as {encoding}"),
    )];
    let mut unit_index = 0usize;
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => {
                text.push(c);
                unit_index += c.len_utf16();
            }
            Err(e) => {
                replace_invalid(
                    &mut text,
                    &mut diagnostics,
                    format!(
                        "unpaired surrogate {:#06x} at byte offset {}",
                        e.unpaired_surrogate(),
                        skipped + unit_index * 2
                    ),
                );
                unit_index += 1;
            }
        }
    }
    if bytes.len() % 2 == 1 {
        replace_invalid(
            &mut text,
            &mut diagnostics,
            format!(
                "odd trailing byte at byte offset {}",
                skipped + bytes.len() - 1
            ),
        );
    }
    Decoded {
        text,
        encoding,
        diagnostics,
    }
}

/// Appends U+FFFD for invalid UTF-16 and reports where it came from.
fn replace_invalid(text: &mut String, diagnostics: &mut Vec<Diagnostic>, what: String) {
    let at = text.len();
    text.push(char::REPLACEMENT_CHARACTER);
    diagnostics.push(
        Diagnostic::new(
            "decode.invalid-utf16",
            Severity::Warning,
            format!("{what}, replaced by U+FFFD"),
        )
        .with_span(Span::new(at, text.len())),
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The decode stage: line endings and control characters.
pub(crate) struct Decode;

impl Stage for Decode {
    fn name(&self) -> &'static str {
        "decode"
    }

    fn run(&self, doc: &Document<'_>, _cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        let bytes = text.as_bytes();
        let mut controls: Vec<Span> = Vec::new();
        // One pass over bytes: only C0 controls and DEL need a look. A block of
        // [`BLOCK`] bytes without one (most of a text) is passed over whole; a block
        // that holds one is read byte by byte to its end (not tested again from each
        // byte: a CRLF text has a control in every line).
        let mut i = 0;
        while i < bytes.len() {
            let block_end = match bytes.get(i..i + BLOCK) {
                Some(block) if !any_needs_a_look(block) => {
                    i += BLOCK;
                    continue;
                }
                Some(_) => i + BLOCK,
                None => bytes.len(),
            };
            while i < block_end {
                let b = bytes[i];
                if !needs_a_look(b) {
                    i += 1;
                    continue;
                }
                match b {
                    b'\r' => {
                        let len = if bytes.get(i + 1) == Some(&b'\n') {
                            2
                        } else {
                            1
                        };
                        out.push(Fix::single(
                            CRLF,
                            Applicability::Safe,
                            Edit::new(Span::new(i, i + len), "\n"),
                        ));
                        i += len;
                    }
                    0x1B => {
                        // An ANSI escape sequence (`ESC [ 0 m`) is one piece of debris:
                        // take its parameters and final byte with it.
                        let len = ansi_sequence_len(&text[i..]);
                        controls.push(Span::new(i, i + len));
                        i += len;
                    }
                    _ => {
                        controls.push(Span::new(i, i + 1));
                        i += 1;
                    }
                }
            }
        }
        // Adjacent control characters go in one fix: they are one piece of debris.
        let mut i = 0;
        while i < controls.len() {
            let mut span = controls[i];
            while i + 1 < controls.len() && controls[i + 1].start == span.end {
                i += 1;
                span = span.cover(controls[i]);
            }
            out.push(
                Fix::single(CONTROL, Applicability::Safe, Edit::delete(span)).with_message(
                    format!(
                        "removed control character(s) {}",
                        escape(&text[span.range()])
                    ),
                ),
            );
            i += 1;
        }
    }
}

/// Bytes [`Decode`]'s scan passes over a block at a time when none of them needs a look.
const BLOCK: usize = 32;

/// Whether the byte loop must look at `b`: a C0 control or DEL, except the tab, line
/// feed and form feed that text keeps. Comparisons only, no table, so that the fold
/// over a block becomes a few vector instructions (line feeds, one in every line, no
/// longer send their block through the byte loop).
#[inline(always)]
fn needs_a_look(b: u8) -> bool {
    (b < 0x20 && b != b'\t' && b != b'\n' && b != 0x0C) || b == 0x7F
}

/// [`needs_a_look`] of any byte of `block`, as byte arithmetic the compiler vectorises
/// (a fold of `bool`s it compiles to a branch per byte).
#[inline(always)]
fn any_needs_a_look(block: &[u8]) -> bool {
    block.iter().fold(0u8, |any, &b| {
        let control = u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n');
        any | (control & u8::from(b != 0x0C)) | u8::from(b == 0x7F)
    }) != 0
}

/// Length of the escape sequence at the start of `s` (which starts with ESC): a CSI
/// sequence `ESC [ params final`, or the lone ESC.
fn ansi_sequence_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.get(1) != Some(&b'[') {
        return 1;
    }
    // Parameter and intermediate bytes are 0x20..=0x3F; the final byte is 0x40..=0x7E.
    let params = b[2..]
        .iter()
        .take(32)
        .take_while(|&&c| (0x20..=0x3F).contains(&c))
        .count();
    match b.get(2 + params) {
        Some(&f) if (0x40..=0x7E).contains(&f) => 3 + params,
        _ => 1,
    }
}

/// `\u{0}\u{7}` → `U+0000 U+0007`, for messages.
fn escape(s: &str) -> String {
    s.chars()
        .map(|c| format!("U+{:04X}", c as u32))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_controls_are_counted_as_defined_across_chunks() {
        let binary = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B);
        // Every byte value, and runs of one byte long enough to fill several 255-byte
        // chunks (a `u8` sum over more would wrap).
        let every: Vec<u8> = (0..=255u8).collect();
        assert_eq!(count_binary_controls(&every), 27);
        for b in 0..=255u8 {
            let run = vec![b; 1000];
            let expected = if binary(b) { 1000 } else { 0 };
            assert_eq!(count_binary_controls(&run), expected, "{b:#x}");
        }
    }

    #[test]
    fn the_block_test_finds_exactly_the_controls_the_byte_loop_handles() {
        for b in 0..=255u8 {
            let harmless = (b >= 0x20 && b != 0x7F) || matches!(b, b'\t' | b'\n' | 0x0C);
            assert_eq!(needs_a_look(b), !harmless, "{b:#x}");
        }
        // A control in every position of a block and of the tail after it is removed;
        // so are both of two controls in one block, and a CRLF across a block's end.
        for at in 0..BLOCK + 3 {
            let mut text = "a".repeat(BLOCK + 3);
            text.insert(at, '\u{7}');
            assert_eq!(run(&text), "a".repeat(BLOCK + 3), "at {at}");
            text.insert(BLOCK + 3 - at / 2, '\u{0}');
            assert_eq!(run(&text), "a".repeat(BLOCK + 3), "at {at}, twice");
        }
        let mut crlf = "a".repeat(BLOCK - 1);
        crlf.push_str("\r\nb\r\n");
        assert_eq!(run(&crlf), format!("{}\nb\n", "a".repeat(BLOCK - 1)));
    }

    fn run(text: &str) -> String {
        crate::pipeline::run_stages(vec![Box::new(Decode)], Applicability::Safe, text).output
    }

    #[test]
    fn line_endings_become_lf() {
        assert_eq!(run("a\r\nb\rc\n\r\n"), "a\nb\nc\n\n");
    }

    #[test]
    fn controls_go_but_tab_newline_and_form_feed_stay() {
        assert_eq!(
            run("a\u{0}b\u{7}\u{1b}c\td\n\u{c}e\u{7f}"),
            "abc\td\n\u{c}e"
        );
        // ANSI colour codes leak from terminal captures: the whole sequence goes.
        assert_eq!(run("\u{1b}[1;31mred\u{1b}[0m text"), "red text");
    }

    #[test]
    fn c1_controls_are_left_for_the_unicode_stage() {
        // "Ł" (C5 81) read as Latin-1 is "Å\u{81}": a mojibake repair needs the byte.
        assert_eq!(run("Å\u{81}ódź x\u{85}y"), "Å\u{81}ódź x\u{85}y");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_with_byte_offset() {
        // Mostly valid UTF-8 (three accented letters) with two broken sequences.
        let d = decode(b"ab\xffcd\xe9\xa0 caf\xc3\xa9 na\xc3\xafve \xc3\xa9").unwrap();
        assert_eq!(d.encoding, Encoding::Utf8);
        assert_eq!(d.text, "ab\u{fffd}cd\u{fffd} café naïve é");
        assert_eq!(d.diagnostics.len(), 2);
        assert!(d.diagnostics[0].message.contains("FF at byte offset 2"));
        assert!(d.diagnostics[1].message.contains("E9 A0 at byte offset 5"));
        assert_eq!(d.diagnostics[0].span, Some(Span::new(2, 5)));
    }

    #[test]
    fn utf16_be_with_bom_and_unpaired_surrogate() {
        let d = decode(b"\xfe\xff\x00h\xd8\x00\x00i").unwrap();
        assert_eq!(d.encoding, Encoding::Utf16Be);
        assert_eq!(d.text, "h\u{fffd}i");
        assert!(d.diagnostics[1].message.contains("byte offset 4"));
    }

    #[test]
    fn utf8_bom_is_not_text() {
        let d = decode(b"\xef\xbb\xbfhello").unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("hello", Encoding::Utf8Bom));
    }

    #[test]
    fn binary_and_empty_inputs() {
        assert!(matches!(
            decode(b"PK\x03\x04\x00\x00"),
            Err(DecodeError::Binary(_))
        ));
        assert!(
            matches!(decode(b"%PDF-1.7\n%\xe2\xe3"), Err(DecodeError::Binary(m)) if m.contains("PDF"))
        );
        let nuls: Vec<u8> = (0..400)
            .map(|i| if i % 16 == 0 { 0 } else { b'a' })
            .collect();
        assert!(matches!(decode(&nuls), Err(DecodeError::Binary(_))));
        // One stray NUL in a text is text.
        assert_eq!(decode(b"a stray\x00 NUL").unwrap().text, "a stray\u{0} NUL");
        let controls: Vec<u8> = (0..200)
            .map(|i| if i % 3 == 0 { 1 } else { b'a' })
            .collect();
        assert!(matches!(decode(&controls), Err(DecodeError::Binary(_))));
        assert_eq!(decode(b"").unwrap().text, "");
    }

    #[test]
    fn legacy_cyrillic_is_detected() {
        // "Привет, товарищ" in windows-1251.
        let bytes =
            b"\xcf\xf0\xe8\xe2\xe5\xf2, \xf2\xee\xe2\xe0\xf0\xe8\xf9 \xcf\xf0\xe8\xe2\xe5\xf2";
        let d = decode(bytes).unwrap();
        assert_eq!(d.text, "Привет, товарищ Привет");
        assert_eq!(d.encoding, Encoding::Legacy("windows-1251"));
    }
}
