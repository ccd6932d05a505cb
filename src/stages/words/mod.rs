//! The words stage: repairs damage to single words — OCR misreadings (`cach` → `each`),
//! words glued together (`thesame` → `the same`) and words broken apart (`tech nology`
//! → `technology`).
//!
//! It runs last, on whole words and (once layout has reflowed them) whole paragraphs,
//! but it relies on neither: tokens are whitespace-delimited, so hard-wrapped lines work
//! the same.
//!
//! Every repair needs two kinds of evidence: the token is *not* a word — neither in the
//! dictionary nor used elsewhere in the document — and the repair *is* one, clearly
//! more likely than its alternatives. Frequency comes from the [`Lexicon`], local usage
//! from the document's own vocabulary ([`vocab`]), and context from English bigrams
//! around the token. Where the evidence is strong the fix is `Safe`; otherwise it is
//! offered for review with its candidates and their evidence in the message.
//!
//! What is never touched follows from the tokenizer ([`tokens`]): words with diacritics,
//! apostrophes or inner hyphens, anything in square brackets, code, paths, URLs, e-mail
//! addresses, options, numbers with units — and, here, capitalised words that are not
//! at the start of a sentence (names), all-caps and mixed-case words (acronyms,
//! identifiers), and every word of a user's word list (see [`Words::new`]).

mod confusion;
mod split;
mod tokens;
mod vocab;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;

use unicode_normalization::UnicodeNormalization;

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::lexicon::Lexicon;
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

use confusion::Mistake;
use tokens::{Mark, Shape, Token};
use vocab::{Vocab, VocabCounter};

const OCR_CONFUSION: &str = "words.ocr-confusion";
const SPLIT_GLUED: &str = "words.split-glued";
const JOIN_BROKEN: &str = "words.join-broken";
const JOIN_SPLIT_WORD: &str = "words.join-split-word";

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        OCR_CONFUSION,
        "words",
        Applicability::Safe,
        "A non-word that one OCR misreading away is a known word becomes that word.",
        "OCR engines confuse glyphs that look alike at scanning resolution: `rn` and `m`, \
         `cl` and `d`, `e` and `c`, `n` and `u`, `0` and `o`, `1` and `l`, and they drop \
         or double letters. A token that is neither in the dictionary nor used elsewhere \
         in the document is matched against a weighted table of such confusions \
         (`rules/words/confusions.tsv`). The fix is applied automatically only when \
         exactly one candidate is a common word and clearly more likely than any other, \
         counting its frequency, how often the document uses it and its neighbours; \
         otherwise it is offered for review with the candidates and their evidence. \
         It is automatic only in a document that reads like OCR output: at least three \
         such non-words, one in a thousand words or more. Text from a PDF's own text \
         layer has hardly any; its non-words are halves of words split at page and \
         column breaks and the author's own spellings, which one confusion away from a \
         word they are not. \
         Capitalised words in mid-sentence (names), acronyms, words with diacritics and \
         anything in brackets or code are never changed.\n\n\
         Example: `Sce the previons section` → `See the previous section`.",
    ),
    RuleInfo::builtin(
        SPLIT_GLUED,
        "words",
        Applicability::Safe,
        "A non-word made of known words glued together is split into them.",
        "Some extractors lose the spaces between words, for a few words (`thesame`) or a \
         whole line (`wanttosaysomethingfurther`). A token that is not a word and does \
         not occur elsewhere in the document is segmented into the most probable \
         sequence of known words. The split is applied only when it yields a function \
         word (`the`, `of`, `on` …) and the words around each new space are known English \
         word pairs, or when five or more words tile a whole glued line; splits into \
         words that merely exist — the compounds and identifiers `subprocesses`, \
         `gitworkflows`, `namespace`, `NoHostAuthenticationForLocalhost` — are not made, \
         and four-letter tokens (`itis`) are only offered for review.\n\n\
         Example: `at the end ofthe day` → `at the end of the day`.",
    ),
    RuleInfo::builtin(
        JOIN_BROKEN,
        "words",
        Applicability::Safe,
        "Two fragments separated by a space are joined when together they form a known \
         word and apart they do not.",
        "Extractors split words at ligatures, accents and kerning gaps: `tech nology`, \
         `Bara ffe`, `Universit ´e`. Two neighbouring fragments are joined when the \
         joined form is a known word — in the dictionary or used whole elsewhere in the \
         document — and at least one fragment is not a word by itself, so `a part` is \
         never joined into `apart`. A spacing accent is composed with its letter.\n\n\
         Example: `modern tech nology` → `modern technology`.",
    ),
    RuleInfo::builtin(
        JOIN_SPLIT_WORD,
        "words",
        Applicability::Safe,
        "Two words that never follow each other are joined when the document writes them \
         as one common word.",
        "Some extractors turn a word hyphenated at a line end into two words: the hyphen \
         is dropped and a space is left (`pack ages`, `de fault`, `al though`). Unlike \
         `words.join-broken`, both fragments are words here, so the evidence must come \
         from elsewhere: the pair is not an English word pair (no bigram), the joined \
         word is common and the document itself writes it whole, and both fragments have \
         two letters or more. Such pairs are looked for only in a document where three \
         or more words split into fragments were joined (`words.join-broken`), and the \
         joins are automatic only where the document shows the damage: three candidates \
         or more, and at least one per 3,000 words; otherwise each is offered for review \
         (`in valid`, `as signed` in clean text are real word pairs).\n\n\
         Example: `the binary pack ages themselves` → `the binary packages themselves` \
         (in a document that writes `packages`).",
    ),
];

/// Candidates whose score trails the best by less than this are real alternatives: the
/// fix then needs review.
const CLEAR_MARGIN: f32 = 1.5;

/// The least Zipf frequency of an automatic OCR repair: an everyday word (≈ 1 per
/// million words). Rarer words are too often what the author really wrote.
const SAFE_ZIPF: f32 = 3.0;

/// A word pair at least this likely (`the same`: −2.1) after an article is evidence.
const ATTESTED_PAIR_LOGP: f32 = -2.5;

/// A word pair at least this likely (`log10 P(second | first)`) is a common one: `of the`
/// (−0.7), `that the` (−1.0), `and the` (−1.3); `his to` (−3.6) is not.
const COMMON_PAIR_LOGP: f32 = -1.5;

/// Longest token checked for OCR confusions.
const MAX_OCR_TOKEN: usize = 20;

/// Longest word that `words.join-split-word` joins two words into: no common word is
/// longer.
const MAX_SPLIT_WORD: usize = 40;

/// The words stage. Holds the dictionary it trusts.
pub(crate) struct Words {
    lexicon: Lexicon,
    /// Apply confident OCR repairs whatever the document reads like (tests of the
    /// repairs themselves, one line at a time).
    assume_ocr: bool,
}

impl Default for Words {
    fn default() -> Words {
        Words::new(Lexicon::english().clone())
    }
}

impl Words {
    /// A words stage that trusts `lexicon`.
    ///
    /// This is the hook for user word lists: pass `Lexicon::english().with_words(list)`
    /// and every listed word is known, so it is never "repaired" (and may be the target
    /// of a repair).
    pub(crate) fn new(lexicon: Lexicon) -> Words {
        Words {
            lexicon,
            assume_ocr: false,
        }
    }

    /// Treats every document as OCR output (see [`reads_like_ocr`]).
    #[cfg(test)]
    pub(crate) fn assuming_ocr(mut self) -> Words {
        self.assume_ocr = true;
        self
    }
}

impl Stage for Words {
    fn name(&self) -> &'static str {
        "words"
    }

    fn run(&self, doc: &Document<'_>, _cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        // The document's vocabulary is counted as the tokens are cut, with one dictionary
        // lookup per distinct word, shared by the joins (which ask about both
        // neighbours) and the repairs.
        let (cut, vocab) = vocab::with_dictionary(&self.lexicon, |dictionary| {
            let mut counter = VocabCounter::new(text, dictionary);
            let cut = tokens::tokenize_marked(text, &mut counter);
            (cut, counter.finish())
        });
        // `words`: the tokens that are dictionary words.
        let tokens::Cut {
            tokens,
            marks,
            known: words,
        } = cut;
        if tokens.is_empty() {
            return;
        }
        let checker = Checker {
            text,
            lexicon: &self.lexicon,
            vocab: &vocab,
            tokens: &tokens,
            marks,
            candidate_memo: RefCell::default(),
        };
        let mut fixes = Vec::new();
        // Per token: a fix of this pass touches it.
        let mut fixed = vec![false; tokens.len()];
        let mut i = 0;
        while i < tokens.len() {
            // Nearly every token is a dictionary word followed by one, and such a token
            // is settled by its marks: `join` needs a non-word among the two, `repair` a
            // non-word at `i`. Skipping them here is what both would answer.
            i = checker.next_unsettled(i);
            if i >= tokens.len() {
                break;
            }
            if let Some(fix) = checker.join(i) {
                fixes.push(fix);
                fixed[i] = true;
                fixed[i + 1] = true;
                i += 2;
                continue;
            }
            if let Some(fix) = checker.repair(i) {
                fixes.push(fix);
                fixed[i] = true;
            }
            i += 1;
        }
        // Words split in two words (`pack ages`) are looked for only where words split
        // in fragments (`deacti vate`) show that the extractor breaks words apart: the
        // same damage, where one half happened to be a word. Clean text has neither, and
        // asking about every pair of neighbouring words would double the stage's time.
        let broken = fixes
            .iter()
            .filter(|f| f.rule.as_str() == JOIN_BROKEN && f.applicability == Applicability::Safe)
            .count();
        if broken >= MIN_BROKEN_FOR_SPLIT_WORDS {
            let mut i = 0;
            while i + 1 < tokens.len() {
                if let Some((head, tail)) = checker.split_word_halves(i) {
                    if !fixed[i] && !fixed[i + 1] {
                        if let Some(fix) = checker.join_split_word(i, head, tail) {
                            fixes.push(fix);
                            i += 2;
                            continue;
                        }
                    }
                }
                i += 1;
            }
        }
        let misreadings = fixes
            .iter()
            .filter(|f| f.rule.as_str() == OCR_CONFUSION)
            .count();
        if !self.assume_ocr && !reads_like_ocr(misreadings, words) {
            for_review(
                &mut fixes,
                OCR_CONFUSION,
                None,
                &format!(
                    "{misreadings} such non-word(s) in {words} words is too few for OCR output"
                ),
            );
        }
        let split_words = fixes
            .iter()
            .filter(|f| f.rule.as_str() == JOIN_SPLIT_WORD)
            .count();
        if !splits_words(split_words, words) {
            for_review(
                &mut fixes,
                JOIN_SPLIT_WORD,
                Some(0.5),
                &format!(
                    "{split_words} such pair(s) in {words} words is too few for a document \
                     that splits its words"
                ),
            );
        }
        for fix in fixes {
            out.push(fix);
        }
    }
}

/// Lowers the Safe fixes of `rule` to Review where the document as a whole does not show
/// the damage they repair, saying `why` (and, when given, with a lower `confidence`).
fn for_review(fixes: &mut [Fix], rule: &str, confidence: Option<f32>, why: &str) {
    for fix in fixes
        .iter_mut()
        .filter(|f| f.rule.as_str() == rule && f.applicability == Applicability::Safe)
    {
        fix.applicability = Applicability::Review;
        if let Some(confidence) = confidence {
            fix.confidence = confidence;
        }
        fix.message = format!("{}; for review: {why}", fix.message).into();
    }
}

/// Automatic joins of fragments (`words.join-broken`) from which a document is searched
/// for words split into two words. On the benchmark, plain `pdftotext` on LibreOffice
/// PDFs (which drops line-end hyphens) gives 3 to 20; every other extractor fewer than 3.
const MIN_BROKEN_FOR_SPLIT_WORDS: usize = 3;

/// Whether a document with `pairs` candidates for `words.join-split-word` among `words`
/// dictionary words shows that damage.
///
/// Why the document decides: clean prose has real word pairs that spell a word and that
/// the bigram table happens to lack (`in valid`, `as signed`), about one in 30,000
/// words over 36 MB of READMEs, changelogs and licences, never three in a short
/// document. Text from an extractor that drops hyphens at line ends has one in 1,000
/// to 2,500.
fn splits_words(pairs: usize, words: usize) -> bool {
    /// Fewer than this many pairs are never evidence, however short the document.
    const MIN_PAIRS: usize = 3;
    /// A document shows the damage from one pair per this many dictionary words.
    const WORDS_PER_PAIR: usize = 3000;
    pairs >= MIN_PAIRS && pairs * WORDS_PER_PAIR >= words
}

/// Whether a document with `misreadings` OCR-confusion candidates among `words`
/// dictionary words reads like OCR output.
///
/// Why the document decides: a non-word one confusion away from a common word is a
/// misreading in a scan, but in text from a PDF's own text layer it is nearly always
/// something else — the half of a word split at a page or column break (`rade` of
/// `Comrade` → `rode`), or the author's own spelling — and the page has no misreadings
/// at all. On the benchmark, OCR output has 0.7 to 10 candidates per thousand words,
/// text layers 0.06 to 0.15, and an unseen typesetter's text layers 0.4.
fn reads_like_ocr(misreadings: usize, words: usize) -> bool {
    /// Fewer than this many misreadings are never evidence of OCR, however short the
    /// document.
    const MIN_MISREADINGS: usize = 3;
    /// Misreadings per thousand dictionary words from which a document reads as OCR.
    const MIN_PER_THOUSAND: usize = 1;
    misreadings >= MIN_MISREADINGS && misreadings * 1000 >= MIN_PER_THOUSAND * words
}

/// The per-document state shared by the three repairs.
struct Checker<'a> {
    text: &'a str,
    lexicon: &'a Lexicon,
    vocab: &'a Vocab<'a>,
    tokens: &'a [Token],
    /// Per token: what the passes over every token ask first (see [`Mark`]).
    marks: Vec<u8>,
    /// See [`Checker::known_candidates`].
    candidate_memo: RefCell<HashMap<&'a str, Rc<[Scored]>, foldhash::fast::RandomState>>,
}

/// An OCR candidate with its evidence (`score` in context, once scored).
struct Scored {
    word: String,
    mistake: Mistake,
    zipf: f32,
    in_document: u32,
    score: f32,
}

impl<'a> Checker<'a> {
    fn core(&self, i: usize) -> &'a str {
        &self.text[self.tokens[i].core().range()]
    }

    /// Whether the core of the token at `i` is a dictionary word.
    fn in_lexicon(&self, i: usize) -> bool {
        self.marks[i] & Mark::KNOWN != 0
    }

    /// The first token from `i` on that is not a dictionary word followed by another
    /// (the last token counts as followed by a non-word): where [`Checker::join`] or
    /// [`Checker::repair`] may find something. Reads only the marks.
    #[inline]
    fn next_unsettled(&self, mut i: usize) -> usize {
        while let Some(&[a, b]) = self.marks.get(i..i + 2) {
            if a & b & Mark::KNOWN == 0 {
                break;
            }
            i += 1;
        }
        i
    }

    /// A word the dictionary knows, or that the document uses more than once.
    fn is_known(&self, word: &str) -> bool {
        self.lexicon.contains(word) || self.vocab.count(word) >= 2
    }

    /// The core of the neighbour at `i`, if it is a plain word (for bigram context).
    fn neighbour(&self, i: Option<usize>) -> Option<&'a str> {
        let t = self.tokens.get(i?)?;
        matches!(t.shape, Shape::Lower | Shape::Capitalized).then(|| &self.text[t.core().range()])
    }

    /// `words.ocr-confusion` or `words.split-glued` for the token at `i`.
    fn repair(&self, i: usize) -> Option<Fix> {
        // A dictionary word is repaired by no path below: each needs a non-word (the
        // long capitalised one too: `split` asks the dictionary again).
        if self.in_lexicon(i) {
            return None;
        }
        let token = self.tokens[i];
        if token.protected || token.after_hyphen {
            return None;
        }
        let len = token.core().len();
        let may_be_name = token.shape == Shape::Capitalized && !token.sentence_start;
        match token.shape {
            Shape::Lower | Shape::Capitalized | Shape::ConfusableDigit if !may_be_name => {}
            // Glued lines start anywhere and carry names inside (`thatAlicehas`).
            Shape::MixedCase | Shape::Capitalized if len >= 12 => {
                return self.split(i);
            }
            _ => return None,
        }
        if len < 3 || self.continues_broken_word(token) {
            return None;
        }
        let word = self.core(i);
        let seen = self.vocab.count_ci(word);
        let foreign = |j: Option<usize>| {
            j.and_then(|j| self.tokens.get(j).map(|t| (j, t)))
                .is_some_and(|(j, t)| {
                    matches!(t.shape, Shape::Lower | Shape::Capitalized) && !self.in_lexicon(j)
                })
        };
        // Between two non-words is a stretch of another language (`Respubliki tov.
        // Yanoshem`) or of garble, where English candidates mean nothing. And one
        // misreading in a token longer than any common word is not what made it a
        // non-word; glued words are.
        let foreign_context = foreign(i.checked_sub(1)) && foreign(Some(i + 1));
        let ocr = (word.len() <= MAX_OCR_TOKEN && !foreign_context)
            .then(|| self.ocr(i, word, seen))
            .flatten();
        if let Some(fix) = &ocr {
            if fix.applicability == Applicability::Safe {
                return ocr;
            }
        }
        if token.shape != Shape::ConfusableDigit && seen <= 1 {
            if let Some(fix) = self.split(i) {
                return Some(fix);
            }
        }
        ocr
    }

    fn ocr(&self, i: usize, word: &'a str, seen: u32) -> Option<Fix> {
        let token = self.tokens[i];
        let before = self.neighbour(i.checked_sub(1));
        let after = self.neighbour(Some(i + 1));
        let mut scored: Vec<Scored> = Vec::new();
        for known in self.known_candidates(word).iter() {
            // A capitalised word the dictionary lacks is most often a name; only an
            // everyday word is worth proposing in its place.
            if token.shape == Shape::Capitalized && known.zipf < 4.0 {
                continue;
            }
            // A misreading the OCR engine repeats is still a misreading, but only if
            // the document uses the real word clearly more often.
            if seen >= 2 && known.in_document < 3 * seen {
                continue;
            }
            let candidate = known.word.as_str();
            let mut score = known.zipf - known.mistake.cost()
                + (1.0 + known.in_document as f32).log2().min(3.0);
            for (a, b) in [(before, Some(candidate)), (Some(candidate), after)] {
                if let Some(logp) = a.zip(b).and_then(|(a, b)| self.lexicon.bigram_logp(a, b)) {
                    score += (logp + 4.0).max(0.0) / 2.0;
                }
            }
            scored.push(Scored {
                word: known.word.clone(),
                mistake: known.mistake,
                zipf: known.zipf,
                in_document: known.in_document,
                score,
            });
        }
        if scored.is_empty() {
            return None;
        }
        scored.sort_by(|a, b| b.score.total_cmp(&a.score));
        let best = &scored[0];
        let margin = scored
            .get(1)
            .map_or(f32::INFINITY, |s| best.score - s.score);
        // Safe needs a word that is common, or that this document uses; a short token
        // is as likely an abbreviation or a command (`sid`, `csh`) as a misreading.
        let strong = (best.zipf >= SAFE_ZIPF && (best.in_document >= 1 || best.zipf >= 4.5))
            || best.in_document >= 2;
        // A doubled letter that the document repeats is more often its own term
        // (`cchannels`, `ttable`: configuration keys) than the same misreading made each
        // time; an engine repeats confusions of shape (`cach`), not stutters.
        let strong = strong
            && !(seen >= 2 && matches!(best.mistake, Mistake::Doubled(_)))
            && !best.mistake.restores_letter()
            && (word.len() >= 4 || best.in_document >= 3)
            && (token.shape != Shape::Capitalized || best.zipf >= 4.0);
        let applicability = if strong && margin >= CLEAR_MARGIN {
            Applicability::Safe
        } else if margin >= CLEAR_MARGIN / 2.0 && (best.zipf >= 3.5 || best.in_document >= 1) {
            Applicability::Review
        } else if best.zipf >= 3.5 || best.in_document >= 1 {
            Applicability::Suggest
        } else {
            // Only rare words nearby: a fragment or a term, not worth a reviewer's time.
            return None;
        };
        let mut message = format!(
            "'{word}' is not a word; {}: '{}' ({})",
            best.mistake,
            best.word,
            evidence(best)
        );
        if scored.len() > 1 {
            message.push_str("; alternatives: ");
            for (k, s) in scored.iter().skip(1).take(4).enumerate() {
                if k > 0 {
                    message.push_str(", ");
                }
                let _ = write!(message, "'{}' ({}, {})", s.word, s.mistake, evidence(s));
            }
        }
        let edit = minimal_edit(token.core(), word, &best.word);
        Some(
            Fix::single(RuleId::from_static(OCR_CONFUSION), applicability, edit)
                .with_confidence(confidence(margin))
                .with_message(message),
        )
    }

    /// Whether `token` starts a line and one of the three lines before it ends in a
    /// hyphen after a letter: the rest of a word broken at a page end, with the page's
    /// running header or number still in between (`Gen-` / `GNU General Public
    /// License 2` / `eral Public License`). Joining it is the layout stage's work;
    /// alone, the fragment is often one letter from an unrelated word (`eral` → `oral`).
    fn continues_broken_word(&self, token: Token) -> bool {
        let before = &self.text[..token.chunk().start];
        let Some(line_start) = line_break_before(before) else {
            return false; // not first on its line
        };
        before[..line_start].rsplit('\n').take(3).any(|line| {
            let line = line.trim_end();
            line.strip_suffix('-')
                .and_then(|rest| rest.chars().next_back())
                .is_some_and(char::is_alphabetic)
        })
    }

    /// The known words one mistake away from `word`, each by its cheapest mistake.
    /// Memoised: a document repeats its misreadings. What the dictionary says of the
    /// readings is memoised across documents ([`confusion::for_each_reading`]); only
    /// which of them this document uses is asked here.
    fn known_candidates(&self, word: &'a str) -> Rc<[Scored]> {
        if let Some(known) = self.candidate_memo.borrow().get(word) {
            return Rc::clone(known);
        }
        let mut known: Vec<Scored> = Vec::new();
        // Nearly every reading is no word: the dictionary lacks it (frequency 0), and
        // most are certainly not in the document either (an outline no word of it
        // has), which one bit says: those are not handed on.
        let may_be_used = |outline| self.vocab.may_count_ci_outlined(outline);
        confusion::for_each_reading(
            word,
            self.lexicon,
            may_be_used,
            |candidate, mistake, zipf| {
                let in_document = self.vocab.count_ci_bytes(candidate);
                if zipf == 0.0 && in_document == 0 {
                    return; // neither in the dictionary nor in the document
                }
                if let Some(k) = known.iter_mut().find(|k| k.word.as_bytes() == candidate) {
                    if mistake.cost() < k.mistake.cost() {
                        k.mistake = mistake;
                    }
                    return;
                }
                known.push(Scored {
                    word: String::from_utf8(candidate.to_vec()).expect("readings are UTF-8"),
                    mistake,
                    zipf,
                    in_document,
                    score: 0.0,
                });
            },
        );
        let known: Rc<[Scored]> = known.into();
        self.candidate_memo
            .borrow_mut()
            .insert(word, Rc::clone(&known));
        known
    }

    /// `words.split-glued` for the token at `i`.
    fn split(&self, i: usize) -> Option<Fix> {
        let token = self.tokens[i];
        let word = self.core(i);
        if self.vocab.count_ci(word) >= 2 || self.lexicon.contains(word) {
            return None;
        }
        let split = split::segment(word, self.lexicon, self.vocab)?;
        let boundaries = split.boundaries();
        if split.function_words == 0 || (split.inner_letter && boundaries <= 3) {
            return None; // a compound, not glued words (see `split::FUNCTION_WORDS`)
        }
        // In a short token, a short part that is not a function word is more often a
        // fragment or an abbreviation (`Com|and` for a misread `Command`, `at|or`)
        // than a word; only everyday ones (`off the`, `set up`) are believed.
        let weak_short_part =
            |p: &String| p.len() <= 3 && !split::is_function_word(p) && self.lexicon.zipf(p) < 5.5;
        if boundaries <= 2 && split.parts.iter().any(weak_short_part) {
            return None;
        }
        let capitalised = split
            .parts
            .iter()
            .filter(|p| p.as_bytes()[0].is_ascii_uppercase())
            .count();
        if token.shape == Shape::MixedCase && capitalised * 2 > split.parts.len() {
            // Mostly capitalised parts: an identifier in PascalCase
            // (`NoHostAuthenticationForLocalhost`), not a glued line of prose.
            return None;
        }
        let all_attested = split.attested == boundaries;
        let half_attested = split.attested * 2 >= boundaries;
        // Five or more words, each a function word or at least four letters long,
        // tiling a token exactly: no compound or identifier looks like that, while a
        // whole glued line does, even where its word pairs are too rare for the bigram
        // list (`Compile|source|packages|after|downloading|them`). Mixed case
        // (`ThisGeneralPublicLicense…`) could be a long identifier, so it also needs
        // half its pairs attested.
        let tiled = boundaries >= 4
            && split
                .parts
                .iter()
                .all(|p| p.len() >= 4 || split::is_function_word(p))
            && (token.shape != Shape::MixedCase || half_attested);
        // One new space is the weakest split: English words end and start with what
        // look like function words (`grant|or`, `request|or`, `for|each`), so alone it
        // is applied only between two function words that commonly follow each other
        // (`of|the`, `that|the`), which no word is made of.
        let single_but_common_pair = boundaries == 1 && {
            let (a, b) = (&split.parts[0], &split.parts[1]);
            let pair = self.lexicon.bigram_logp(a, b);
            (split::is_function_word(a)
                && split::is_function_word(b)
                && pair.is_some_and(|p| p >= COMMON_PAIR_LOGP))
                // `the`, `of` or `and` glued to the word after it (`the|same`,
                // `of|course`), or `the` to the word before it (`off|the`): no word a
                // dictionary lacks starts or ends like that, unlike `grant|or`.
                || (((["the", "of", "and"].iter().any(|f| a.eq_ignore_ascii_case(f))
                    && b.len() >= 3)
                    || (b.eq_ignore_ascii_case("the") && a.len() >= 2))
                    && pair.is_some_and(|p| p >= ATTESTED_PAIR_LOGP))
        };
        let all_attested = all_attested && (boundaries >= 2 || single_but_common_pair);
        // Half the pairs attested is enough for a long split only when every short part
        // inside it is an everyday word: `to|set|cons|id|is` is garble cut into
        // syllables, not a glued line (`id` is no word of running text). At the ends a
        // rare short word is ordinary (`…mistake|of|com.`, `…default|pin`).
        let inner = &split.parts[1..split.parts.len() - 1];
        let half_attested_words = token.shape != Shape::MixedCase
            && boundaries >= 3
            && half_attested
            && !inner.iter().any(weak_short_part);
        let applicability = if all_attested || tiled || half_attested_words {
            // Beyond two spaces, that common words tile a long token exactly is
            // evidence in itself; a rarer pair among attested ones is expected.
            Applicability::Safe
        } else if token.shape == Shape::Capitalized && !token.sentence_start {
            // A long capitalised word in mid-sentence is a name or a term
            // (`Generalissimus`) unless the evidence is strong.
            return None;
        } else if (boundaries <= 2 && split.attested >= 1)
            || (boundaries == 1 && split.parts.iter().any(|p| p.len() >= 6))
        {
            // One new space beside a function word with no bigram to attest it: a rare
            // word glued to a common one (`historiographyon`), or a compound of a
            // short term (`in|ode`) — the longer the other part, the likelier the first.
            Applicability::Review
        } else {
            return None;
        };
        // Two short words in four letters (`itis`, `asis`, `ator`) are as often the
        // truncated remains of one word as two words glued: a reviewer decides.
        let applicability = if word.len() <= 4 {
            applicability.min(Applicability::Review)
        } else {
            applicability
        };
        let mut fix = Fix::new(RuleId::from_static(SPLIT_GLUED), applicability);
        for &cut in &split.cuts {
            fix = fix.with_edit(Edit::insert(token.core().start + cut, " "));
        }
        let message = format!(
            "'{word}' is not a word; split into '{}': {} of {} new spaces between a known \
             word pair",
            split.parts.join(" "),
            split.attested,
            boundaries,
        );
        Some(
            fix.with_confidence(if applicability == Applicability::Safe {
                0.9
            } else {
                0.6
            })
            .with_message(message),
        )
    }

    /// `words.join-broken` for the tokens at `i` and `i + 1`.
    fn join(&self, i: usize) -> Option<Fix> {
        // Two dictionary words, as nearly every pair is, are never joined here (that is
        // `join_split_word`'s question); and a word starts with a letter, not with a
        // spacing accent.
        if self.in_lexicon(i) && self.marks.get(i + 1).is_some_and(|m| m & Mark::KNOWN != 0) {
            return None;
        }
        let gap = self.joinable(i)?;
        let (head, second) = (self.core(i), self.tokens[i + 1]);
        if let Some(fix) = self.join_accent(head, gap, second) {
            return Some(fix);
        }
        if second.shape != Shape::Lower {
            return None;
        }
        let tail = self.core(i + 1);
        let (head_known, tail_known) = (self.in_lexicon(i), self.in_lexicon(i + 1));
        if head_known && tail_known {
            return None;
        }
        if head.len() + tail.len() < 5 {
            return None;
        }
        let (zipf, in_document) = with_joined(head, tail, |joined| {
            (self.lexicon.zipf(joined), self.vocab.count(joined))
        });
        // A name the dictionary lacks (`Bara ffe`) counts as known when the document
        // writes it whole and neither fragment is a word.
        let applicability = if zipf >= SAFE_ZIPF
            || in_document >= 2
            || (in_document == 1 && !head_known && !tail_known)
        {
            Applicability::Safe
        } else if zipf > 0.0 || in_document == 1 {
            Applicability::Review
        } else {
            return None;
        };
        let not_words = match (head_known, tail_known) {
            (false, false) => format!("neither '{head}' nor '{tail}' is a word"),
            (false, true) => format!("'{head}' is not a word"),
            _ => format!("'{tail}' is not a word"),
        };
        Some(
            Fix::single(
                RuleId::from_static(JOIN_BROKEN),
                applicability,
                Edit::delete(gap),
            )
            .with_confidence(if applicability == Applicability::Safe {
                0.9
            } else {
                0.6
            })
            .with_message(format!(
                "joined '{head}{tail}' (zipf {zipf:.1}, {in_document}× whole in this document); \
                 {not_words}"
            )),
        )
    }

    /// The gap between the tokens at `i` and `i + 1` when they may be two parts of one
    /// word: one space, no punctuation or protection between them, a plain first word.
    fn joinable(&self, i: usize) -> Option<Span> {
        let joinable = self.marks[i] & Mark::HEAD != 0 && self.marks.get(i + 1)? & Mark::TAIL != 0;
        let end = self.tokens[i].chunk().end;
        joinable.then(|| Span::new(end, end + 1))
    }

    /// Whether [`Checker::join_split_word`] may join the tokens at `i` and `i + 1`: both
    /// dictionary words, joinable, the second in lower case. Nearly every pair of
    /// neighbouring words is asked, so this reads only their marks.
    #[inline]
    fn may_join_words(&self, i: usize) -> bool {
        const FIRST: u8 = Mark::KNOWN | Mark::HEAD;
        const SECOND: u8 = Mark::KNOWN | Mark::TAIL | Mark::LOWER;
        self.marks[i] & FIRST == FIRST && self.marks[i + 1] & SECOND == SECOND
    }

    /// The cores of the tokens at `i` and `i + 1` when [`Checker::join_split_word`] may
    /// join them: the tests that need no lookup of the joined word, which settle nearly
    /// every pair of neighbouring words. Inlined into the pass over every pair, so that
    /// a pair that fails costs a few loads and one bit of the vocabulary's outlines.
    #[inline]
    fn split_word_halves(&self, i: usize) -> Option<(&'a [u8], &'a [u8])> {
        if !self.may_join_words(i) {
            return None;
        }
        // Both are ASCII letters (a word of shape `Lower` after one of shape `Lower` or
        // `Capitalized`, see `joinable`), so bytes are characters.
        let bytes = self.text.as_bytes();
        let (head, tail) = (
            &bytes[self.tokens[i].core().range()],
            &bytes[self.tokens[i + 1].core().range()],
        );
        if head.len() < 2 || tail.len() < 2 {
            return None; // `a void`, `the n`: one-letter fragments are words or initials
        }
        let len = head.len() + tail.len();
        if len > MAX_SPLIT_WORD || !self.vocab.may_count_joined(head, tail) {
            return None;
        }
        Some((head, tail))
    }

    /// `words.join-split-word`: `pack ages` → `packages`, where both fragments are words,
    /// for the tokens at `i` and `i + 1`, whose cores `head` and `tail` passed
    /// [`Checker::split_word_halves`].
    ///
    /// Proposed as Safe; [`Words::run`] lowers it to Review unless the document shows
    /// the damage often enough ([`splits_words`]).
    fn join_split_word(&self, i: usize, head: &[u8], tail: &[u8]) -> Option<Fix> {
        /// The least Zipf frequency of the joined word: a common word (≈ 3 per
        /// million words), not a rare one that two everyday words happen to spell.
        const MIN_JOINED_ZIPF: f32 = 3.5;
        // Joinable (see `joinable`): the marks say so.
        let end = self.tokens[i].chunk().end;
        let gap = Span::new(end, end + 1);
        let len = head.len() + tail.len();
        let mut buf = [0u8; MAX_SPLIT_WORD];
        buf[..head.len()].copy_from_slice(head);
        buf[head.len()..len].copy_from_slice(tail);
        let joined = &buf[..len];
        // The document's own vocabulary is the smallest table, so it is asked first, and
        // as written: a capitalised head (`Mos cow`) also finds the word in lower case.
        let mut in_document = self.vocab.count_bytes(joined);
        if in_document == 0 && head[0].is_ascii_uppercase() {
            in_document = self.vocab.count_ci_bytes(joined);
        }
        if in_document == 0 {
            return None;
        }
        let (head, tail) = (self.core(i), self.core(i + 1));
        let joined = std::str::from_utf8(joined).ok()?;
        let zipf = self.lexicon.zipf(joined);
        if zipf < MIN_JOINED_ZIPF {
            return None;
        }
        // A pair English uses (`may be`, `in to`, `every one`) is two words.
        if self.lexicon.bigram_logp(head, tail).is_some() {
            return None;
        }
        // A word split twice (`be en tered`) offers a wrong pair first: where the tail
        // also joins its right neighbour into a word, which pair is the word is unclear.
        let next = self
            .tokens
            .get(i + 2)
            .filter(|t| t.shape == Shape::Lower && !t.protected)
            .map(|t| &self.text[t.core().range()]);
        if next.is_some_and(|next| self.is_known(&format!("{tail}{next}"))) {
            return None;
        }
        Some(
            Fix::single(
                RuleId::from_static(JOIN_SPLIT_WORD),
                Applicability::Safe,
                Edit::delete(gap),
            )
            .with_confidence(0.8)
            .with_message(format!(
                "joined '{joined}' (zipf {zipf:.1}, {in_document}× whole in this document); \
                 '{head} {tail}' is not an English word pair"
            )),
        )
    }

    /// `Universit ´e` → `Université`: a spacing accent torn off its letter.
    fn join_accent(&self, head: &str, gap: Span, second: Token) -> Option<Fix> {
        // Every spacing accent is outside ASCII: nearly every chunk is settled by its
        // first byte.
        if self.text.as_bytes()[second.chunk().start].is_ascii() {
            return None;
        }
        let rest = &self.text[second.chunk().range()];
        let mut chars = rest.chars();
        let combining = match chars.next()? {
            '\u{b4}' => '\u{301}',
            '\u{a8}' => '\u{308}',
            '\u{2c6}' => '\u{302}',
            '\u{2dc}' => '\u{303}',
            '\u{b8}' => '\u{327}',
            '\u{2c7}' => '\u{30c}',
            _ => return None,
        };
        let letter = chars.next().filter(char::is_ascii_alphabetic)?;
        let composed: String = [letter, combining]
            .iter()
            .collect::<String>()
            .nfc()
            .collect();
        if composed.chars().count() != 1 {
            return None; // no precomposed letter: not an accent that was torn off
        }
        // The rest of the word after the accented letter.
        let tail_start = second.chunk().start + rest.len() - chars.as_str().len();
        let tail_len = chars
            .as_str()
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(chars.as_str().len());
        let tail_end = tail_start + tail_len;
        let joined = format!("{head}{composed}{}", &self.text[tail_start..tail_end]);
        let known = self.is_known(&joined) || self.vocab.count(&joined) >= 1;
        // A spacing accent standing alone before a letter is itself the damage; with a
        // head that is no word by itself, the join cannot reasonably be wrong.
        let applicability = if known || !self.lexicon.contains(head) {
            Applicability::Safe
        } else {
            Applicability::Review
        };
        let replaced = Span::new(gap.start, tail_start);
        Some(
            Fix::single(
                RuleId::from_static(JOIN_BROKEN),
                applicability,
                Edit::new(replaced, composed),
            )
            .with_confidence(if known { 0.9 } else { 0.6 })
            .with_message(format!(
                "joined '{joined}': a spacing accent stood apart from its letter{}",
                if known { "; the word is known" } else { "" }
            )),
        )
    }
}

/// Calls `f` with `head` followed by `tail`, built on the stack where it fits: nearly
/// every pair of fragments asked about is joined only to be looked up.
fn with_joined<R>(head: &str, tail: &str, f: impl FnOnce(&str) -> R) -> R {
    const STACK: usize = 64;
    let len = head.len() + tail.len();
    if len > STACK {
        return f(&format!("{head}{tail}"));
    }
    let mut buf = [0u8; STACK];
    buf[..head.len()].copy_from_slice(head.as_bytes());
    buf[head.len()..len].copy_from_slice(tail.as_bytes());
    // Two strings back to back are a string.
    f(std::str::from_utf8(&buf[..len]).unwrap_or_default())
}

/// The offset of the line break that `before` ends in, allowing whitespace after it:
/// where the line starts when what follows `before` is first on its line.
///
/// A token is nearly always preceded by a space or a letter, so the search back stops
/// within a few bytes instead of scanning the paragraph for its last line break.
fn line_break_before(before: &str) -> Option<usize> {
    let bytes = before.as_bytes();
    let mut k = bytes.len();
    while k > 0 && matches!(bytes[k - 1], b' ' | b'\t' | b'\r' | 0x0b | 0x0c) {
        k -= 1;
    }
    match bytes[..k].last() {
        Some(b'\n') => Some(k - 1),
        Some(b) if !b.is_ascii() => {
            // Maybe a Unicode space: decide by characters.
            let line_start = before.rfind('\n')?;
            before[line_start..].trim().is_empty().then_some(line_start)
        }
        _ => None,
    }
}

/// Whether `candidate` is cased like a word that `token` could have been: no capital
/// after the first letter (`pIes` is not a reading of `ples`), and a capital first
/// letter only where the token had one or a digit (`0pen` → `Open`).
fn keeps_case(token: &str, candidate: &str) -> bool {
    let bytes = candidate.as_bytes();
    if bytes[1..].iter().any(u8::is_ascii_uppercase) {
        return false;
    }
    !bytes[0].is_ascii_uppercase() || !token.as_bytes()[0].is_ascii_lowercase()
}

fn evidence(s: &Scored) -> String {
    format!("zipf {:.1}, {}× in document", s.zipf, s.in_document)
}

/// Confidence from the margin between the best candidate and the next.
fn confidence(margin: f32) -> f32 {
    if margin.is_infinite() {
        0.95
    } else {
        (0.5 + margin / 6.0).min(0.95)
    }
}

/// The edit that turns `from` (at `span`) into `to`, touching only the bytes that
/// differ, so the report shows `cach` → `each` as `c` → `e`.
fn minimal_edit(span: Span, from: &str, to: &str) -> Edit {
    let (a, b) = (from.as_bytes(), to.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    // Candidates are ASCII, so every offset is a character boundary.
    Edit::new(
        Span::new(span.start + prefix, span.end - suffix),
        &to[prefix..b.len() - suffix],
    )
}

#[cfg(test)]
mod tests;
