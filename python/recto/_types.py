"""The types of the values recto's functions take and return (for annotations)."""

from __future__ import annotations

from typing import Literal, TypedDict

Garble = Literal["remove", "mark", "keep"]
"""What to do with garbled runs."""

Footnotes = Literal["end", "keep"]
"""Where footnotes found at page bottoms go."""

MarginText = Literal["restore", "drop", "keep"]
"""What to do with margin stamps printed one character per line or reversed."""

Applicability = Literal["safe", "review", "suggest"]
"""Whether a fix may be applied without review (``safe``) or not."""


class Change(TypedDict):
    """One change cleaning makes, as returned by ``Cleaner.changes``.

    ``start``/``end`` are byte offsets into ``text.encode("utf-8")``;
    ``char_start``/``char_end`` are offsets into the ``str`` itself, so
    ``text[c["char_start"]:c["char_end"]] == c["before"]``.
    """

    id: str
    """Stable id: a hash of the rules, the replaced text, the replacement and a little
    surrounding text, never of offsets."""
    rules: list[str]
    """Every rule whose edits were merged into this change, in the order they applied."""
    start: int
    end: int
    char_start: int
    char_end: int
    before: str
    """The replaced text of the input."""
    after: str
    """What replaces it in the output."""
    applicability: Applicability
    confidence: float
    message: str
    linked: list[str]
    """The ids of the other changes of the same move (reading order): they stand or
    fall together. Empty for every other change."""


class Rule(TypedDict):
    """A built-in rule, as returned by ``rules()``."""

    id: str
    stage: str
    applicability: Applicability
    summary: str
    explanation: str
