"""Unicode → text a display can show; this is the ASCII path legacy firmware needs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from anyascii import anyascii

# Symbols (emoji, dingbats), controls, private use, unassigned: nothing worth spelling out.
_DROPPED_CATEGORIES: Final = frozenset({"So", "Sk", "Cc", "Cf", "Co", "Cn", "Cs"})
_SPACES: Final = re.compile(r"\s+")
_NOT_PRINTABLE: Final = re.compile(r"[^\x20-\x7e]")


@lru_cache(maxsize=4096)
def to_ascii(text: str) -> str:
    """Printable ASCII with single spaces; letters are transliterated, never turned into `?`."""
    normalised = unicodedata.normalize("NFKC", text)
    kept = "".join(
        " " if char.isspace() else char
        for char in normalised
        if char.isspace() or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    ascii_text = _NOT_PRINTABLE.sub("", anyascii(kept))
    return _SPACES.sub(" ", ascii_text).strip()
