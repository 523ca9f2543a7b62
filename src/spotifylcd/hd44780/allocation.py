"""Choosing a screen's (at most 8) CGRAM glyphs, and encoding text with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from .cgram import Glyph, bar_glyph
from .font import letter_glyph
from .rom import CGRAM_CODES, CGRAM_SLOTS, Rom, encoder_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

FULL_BLOCK: Final = "\u2588"
BAR_LEVELS: Final = 5


@dataclass(slots=True)
class GlyphPlan:
    """The glyphs one screen loads into CGRAM, slot by slot, and who uses which slot."""

    rom: Rom
    glyphs: list[Glyph] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)  # letter -> its CGRAM device char

    def add(self, glyph: Glyph) -> str | None:
        """Load `glyph` into the next free slot; its device character, or None when full."""
        if glyph in self.glyphs:
            return chr(CGRAM_CODES[self.glyphs.index(glyph)])
        if len(self.glyphs) >= CGRAM_SLOTS:
            return None
        self.glyphs.append(glyph)
        return chr(CGRAM_CODES[len(self.glyphs) - 1])

    def bar_levels(self) -> str:
        """Device characters for 1-5 lit columns; a ROM full block where the ROM has one."""
        full = encoder_for(self.rom).code(FULL_BLOCK)
        levels = [self.add(bar_glyph(columns)) or " " for columns in range(1, BAR_LEVELS)]
        levels.append(chr(full) if full is not None else self.add(bar_glyph(BAR_LEVELS)) or " ")
        return "".join(levels)

    def add_letters(self, texts: Iterable[str], drawable: frozenset[str]) -> None:
        """Give free slots to the drawable letters these texts use most."""
        # A plain dict, not a Counter: a Counter's first count in a process checks the
        # argument against the Mapping ABC, ~7 ms once on a display's request.
        counts: dict[str, int] = {}
        for char in "".join(texts):
            if char in drawable:
                counts[char] = counts.get(char, 0) + 1
        for char, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            glyph = letter_glyph(char)
            if glyph is None:
                continue
            device_char = self.add(glyph)
            if device_char is None:
                return
            self.letters[char] = device_char

    def encode(self, text: str, fallback: Callable[[str], str]) -> str:
        """`text` as device characters: one code point per HD44780 byte."""
        encoder = encoder_for(self.rom)
        out = []
        for char in text:
            code = encoder.code(char)
            if code is not None:
                out.append(chr(code))
            elif char in self.letters:
                out.append(self.letters[char])
            else:
                out.extend(chr(c) for c in map(encoder.code, fallback(char)) if c is not None)
        return "".join(out)
