"""Repairs text extracted from PDFs and OCR; every change is attributed to a rule.

>>> import recto
>>> recto.clean("ﬁne")
'fine'

See ``recto.Cleaner`` for options, batches and the list of changes.
"""

from recto._recto import Cleaner, __version__, clean, rules

__all__ = ["Cleaner", "clean", "rules", "__version__"]
