"""Han characters only Japanese, or only Chinese, writes: from the national character sets.

A kanji in Japan's character set (JIS X 0208 with its Windows extensions, cp932) but in neither
China's (GB 2312) nor Taiwan's (Big5, cp950) is a form Chinese does not write: kokuji (働, 畑,
込) and shinjitai (桜, 気, 駅). A character in GB 2312 or Big5 but not in cp932 is one Japanese
does not write: simplified (们, 说, 爱) and a few traditional (說) forms. An old form JIS
also encodes (們, 學, 梦) is evidence of neither.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from .scripts import Script, script_of

# Double-byte codes of each character set: (lead bytes, trail bytes).
_CP932: Final = ((*range(0x81, 0xA0), *range(0xE0, 0xFD)), range(0x40, 0xFD))
_GB2312: Final = (range(0xA1, 0xF8), range(0xA1, 0xFF))
_CP950: Final = (range(0x81, 0xFF), (*range(0x40, 0x7F), *range(0xA1, 0xFF)))
# Iteration marks (佐々木, 〆切): Chinese repeats the character itself instead.
_JAPANESE_MARKS: Final = frozenset("々〆")


def _han_in(
    charset: str, codes: tuple[tuple[int, ...] | range, tuple[int, ...] | range]
) -> set[str]:
    """Every Han character `charset` encodes in two bytes."""
    leads, trails = codes
    characters = set()
    for lead in leads:
        for trail in trails:
            try:
                char = bytes((lead, trail)).decode(charset)
            except UnicodeDecodeError:
                continue
            if script_of(char) is Script.HAN:
                characters.add(char)
    return characters


@cache
def han_forms() -> tuple[frozenset[str], frozenset[str]]:
    """(Japanese-only, Chinese-only) Han characters; reads the codec modules on first call."""
    japanese = _han_in("cp932", _CP932)
    chinese = _han_in("gb2312", _GB2312) | _han_in("cp950", _CP950)
    return frozenset(japanese - chinese) | _JAPANESE_MARKS, frozenset(chinese - japanese)


def count_forms(text: str) -> tuple[int, int]:
    """How many characters of `text` only Japanese writes, and how many only Chinese."""
    if all(script_of(char) is not Script.HAN for char in text):
        return 0, 0  # without reading the codec tables, which only a Han title needs
    japanese_only, chinese_only = han_forms()
    return sum(char in japanese_only for char in text), sum(char in chinese_only for char in text)
