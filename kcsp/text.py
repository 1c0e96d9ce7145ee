"""Text typed by people (user names, progress updates), made safe to store and show.

Unicode is normalised, and characters that change how text looks without being seen are removed:
control characters (except line breaks and tabs where several lines are allowed), format characters
such as bidi overrides and zero-width spaces, and lone surrogates (which cannot be stored as UTF-8).
"""

from __future__ import annotations

import unicodedata

DROPPED_CATEGORIES = {"Cc", "Cf", "Cs"}
KEPT_IN_MULTILINE = {"\n", "\t"}


def clean_text(text: str, *, multiline: bool = False, form: str = "NFC") -> str:
    """`text` normalised (NFC, or NFKC for names) without invisible or direction-changing characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in DROPPED_CATEGORIES
                   or (multiline and ch in KEPT_IN_MULTILINE))
    return unicodedata.normalize(form, kept)


def clean_name(name: str) -> str:
    """A user name as stored and compared: NFKC (so look-alike forms fold together), one line, trimmed."""
    return clean_text(name, form="NFKC").strip()
