//! Pages of a document: split at form feeds, or inferred (not yet implemented).
