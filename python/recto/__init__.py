"""Repairs text extracted from PDFs and OCR; every change is attributed to a rule.

>>> import recto
>>> recto.clean("ﬁne")
'fine'

See ``recto.Cleaner`` for options, batches, JSON Lines and the list of changes.
"""

from recto._recto import Cleaner, __version__, clean, rules
from recto._types import Applicability, Change, Footnotes, Garble, MarginText, Rule

__all__ = [
    "Applicability",
    "Change",
    "Cleaner",
    "Footnotes",
    "Garble",
    "MarginText",
    "Rule",
    "__version__",
    "clean",
    "rules",
]
