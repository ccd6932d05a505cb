"""Type stubs for the extension module ``recto._recto`` (re-exported by ``recto``)."""

from collections.abc import Iterable
from os import PathLike
from typing import Any, Literal, final

from recto._types import Change, Footnotes, Garble, MarginText, Rule

__all__ = ["Cleaner", "clean", "rules", "__version__"]

__version__: str

@final
class Cleaner:
    """A configured pipeline; build it once, call it many times, share it across threads.

    Every option is keyword-only; ``None`` means the default:

    - ``unsafe``: also apply fixes that need review (applicability ``review`` and
      ``suggest``); default ``False`` (safe fixes only).
    - ``select`` / ``ignore``: rule-id prefixes (``"unicode"``, ``"layout.reflow"``) as a
      list or a comma-separated string; only selected rules act (all when empty), ignored
      ones never do. A prefix matching no rule raises ``ValueError``.
    - ``garble``: what to do with garbled runs: ``"remove"`` (default), ``"mark"``,
      ``"keep"``.
    - ``garble_marker``: the marker for ``garble="mark"``; default ``"[…]"``.
    - ``keep_lines``: keep the original line breaks (repair words only); default ``False``.
    - ``footnotes``: footnotes found at page bottoms are gathered at the end of the text
      (``"end"``, default) or left where they are (``"keep"``).
    - ``margin_text``: margin stamps printed one character per line or reversed are
      restored (``"restore"``, default), dropped (``"drop"``) or left (``"keep"``).

    ``config`` is a ``recto.toml`` (or a ``pyproject.toml`` with ``[tool.recto]``), or a
    directory to find one in as the CLI would; its rule sets and rule files are used, and
    the options above replace its values. A bad file raises ``ValueError`` naming the
    line; a missing one ``FileNotFoundError``. A ``Cleaner`` made from a file is rebuilt
    from it when unpickled, so workers must be able to read it.
    """

    def __new__(
        cls,
        config: str | PathLike[str] | None = None,
        *,
        unsafe: bool | None = None,
        select: Iterable[str] | str | None = None,
        ignore: Iterable[str] | str | None = None,
        garble: Garble | None = None,
        garble_marker: str | None = None,
        keep_lines: bool | None = None,
        footnotes: Footnotes | None = None,
        margin_text: MarginText | None = None,
    ) -> Cleaner: ...
    def clean(self, text: str) -> str:
        """Returns ``text`` repaired (the GIL is released while cleaning)."""
    def clean_batch(self, texts: Iterable[str]) -> list[str]:
        """Repairs every text in parallel without the GIL; results are in input order."""
    def clean_jsonl(
        self,
        lines: Iterable[str],
        field: str = "text",
        *,
        on_malformed: Literal["pass", "raise"] = "pass",
    ) -> list[str]:
        """Cleans one string field of JSON Lines records in parallel, like
        ``recto clean --jsonl``.

        ``field`` is a dotted path (``"doc.body"``). Only that value changes: every other
        byte of a line is kept, and a record needing no repair comes back identical.
        Blank lines pass through; so do lines that are not JSON or whose field is missing
        or not a string, unless ``on_malformed="raise"`` (then ``ValueError`` names the
        line).
        """
    def changes(self, text: str) -> list[Change]:
        """The changes ``clean(text)`` makes, in text order."""
    def __getnewargs_ex__(self) -> tuple[tuple[str | None], dict[str, Any]]: ...

def clean(
    text: str,
    *,
    config: str | PathLike[str] | None = None,
    unsafe: bool | None = None,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    garble: Garble | None = None,
    garble_marker: str | None = None,
    keep_lines: bool | None = None,
    footnotes: Footnotes | None = None,
    margin_text: MarginText | None = None,
) -> str:
    """Returns ``text`` repaired; options as for ``Cleaner``."""

def rules() -> list[Rule]:
    """Every built-in rule, in pipeline order, then the rules of the built-in rule sets."""
