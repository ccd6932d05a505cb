//! Mojibake: finds runs of text that were UTF-8 decoded as windows-1252 or latin-1 (once
//! or more) and computes what they were meant to say.
//!
//! `cafÃ©` is `café` whose UTF-8 bytes `C3 A9` were read as two windows-1252 characters;
//! `cafÃƒÂ©` is the same accident twice. Reversing it is mechanical — map each character
//! back to the byte it was decoded from and decode the bytes as UTF-8 — so the hard part
//! is *deciding*: `SÃO PAULO`, `NESCAFÉ®`, `HYVÄ”` and `3×²` are correct text made of
//! the same characters. The decision rests on two observations:
//!
//! * **The original must look wrong.** Every mis-decoded character starts with a letter
//!   in `Â`..`ô` followed by one to three characters from the 64 that bytes `80..BF`
//!   decode to: C1 controls, typographic punctuation and Latin-1 symbols. Some of these
//!   never follow a letter in real text (`¤ ¨ © ‰ ƒ` and C1 controls); others do at the end
//!   of a word (`” ’ … — ®`), and are evidence only in context: inside a word (`CÃ”TE`),
//!   after a lower-case letter (`voilÃ `), or as a word of their own. Each run gets a score
//!   from this evidence ([`cont_weight`], [`context_bonus`]).
//! * **The repair must look right.** The decoded characters must be text people write:
//!   Latin, Greek, Cyrillic, punctuation, symbols ([`Class::Common`]). Other scripts
//!   (CJK, Hebrew, Arabic, emoji, IPA, combining marks) are accepted only on strong
//!   evidence, and C1 controls or unassigned characters never; a lower-case letter
//!   produced inside an upper-case word is rejected too. This is what keeps `3×²` (which
//!   would decode to a Hebrew ligature) and `NESCAFÉ®` (IPA `ɮ`) intact.
//!
//! Runs whose evidence alone is too weak (`Ð’ 1990` — `В 1990` in Cyrillic, or correct
//! text?) are repaired only when a confidently repaired run lies nearby: mojibake comes
//! in documents or segments, not in single characters.
//!
//! Doubly (triply) encoded runs are peeled one layer at a time, each layer judged like
//! the run itself, so `NESCAFÃƒâ€°Ã‚Â®` stops at `NESCAFÉ®`. Two lossy forms are
//! restored: a no-break space that became a space (`fermÃ© Ã  cause`, `â‰  1`), and
//! windows-1252 text read as latin-1, whose C1 controls (`\u{93}`) stand alone.
//!
//! Learned from ftfy (Robyn Speer, Apache-2.0; `ftfy/badness.py`, `ftfy/chardata.py`,
//! `ftfy/__init__.py`): that mojibake is recognised by *unlikely character sequences*
//! rather than by character frequencies, the classification of the characters bytes
//! `80..BF` become into "almost never in real text" versus "common", reading undefined
//! windows-1252 bytes as C1 controls ("sloppy" decoding), and repeating the repair for
//! doubly encoded text. No code or tables were copied; the categories, scores and the
//! per-run, context-sensitive decision here are recto's own. Unlike ftfy, which re-decodes
//! whole strings when it can, every repair here is one tight run, so a person can review
//! it, and the plausibility test of the *result* is stricter (ftfy turns `3×²` into `3ײ`).
//! `scripts/mojibake_oracle.py` generates the cases that compare the two.

use crate::fix::Applicability;
use crate::registry::RuleInfo;
use crate::span::Span;

/// The documentation of `unicode.mojibake`, for the unicode stage's `RULES`.
pub(crate) const RULE: RuleInfo = RuleInfo::builtin(
    "unicode.mojibake",
    "unicode",
    Applicability::Safe,
    "Restores text that was UTF-8 read as windows-1252 or latin-1, once or more.",
    "Text whose UTF-8 bytes were decoded as windows-1252 or latin-1 turns every accented \
     letter, curly quote or dash into two or three odd characters: `é` becomes `Ã©`, `“` \
     becomes `â€œ`, Cyrillic `Совет` becomes `Ð¡Ð¾Ð²ÐµÑ‚`; doing it twice gives `ÃƒÂ©`. \
     The rule maps each such run back to its bytes and decodes them as UTF-8, as many \
     times as the run was broken, and repairs each run separately.\n\n\
     It acts only when the run cannot be correct text (a letter followed by symbols that \
     never follow letters, like `©` or `‰`, or by punctuation in the middle of a word) \
     and the result is text people write. Correct text that looks alike is left alone: \
     `SÃO PAULO`, `NESCAFÉ®`, `“HYVÄ”`, `3×²`, names like `Mátyás Rákosi`. A weak run \
     (`Ð’ 1990`) is repaired only near confident ones. Also repaired: no-break spaces \
     that became spaces inside mojibake (`fermÃ© Ã  cause`), and stray C1 controls \
     from windows-1252 read as latin-1 (`\\u{93}` is `“`).\n\n\
     Example: `cafÃ©` → `café`, `cafÃƒÂ©` → `café` (two layers), \
     `â€œquotedâ€\\u{9d}` → `“quoted”`.",
);

/// One repaired run: `span` in the input text, `replacement` the restored text, `layers`
/// how many times the run had been mis-decoded (1 or 2, at most 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MojibakeRepair {
    pub span: Span,
    pub replacement: String,
    pub layers: u8,
}

/// Finds mojibake runs in `text` and their repairs, sorted by position and disjoint.
///
/// Besides UTF-8 read as windows-1252 or latin-1, this repairs the related accident of
/// windows-1252 read as latin-1: a C1 control character outside any run (`\u{93}` for
/// `“`) becomes the windows-1252 character of its byte, as browsers do; C1 controls
/// have no use in text.
///
/// Linear in the length of `text`; text without a character in `U+0080..=U+00FF` (all
/// ASCII, most non-Latin scripts) is dismissed by one `memchr2` pass.
pub(crate) fn find_mojibake(text: &str) -> Vec<MojibakeRepair> {
    let bytes = text.as_bytes();
    let mut candidates = Vec::new();
    let mut pos = 0;
    // Every lead character (`Â`..`ô`, U+00C2..=U+00F4) is encoded in UTF-8 as `C3 xx`,
    // every C1 control as `C2 80..=C2 9F`; neither byte occurs inside a character.
    while let Some(found) = memchr::memchr2(0xC2, 0xC3, &bytes[pos..]) {
        let at = pos + found;
        if bytes[at] == 0xC2 {
            candidates.extend(c1_control_at(text, at));
            pos = at + 1;
            continue;
        }
        let (end, candidate) = candidate_at(text, at);
        // A run that was rejected is skipped whole: retrying inside it would only find
        // pieces of the same run (and make the scan quadratic).
        pos = end.max(at + 1);
        candidates.extend(candidate);
    }
    resolve(candidates)
}

/// A C1 control at `at` that windows-1252 defines (all but 81, 8D, 8F, 90 and 9D), as
/// the character windows-1252 gives its byte.
fn c1_control_at(text: &str, at: usize) -> Option<Candidate> {
    let byte = *text.as_bytes().get(at + 1)?;
    if !(0x80..=0x9F).contains(&byte) {
        return None;
    }
    let replacement = char_of_cp1252(byte)?;
    Some(Candidate {
        span: Span::new(at, at + 2),
        replacement: replacement.to_string(),
        layers: 1,
        confident: true,
        supportable: true,
    })
}

/// The character windows-1252 decodes byte `b` (`80..=9F`) to, if it defines one.
fn char_of_cp1252(b: u8) -> Option<char> {
    CP1252_80_9F[usize::from(b - 0x80)]
}

/// How far (in bytes) a confident repair lends its support to a weak one.
const SUPPORT_WINDOW: usize = 400;

/// Score at which a run is mojibake on its own evidence.
const THRESHOLD: u32 = 2;
/// Score a run needs, without context, before it may decode to another script
/// ([`Class::Exotic`]).
const THRESHOLD_EXOTIC: u32 = 3;

/// A run that decodes, with the verdict on it.
#[derive(Debug)]
struct Candidate {
    span: Span,
    replacement: String,
    layers: u8,
    /// Whether the run's own evidence suffices.
    confident: bool,
    /// Whether the run may be repaired on the strength of a confident run nearby.
    supportable: bool,
}

/// Keeps the confident candidates and the supportable ones near a confident one.
fn resolve(candidates: Vec<Candidate>) -> Vec<MojibakeRepair> {
    let confident: Vec<Span> = candidates
        .iter()
        .filter(|c| c.confident)
        .map(|c| c.span)
        .collect();
    // Both lists are sorted by position, so one cursor finds the nearest confident run.
    let mut next = 0;
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        while next < confident.len() && confident[next].end <= c.span.start {
            next += 1;
        }
        let keep = c.confident
            || (c.supportable && {
                let before = next
                    .checked_sub(1)
                    .is_some_and(|i| c.span.start - confident[i].end <= SUPPORT_WINDOW);
                let after = confident
                    .get(next)
                    .is_some_and(|s| s.start.saturating_sub(c.span.end) <= SUPPORT_WINDOW);
                before || after
            });
        if keep {
            out.push(MojibakeRepair {
                span: c.span,
                replacement: c.replacement,
                layers: c.layers,
            });
        }
    }
    out
}

/// Parses the run of mis-decoded characters starting at byte `at` (a `C3` lead byte) and
/// judges it. Returns where the run ends, and no candidate if nothing there decodes or
/// the result is never plausible.
fn candidate_at(text: &str, at: usize) -> (usize, Option<Candidate>) {
    let run = parse_run(&text[at..]);
    let end = at + run.len;
    (end, judge(text, Span::new(at, end), run))
}

/// The mis-decoded characters at the start of some text, what they decode to, and the
/// evidence they carry.
struct Run {
    /// Length in bytes (0 if the text does not start with a mis-decoded character).
    len: usize,
    /// The text one layer down.
    decoded: String,
    sequences: u32,
    /// Sequences restored from a space that stood for a no-break space.
    lossy: u32,
    /// Number of continuation characters.
    conts: u32,
    /// Sum over the sequences of their strongest evidence ([`cont_weight`]).
    weight: u32,
    /// The strongest evidence of any sequence.
    strongest: u32,
    /// Whether a continuation character is a C1 control, which real text never has.
    c1: bool,
    last_cont: char,
}

/// Parses the longest run of mis-decoded characters at the start of `s`.
fn parse_run(s: &str) -> Run {
    let mut run = Run {
        len: 0,
        decoded: String::new(),
        sequences: 0,
        lossy: 0,
        conts: 0,
        weight: 0,
        strongest: 0,
        c1: false,
        last_cont: ' ',
    };
    while let Some(seq) = parse_sequence(&s[run.len..], run.sequences > 0) {
        run.len += seq.len;
        run.decoded.push(seq.decoded);
        run.sequences += 1;
        run.lossy += u32::from(seq.lossy);
        run.conts += seq.conts;
        run.weight += seq.weight;
        run.strongest = run.strongest.max(seq.weight);
        run.c1 |= seq.c1;
        run.last_cont = seq.last_cont;
    }
    run
}

/// Decides what the run at `span` of `text` is: its repair and how sure it is.
fn judge(text: &str, span: Span, mut run: Run) -> Option<Candidate> {
    if run.sequences == 0 {
        return None;
    }
    let before = &text[..span.start];
    let around = Around {
        prev: before.chars().next_back(),
        next: text[span.end..].chars().next(),
    };
    let verdict = around.assess(&text[span.range()], &run);
    // The deepest plausible layer wins; a shallower one when the deepest would put a
    // lower-case letter inside an upper-case word (`HYVÃ„â€¦` is `HYVÄ…`, not `HYVą`).
    let layers = decode_layers(std::mem::take(&mut run.decoded), around);
    let (depth, (replacement, class)) = layers
        .into_iter()
        .enumerate()
        .rev()
        .find(|(_, (r, c))| *c != Class::Never && case_consistent(before, r, around.next))?;
    let confident = match class {
        Class::Common => verdict.confident(),
        // One letter-symbol pair decodes to some character of another script far too
        // easily (`×¾` is U+05FE); ask for two symbols in a row, or a C1 control.
        Class::Exotic => verdict.confident() && strong_alone(&run),
        Class::Never => false,
    };
    Some(Candidate {
        span,
        replacement,
        layers: depth as u8 + 1,
        confident,
        // Another script needs at least two symbols in a row (`ç•ª`, `番`) to be helped.
        supportable: verdict.supportable && (class == Class::Common || run.conts >= 2),
    })
}

/// The characters just before and after a run.
#[derive(Clone, Copy)]
struct Around {
    prev: Option<char>,
    next: Option<char>,
}

/// How strongly a run (or a layer of one) reads as mojibake.
struct Verdict {
    score: u32,
    /// The run has the shape of correct text, so no score makes it mojibake by itself.
    looks_correct: bool,
    /// Whether a confident run nearby may decide for it.
    supportable: bool,
}

impl Verdict {
    fn confident(&self) -> bool {
        !self.looks_correct && self.score >= THRESHOLD
    }
}

impl Around {
    /// Weighs the evidence of `run` (parsed from `text`) in this context.
    fn assess(self, text: &str, run: &Run) -> Verdict {
        let Around { prev, next } = self;
        let lead = text.chars().next().unwrap_or(' ');
        let alone =
            run.sequences == 1 && !prev.is_some_and(is_letter) && !next.is_some_and(is_letter);
        // A letter can be quoted (`“Ä”`, `„Ñ“`, `the letter Ä”`); `Â` never is, as no
        // word ends in it.
        let opened = lead != 'Â' && matches!(prev, Some('“' | '‘' | '«' | '„' | '‹' | '‚'));
        let closed = lead != 'Â' && matches!(run.last_cont, '”' | '»');
        let quoted = opened || closed;
        let score = if run.lossy == run.sequences {
            // Only spaces that might once have been no-break spaces (`voilÃ tout`): the
            // letter before is the only evidence (`Ã Õ` are Portuguese letters).
            run.weight + 2 * u32::from(prev.is_some_and(char::is_lowercase))
        } else {
            // Several mis-decoded characters in a row are evidence in themselves: correct
            // text does not alternate letters and symbols like `Ð¡Ð¾Ð²`.
            run.weight
                + (run.sequences - 1)
                + context_bonus(prev, lead, run.last_cont, next, alone && !quoted)
        };
        // A single pair at the end of an upper-case word (`IRMÃ”`, `„IRMÃ“`, `HYVÄ…`,
        // `JÄÄ’s`) is what correct text looks like unless its symbol never follows a
        // letter. A letter there never is (`PEVNÄš` is `PEVNĚ`, `CAUÃŠ` is `CAUÊ`).
        let word_end = !next.is_some_and(is_letter) || run.last_cont == '’';
        let caps_word_end = lead != 'Â'
            && !run.last_cont.is_alphabetic()
            && prev.is_some_and(char::is_uppercase)
            && word_end
            && run.sequences == 1
            && run.strongest < 3;
        // A lower-case accented letter and two closing punctuation marks at the end of a
        // word (`fá»¹`, `è›–`) may be just that; `sá»‘` (`số`) ends in an opening one.
        let punctuated_word_end = run.sequences == 1
            && run.conts >= 2
            && run.strongest < 3
            && !run.last_cont.is_alphabetic()
            && !matches!(run.last_cont, '“' | '‘' | '«' | '‹' | '„' | '‚')
            && !next.is_some_and(is_letter);
        // `Â␣` for a no-break space follows a word or a number (`25Â °C`); after a space
        // it is the letter itself (`Â Ă Î`).
        let letter_alone =
            run.lossy == run.sequences && lead == 'Â' && prev.is_none_or(|c| c.is_whitespace());
        Verdict {
            score,
            looks_correct: caps_word_end,
            supportable: score >= 1
                && !(caps_word_end || punctuated_word_end || alone && opened || letter_alone),
        }
    }
}

/// Evidence from the characters around a run.
fn context_bonus(
    prev: Option<char>,
    lead: char,
    last_cont: char,
    next: Option<char>,
    alone: bool,
) -> u32 {
    let mut bonus = 0;
    // `cafÃ©`, `voilÃ `: an upper-case letter right after a lower-case one.
    if lead.is_uppercase() && prev.is_some_and(char::is_lowercase) {
        bonus += 2;
    }
    // `CÃ”TE`, `Ã®le`: punctuation inside a word (but not an apostrophe: `SÃO PAULO’s`).
    if next.is_some_and(is_letter) && !last_cont.is_alphabetic() && last_cont != '’' {
        bonus += 1;
    }
    // `Ã\u{a0}` (à), `Ð’ 1990` (В): none of the lead letters is a word by itself.
    if alone && lead.is_uppercase() {
        bonus += 1;
    }
    // `20Â»`, `Â°C`, `ÎLEÂ»`: `Â` before a Latin-1 symbol is that symbol, as no word
    // ends in `Â`.
    if lead == 'Â' {
        bonus += 1;
    }
    bonus
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

/// Rejects a repair that puts a lower-case letter right after two upper-case ones
/// (`JÄÄ…` would become `JÄą`), unless the word goes on in lower case.
fn case_consistent(before: &str, replacement: &str, next: Option<char>) -> bool {
    let Some(first) = replacement.chars().next() else {
        return true;
    };
    if !first.is_lowercase() {
        return true;
    }
    let mut prev = before.chars().rev();
    let caps_before =
        prev.next().is_some_and(char::is_uppercase) && prev.next().is_some_and(char::is_uppercase);
    !caps_before || next.is_some_and(char::is_lowercase)
}

/// One mis-decoded character: a lead and its continuation characters.
struct Sequence {
    /// Length in bytes of the mis-decoded text.
    len: usize,
    decoded: char,
    conts: u32,
    /// The strongest evidence among its continuation characters.
    weight: u32,
    c1: bool,
    /// Restored from a space (see [`parse_sequence`]).
    lossy: bool,
    last_cont: char,
}

/// Parses one mis-decoded character at the start of `s`: a lead in `Â`..`ô` and the
/// continuation characters its byte calls for, which must together decode as UTF-8.
///
/// Also accepts the commonest lossy form: software that took the no-break space of
/// `Ã\u{a0}` (`à`) or `Â\u{a0}` (a no-break space) for a space and replaced it, so
/// `Ã␣␣` stands for `à␣` and `Â␣` for a no-break space. A single space after `Ã`
/// (`Ã la`) is taken for the space after the word: only the `Ã` is repaired.
fn parse_sequence(s: &str, in_run: bool) -> Option<Sequence> {
    let mut chars = s.chars();
    let lead = chars.next()?;
    let lead_byte = lead as u32;
    let width = match lead_byte {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut buf = [lead_byte as u8, 0, 0, 0];
    let mut len = lead.len_utf8();
    let mut weight = 0;
    let mut c1 = false;
    let mut lossy = false;
    let mut euro_prefix = false;
    let mut last_cont = ' ';
    for (i, slot) in buf[1..width].iter_mut().enumerate() {
        let c = chars.next()?;
        let last = i + 2 == width;
        let b = match byte_behind(c).filter(|b| (0x80..=0xBF).contains(b)) {
            Some(b) => b,
            None if c == ' ' && i == 0 => return lossy_nbsp(lead, s, in_run),
            // `â‰ ` is `≠` (`E2 89 A0`) whose A0 became a space; only after a strong
            // symbol, as `é” ` could also be a word, a quote and a space. Alone, `â€ `
            // is far more often `”` whose byte 9D was dropped than a dagger `†`, so it is
            // taken for `†` only inside a run (`ãƒ†`, a layer of `テ`).
            None if c == ' ' && last && weight == 3 && (in_run || !euro_prefix) => {
                lossy = true;
                0xA0
            }
            None => return None,
        };
        *slot = b;
        euro_prefix = lead == 'â' && c == '€';
        len += c.len_utf8();
        weight = weight.max(cont_weight(c));
        c1 |= ('\u{80}'..='\u{9F}').contains(&c);
        last_cont = c;
    }
    // Two or three symbols in a row are ordinary mojibake only with a strong one among
    // them (`â€œ`, `ä¸­`); `»¹` after a letter is a quote and a footnote mark.
    if width > 2 && weight < 3 {
        weight = 1;
    }
    // Rejects overlong forms, surrogates and values past U+10FFFF.
    let decoded = std::str::from_utf8(&buf[..width]).ok()?.chars().next()?;
    Some(Sequence {
        len,
        decoded,
        conts: width as u32 - 1,
        weight,
        c1,
        lossy,
        last_cont,
    })
}

/// A lead followed by a space that once was a no-break space (see [`parse_sequence`]).
/// `in_run`: a mis-decoded character comes right before.
fn lossy_nbsp(lead: char, s: &str, in_run: bool) -> Option<Sequence> {
    let after = &s[lead.len_utf8() + 1..];
    let (decoded, len) = match lead {
        'Â' => ('\u{a0}', 3),
        'Ã' if after.starts_with(' ') => ('à', 3),
        // The following space is itself still a no-break space: it stays (and becomes
        // a space later), so the result is the same as for `Ã␣␣`.
        'Ã' if after.starts_with('\u{a0}') => ('à', 2),
        'Ã' if after.starts_with(|c: char| c.is_lowercase()) => ('à', 2),
        // `Š`, `Π`, `Р` and Arabic `٠` end in A0 too, but `Å`, `Î` and `Ð` before a space
        // are also words or word ends (`PÅ `); only inside a run of mojibake
        // (`ÐŸÐ ÐžÐ` is `ПРО`).
        'Å' | 'Î' | 'Ð' | 'Ù'
            if in_run || parse_sequence(after, false).is_some_and(|seq| !seq.lossy) =>
        {
            let decoded = std::str::from_utf8(&[lead as u8, 0xA0])
                .ok()?
                .chars()
                .next()?;
            (decoded, lead.len_utf8() + 1)
        }
        _ => return None,
    };
    Some(Sequence {
        len,
        decoded,
        conts: 1,
        weight: 1,
        c1: false,
        lossy: true,
        last_cont: '\u{a0}',
    })
}

/// The deepest number of layers of mis-decoding undone.
const MAX_LAYERS: usize = 3;

/// Undoes layer after layer of mis-decoding (at most [`MAX_LAYERS`]), starting from the
/// first layer's result, and returns each result with its class, shallowest first.
///
/// Each layer is judged like the run itself, in the run's context: `NESCAFÃƒâ€°Ã‚Â®`
/// decodes to `NESCAFÃ‰Â®`, then `NESCAFÉ®`, and stops there, because `É®` at the end of
/// an upper-case word is correct text (one more layer would give the IPA letter `ɮ`). A
/// layer whose result is in another script needs strong evidence: `Ã˜Â¨` goes on
/// through `Ø¨` to Arabic `ب`.
fn decode_layers(first: String, around: Around) -> Vec<(String, Class)> {
    let class = classify(&first);
    let mut layers = vec![(first, class)];
    while layers.len() < MAX_LAYERS {
        let (current, class) = &layers[layers.len() - 1];
        let run = parse_run(current);
        if run.len != current.len() || run.lossy > 0 {
            break;
        }
        let deeper_class = classify(&run.decoded);
        // An intermediate layer (`â€\u{9d}`) is garbage either way: go on.
        let intermediate = deeper_class == Class::Never && *class == Class::Never;
        if !intermediate {
            if !around.assess(current, &run).confident() {
                break;
            }
            if deeper_class > (*class).max(Class::Common) && !strong_alone(&run) {
                break;
            }
        }
        layers.push((run.decoded, deeper_class));
    }
    layers
}

/// Whether a run is mojibake on its own evidence, without context: two continuation
/// characters and a strong one, or a C1 control.
fn strong_alone(run: &Run) -> bool {
    run.c1 || (run.conts >= 2 && run.weight + run.sequences > THRESHOLD_EXOTIC)
}

/// How plausible decoded text is as something a person wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// Latin, Greek and Cyrillic letters, punctuation, symbols.
    Common,
    /// Other scripts, emoji, IPA, combining marks: real, but also what random byte
    /// pairs decode to, so they need stronger evidence.
    Exotic,
    /// Controls, unassigned or private characters: never the intended text.
    Never,
}

/// The least plausible class among the characters of `s`.
fn classify(s: &str) -> Class {
    s.chars().map(class_of).max().unwrap_or(Class::Never)
}

fn class_of(c: char) -> Class {
    match c as u32 {
        0x20..=0x7E | 0xA0..=0x17F => Class::Common,
        // Latin Extended-B: only the letters living languages use (Romanian ș ț, Vietnamese
        // ơ ư, pinyin ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ, Azerbaijani Ə); the rest is what
        // `CAFÉ…`-like pairs decode to.
        0x18F | 0x1A0 | 0x1A1 | 0x1AF | 0x1B0 | 0x1CD..=0x1DC | 0x218..=0x21B => Class::Common,
        // Greek and Cyrillic.
        0x370..=0x4FF => Class::Common,
        0x1E00..=0x1EFF => Class::Common,
        // General punctuation, super/subscripts, currency, letterlike, number forms,
        // arrows, mathematical operators, technical, enclosed alphanumerics, box
        // drawing, shapes, symbols and dingbats.
        0x2000..=0x2064 | 0x2070..=0x20C0 | 0x2100..=0x27BF => Class::Common,
        0xFB00..=0xFB06 | 0xFEFF | 0xFFFD => Class::Common,
        0x00..=0x1F | 0x7F..=0x9F => Class::Never,
        0xE000..=0xF8FF | 0xF0000.. => Class::Never,
        0xFDD0..=0xFDEF => Class::Never,
        n if n & 0xFFFE == 0xFFFE => Class::Never,
        _ => Class::Exotic,
    }
}

/// Evidence that `c`, a continuation character right after a letter or another
/// continuation character, is mojibake: 3 for characters that never stand there in real
/// text, 2 for ones that rarely do, 1 for punctuation that ends words.
fn cont_weight(c: char) -> u32 {
    match c {
        // Closing punctuation; opening quotes that close in German (`„…“`) and Danish
        // (`»…«`).
        '’' | '”' | '…' | '–' | '—' | '™' | '®' | '»' | '›' | '·' | '\u{A0}' | '«' | '“' | '‘' => {
            1
        }
        'Š' | 'š' | 'Ž' | 'ž' | 'Œ' | 'œ' | 'Ÿ' | 'ª' | 'º' | 'µ' | '¹' | '²' | '³' | '°'
        | '\u{AD}' | '•' | '‹' => 2,
        _ => 3,
    }
}

/// What windows-1252 decodes bytes `80..=9F` to; `None` for its five undefined bytes.
const CP1252_80_9F: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The byte that a windows-1252 or latin-1 decoder turned into `c`, for `c` outside
/// ASCII; `None` if no such byte exists.
fn byte_behind(c: char) -> Option<u8> {
    match c {
        // Latin-1 maps every byte to the code point of the same value; windows-1252
        // agrees from A0 up, and "sloppy" decoders pass its five undefined bytes
        // (81 8D 8F 90 9D) through as C1 controls, as latin-1 does for all of 80..9F.
        '\u{80}'..='\u{FF}' => Some(c as u8),
        '€' => Some(0x80),
        '‚' => Some(0x82),
        'ƒ' => Some(0x83),
        '„' => Some(0x84),
        '…' => Some(0x85),
        '†' => Some(0x86),
        '‡' => Some(0x87),
        'ˆ' => Some(0x88),
        '‰' => Some(0x89),
        'Š' => Some(0x8A),
        '‹' => Some(0x8B),
        'Œ' => Some(0x8C),
        'Ž' => Some(0x8E),
        '‘' => Some(0x91),
        '’' => Some(0x92),
        '“' => Some(0x93),
        '”' => Some(0x94),
        '•' => Some(0x95),
        '–' => Some(0x96),
        '—' => Some(0x97),
        '˜' => Some(0x98),
        '™' => Some(0x99),
        'š' => Some(0x9A),
        '›' => Some(0x9B),
        'œ' => Some(0x9C),
        'ž' => Some(0x9E),
        'Ÿ' => Some(0x9F),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies the repairs `find_mojibake` proposes for `text`.
    fn repair(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for r in find_mojibake(text) {
            assert!(
                r.span.start >= at,
                "repairs overlap or are unsorted in {text:?}"
            );
            out.push_str(&text[at..r.span.start]);
            out.push_str(&r.replacement);
            at = r.span.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// Undoes the escapes the hand-written case files use: `\u{9d}`, `\t`, `\n`, `\\`.
    fn unescape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('\\') {
            out.push_str(&rest[..i]);
            let tail = &rest[i + 1..];
            let (c, used) = match tail.as_bytes().first() {
                Some(b'u') => {
                    let close = tail.find('}').expect("unterminated \\u{...}");
                    let hex = &tail[2..close];
                    let code = u32::from_str_radix(hex, 16).expect("bad hex in \\u{...}");
                    (char::from_u32(code).expect("not a char"), close + 1)
                }
                Some(b't') => ('\t', 1),
                Some(b'n') => ('\n', 1),
                Some(b'\\') => ('\\', 1),
                _ => panic!("unknown escape in {s:?}"),
            };
            out.push(c);
            rest = &tail[used..];
        }
        out.push_str(rest);
        out
    }

    /// The first place where `got` and `want` differ, with a little context.
    fn first_difference(got: &str, want: &str) -> String {
        let common = got
            .char_indices()
            .zip(want.chars())
            .find(|((_, a), b)| a != b)
            .map_or(got.len().min(want.len()), |((i, _), _)| i);
        let start = got[..common]
            .char_indices()
            .rev()
            .nth(10)
            .map_or(0, |(i, _)| i);
        let clip = |s: &str| s[start..].chars().take(24).collect::<String>();
        format!("got {:?}, want {:?}", clip(got), clip(want))
    }

    fn data_lines(data: &str) -> impl Iterator<Item = &str> {
        data.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    }

    #[test]
    fn must_not_touch() {
        let data = include_str!("../../../tests/data/mojibake/must_not_touch.txt");
        let mut failures = Vec::new();
        for line in data_lines(data) {
            let text = unescape(line);
            let repairs = find_mojibake(&text);
            if !repairs.is_empty() {
                failures.push(format!("{text:?} -> {:?}", repair(&text)));
            }
        }
        assert!(
            failures.is_empty(),
            "correct text changed:\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn must_fix() {
        let data = include_str!("../../../tests/data/mojibake/must_fix.tsv");
        let mut failures = Vec::new();
        for line in data_lines(data) {
            let (input, expected) = line.split_once('\t').expect("input<TAB>expected");
            let (input, expected) = (unescape(input), unescape(expected));
            let got = repair(&input);
            if got != expected {
                failures.push(format!("{input:?}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(
            failures.is_empty(),
            "not repaired:\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn spans_are_tight_and_layers_counted() {
        let text = "a cafÃ© and a cafÃƒÂ© “ok”";
        let repairs = find_mojibake(text);
        assert_eq!(repairs.len(), 2);
        assert_eq!(&text[repairs[0].span.range()], "Ã©");
        assert_eq!(
            (repairs[0].replacement.as_str(), repairs[0].layers),
            ("é", 1)
        );
        assert_eq!(&text[repairs[1].span.range()], "ÃƒÂ©");
        assert_eq!(
            (repairs[1].replacement.as_str(), repairs[1].layers),
            ("é", 2)
        );
    }

    #[test]
    fn a_lone_euro_run_before_a_space_is_no_dagger() {
        // `”` with its undefined byte 9D dropped, not `†` with A0 turned into a space.
        assert!(find_mojibake("he said â€ and left").is_empty());
    }

    #[test]
    fn byte_behind_inverts_windows_1252() {
        for b in 0x80..=0x9F_u8 {
            if let Some(c) = char_of_cp1252(b) {
                assert_eq!(byte_behind(c), Some(b), "{c:?}");
            }
        }
    }

    #[test]
    fn ascii_and_other_scripts_have_no_candidates() {
        assert!(find_mojibake("plain ASCII text, nothing to see").is_empty());
        assert!(find_mojibake("Советский Союз — 中文 — Αθήνα").is_empty());
    }

    proptest::proptest! {
        /// Whatever the input, repairs are sorted, disjoint, on character boundaries and
        /// change something.
        #[test]
        fn repairs_are_well_formed(text in "[a-zA-Z .\u{80}-\u{FF}€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ中Жα]{0,40}") {
            let mut at = 0;
            for r in find_mojibake(&text) {
                proptest::prop_assert!(r.span.start >= at && r.span.end > r.span.start);
                proptest::prop_assert!(text.is_char_boundary(r.span.start));
                proptest::prop_assert!(text.is_char_boundary(r.span.end));
                proptest::prop_assert!(text[r.span.range()] != *r.replacement);
                proptest::prop_assert!((1..=3).contains(&r.layers));
                at = r.span.end;
            }
        }
    }

    /// The differential oracle: cases generated by `scripts/mojibake_oracle.py`, each with
    /// the true source and what ftfy makes of it. Clean inputs must come back unchanged
    /// (all of them); broken ones must be restored at least as often as ftfy restores
    /// them.
    #[test]
    fn oracle() {
        let data = include_str!("../../../tests/data/mojibake/cases.jsonl");
        let mut lines = data.lines();
        let _header = lines.next();
        let (mut clean, mut clean_changed, mut ftfy_clean_changed) = (0, Vec::new(), 0);
        let (mut broken, mut ours, mut theirs) = (0, 0, 0);
        let mut misses = Vec::new();
        for line in lines {
            let case: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            let field = |k: &str| case[k].as_str().expect("string field").to_owned();
            let (input, source, ftfy) = (field("input"), field("source"), field("ftfy"));
            let got = repair(&input);
            if field("kind") == "clean" {
                clean += 1;
                ftfy_clean_changed += usize::from(ftfy != source);
                if got != source {
                    clean_changed.push(format!("{input:?} -> {got:?}"));
                }
            } else {
                broken += 1;
                theirs += usize::from(ftfy == source);
                if got == source {
                    ours += 1;
                } else if ftfy == source {
                    misses.push(format!(
                        "[{}] {}",
                        field("how"),
                        first_difference(&got, &source)
                    ));
                }
            }
        }
        eprintln!(
            "oracle: {clean} clean (recto changed {}, ftfy {ftfy_clean_changed}); \
             {broken} broken (recto restored {ours}, ftfy {theirs})",
            clean_changed.len()
        );
        for m in misses.iter().take(20) {
            eprintln!("ftfy right, recto wrong: {m}");
        }
        assert!(
            clean_changed.is_empty(),
            "clean text changed:\n{}",
            clean_changed.join("\n")
        );
        assert!(
            ours >= theirs,
            "recto restored {ours} of {broken} broken cases, ftfy {theirs}"
        );
    }
}
