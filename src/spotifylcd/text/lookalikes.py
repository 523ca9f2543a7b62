"""Cyrillic and Greek on an A02 glass, in their own letters rather than transliterated.

The A02 ROM draws some Cyrillic and Greek letters itself; most others look exactly like a
letter it has (a Latin one, or the other script's twin). A word whose lower case the ROM
cannot draw is shown in capitals, as Greek and Russian LCDs commonly do; Greek capitals carry
no accents. Capitals the ROM lacks entirely get a custom glyph while there is room.
"""

from __future__ import annotations

import unicodedata
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

# The ROM's own: Б Д Ж З И Й Л П У Ц Ч Ш Щ Ъ Ы Э Ю Я, Γ Σ Φ Ω, α δ ε θ μ π σ τ ω.
# Twins: Cyrillic А В Е К М Н О Р С Т Х are the Latin glyphs, Cyrillic Г is Greek Γ, and
# "Группа крови" is shown as ГРУППА КРОВИ.
#
# Letters whose glyph is the same dots as one the A02 ROM has. luma.lcd's table of the AiP31066
# with its Cyrillic ROM draws the Cyrillic capitals among them with these very codes (Ь as b);
# Greek capitals that look Latin are the Latin glyphs in Greek LCD fonts too.
TWINS: Final = MappingProxyType(
    {
        # Cyrillic capitals
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "Г": "Γ", "Ф": "Φ", "Ь": "b", "Ё": "Ë", "І": "I",
        "Ї": "Ï", "Ј": "J", "Ѕ": "S",
        # Cyrillic lower case
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ё": "ë",
        "і": "i", "ї": "ï", "ј": "j", "ѕ": "s",
        # Greek capitals
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϊ": "Ï",
        # Greek lower case
        "ο": "o",
    }
)  # fmt: skip
# Greek capitals the A02 ROM has no glyph for: drawn in CGRAM while there is room.
GREEK_GLYPH_LETTERS: Final = frozenset("ΔΘΛΞΠΨ")
_GREEK_ACCENTS: Final = frozenset({"\u0301", "\u0300", "\u0342", "\u0313", "\u0314", "\u0345"})


def is_cyrillic_or_greek(word: str) -> bool:
    """Whether every letter of `word` is Cyrillic or Greek (digits may stand among them)."""
    letters = [char for char in word if char.isalpha()]
    return bool(letters) and all(
        unicodedata.name(char, "").startswith(("CYRILLIC", "GREEK")) for char in letters
    )


def capitals(word: str) -> str:
    """`word` in capitals; Greek capitals lose their accents (tonos), keep their dialytika."""
    decomposed = unicodedata.normalize("NFD", word.upper())
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if char not in _GREEK_ACCENTS)
    )


def spelled_with(word: str, shows: Callable[[str], bool]) -> str | None:
    """`word` with its letters' twins, if `shows` accepts every letter; else None."""
    spelled = "".join(TWINS.get(char, char) for char in word)
    return spelled if all(shows(char) for char in spelled) else None
