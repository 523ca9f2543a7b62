"""Which writing system a character belongs to, for the scripts that need more than anyascii."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

from enum import StrEnum


class Script(StrEnum):
    """Scripts with a transliteration of their own; everything else is OTHER."""

    KANA = "kana"
    HAN = "han"
    HANGUL = "hangul"
    OTHER = "other"


_RANGES: tuple[tuple[int, int, Script], ...] = (
    (0x3040, 0x30FF, Script.KANA),  # Hiragana, Katakana
    (0x31F0, 0x31FF, Script.KANA),  # Katakana phonetic extensions
    (0xFF66, 0xFF9F, Script.KANA),  # Half-width katakana
    (0x3005, 0x3007, Script.HAN),  # 々 〆 〇
    (0x3400, 0x4DBF, Script.HAN),  # Extension A
    (0x4E00, 0x9FFF, Script.HAN),  # Unified ideographs
    (0xF900, 0xFAFF, Script.HAN),  # Compatibility ideographs
    (0x20000, 0x3134F, Script.HAN),  # Extensions B–G
    (0x1100, 0x11FF, Script.HANGUL),  # Jamo
    (0x3130, 0x318F, Script.HANGUL),  # Compatibility jamo
    (0xAC00, 0xD7AF, Script.HANGUL),  # Syllables
)


def script_of(char: str) -> Script:
    """The script of one character."""
    code = ord(char)
    for low, high, script in _RANGES:
        if low <= code <= high:
            return script
    return Script.OTHER


def scripts_in(text: str) -> set[Script]:
    """Every script that occurs in `text`."""
    return {script_of(char) for char in text}


def convert_runs(text: str, belongs: Callable[[str], bool], convert: Callable[[str], str]) -> str:
    """`text` with each maximal run of characters that `belongs` replaced by `convert(run)`."""
    return "".join(
        convert(run) if inside else run
        for inside, chars in groupby(text, key=belongs)
        if (run := "".join(chars))
    )
