//! JSON Lines records: find the text field of a record and put the cleaned text back.
//!
//! Corpora come as JSON Lines, one document per line with metadata around it. recto
//! cleans one string field and must leave every other byte of the record as it was —
//! key order, number formatting, escapes, whitespace — so the cleaned record is the
//! original line with the field's value *spliced*, not a re-serialised object. The field
//! is found with serde_json's `RawValue`, whose borrowed slices tell exactly where each
//! value sits in the line.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::value::RawValue;

use crate::span::Span;

/// A dotted path to a field: `text`, `meta.body`.
///
/// ```
/// let path = recto::jsonl::FieldPath::parse("doc.text").unwrap();
/// let (span, text) = path.locate(r#"{"id": 7, "doc": {"text": "ﬁne\n"}}"#).unwrap();
/// assert_eq!(text, "ﬁne\n");
/// assert_eq!(span.len(), r#""ﬁne\n""#.len());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath(Vec<String>);

/// Why a record's field could not be cleaned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The line is not JSON.
    #[error("not valid JSON: {0}")]
    NotJson(String),
    /// The record (or a parent on the path) is not an object.
    #[error("{0} is not an object")]
    NotObject(String),
    /// The field is missing.
    #[error("no field {0:?}")]
    Missing(String),
    /// The field is not a string.
    #[error("field {0:?} is not a string")]
    NotString(String),
}

impl FieldPath {
    /// Parses `a.b.c`; `None` for an empty path or an empty segment.
    pub fn parse(path: &str) -> Option<FieldPath> {
        let parts: Vec<String> = path.split('.').map(str::to_owned).collect();
        (!parts.iter().any(String::is_empty)).then_some(FieldPath(parts))
    }

    /// The keys of the path, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The byte span of the field's JSON string value in `line` (quotes included) and
    /// the decoded string.
    pub fn locate(&self, line: &str) -> Result<(Span, String), RecordError> {
        let mut base = line;
        let mut offset = 0usize;
        for (depth, key) in self.0.iter().enumerate() {
            let here = self.0[..depth].join(".");
            let object: HashMap<Cow<'_, str>, &RawValue> =
                serde_json::from_str(base).map_err(|e| {
                    if depth == 0 && serde_json::from_str::<serde::de::IgnoredAny>(base).is_err() {
                        RecordError::NotJson(e.to_string())
                    } else {
                        RecordError::NotObject(if here.is_empty() {
                            "the record".to_owned()
                        } else {
                            format!("field {here:?}")
                        })
                    }
                })?;
            let raw = object
                .get(key.as_str())
                .ok_or_else(|| RecordError::Missing(self.0[..=depth].join(".")))?;
            // The raw value borrows from `base`: its address gives its position.
            let start = raw.get().as_ptr() as usize - base.as_ptr() as usize;
            offset += start;
            base = raw.get();
        }
        let text: String =
            serde_json::from_str(base).map_err(|_| RecordError::NotString(self.0.join(".")))?;
        Ok((Span::new(offset, offset + base.len()), text))
    }
}

/// `line` with the JSON value at `span` replaced by `text` as a JSON string.
///
/// ```
/// let line = r#"{"text": "ﬁne", "n": 1.50}"#;
/// let path = recto::jsonl::FieldPath::parse("text").unwrap();
/// let (span, _) = path.locate(line).unwrap();
/// assert_eq!(recto::jsonl::splice(line, span, "fine"), r#"{"text": "fine", "n": 1.50}"#);
/// ```
pub fn splice(line: &str, span: Span, text: &str) -> String {
    let encoded = serde_json::to_string(text).expect("a string serialises");
    let mut out = String::with_capacity(line.len() + encoded.len());
    out.push_str(&line[..span.start]);
    out.push_str(&encoded);
    out.push_str(&line[span.end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_fields_keep_their_exact_bytes() {
        let line = r#"{ "b":1e3,"text" : "caf\u00e9 \"ﬁ\"" ,"z":[1, 2] }"#;
        let p = FieldPath::parse("text").unwrap();
        let (span, text) = p.locate(line).unwrap();
        assert_eq!(text, "café \"ﬁ\"");
        assert_eq!(
            splice(line, span, "café \"fi\""),
            r#"{ "b":1e3,"text" : "café \"fi\"" ,"z":[1, 2] }"#
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let p = FieldPath::parse("meta.text").unwrap();
        assert!(matches!(
            p.locate("{not json"),
            Err(RecordError::NotJson(_))
        ));
        assert_eq!(
            p.locate("[1,2]"),
            Err(RecordError::NotObject("the record".into()))
        );
        assert_eq!(
            p.locate(r#"{"meta": 3}"#),
            Err(RecordError::NotObject("field \"meta\"".into()))
        );
        assert_eq!(
            p.locate(r#"{"meta": {}}"#),
            Err(RecordError::Missing("meta.text".into()))
        );
        assert_eq!(
            p.locate(r#"{"meta": {"text": 3}}"#),
            Err(RecordError::NotString("meta.text".into()))
        );
        assert!(FieldPath::parse("a..b").is_none());
    }

    #[test]
    fn escaped_keys_match() {
        let p = FieldPath::parse("text").unwrap();
        assert_eq!(p.locate(r#"{"te\u0078t": "x"}"#).unwrap().1, "x");
    }
}
