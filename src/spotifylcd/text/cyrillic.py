"""Cyrillic → Latin as its readers spell it: Ukrainian by the national system, Russian as usual.

Ukrainian and Russian share most letters but not their sounds, so a track is read as
Ukrainian when its letters say so (some are Ukrainian only, others Russian only), else its
artists' genres, else the account's country. Ukrainian follows the 2010 national
romanization (translitua); Russian, anyascii's spelling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from anyascii import anyascii
from translitua import UkrainianKMU, translit

if TYPE_CHECKING:
    from collections.abc import Iterable

# и is y in Ukrainian and i in Russian; г is h, not g.
UKRAINIAN_ONLY: Final = frozenset("ІіЇїЄєҐґ")
RUSSIAN_ONLY: Final = frozenset("ЫыЭэЪъЁё")
UKRAINIAN_COUNTRIES: Final = frozenset({"UA"})


def reads_ukrainian(text: str, country: str = "", genres: Iterable[str] = ()) -> bool:
    """Whether the Cyrillic of a track (all its fields in `text`) is Ukrainian."""
    ukrainian = sum(char in UKRAINIAN_ONLY for char in text)
    russian = sum(char in RUSSIAN_ONLY for char in text)
    if ukrainian != russian:
        return ukrainian > russian
    if any("ukrainian" in genre.lower() for genre in genres):
        return True
    return country.upper() in UKRAINIAN_COUNTRIES


def is_cyrillic(char: str) -> bool:
    """Whether `char` is in the Cyrillic block."""
    return "\u0400" <= char <= "\u04ff"


def romanize_cyrillic(text: str, *, ukrainian: bool = False) -> str:
    """Cyrillic `text` in Latin letters; Ukrainian by the national system."""
    return str(translit(text, UkrainianKMU)) if ukrainian else anyascii(text)
