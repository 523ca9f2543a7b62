"""Text as one LCD ROM shows it: its own characters, custom-glyph letters, the rest romanized."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import cache
from itertools import groupby

from ..hd44780.rom import SUBSTITUTES, Rom, encoder_for
from .japanese import to_half_width_katakana
from .lookalikes import GREEK_GLYPH_LETTERS, capitals, is_cyrillic_or_greek, spelled_with
from .normalize import normalize, tidy
from .reading import HanReading
from .romanize import romanize, transliterate
from .scripts import Script, script_of


class JapaneseMode(StrEnum):
    """How an A00 display shows Japanese: transliterated, or natively in katakana."""

    ROMAJI = "romaji"
    KATAKANA = "katakana"


@cache
def drawable_letters(rom: Rom) -> frozenset[str]:
    """Letters a CGRAM glyph can show on `rom`, for the glyph allocation to draw.

    On A02: the Greek capitals it lacks. Elsewhere: the accented Latin letters A02 has and
    `rom` lacks (é on A00). Cyrillic and Greek are left out there: a word of theirs needs more
    glyphs than a screen has, and a half-drawn one misreads.
    """
    # A half-drawn ВОР (thief) on A00 would read "BOP".
    if rom is Rom.A02:
        return GREEK_GLYPH_LETTERS
    native = encoder_for(rom).characters()
    return frozenset(
        char
        for char in encoder_for(Rom.A02).characters()
        if char.isalpha() and char not in native and not is_cyrillic_or_greek(char)
    )


def fallback(char: str, rom: Rom) -> str:
    """What to show for `char` on `rom` without a glyph of its own: ROM characters only."""
    encoder = encoder_for(rom)
    ascii_text = SUBSTITUTES.get(char) or transliterate(char)
    return "".join(
        out for c in ascii_text if (out := c if encoder.can_show(c) else SUBSTITUTES.get(c, ""))
    )


def _is_word_character(char: str) -> bool:
    # Vowel signs and other combining marks belong to their word (तुम, ขอ), not between words.
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _words(text: str) -> list[str]:
    """Words and the single characters between them."""
    out: list[str] = []
    for is_word, chars in groupby(text, key=_is_word_character):
        run = "".join(chars)
        out.extend([run] if is_word else list(run))
    return out


class _Glass:
    """What one ROM shows: its own characters, plus letters a CGRAM glyph may draw."""

    def __init__(self, rom: Rom) -> None:
        self.rom = rom
        self.encoder = encoder_for(rom)
        self.drawable = drawable_letters(rom)

    def shows(self, char: str) -> bool:
        return self.encoder.can_show(char) or char in self.drawable

    def in_own_letters(self, word: str) -> str | None:
        """`word` as the A02 ROM draws its Cyrillic or Greek: as is, else in capitals."""
        return spelled_with(word, self.shows) or spelled_with(capitals(word), self.shows)

    def needs_capitals(self, word: str) -> bool:
        return (
            self.rom is Rom.A02
            and is_cyrillic_or_greek(word)
            and spelled_with(word, self.shows) is None
        )

    def word(self, word: str, reading: HanReading, *, in_capitals: bool, ukrainian: bool) -> str:
        """A word kept whole when the glass can show every letter, else romanized whole.

        Mixing scripts inside a word ("Шut") reads worse than a clean romanization ("Shut").
        """
        if self.rom is Rom.A02 and is_cyrillic_or_greek(word):
            shown = self.in_own_letters(capitals(word) if in_capitals else word)
            if shown is not None:
                return shown
        elif all(self.shows(char) for char in word):
            return word
        return "".join(
            fallback(char, self.rom) for char in romanize(word, reading, ukrainian=ukrainian)
        )


def for_rom(
    text: str, rom: Rom, reading: HanReading, japanese: JapaneseMode, *, ukrainian: bool = False
) -> str:
    """`text` as characters the ROM shows, plus letters a CGRAM glyph could draw.

    CJK and Hangul are romanized per `reading` (or, on A00 with katakana on, Japanese is
    written in half-width katakana); other characters are kept when the ROM has them; on
    A02, Cyrillic and Greek are written in the ROM's own letters (in capitals throughout a
    string when one word's lower case cannot be drawn).
    """
    glass = _Glass(rom)
    katakana = rom is Rom.A00 and japanese is JapaneseMode.KATAKANA
    text = normalize(text)
    in_capitals = any(glass.needs_capitals(word) for word in _words(text))
    out: list[str] = []
    for is_cjk, chars in groupby(text, key=lambda char: script_of(char) is not Script.OTHER):
        run = "".join(chars)
        if is_cjk:
            native = katakana and reading is HanReading.JAPANESE
            run = (
                to_half_width_katakana(run)
                if native
                else romanize(run, reading, ukrainian=ukrainian)
            )
            if out and out[-1][-1:].isalnum() and run[:1].isalnum() and not native:
                run = " " + run
        out.append(
            "".join(
                glass.word(word, reading, in_capitals=in_capitals, ukrainian=ukrainian)
                for word in _words(run)
            )
        )
    return tidy("".join(out))
