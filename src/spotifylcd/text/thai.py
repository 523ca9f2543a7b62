"""Thai → the Royal Thai General System of Transcription (RTGS), word by word.

Thai writes no spaces between words and leaves many vowels unwritten, so a letter-by-letter
transliteration (anyascii) is unreadable ("khoaichethoaelkeborothr"). PyThaiNLP cuts the text
into words with its dictionary and spells each in RTGS ("kho chai thoe laek boe tho").
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

THAI_DIGITS: Final = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
WORD_CUTTER: Final = "newmm"  # PyThaiNLP's default: dictionary-based maximal matching
RTGS: Final = "royin"  # the Royal Institute's system, rule-based


def is_thai(char: str) -> bool:
    """Whether `char` is in the Thai block."""
    return "\u0e00" <= char <= "\u0e7f"


def load_dictionary() -> None:
    """Read PyThaiNLP's word list now (a blocking file read), not inside a request."""
    romanize_thai("ภาษาไทย")


@cache
def _pythainlp() -> tuple[Callable[..., list[str]], Callable[..., str]]:
    """PyThaiNLP's word cutter and romanizer, imported on the first Thai title (~50 MiB)."""
    # The word list and RTGS rules ship in the wheel: PyThaiNLP needs no data directory of its
    # own (it would make ~/pythainlp-data) and may download nothing.
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    from pythainlp.tokenize import word_tokenize  # noqa: PLC0415 - see the docstring
    from pythainlp.transliterate import romanize  # noqa: PLC0415

    return word_tokenize, romanize


def romanize_thai(text: str) -> str:
    """Thai `text` in RTGS, one capitalized word per Thai word."""
    word_tokenize, romanize = _pythainlp()
    words = (
        romanize(word, engine=RTGS)
        for word in word_tokenize(text.translate(THAI_DIGITS), engine=WORD_CUTTER)
    )
    return " ".join(word[:1].upper() + word[1:] for word in words if word.strip())
